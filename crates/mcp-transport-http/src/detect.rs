//! The per-origin cache of detected transports: once a server turned out to
//! speak the 2024-11-05 HTTP+SSE transport, later connections to the same
//! origin go there directly; once it turned out to speak only the
//! `initialize` era, later `server/discover` probes are answered locally.
//! Process-wide and bounded.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use url::Url;

use crate::params::HttpTransportMode;

/// Most origins remembered; the map is cleared when full.
const MAX_ENTRIES: usize = 256;

fn cache() -> &'static Mutex<HashMap<String, HttpTransportMode>> {
    static CACHE: OnceLock<Mutex<HashMap<String, HttpTransportMode>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

fn key(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// The transport remembered for `url`'s origin.
pub(crate) fn lookup(url: &Url) -> Option<HttpTransportMode> {
    cache()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&key(url))
        .copied()
}

/// Remembers the transport of `url`'s origin.
pub(crate) fn remember(url: &Url, mode: HttpTransportMode) {
    let mut map = cache().lock().unwrap_or_else(|p| p.into_inner());
    if map.len() >= MAX_ENTRIES && !map.contains_key(&key(url)) {
        map.clear();
    }
    map.insert(key(url), mode);
}

/// Forgets what was remembered for `url`'s origin (the assumption failed).
pub(crate) fn forget(url: &Url) {
    cache()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&key(url));
}

fn legacy_origins() -> &'static Mutex<std::collections::HashSet<String>> {
    static LEGACY: OnceLock<Mutex<std::collections::HashSet<String>>> = OnceLock::new();
    LEGACY.get_or_init(|| Mutex::new(std::collections::HashSet::new()))
}

/// True when `url`'s origin completed an `initialize` handshake before.
pub(crate) fn is_legacy(url: &Url) -> bool {
    legacy_origins()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .contains(&key(url))
}

/// Remembers (or, with `false`, forgets) that `url`'s origin speaks only the
/// `initialize` era.
pub(crate) fn set_legacy(url: &Url, legacy: bool) {
    let mut set = legacy_origins().lock().unwrap_or_else(|p| p.into_inner());
    if legacy {
        if set.len() >= MAX_ENTRIES {
            set.clear();
        }
        set.insert(key(url));
    } else {
        set.remove(&key(url));
    }
}

/// Clears the whole cache (for tests and long-lived processes).
pub fn clear_transport_cache() {
    cache().lock().unwrap_or_else(|p| p.into_inner()).clear();
    legacy_origins().lock().unwrap_or_else(|p| p.into_inner()).clear();
}
