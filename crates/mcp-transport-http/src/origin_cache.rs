//! [`OriginCache`]: what earlier connections learned about each origin.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use url::Url;

/// Most origins remembered; the oldest is forgotten past it.
pub const MAX_ORIGINS: usize = 256;

/// What a connection learned about an origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Learned {
    /// It speaks the 2024-11-05 HTTP+SSE transport.
    http_sse: bool,
    /// Its last session settled on the initialize era.
    initialize_era: bool,
    /// When it was last written, for eviction.
    stamp: u64,
}

#[derive(Debug, Default)]
struct Origins {
    map: HashMap<String, Learned>,
    clock: u64,
}

/// What earlier connections learned about each origin (scheme, host, port):
/// that it speaks the 2024-11-05 HTTP+SSE transport, so later connections
/// go there directly; or that its last session settled on the initialize
/// era, so a session negotiating automatically skips the `server/discover`
/// probe (see [`Transport::remembered_era`](mcp_jsonrpc::Transport)).
///
/// An explicit object, not process-wide state: parameters carry one (a new
/// one each by default, shared by their clones), and parameters given the
/// same cache share what they learn. Cheap to clone; bounded to
/// [`MAX_ORIGINS`] origins.
///
/// ```
/// use mcp_transport_http::{OriginCache, StreamableHttpParameters};
///
/// let cache = OriginCache::new();
/// let a = StreamableHttpParameters::new("http://127.0.0.1:3001/mcp").origin_cache(cache.clone());
/// let b = StreamableHttpParameters::new("http://127.0.0.1:3001/other").origin_cache(cache.clone());
/// assert!(cache.is_empty());
/// # let _ = (a, b);
/// ```
#[derive(Debug, Clone, Default)]
pub struct OriginCache {
    inner: Arc<Mutex<Origins>>,
}

fn key(url: &Url) -> String {
    url.origin().ascii_serialization()
}

impl OriginCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// True when nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.lock().map.is_empty()
    }

    /// Forgets everything.
    pub fn clear(&self) {
        self.lock().map.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Origins> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn update(&self, url: &Url, change: impl FnOnce(&mut Learned)) {
        let mut origins = self.lock();
        origins.clock += 1;
        let stamp = origins.clock;
        let k = key(url);
        if !origins.map.contains_key(&k) && origins.map.len() >= MAX_ORIGINS {
            let oldest = origins
                .map
                .iter()
                .min_by_key(|(_, l)| l.stamp)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                origins.map.remove(&oldest);
            }
        }
        let entry = origins.map.entry(k.clone()).or_default();
        change(entry);
        entry.stamp = stamp;
        if !entry.http_sse && !entry.initialize_era {
            origins.map.remove(&k);
        }
    }

    /// True when `url`'s origin speaks the HTTP+SSE transport.
    pub(crate) fn is_http_sse(&self, url: &Url) -> bool {
        self.lock().map.get(&key(url)).is_some_and(|l| l.http_sse)
    }

    /// Remembers (or forgets) that `url`'s origin speaks HTTP+SSE.
    pub(crate) fn set_http_sse(&self, url: &Url, yes: bool) {
        self.update(url, |l| l.http_sse = yes);
    }

    /// Takes the mark that `url`'s last session settled on the initialize
    /// era: it is set again only when this connection's session settles
    /// there too, so a server that changed is probed anew next time.
    pub(crate) fn take_initialize_era(&self, url: &Url) -> bool {
        let was = self.lock().map.get(&key(url)).is_some_and(|l| l.initialize_era);
        if was {
            self.update(url, |l| l.initialize_era = false);
        }
        was
    }

    /// Records the era `url`'s session settled on.
    pub(crate) fn set_initialize_era(&self, url: &Url, yes: bool) {
        self.update(url, |l| l.initialize_era = yes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[test]
    fn remembers_per_origin_and_is_bounded() {
        let cache = OriginCache::new();
        let a = url("http://127.0.0.1:1/mcp");
        cache.set_http_sse(&a, true);
        assert!(cache.is_http_sse(&url("http://127.0.0.1:1/other")));
        assert!(!cache.is_http_sse(&url("http://127.0.0.1:2/mcp")));
        cache.set_initialize_era(&a, true);
        assert!(cache.take_initialize_era(&a));
        assert!(!cache.take_initialize_era(&a), "taken");
        assert!(cache.is_http_sse(&a), "the other fact stays");
        for port in 0..(MAX_ORIGINS as u16 + 10) {
            cache.set_http_sse(&url(&format!("http://127.0.0.1:{}/", 1000 + port)), true);
        }
        assert_eq!(cache.lock().map.len(), MAX_ORIGINS);
        cache.clear();
        assert!(cache.is_empty());
    }
}
