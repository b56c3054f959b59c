//! The skills extension (`io.modelcontextprotocol/skills`): list a server's
//! skills, get one by URI, load one, and read its files, each verified
//! before it is returned (feature `skills`).
//!
//! Nothing is fetched ahead of need: listing and getting fetch entries
//! only; [`ClientSession::load_skill`] reads `SKILL.md`, and
//! [`ClientSession::read_skill_file`] one other file when asked. Every file
//! read is checked against the entry held ([`LoadedSkill::entry`]): its size
//! and `sha256:` digest, and for `SKILL.md` its frontmatter, field by field.
//! A file that fails is never returned:
//! [`ClientError::SkillRejected`] names the skill, the file and what
//! differed. Files of a `"dynamic"` skill have nothing to be checked
//! against, and come back marked [`Verification::Unverifiable`].
//!
//! ```
//! use mcp_client::{ClientSession, ClientSessionOptions};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # mcp_testkit::serve_if_asked().await;
//! # let params = mcp_testkit::example_server();
//! let options = ClientSessionOptions::new().skills(true);
//! let session = ClientSession::connect(params, options).await?;
//! for skill in session.list_all_skills().await? {
//!     println!("{}: {}", skill.name().unwrap_or("?"), skill.description().unwrap_or(""));
//! }
//! let entry = session.get_skill("skill://arithmetic/SKILL.md").await?;
//! let skill = session.load_skill(entry).await?;
//! assert!(skill.instructions().starts_with("# Arithmetic"));
//! let table = session.read_skill_file(&skill, "references/TABLES.md").await?;
//! assert!(table.is_verified());
//! session.close().await;
//! # Ok(())
//! # }
//! ```

use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use mcp_types::skills::EXTENSION_ID;
use mcp_types::{
    methods, GetSkillRequest, GetSkillRequestParams, ListSkillsRequest, ListSkillsResult,
    ReadResourceRequest, ReadResourceRequestParams, ResourceContents, Skill, SkillResource, SkillResources,
};
use serde_json::{Map, Value};

use crate::api::{all_pages, page};
use crate::call::{Call, CallOp};
use crate::error::{ClientError, Result};
use crate::options::CallOptions;
use crate::session::ClientSession;
use crate::skill_check::{self, SkillLimits, SkillProblem};

/// Whether a file's bytes were checked against the skill's manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verification {
    /// Size and digest match the manifest of the entry held.
    Verified,
    /// The skill is `"dynamic"`: there is no manifest to check against.
    Unverifiable,
}

/// One file of a skill, as read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SkillFile {
    /// The file's URI.
    pub uri: String,
    /// Its MIME type, as the server sent it.
    pub mime_type: Option<String>,
    /// Its raw bytes (text as UTF-8, a blob decoded from base64): the bytes
    /// the digest covers.
    pub bytes: Vec<u8>,
    /// Whether the bytes were verified.
    pub verification: Verification,
}

impl SkillFile {
    /// The content as text, when it is UTF-8.
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.bytes).ok()
    }

    /// True when size and digest were checked against the manifest.
    pub fn is_verified(&self) -> bool {
        self.verification == Verification::Verified
    }
}

/// A skill whose `SKILL.md` was read and verified: the entry it was loaded
/// from (held, as the spec asks, to resolve and verify every later read)
/// and the file itself.
#[derive(Debug)]
pub struct LoadedSkill {
    entry: Skill,
    directory: String,
    skill_md: SkillFile,
    body: usize,
    limits: SkillLimits,
    /// Bytes retrieved so far: counted against the total for a `"dynamic"`
    /// skill (a manifest's total is checked before anything is read).
    retrieved: AtomicU64,
}

impl LoadedSkill {
    /// The entry the skill was loaded from.
    pub fn entry(&self) -> &Skill {
        &self.entry
    }

    /// The URI of its `SKILL.md`: the skill's identity on its server.
    pub fn uri(&self) -> &str {
        &self.entry.uri
    }

    /// The skill's name (not unique: two skills may share it).
    pub fn name(&self) -> &str {
        self.entry.name().unwrap_or_default()
    }

    /// The skill's description.
    pub fn description(&self) -> &str {
        self.entry.description().unwrap_or_default()
    }

    /// The frontmatter, as verified against `SKILL.md`.
    pub fn frontmatter(&self) -> &Map<String, Value> {
        &self.entry.frontmatter
    }

