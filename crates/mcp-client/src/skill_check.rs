//! What makes a skill's content trustworthy enough to return: the checks of
//! the skills extension, as pure functions over an entry and the bytes read.
//!
//! * [`check_entry`]: before anything is fetched, the entry itself: its
//!   `resources` (a complete manifest or `"dynamic"`), its URI (ending in
//!   `<name>/SKILL.md`), the manifest's URIs (each within the skill, each
//!   once, `SKILL.md` among them), digests well formed, the limits.
//! * [`resolve`]: which URI a file named by the user is, and whether the
//!   held entry lists it.
//! * [`check_bytes`]: size, then SHA-256, against the manifest entry.
//! * [`check_frontmatter`]: `SKILL.md`'s YAML frontmatter, field by field
//!   against the entry's.

use std::collections::HashSet;
use std::fmt;

use mcp_types::{Skill, SkillResource, SkillResources};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::frontmatter;

/// How much of one skill the session retrieves: the spec's minimums, which
/// every conforming host supports, are the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SkillLimits {
    /// Most entries in a skill's manifest, `SKILL.md` included (default
    /// 512).
    pub max_files: usize,
    /// Most bytes per skill (default 16 MiB): the sum of the manifest's
    /// sizes, checked before anything is fetched; for a `"dynamic"` skill,
    /// the bytes actually retrieved.
    pub max_total_bytes: u64,
}

/// The default [`SkillLimits::max_files`].
pub const DEFAULT_MAX_SKILL_FILES: usize = 512;
/// The default [`SkillLimits::max_total_bytes`] (16 MiB).
pub const DEFAULT_MAX_SKILL_BYTES: u64 = 16 * 1024 * 1024;

impl Default for SkillLimits {
    fn default() -> Self {
        SkillLimits {
            max_files: DEFAULT_MAX_SKILL_FILES,
            max_total_bytes: DEFAULT_MAX_SKILL_BYTES,
        }
    }
}

impl SkillLimits {
    /// The default limits.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the most files per skill.
    pub fn max_files(mut self, files: usize) -> Self {
        self.max_files = files;
        self
    }

    /// Sets the most bytes per skill.
    pub fn max_total_bytes(mut self, bytes: u64) -> Self {
        self.max_total_bytes = bytes;
        self
    }
}

/// Why a skill, or one of its files, was not returned
/// ([`ClientError::SkillRejected`](crate::ClientError::SkillRejected)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkillProblem {
    /// The entry breaks the extension's rules (so nothing was fetched).
    InvalidEntry(String),
    /// The manifest lists more files than the limit.
    TooManyFiles {
        /// Files listed.
        files: usize,
        /// The limit ([`SkillLimits::max_files`]).
        limit: usize,
    },
    /// The skill is larger than the limit: declared in the manifest, or
    /// retrieved for a `"dynamic"` skill.
    TooLarge {
        /// Bytes declared, or retrieved so far.
        bytes: u64,
        /// The limit ([`SkillLimits::max_total_bytes`]).
        limit: u64,
    },
    /// The file is not in the manifest of the held entry (nothing was
    /// fetched).
    Unlisted,
    /// The file named is outside the skill's directory (nothing was
    /// fetched).
    OutsideSkill,
    /// The server's answer held no content for the file, or content that
    /// cannot be decoded (a blob that is not base64).
    Undecodable(String),
    /// The bytes read are not as many as the manifest says.
    SizeMismatch {
        /// The manifest's size.
        declared: u64,
        /// Bytes read.
        actual: u64,
    },
    /// The bytes read do not hash to the manifest's digest.
    DigestMismatch {
        /// The manifest's digest.
        declared: String,
        /// The digest of the bytes read.
        actual: String,
    },
    /// `SKILL.md`'s frontmatter differs from the entry's, or cannot be read.
    Frontmatter {
        /// The first field that differs, if one does (else the frontmatter
        /// is missing or is not valid YAML).
        field: Option<String>,
        /// What differs.
        detail: String,
    },
}

