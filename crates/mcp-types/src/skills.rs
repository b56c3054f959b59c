//! The skills extension (`io.modelcontextprotocol/skills`, SEP-2640): `skills/list`, `skills/get`
//! and the `skill://` resources a skill's files are read as.
//!
//! A server declares the extension under `capabilities.extensions`; a client that wants skills
//! declares it in its own capabilities. Each [`Skill`] names its `SKILL.md` by URI, repeats the
//! file's YAML frontmatter as JSON, and lists its files with a `sha256:` digest and a size
//! ([`SkillResources::Manifest`]), or says they are generated on demand
//! ([`SkillResources::Dynamic`]).
//!
//! ```
//! use mcp_types::{ListSkillsResult, SkillResources};
//!
//! let raw = r#"{"skills":[{"uri":"skill://pdf/SKILL.md",
//!     "frontmatter":{"name":"pdf","description":"Work with PDFs"},
//!     "resources":[{"uri":"skill://pdf/SKILL.md","digest":"sha256:00","size":12}]}]}"#;
//! let page: ListSkillsResult = serde_json::from_str(raw)?;
//! let skill = &page.skills[0];
//! assert_eq!(skill.name(), Some("pdf"));
//! assert!(matches!(&skill.resources, SkillResources::Manifest(files) if files.len() == 1));
//! # Ok::<(), serde_json::Error>(())
//! ```

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::input::{CacheScope, ResultType};
use crate::macros::has_extra;
use crate::meta::Meta;

/// The extension's identifier, the key under `capabilities.extensions`.
pub const EXTENSION_ID: &str = "io.modelcontextprotocol/skills";

/// The URI scheme of skill files.
pub const SCHEME: &str = "skill://";

/// The file every skill has, whose frontmatter describes it.
pub const SKILL_FILE: &str = "SKILL.md";

/// A skill a server publishes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Skill {
    /// URI of the skill's `SKILL.md` (`skill://<path>/<name>/SKILL.md`).
    pub uri: String,
    /// The frontmatter of `SKILL.md`, as JSON (`name` and `description` are required).
    #[serde(default)]
    pub frontmatter: Map<String, Value>,
    /// The skill's files, or [`SkillResources::Dynamic`].
    #[serde(default)]
    pub resources: SkillResources,
    /// `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Skill {
    /// A skill at `uri` with this frontmatter and these files.
    pub fn new(uri: impl Into<String>, frontmatter: Map<String, Value>, resources: SkillResources) -> Self {
        Self {
            uri: uri.into(),
            frontmatter,
            resources,
            ..Self::default()
        }
    }

    /// The skill's name (the frontmatter's `name`), if it is a string.
    pub fn name(&self) -> Option<&str> {
        self.frontmatter.get("name").and_then(Value::as_str)
    }

    /// The skill's description (the frontmatter's `description`), if it is a string.
    pub fn description(&self) -> Option<&str> {
        self.frontmatter.get("description").and_then(Value::as_str)
    }

    /// The skill's directory URI: its `uri` without the final `SKILL.md`, with the slash
    /// (`skill://pdf/`), or `None` if `uri` does not end in `/SKILL.md`.
    pub fn directory(&self) -> Option<&str> {
        self.uri.strip_suffix(SKILL_FILE).filter(|dir| dir.ends_with('/'))
    }
}

/// One file of a skill's manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SkillResource {
    /// The file's URI, within the skill's directory.
    pub uri: String,
    /// `sha256:` and 64 lowercase hex digits, over the file's raw bytes.
    pub digest: String,
    /// The file's size in bytes.
    pub size: u64,
}

impl SkillResource {
    /// A manifest entry.
    pub fn new(uri: impl Into<String>, digest: impl Into<String>, size: u64) -> Self {
        Self {
            uri: uri.into(),
            digest: digest.into(),
            size,
        }
    }
}

/// A skill's `resources`: a manifest, `"dynamic"`, or something else, which makes the skill
/// invalid (kept so that one bad skill does not fail a whole listing).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SkillResources {
    /// Every file of the skill, `SKILL.md` included.
    Manifest(Vec<SkillResource>),
    /// The files are generated on demand: there is no manifest to verify them against.
    Dynamic,
    /// A missing or malformed value, kept verbatim (`Null` when missing). A host must not load
    /// such a skill.
    Invalid(Value),
}

