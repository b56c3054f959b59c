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

/// Whether `version` is a stateless-era revision (2026-07-28 or later).
///
/// Revision identifiers are `YYYY-MM-DD` dates, so they compare lexicographically.
pub fn is_modern(version: &str) -> bool {
    version.len() == V2026_07_28.len() && version >= V2026_07_28
}

/// Whether `version` uses the `initialize` handshake (a known revision older than 2026-07-28).
pub fn is_initialize_era(version: &str) -> bool {
    INITIALIZE_ERA.contains(&version)
}
