//! DPoP (RFC 9449): a key the tokens are bound to, a fresh proof for every
//! request (method, URL, time, a random `jti`, the token's hash), and the
//! nonces servers hand out (remembered per origin, at most
//! [`MAX_NONCES`] origins).

use std::collections::BTreeMap;
use std::sync::Mutex;

use http::HeaderMap;
use mcp_jsonrpc::Secret;
use url::Url;

use crate::crypto::{now, random_token, sha256_b64, SigningKey};
use crate::error::AuthError;

/// Most origins whose DPoP nonce is remembered.
pub const MAX_NONCES: usize = 16;

/// Longest nonce kept.
const MAX_NONCE_LEN: usize = 512;

/// A DPoP key and the nonces servers asked for.
#[derive(Debug)]
pub(crate) struct Dpop {
    key: SigningKey,
    nonces: Mutex<BTreeMap<String, String>>,
}

impl Dpop {
    pub(crate) fn new(key: SigningKey) -> Self {
        Dpop {
            key,
            nonces: Mutex::new(BTreeMap::new()),
        }
    }

    pub(crate) fn key(&self) -> &SigningKey {
        &self.key
    }

    /// A proof for `method` to `url`, bound to `access_token` when given.
    pub(crate) fn proof(
        &self,
        method: &str,
        url: &Url,
        access_token: Option<&Secret>,
    ) -> Result<String, AuthError> {
        let mut htu = url.clone();
        htu.set_query(None);
        htu.set_fragment(None);
        let mut claims = serde_json::json!({
            "jti": random_token(16)?,
            "htm": method,
            "htu": htu.as_str(),
            "iat": now(),
        });
        if let Some(token) = access_token {
            claims["ath"] = sha256_b64(token.expose().as_bytes()).into();
        }
        if let Some(nonce) = self.nonce_for(url) {
            claims["nonce"] = nonce.into();
        }
        self.key.sign("dpop+jwt", true, &claims)
    }

    fn nonce_for(&self, url: &Url) -> Option<String> {
        let origin = url.origin().ascii_serialization();
        self.nonces.lock().ok()?.get(&origin).cloned()
    }

    /// Keeps the `DPoP-Nonce` of an answer from `url`, if it has one.
    pub(crate) fn remember_nonce(&self, url: &Url, headers: &HeaderMap) {
        if let Some(n) = headers.get("dpop-nonce").and_then(|v| v.to_str().ok()) {
            self.set_nonce(url, n);
        }
    }

    /// Keeps `nonce` for the origin of `url`.
    pub(crate) fn set_nonce(&self, url: &Url, nonce: &str) {
        if nonce.is_empty()
            || nonce.len() > MAX_NONCE_LEN
            || !nonce.bytes().all(|b| (0x21..0x7f).contains(&b))
        {
            return;
        }
        let origin = url.origin().ascii_serialization();
        if let Ok(mut m) = self.nonces.lock() {
            if m.len() >= MAX_NONCES && !m.contains_key(&origin) {
                m.clear();
            }
            m.insert(origin, nonce.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;

    fn claims(jwt: &str) -> serde_json::Value {
        let part = jwt.split('.').nth(1).expect("claims");
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("b64")).expect("json")
    }

    #[test]
    fn proofs_are_fresh_bound_and_carry_the_nonce() {
        let d = Dpop::new(SigningKey::generate().expect("key"));
        let url = Url::parse("https://rs.example/mcp?x=1#f").expect("url");
        let token = Secret::new("tok");
        let a = claims(&d.proof("POST", &url, Some(&token)).expect("proof"));
        let b = claims(&d.proof("POST", &url, Some(&token)).expect("proof"));
        assert_ne!(a["jti"], b["jti"]);
        assert_eq!(a["htu"], "https://rs.example/mcp");
        assert_eq!(a["htm"], "POST");
        assert_eq!(a["ath"], sha256_b64(b"tok"));
        assert!(a.get("nonce").is_none());
        d.set_nonce(&url, "n-1");
        let c = claims(&d.proof("GET", &url, None).expect("proof"));
        assert_eq!(c["nonce"], "n-1");
        assert!(c.get("ath").is_none());
        // Another origin has its own nonce.
        let other = Url::parse("https://as.example/token").expect("url");
        assert!(claims(&d.proof("POST", &other, None).expect("proof"))
            .get("nonce")
            .is_none());
        // A hostile nonce is not kept.
        d.set_nonce(&other, "bad\nnonce");
        assert!(claims(&d.proof("POST", &other, None).expect("proof"))
            .get("nonce")
            .is_none());
    }
}