impl Default for SkillResources {
    fn default() -> Self {
        Self::Invalid(Value::Null)
    }
}

impl Serialize for SkillResources {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Manifest(files) => files.serialize(s),
            Self::Dynamic => s.serialize_str("dynamic"),
            Self::Invalid(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for SkillResources {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        Ok(match value {
            Value::String(s) if s == "dynamic" => Self::Dynamic,
            Value::Array(items) => {
                let parsed: Result<Vec<SkillResource>, _> =
                    items.iter().map(SkillResource::deserialize).collect();
                match parsed {
                    Ok(files) => Self::Manifest(files),
                    Err(_) => Self::Invalid(Value::Array(items)),
                }
            }
            other => Self::Invalid(other),
        })
    }
}

/// Result of `skills/list` (one page).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListSkillsResult {
    /// The skills.
    pub skills: Vec<Skill>,
    /// Cursor of the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Result type (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// Cache lifetime in milliseconds (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_ms: Option<u64>,
    /// Cache scope (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_scope: Option<CacheScope>,
    /// `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ListSkillsResult {
    /// One page of skills (the last: no cursor).
    pub fn new(skills: Vec<Skill>) -> Self {
        Self {
            skills,
            ..Self::default()
        }
    }
}

/// Params of `skills/get`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GetSkillRequestParams {
    /// URI of the skill's `SKILL.md`.
    pub uri: String,
    /// `_meta` (see [`crate::RequestMeta`]).
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl GetSkillRequestParams {
    /// Gets the skill whose `SKILL.md` is at `uri`.
    pub fn new(uri: impl Into<String>) -> Self {
        Self {
            uri: uri.into(),
            ..Self::default()
        }
    }
}

/// Result of `skills/get`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GetSkillResult {
    /// The skill.
    pub skill: Skill,
    /// Result type (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// Cache lifetime in milliseconds (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_ms: Option<u64>,
    /// Cache scope (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_scope: Option<CacheScope>,
    /// `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl GetSkillResult {
    /// The result for `skill`.
    pub fn new(skill: Skill) -> Self {
        Self {
            skill,
            ..Self::default()
        }
    }
}

has_extra!(Skill, ListSkillsResult, GetSkillRequestParams, GetSkillResult);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resources_decode_as_manifest_dynamic_or_invalid() {
        let skill: Skill = serde_json::from_value(json!({
            "uri": "skill://a/SKILL.md", "frontmatter": {"name": "a", "description": "d"},
            "resources": "dynamic"
        }))
        .unwrap();
        assert_eq!(skill.resources, SkillResources::Dynamic);
        assert_eq!(skill.directory(), Some("skill://a/"));
        for bad in [json!("static"), json!([{"uri": "x"}]), json!(3)] {
            let skill: Skill =
                serde_json::from_value(json!({"uri": "skill://a/SKILL.md", "resources": bad.clone()}))
                    .unwrap();
            assert_eq!(skill.resources, SkillResources::Invalid(bad));
        }
        let skill: Skill = serde_json::from_value(json!({"uri": "skill://a/SKILL.md"})).unwrap();
        assert_eq!(skill.resources, SkillResources::Invalid(Value::Null));
        assert_eq!(skill.name(), None);
    }

    #[test]
    fn a_manifest_round_trips() {
        let raw = json!({
            "uri": "skill://a/SKILL.md", "frontmatter": {"name": "a", "description": "d"},
            "resources": [{"uri": "skill://a/SKILL.md", "digest": "sha256:ab", "size": 3}]
        });
        let skill: Skill = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(serde_json::to_value(&skill).unwrap(), raw);
    }

    #[test]
    fn directory_needs_a_final_skill_md_segment() {
        let mut skill = Skill::new("skill://a/SKILL.md", Map::new(), SkillResources::Dynamic);
        assert_eq!(skill.directory(), Some("skill://a/"));
        skill.uri = "skill://aSKILL.md".into();
        assert_eq!(skill.directory(), None);
    }
}
