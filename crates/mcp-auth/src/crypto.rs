//! The few cryptographic steps OAuth needs, on ring and jsonwebtoken (no
//! hand-rolled crypto): random values (PKCE verifiers, `state`, `jti`),
//! SHA-256, and ES256 keys that sign JWTs (client assertions for
//! `private_key_jwt`, DPoP proofs).

use std::fmt;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use mcp_jsonrpc::Secret;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivatePkcs8KeyDer;

use crate::error::AuthError;

/// `n` random bytes as unpadded base64url.
pub(crate) fn random_token(n: usize) -> Result<String, AuthError> {
    let mut bytes = vec![0u8; n];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| AuthError::Config("the system random number generator failed".into()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// SHA-256 of `data`, as unpadded base64url.
pub(crate) fn sha256_b64(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, data))
}

/// A PKCE pair (RFC 7636): the verifier kept by the client, the S256
/// challenge sent in the authorization request.
#[derive(Clone)]
pub(crate) struct Pkce {
    pub(crate) verifier: Secret,
    pub(crate) challenge: String,
}

impl Pkce {
    /// A fresh pair: 32 random bytes make a 43-character verifier.
    pub(crate) fn new() -> Result<Self, AuthError> {
        let verifier = random_token(32)?;
        let challenge = sha256_b64(verifier.as_bytes());
        Ok(Pkce {
            verifier: Secret::new(verifier),
            challenge,
        })
    }
}

/// An ES256 (ECDSA P-256, SHA-256) private key that signs JWTs: a client's
/// `private_key_jwt` key, or a DPoP key. Its `Debug` shows only the public
/// key's thumbprint.
#[derive(Clone)]
pub struct SigningKey {
    pkcs8: Arc<Secret>,
    encoding: jsonwebtoken::EncodingKey,
    x: String,
    y: String,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &"ES256")
            .field("thumbprint", &self.thumbprint())
            .finish()
    }
}

impl SigningKey {
    /// A fresh random key (for DPoP).
    pub fn generate() -> Result<Self, AuthError> {
        let rng = SystemRandom::new();
        let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| AuthError::Config("could not generate an ES256 key".into()))?;
        Self::from_pkcs8_der(doc.as_ref())
    }

    /// The key of a PEM `PRIVATE KEY` block (PKCS#8, P-256).
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, AuthError> {
        let der = PrivatePkcs8KeyDer::from_pem_slice(pem.as_bytes())
            .map_err(|e| AuthError::Config(format!("the private key is not a PEM PKCS#8 key: {e}")))?;
        Self::from_pkcs8_der(der.secret_pkcs8_der())
    }

    /// The key of a PKCS#8 DER document (P-256).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, AuthError> {
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der, &SystemRandom::new())
            .map_err(|e| {
                AuthError::Config(format!("the private key is not a P-256 (ES256) PKCS#8 key: {e}"))
            })?;
        // An uncompressed point: 0x04, then X and Y of 32 bytes each.
        let point = pair.public_key().as_ref();
        if point.len() != 65 || point[0] != 4 {
            return Err(AuthError::Config("unexpected P-256 public key encoding".into()));
        }
        Ok(SigningKey {
            pkcs8: Arc::new(Secret::new(URL_SAFE_NO_PAD.encode(der))),
            encoding: jsonwebtoken::EncodingKey::from_ec_der(der),
            x: URL_SAFE_NO_PAD.encode(&point[1..33]),
            y: URL_SAFE_NO_PAD.encode(&point[33..]),
        })
    }

    /// The PKCS#8 document, base64url (for storage that keeps a DPoP key
    /// with the tokens bound to it).
    pub(crate) fn to_stored(&self) -> Secret {
        (*self.pkcs8).clone()
    }

    /// The key [`to_stored`](Self::to_stored) gave.
    pub(crate) fn from_stored(stored: &Secret) -> Result<Self, AuthError> {
        let der = URL_SAFE_NO_PAD
            .decode(stored.expose())
            .map_err(|e| AuthError::Config(format!("a stored key is not base64url: {e}")))?;
        Self::from_pkcs8_der(&der)
    }

    /// The public key as a JWK (RFC 7517), members in the order of
    /// RFC 7638 so that it is also the thumbprint's input.
    pub fn public_jwk(&self) -> serde_json::Value {
        serde_json::json!({"crv": "P-256", "kty": "EC", "x": self.x, "y": self.y})
    }

    /// The JWK SHA-256 thumbprint (RFC 7638), base64url.
    pub fn thumbprint(&self) -> String {
        let canonical = format!(
            r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
            self.x, self.y
        );
        sha256_b64(canonical.as_bytes())
    }

    /// A compact JWS of `claims` with header `typ` (and the public JWK in
    /// the header when `with_jwk`).
    pub(crate) fn sign(
        &self,
        typ: &str,
        with_jwk: bool,
        claims: &serde_json::Value,
    ) -> Result<String, AuthError> {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        header.typ = Some(typ.to_owned());
        if with_jwk {
            let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(self.public_jwk())
                .map_err(|e| AuthError::Config(format!("could not build the JWK: {e}")))?;
            header.jwk = Some(jwk);
        }
        jsonwebtoken::encode(&header, claims, &self.encoding)
            .map_err(|e| AuthError::Config(format!("could not sign a JWT: {e}")))
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_challenge_is_the_s256_of_the_verifier() {
        let p = Pkce::new().expect("pkce");
        assert_eq!(p.verifier.expose().len(), 43);
        assert_eq!(p.challenge, sha256_b64(p.verifier.expose().as_bytes()));
        // RFC 7636 appendix B.
        assert_eq!(
            sha256_b64(b"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_ne!(Pkce::new().expect("pkce").verifier, p.verifier);
    }

    #[test]
    fn a_signed_jwt_carries_the_public_key_and_verifies() {
        let key = SigningKey::generate().expect("key");
        let jwt = key
            .sign("dpop+jwt", true, &serde_json::json!({"htm": "POST", "jti": "1"}))
            .expect("sign");
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).expect("b64")).expect("json");
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["jwk"]["kty"], "EC");
        assert_eq!(header["jwk"]["crv"], "P-256");
        assert!(header["jwk"].get("d").is_none());
        // The signature verifies with the public key in the header.
        let x = URL_SAFE_NO_PAD
            .decode(header["jwk"]["x"].as_str().expect("x"))
            .expect("x");
        let y = URL_SAFE_NO_PAD
            .decode(header["jwk"]["y"].as_str().expect("y"))
            .expect("y");
        let mut point = vec![4u8];
        point.extend(x);
        point.extend(y);
        let public =
            ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, point);
        let sig = URL_SAFE_NO_PAD.decode(parts[2]).expect("sig");
        public
            .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig)
            .expect("verifies");
        assert!(!format!("{key:?}").contains(key.to_stored().expose()));
        let again = SigningKey::from_stored(&key.to_stored()).expect("stored");
        assert_eq!(again.thumbprint(), key.thumbprint());
    }

    #[test]
    fn a_pem_key_loads() {
        let key = SigningKey::generate().expect("key");
        let der = URL_SAFE_NO_PAD.decode(key.to_stored().expose()).expect("der");
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        let pem = format!("-----BEGIN PRIVATE KEY-----\n{b64}\n-----END PRIVATE KEY-----\n");
        assert_eq!(
            SigningKey::from_pkcs8_pem(&pem).expect("pem").thumbprint(),
            key.thumbprint()
        );
        assert!(SigningKey::from_pkcs8_pem("not a key").is_err());
    }
}
