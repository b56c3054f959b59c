//! Which scope to ask for: the challenge's, else the resource's
//! `scopes_supported`, else none; the union with what was granted before
//! on a re-authorization (step-up); `offline_access` only where the
//! authorization server lists it.

use std::collections::BTreeSet;

/// The scopes of a space-separated list, deduplicated, in order.
pub(crate) fn parse(s: Option<&str>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    s.unwrap_or("")
        .split_ascii_whitespace()
        .filter(|x| seen.insert(x.to_string()))
        .map(str::to_owned)
        .collect()
}

/// The scope to ask for: `base` (the configured scope, else the
/// challenge's, else `scopes_supported`), joined with what was granted
/// before, and `offline_access` when `offline` (the server lists it and a
/// refresh token is wanted) and something else is asked. `None` omits the
/// parameter.
pub(crate) fn select(base: Vec<String>, prior: Vec<String>, offline: bool) -> Option<String> {
    let mut out: Vec<String> = Vec::new();
    for s in prior.into_iter().chain(base) {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    if offline && !out.is_empty() && !out.iter().any(|s| s == "offline_access") {
        out.push("offline_access".into());
    }
    if out.is_empty() {
        None
    } else {
        Some(out.join(" "))
    }
}

/// The set a scope string names, for comparing step-ups.
pub(crate) fn set(s: Option<&str>) -> BTreeSet<String> {
    parse(s).into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_keeps_prior_scopes_and_adds_offline_access_only_when_asked() {
        assert_eq!(
            select(parse(Some("write")), parse(Some("read")), false).as_deref(),
            Some("read write")
        );
        assert_eq!(
            select(parse(Some("a a b")), vec![], true).as_deref(),
            Some("a b offline_access")
        );
        assert_eq!(select(vec![], vec![], true), None);
        assert_eq!(select(vec![], vec![], false), None);
        assert_eq!(
            select(parse(Some("a offline_access")), vec![], true).as_deref(),
            Some("a offline_access")
        );
        assert_eq!(set(Some("b a")), set(Some("a  b a")));
    }
}
