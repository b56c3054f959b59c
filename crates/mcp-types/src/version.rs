//! Protocol revision identifiers and helpers.

/// The first public revision.
pub const V2024_11_05: &str = "2024-11-05";
/// Adds audio content, tool annotations, completions capability, batching.
pub const V2025_03_26: &str = "2025-03-26";
/// Adds elicitation, structured tool output, resource links, titles.
pub const V2025_06_18: &str = "2025-06-18";
/// Adds icons, URL elicitation, sampling with tools and tasks; last `initialize`-based revision.
pub const V2025_11_25: &str = "2025-11-25";
/// The stateless revision: `server/discover`, per-request `_meta`, `resultType`, `subscriptions/listen`.
pub const V2026_07_28: &str = "2026-07-28";

/// The newest revision known to this crate.
pub const LATEST: &str = V2026_07_28;
/// The newest revision that uses the `initialize` handshake.
pub const LATEST_INITIALIZE_ERA: &str = V2025_11_25;

/// Every supported revision, newest first.
pub const SUPPORTED: &[&str] = &[V2026_07_28, V2025_11_25, V2025_06_18, V2025_03_26, V2024_11_05];
/// The revisions that use the `initialize` handshake, newest first.
pub const INITIALIZE_ERA: &[&str] = &[V2025_11_25, V2025_06_18, V2025_03_26, V2024_11_05];

/// Whether `version` is one of [`SUPPORTED`].
pub fn is_supported(version: &str) -> bool {
    SUPPORTED.contains(&version)
}

/// Whether `version` is a revision of the stateless era (2026-07-28 or later).
///
/// Revision identifiers are `YYYY-MM-DD` dates, so they compare lexicographically.
pub fn is_stateless_era(version: &str) -> bool {
    version.len() == V2026_07_28.len() && version >= V2026_07_28
}

/// Whether `version` is a revision of the initialize era (a known revision older than
/// 2026-07-28).
pub fn is_initialize_era(version: &str) -> bool {
    INITIALIZE_ERA.contains(&version)
}

/// The two eras of the protocol. The same words are used in every crate of the SDK.
///
/// ```
/// use mcp_types::version::{Era, V2025_06_18, V2026_07_28};
///
/// assert_eq!(Era::of(V2025_06_18), Some(Era::Initialize));
/// assert_eq!(Era::of(V2026_07_28), Some(Era::Stateless));
/// assert_eq!(Era::of("1999-01-01"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Era {
    /// 2024-11-05 to 2025-11-25: an `initialize` handshake opens a stateful connection on which
    /// the server may send requests of its own.
    Initialize,
    /// 2026-07-28 and later: no handshake (`server/discover` tells what the server is), every
    /// request carries the protocol version and client capabilities in `_meta`, and the server
    /// asks for input inside results (multi round-trip requests).
    Stateless,
}

impl Era {
    /// The era of `version`: [`Era::Initialize`] for a known revision of that era,
    /// [`Era::Stateless`] for 2026-07-28 and later dates, `None` otherwise.
    pub fn of(version: &str) -> Option<Era> {
        if is_stateless_era(version) {
            Some(Era::Stateless)
        } else if is_initialize_era(version) {
            Some(Era::Initialize)
        } else {
            None
        }
    }

    /// `"initialize"` or `"stateless"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Era::Initialize => "initialize",
            Era::Stateless => "stateless",
        }
    }
}

impl std::fmt::Display for Era {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