    /// The verified `SKILL.md`, frontmatter included.
    pub fn skill_md(&self) -> &SkillFile {
        &self.skill_md
    }

    /// The instructions: `SKILL.md` after its frontmatter.
    pub fn instructions(&self) -> &str {
        self.skill_md.text().map(|t| &t[self.body..]).unwrap_or_default()
    }

    /// The skill's directory URI, with its final slash: relative paths of
    /// [`ClientSession::read_skill_file`] resolve against it.
    pub fn directory(&self) -> &str {
        &self.directory
    }

    /// The files of its manifest (`SKILL.md` included), or `None` for a
    /// `"dynamic"` skill.
    pub fn files(&self) -> Option<&[SkillResource]> {
        match &self.entry.resources {
            SkillResources::Manifest(files) => Some(files),
            _ => None,
        }
    }

    /// The URIs of the manifest's files other than `SKILL.md` (none for a
    /// `"dynamic"` skill): what [`ClientSession::read_skill_file`] may read.
    pub fn supporting_files(&self) -> impl Iterator<Item = &str> {
        self.files()
            .unwrap_or_default()
            .iter()
            .map(|f| f.uri.as_str())
            .filter(move |uri| *uri != self.entry.uri)
    }

    /// True for a `"dynamic"` skill, whose files cannot be verified.
    pub fn is_dynamic(&self) -> bool {
        self.entry.resources == SkillResources::Dynamic
    }

    /// Bytes of this skill retrieved so far.
    pub fn bytes_retrieved(&self) -> u64 {
        self.retrieved.load(Ordering::Relaxed)
    }
}

fn rejected(skill: &Skill, file: Option<&str>, problem: SkillProblem) -> ClientError {
    ClientError::SkillRejected {
        skill: skill.uri.clone(),
        file: file.map(str::to_owned),
        problem,
    }
}

impl ClientSession {
    /// Refuses skills calls unless the user enabled skills and the server
    /// declared the extension.
    fn skills_offered(&self, method: &str) -> Result<()> {
        self.established(method)?;
        let not = |why: &str| {
            Err(ClientError::NotSupported {
                method: method.to_owned(),
                why: why.to_owned(),
            })
        };
        if !self.options().skills {
            return not("skills are not enabled: set ClientSessionOptions::skills(true)");
        }
        if !self
            .server_capabilities()
            .is_some_and(|c| c.has_extension(EXTENSION_ID))
        {
            return not("the server does not declare the skills extension (io.modelcontextprotocol/skills)");
        }
        Ok(())
    }