impl fmt::Display for SkillProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NOTHING: &str = "nothing was fetched";
        const STALE: &str = "the content was not used (if the skill changed, get its entry again with \
                             `get_skill` and load it anew)";
        match self {
            SkillProblem::InvalidEntry(detail) => {
                write!(f, "the skill's entry is invalid: {detail}; {NOTHING}")
            }
            SkillProblem::TooManyFiles { files, limit } => write!(
                f,
                "the skill has {files} files, more than the limit of {limit} (SkillLimits::max_files); {NOTHING}"
            ),
            SkillProblem::TooLarge { bytes, limit } => write!(
                f,
                "the skill holds {bytes} bytes, more than the limit of {limit} (SkillLimits::max_total_bytes); \
                 the content was not used"
            ),
            SkillProblem::Unlisted => write!(
                f,
                "the file is not listed in the skill's resources, so it is not part of the skill; {NOTHING}"
            ),
            SkillProblem::OutsideSkill => write!(f, "the file is outside the skill's directory; {NOTHING}"),
            SkillProblem::Undecodable(detail) => write!(f, "the content read is unusable: {detail}"),
            SkillProblem::SizeMismatch { declared, actual } => write!(
                f,
                "its size is {actual} bytes, but the skill's entry says {declared}; {STALE}"
            ),
            SkillProblem::DigestMismatch { declared, actual } => write!(
                f,
                "its digest is {actual}, but the skill's entry says {declared}; {STALE}"
            ),
            SkillProblem::Frontmatter {
                field: Some(field),
                detail,
            } => write!(f, "its frontmatter field `{field}` {detail}; {STALE}"),
            SkillProblem::Frontmatter { field: None, detail } => write!(f, "its frontmatter {detail}; {STALE}"),
        }
    }
}

/// What [`check_entry`] learned of a valid entry.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    /// The skill's directory, with its final slash (`skill://pdf/`).
    pub(crate) directory: String,
}

/// Checks an entry before anything of it is fetched.
pub(crate) fn check_entry(skill: &Skill, limits: &SkillLimits) -> Result<Checked, SkillProblem> {
    let invalid = |s: &str| Err(SkillProblem::InvalidEntry(s.to_owned()));
    let Some(directory) = skill.directory() else {
        return invalid("its `uri` does not end in `/SKILL.md`");
    };
    let (Some(name), Some(_)) = (skill.name(), skill.description()) else {
        return invalid("its frontmatter lacks a string `name` or `description`");
    };
    let last = directory
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    if last != name {
        return invalid("the last segment of its path is not the skill's name");
    }
    if has_dot_segment(directory) {
        return invalid("its `uri` has a `.` or `..` segment");
    }
    match &skill.resources {
        SkillResources::Dynamic => {}
        SkillResources::Manifest(files) => check_manifest(skill, directory, files, limits)?,
        SkillResources::Invalid(Value::Null) => return invalid("it has no `resources`"),
        SkillResources::Invalid(_) => {
            return invalid("its `resources` is neither a list of files with digest and size nor \"dynamic\"")
        }
        _ => return invalid("its `resources` is of a kind this client does not know"),
    }
    Ok(Checked {
        directory: directory.to_owned(),
    })
}

fn check_manifest(
    skill: &Skill,
    directory: &str,
    files: &[SkillResource],
    limits: &SkillLimits,
) -> Result<(), SkillProblem> {
    if files.len() > limits.max_files {
        return Err(SkillProblem::TooManyFiles {
            files: files.len(),
            limit: limits.max_files,
        });
    }
    let mut total: u64 = 0;
    let mut seen = HashSet::new();
    for file in files {
        let invalid = |what: &str| Err(SkillProblem::InvalidEntry(format!("{what}: {:?}", file.uri)));
        if !file.uri.starts_with(directory) || file.uri.len() == directory.len() {
            return invalid("it lists a file outside the skill");
        }
        if has_dot_segment(&file.uri[directory.len()..]) {
            return invalid("it lists a file with a `.` or `..` segment");
        }
        if !seen.insert(file.uri.as_str()) {
            return invalid("it lists a file twice");
        }
        if parse_digest(&file.digest).is_none() {
            return invalid("a digest is not `sha256:` and 64 lowercase hex digits, for");
        }
        total = total.saturating_add(file.size);
    }
    if !seen.contains(skill.uri.as_str()) {
        return Err(SkillProblem::InvalidEntry(
            "its `resources` do not list its SKILL.md".into(),
        ));
    }
    if total > limits.max_total_bytes {
        return Err(SkillProblem::TooLarge {
            bytes: total,
            limit: limits.max_total_bytes,
        });
    }
    Ok(())
}

fn has_dot_segment(path: &str) -> bool {
    path.split('/').any(|s| s == "." || s == "..")
}

fn parse_digest(digest: &str) -> Option<&str> {
    let hex = digest.strip_prefix("sha256:")?;
    let ok = hex.len() == 64
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    ok.then_some(hex)
}

