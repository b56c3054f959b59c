//! A response cache for the stateless era: results of `server/discover`, the
//! list methods and `resources/read` are kept for their `ttlMs`, dropped when
//! a list-changed or resource-updated notification says they are stale, and
//! bounded in entries and bytes. Multi round-trip retries are never cached.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use mcp_jsonrpc::RawValue;
use mcp_types::methods;

/// Most entries kept.
const MAX_ENTRIES: usize = 256;
/// Most bytes kept in all.
const MAX_BYTES: usize = 32 * 1024 * 1024;
/// A single result larger than this is not cached.
const MAX_ENTRY_BYTES: usize = 4 * 1024 * 1024;

/// True for the methods whose results may be cached.
pub(crate) fn is_cacheable(method: &str) -> bool {
    matches!(
        method,
        methods::SERVER_DISCOVER
            | methods::TOOLS_LIST
            | methods::PROMPTS_LIST
            | methods::RESOURCES_LIST
            | methods::RESOURCES_TEMPLATES_LIST
            | methods::RESOURCES_READ
    )
}

struct Entry {
    raw: Box<RawValue>,
    expires: Instant,
    inserted: Instant,
}

/// The cache. Keys are the method and the caller's params (without `_meta`).
#[derive(Default)]
pub(crate) struct ResponseCache {
    entries: Mutex<HashMap<(String, String), Entry>>,
    /// Bumped by every invalidation, so that a result requested before an
    /// invalidation and received after it is not cached.
    generation: AtomicU64,
}

impl ResponseCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Entry>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A fresh cached result.
    pub(crate) fn get(&self, method: &str, key: &str) -> Option<Box<RawValue>> {
        let mut entries = self.lock();
        let k = (method.to_owned(), key.to_owned());
        match entries.get(&k) {
            Some(e) if e.expires > Instant::now() => Some(e.raw.clone()),
            Some(_) => {
                entries.remove(&k);
                None
            }
            None => None,
        }
    }

    /// The current generation; pass it to [`ResponseCache::put`] for a
    /// request sent now.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Keeps `raw` for `ttl_ms` (0, negative or absent: not at all), unless
    /// something was invalidated since `generation`.
    pub(crate) fn put(&self, method: &str, key: &str, raw: &RawValue, ttl_ms: Option<i64>, generation: u64) {
        let Some(ttl) = ttl_ms.filter(|&t| t > 0) else {
            return;
        };
        if raw.get().len() > MAX_ENTRY_BYTES {
            return;
        }
        let now = Instant::now();
        let mut entries = self.lock();
        if self.generation() != generation {
            return;
        }
        entries.retain(|_, e| e.expires > now);
        while entries.len() >= MAX_ENTRIES
            || entries.values().map(|e| e.raw.get().len()).sum::<usize>() + raw.get().len() > MAX_BYTES
        {
            let Some(oldest) = entries
                .iter()
                .min_by_key(|(_, e)| e.inserted)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            entries.remove(&oldest);
        }
        let ttl = Duration::from_millis(u64::try_from(ttl).unwrap_or(0).min(7 * 24 * 3600 * 1000));
        entries.insert(
            (method.to_owned(), key.to_owned()),
            Entry {
                raw: raw.to_owned(),
                expires: now + ttl,
                inserted: now,
            },
        );
    }

    /// Drops every result of `method`.
    pub(crate) fn invalidate_method(&self, method: &str) {
        let mut entries = self.lock();
        self.generation.fetch_add(1, Ordering::SeqCst);
        entries.retain(|(m, _), _| m != method);
    }

    /// Drops the cached reads of `uri`.
    pub(crate) fn invalidate_read(&self, uri: &str) {
        let mut entries = self.lock();
        self.generation.fetch_add(1, Ordering::SeqCst);
        entries.retain(|(m, key), _| {
            m != methods::RESOURCES_READ || !key.contains(&format!("\"uri\":{}", quoted(uri)))
        });
    }
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(s: &str) -> Box<RawValue> {
        RawValue::from_string(s.to_owned()).expect("valid JSON")
    }

    #[test]
    fn honours_ttl_and_invalidation() {
        let cache = ResponseCache::default();
        cache.put("tools/list", "{}", &raw("{\"tools\":[]}"), Some(60_000), 0);
        cache.put("resources/list", "{}", &raw("{}"), Some(0), 0);
        assert!(cache.get("tools/list", "{}").is_some());
        assert!(cache.get("resources/list", "{}").is_none(), "ttl 0 is not cached");
        cache.invalidate_method("tools/list");
        assert!(cache.get("tools/list", "{}").is_none());

        let g = cache.generation();
        cache.put(
            "resources/read",
            r#"{"uri":"a://b"}"#,
            &raw("{}"),
            Some(60_000),
            g,
        );
        cache.put(
            "resources/read",
            r#"{"uri":"a://c"}"#,
            &raw("{}"),
            Some(60_000),
            g,
        );
        cache.invalidate_read("a://b");
        assert!(cache.get("resources/read", r#"{"uri":"a://b"}"#).is_none());
        assert!(cache.get("resources/read", r#"{"uri":"a://c"}"#).is_some());
    }

    #[test]
    fn a_result_requested_before_an_invalidation_is_not_cached() {
        let cache = ResponseCache::default();
        let before = cache.generation();
        cache.invalidate_method("tools/list");
        cache.put("tools/list", "{}", &raw("{}"), Some(60_000), before);
        assert!(cache.get("tools/list", "{}").is_none());
    }

    #[test]
    fn is_bounded() {
        let cache = ResponseCache::default();
        for i in 0..(MAX_ENTRIES + 10) {
            cache.put("tools/list", &i.to_string(), &raw("{}"), Some(60_000), 0);
        }
        assert!(cache.lock().len() <= MAX_ENTRIES);
    }
}