    /// Lists the server's skills (one page). Needs
    /// [`skills`](crate::ClientSessionOptions::skills) enabled and a server
    /// that declares the extension; fetches no file.
    pub fn list_skills(
        &self,
        cursor: Option<String>,
    ) -> Call<ListSkillsResult, impl CallOp<ListSkillsResult> + '_> {
        Call::new(move |o: CallOptions| async move {
            self.skills_offered(methods::SKILLS_LIST)?;
            self.typed_request::<ListSkillsRequest>(&page(cursor), &o).await
        })
    }

    /// Lists every skill, following cursors (at most [`MAX_PAGES`](crate::MAX_PAGES) pages and
    /// [`MAX_LISTED_BYTES`](crate::MAX_LISTED_BYTES) bytes).
    /// Entries are returned as the server sent them, invalid ones too:
    /// [`load_skill`](Self::load_skill) refuses those.
    pub fn list_all_skills(&self) -> Call<Vec<Skill>, impl CallOp<Vec<Skill>> + '_> {
        Call::new(move |o: CallOptions| async move {
            self.skills_offered(methods::SKILLS_LIST)?;
            all_pages(
                methods::SKILLS_LIST,
                |c| {
                    let o = o.clone();
                    async move { self.sized_request::<ListSkillsRequest>(&page(c), &o).await }
                },
                |r| (r.skills, r.next_cursor),
            )
            .await
        })
    }

    /// Gets the entry of the skill whose `SKILL.md` is at `uri`, listed or
    /// not (a server answers -32602 for a URI it serves no skill at).
    pub fn get_skill(&self, uri: impl Into<String>) -> Call<Skill, impl CallOp<Skill> + '_> {
        let params = GetSkillRequestParams::new(uri);
        Call::new(move |o: CallOptions| async move {
            self.skills_offered(methods::SKILLS_GET)?;
            let result = self.typed_request::<GetSkillRequest>(&params, &o).await?;
            if result.skill.uri != params.uri {
                return Err(ClientError::InvalidResponse {
                    method: methods::SKILLS_GET.to_owned(),
                    detail: format!(
                        "asked for the skill at {:?}, got the one at {:?}",
                        params.uri, result.skill.uri
                    ),
                });
            }
            Ok(result.skill)
        })
    }

    /// Loads a skill from its entry: checks the entry (a complete manifest or
    /// `"dynamic"`, its URIs, the [`SkillLimits`]) before fetching anything,
    /// then reads `SKILL.md` and verifies it (size, digest, frontmatter). Its
    /// other files are read only when asked for, with
    /// [`read_skill_file`](Self::read_skill_file).
    pub fn load_skill(&self, skill: Skill) -> Call<LoadedSkill, impl CallOp<LoadedSkill> + '_> {
        Call::new(move |o: CallOptions| async move {
            let limits = self.options().skill_limits;
            let checked = skill_check::check_entry(&skill, &limits).map_err(|p| rejected(&skill, None, p))?;
            let mut loaded = LoadedSkill {
                directory: checked.directory,
                skill_md: SkillFile {
                    uri: String::new(),
                    mime_type: None,
                    bytes: Vec::new(),
                    verification: Verification::Unverifiable,
                },
                body: 0,
                limits,
                retrieved: AtomicU64::new(0),
                entry: skill,
            };
            let uri = loaded.entry.uri.clone();
            let file = self.read_checked(&loaded, &uri, &o).await?;
            loaded.body = skill_check::check_frontmatter(&loaded.entry.frontmatter, &file.bytes)
                .map_err(|p| rejected(&loaded.entry, Some(&uri), p))?;
            loaded.skill_md = file;
            tracing::debug!(skill = %loaded.entry.uri, "skill loaded");
            Ok(loaded)
        })
    }

    /// Reads one file of a loaded skill: `file` is a path relative to the
    /// skill's root (`references/FORMS.md`) or a URI. The file must be in
    /// the manifest of the entry the skill was loaded from (else nothing is
    /// fetched) and is returned only if its size and digest match. For a
    /// `"dynamic"` skill the file must lie within the skill, comes back
    /// [`Verification::Unverifiable`], and counts against
    /// [`SkillLimits::max_total_bytes`].
    pub fn read_skill_file<'a>(
        &'a self,
        skill: &'a LoadedSkill,
        file: impl Into<String>,
    ) -> Call<SkillFile, impl CallOp<SkillFile> + 'a> {
        let file = file.into();
        Call::new(move |o: CallOptions| async move { self.read_checked(skill, &file, &o).await })
    }

    async fn read_checked(&self, skill: &LoadedSkill, file: &str, call: &CallOptions) -> Result<SkillFile> {
        let entry = &skill.entry;
        let (uri, listed) = skill_check::resolve(entry, &skill.directory, file)
            .map_err(|p| rejected(entry, Some(file), p))?;
        let result = self
            .typed_request::<ReadResourceRequest>(&ReadResourceRequestParams::new(uri.clone()), call)
            .await?;
        let fail = |p| rejected(entry, Some(&uri), p);
        let contents = match result.contents.iter().position(|c| c.uri() == uri) {
            Some(i) => result.contents.into_iter().nth(i),
            None if result.contents.len() == 1 => result.contents.into_iter().next(),
            None => None,
        };
        let (bytes, mime_type) = match contents {
            Some(ResourceContents::Text(t)) => (t.text.into_bytes(), t.mime_type),
            Some(ResourceContents::Blob(b)) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b.blob.as_bytes())
                    .map_err(|_| fail(SkillProblem::Undecodable("its blob is not base64".into())))?;
                (bytes, b.mime_type)
            }
            _ => {
                return Err(fail(SkillProblem::Undecodable(
                    "the answer holds no content for it".into(),
                )))
            }
        };
        let before = skill.retrieved.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        let verification = match listed {
            Some(listed) => {
                skill_check::check_bytes(listed, &bytes).map_err(fail)?;
                Verification::Verified
            }
            None => {
                let total = before.saturating_add(bytes.len() as u64);
                if total > skill.limits.max_total_bytes {
                    return Err(fail(SkillProblem::TooLarge {
                        bytes: total,
                        limit: skill.limits.max_total_bytes,
                    }));
                }
                Verification::Unverifiable
            }
        };
        Ok(SkillFile {
            uri,
            mime_type,
            bytes,
            verification,
        })
    }
}