/// The URI of a file of the skill named by `file`: a URI as listed, or a
/// path relative to the skill's root (`references/FORMS.md`). The held
/// entry must list it (for a `"dynamic"` skill: it must be within the
/// skill). Nothing is fetched.
pub(crate) fn resolve<'a>(
    skill: &'a Skill,
    directory: &str,
    file: &str,
) -> Result<(String, Option<&'a SkillResource>), SkillProblem> {
    let uri = if file.contains("://") {
        file.to_owned()
    } else {
        let relative = file.strip_prefix("./").unwrap_or(file);
        if relative.starts_with('/') {
            return Err(SkillProblem::OutsideSkill);
        }
        format!("{directory}{relative}")
    };
    if !uri.starts_with(directory) || uri.len() == directory.len() || has_dot_segment(&uri[directory.len()..])
    {
        return Err(SkillProblem::OutsideSkill);
    }
    match &skill.resources {
        SkillResources::Manifest(files) => match files.iter().find(|f| f.uri == uri) {
            Some(entry) => Ok((uri, Some(entry))),
            None => Err(SkillProblem::Unlisted),
        },
        _ => Ok((uri, None)),
    }
}

/// The lowercase hex SHA-256 of `bytes`, as `sha256:<hex>`.
pub(crate) fn digest_of(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in hash {
        out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    out
}

/// Checks the bytes read against the manifest's entry: size first (a
/// mismatch fails without hashing), then the digest.
pub(crate) fn check_bytes(entry: &SkillResource, bytes: &[u8]) -> Result<(), SkillProblem> {
    let actual = bytes.len() as u64;
    if actual != entry.size {
        return Err(SkillProblem::SizeMismatch {
            declared: entry.size,
            actual,
        });
    }
    let digest = digest_of(bytes);
    if digest != entry.digest {
        return Err(SkillProblem::DigestMismatch {
            declared: entry.digest.clone(),
            actual: digest,
        });
    }
    Ok(())
}

/// Parses `SKILL.md`'s frontmatter and compares it, field by field, with the
/// entry's. Returns where the body starts.
pub(crate) fn check_frontmatter(listed: &Map<String, Value>, skill_md: &[u8]) -> Result<usize, SkillProblem> {
    let problem = |field: Option<&str>, detail: &str| SkillProblem::Frontmatter {
        field: field.map(str::to_owned),
        detail: detail.to_owned(),
    };
    let text =
        std::str::from_utf8(skill_md).map_err(|_| problem(None, "cannot be read: SKILL.md is not UTF-8"))?;
    let (yaml, body) = frontmatter::split(text)
        .ok_or_else(|| problem(None, "is missing: SKILL.md does not begin with a `---` block"))?;
    let parsed = frontmatter::parse(yaml).map_err(|e| problem(None, &format!("is not valid YAML: {e}")))?;
    let mut keys: Vec<&String> = listed.keys().chain(parsed.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        match (listed.get(key), parsed.get(key)) {
            (Some(_), None) => return Err(problem(Some(key), "is in the skill's entry but not in SKILL.md")),
            (None, Some(_)) => return Err(problem(Some(key), "is in SKILL.md but not in the skill's entry")),
            (Some(a), Some(b)) if !frontmatter::same(a, b) => {
                return Err(problem(
                    Some(key),
                    "differs between SKILL.md and the skill's entry",
                ))
            }
            _ => {}
        }
    }
    Ok(body)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn skill(resources: SkillResources) -> Skill {
        let frontmatter = json!({"name": "pdf", "description": "Work with PDFs"});
        let Value::Object(frontmatter) = frontmatter else {
            unreachable!()
        };
        Skill::new("skill://tools/pdf/SKILL.md", frontmatter, resources)
    }

    fn file(uri: &str, body: &[u8]) -> SkillResource {
        SkillResource::new(uri, digest_of(body), body.len() as u64)
    }

    const MD: &[u8] = b"---\nname: pdf\ndescription: Work with PDFs\n---\n# PDF\n";

    #[test]
    fn digest_is_sha256_in_lowercase_hex() {
        assert_eq!(
            digest_of(b"abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_complete_manifest_passes_and_bad_ones_do_not() {
        let ok = skill(SkillResources::Manifest(vec![
            file("skill://tools/pdf/SKILL.md", MD),
            file("skill://tools/pdf/references/FORMS.md", b"forms"),
        ]));
        assert_eq!(
            check_entry(&ok, &SkillLimits::default()).unwrap().directory,
            "skill://tools/pdf/"
        );
        let cases = [
            vec![file("skill://tools/pdf/other.md", b"x")],
            vec![
                file("skill://tools/pdf/SKILL.md", MD),
                file("skill://tools/other/x", b"x"),
            ],
            vec![
                file("skill://tools/pdf/SKILL.md", MD),
                file("skill://tools/pdf/../x", b"x"),
            ],
            vec![
                file("skill://tools/pdf/SKILL.md", MD),
                file("skill://tools/pdf/SKILL.md", MD),
            ],
            vec![SkillResource::new("skill://tools/pdf/SKILL.md", "sha256:ABC", 3)],
        ];
        for files in cases {
            let bad = skill(SkillResources::Manifest(files.clone()));
            assert!(
                matches!(
                    check_entry(&bad, &SkillLimits::default()),
                    Err(SkillProblem::InvalidEntry(_))
                ),
                "{files:?}"
            );
        }
        for resources in [
            SkillResources::Invalid(Value::Null),
            SkillResources::Invalid(json!("static")),
        ] {
            assert!(matches!(
                check_entry(&skill(resources), &SkillLimits::default()),
                Err(SkillProblem::InvalidEntry(_))
            ));
        }
    }

    #[test]
    fn the_name_must_be_the_last_segment() {
        let mut s = skill(SkillResources::Dynamic);
        s.uri = "skill://tools/other/SKILL.md".into();
        assert!(matches!(
            check_entry(&s, &SkillLimits::default()),
            Err(SkillProblem::InvalidEntry(_))
        ));
        s.uri = "skill://tools/pdf/README.md".into();
        assert!(matches!(
            check_entry(&s, &SkillLimits::default()),
            Err(SkillProblem::InvalidEntry(_))
        ));
    }

    #[test]
    fn limits_are_checked_from_the_entry() {
        let s = skill(SkillResources::Manifest(vec![
            file("skill://tools/pdf/SKILL.md", MD),
            SkillResource::new("skill://tools/pdf/big.bin", digest_of(b""), 20),
        ]));
        assert_eq!(
            check_entry(&s, &SkillLimits::new().max_files(1)).unwrap_err(),
            SkillProblem::TooManyFiles { files: 2, limit: 1 }
        );
        let limit = MD.len() as u64 + 19;
        assert_eq!(
            check_entry(&s, &SkillLimits::new().max_total_bytes(limit)).unwrap_err(),
            SkillProblem::TooLarge {
                bytes: limit + 1,
                limit
            }
        );
    }

    #[test]
    fn files_resolve_relative_to_the_root_and_must_be_listed() {
        let s = skill(SkillResources::Manifest(vec![
            file("skill://tools/pdf/SKILL.md", MD),
            file("skill://tools/pdf/references/FORMS.md", b"forms"),
        ]));
        let dir = "skill://tools/pdf/";
        assert_eq!(
            resolve(&s, dir, "references/FORMS.md").unwrap().0,
            "skill://tools/pdf/references/FORMS.md"
        );
        assert!(resolve(&s, dir, "skill://tools/pdf/references/FORMS.md")
            .unwrap()
            .1
            .is_some());
        assert_eq!(
            resolve(&s, dir, "references/OTHER.md").unwrap_err(),
            SkillProblem::Unlisted
        );
        assert_eq!(
            resolve(&s, dir, "../x/SKILL.md").unwrap_err(),
            SkillProblem::OutsideSkill
        );
        assert_eq!(
            resolve(&s, dir, "/etc/passwd").unwrap_err(),
            SkillProblem::OutsideSkill
        );
        assert_eq!(
            resolve(&s, dir, "skill://other/SKILL.md").unwrap_err(),
            SkillProblem::OutsideSkill
        );
        let dynamic = skill(SkillResources::Dynamic);
        assert_eq!(
            resolve(&dynamic, dir, "any/file.txt").unwrap(),
            ("skill://tools/pdf/any/file.txt".into(), None)
        );
    }

    #[test]
    fn size_is_checked_before_the_digest() {
        let entry = file("skill://tools/pdf/SKILL.md", MD);
        assert!(check_bytes(&entry, MD).is_ok());
        assert!(matches!(
            check_bytes(&entry, b"short"),
            Err(SkillProblem::SizeMismatch { actual: 5, .. })
        ));
        let mut tampered = MD.to_vec();
        tampered[5] = b'P';
        assert!(matches!(
            check_bytes(&entry, &tampered),
            Err(SkillProblem::DigestMismatch { .. })
        ));
    }

    #[test]
    fn frontmatter_is_compared_field_by_field() {
        let s = skill(SkillResources::Dynamic);
        let body = check_frontmatter(&s.frontmatter, MD).unwrap();
        assert_eq!(&MD[body..], b"# PDF\n");
        let cases: [(&[u8], Option<&str>); 5] = [
            (
                b"---\nname: pdf\ndescription: Something else\n---\n",
                Some("description"),
            ),
            (b"---\nname: pdf\n---\n", Some("description")),
            (
                b"---\nname: pdf\ndescription: Work with PDFs\nlicense: MIT\n---\n",
                Some("license"),
            ),
            (b"# no frontmatter\n", None),
            (b"---\nname: [pdf\n---\n", None),
        ];
        for (md, field) in cases {
            match check_frontmatter(&s.frontmatter, md) {
                Err(SkillProblem::Frontmatter { field: f, .. }) => assert_eq!(f.as_deref(), field),
                other => panic!("{other:?}"),
            }
        }
    }
}
