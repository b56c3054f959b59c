//! Finding the authorization server of an MCP server: protected resource
//! metadata (RFC 9728), then authorization server metadata (RFC 8414 and
//! OpenID Connect discovery), each in the order the MCP specification
//! gives, moving on when a document is absent or fails validation; and the
//! 2025-03-26 fallbacks (metadata at the server's origin, default
//! endpoints).

use url::Url;

use crate::error::AuthError;
use crate::http::HttpClient;
use crate::metadata::{AuthorizationServerMetadata, ProtectedResourceMetadata};

/// What discovery found.
#[derive(Debug, Clone)]
pub(crate) struct Discovered {
    /// The protected resource metadata, when the server has some.
    pub(crate) resource: Option<ProtectedResourceMetadata>,
    /// The authorization server's metadata (synthesized from the default
    /// endpoints in the 2025-03-26 fallback).
    pub(crate) server: AuthorizationServerMetadata,
}

/// The protected resource metadata URLs to try for `server`, in order: the
/// path-inserted well-known URL (when the server URL has a path), then the
/// one at the root.
pub(crate) fn resource_metadata_urls(server: &Url) -> Vec<Url> {
    let mut out = Vec::new();
    let path = server.path().trim_end_matches('/');
    let mut base = server.clone();
    base.set_query(None);
    base.set_fragment(None);
    if !path.is_empty() {
        let mut u = base.clone();
        u.set_path(&format!("/.well-known/oauth-protected-resource{path}"));
        out.push(u);
    }
    let mut u = base;
    u.set_path("/.well-known/oauth-protected-resource");
    out.push(u);
    out
}

/// The metadata URLs to try for the issuer `issuer`, in the MCP order:
/// with a path `/t`: `/.well-known/oauth-authorization-server/t`,
/// `/.well-known/openid-configuration/t`, `/t/.well-known/openid-configuration`;
/// without: `/.well-known/oauth-authorization-server`,
/// `/.well-known/openid-configuration`.
pub(crate) fn server_metadata_urls(issuer: &Url) -> Vec<Url> {
    let path = issuer.path().trim_end_matches('/');
    let mut base = issuer.clone();
    base.set_query(None);
    base.set_fragment(None);
    let at = |p: String| {
        let mut u = base.clone();
        u.set_path(&p);
        u
    };
    if path.is_empty() {
        vec![
            at("/.well-known/oauth-authorization-server".into()),
            at("/.well-known/openid-configuration".into()),
        ]
    } else {
        vec![
            at(format!("/.well-known/oauth-authorization-server{path}")),
            at(format!("/.well-known/openid-configuration{path}")),
            at(format!("{path}/.well-known/openid-configuration")),
        ]
    }
}

/// Whether the protected resource metadata's `resource` may stand for
/// `server`: the same origin, and the server's path at or under the
/// resource's path (RFC 9728 §3.3; the MCP canonical server URI).
pub(crate) fn resource_matches(resource: &str, server: &Url) -> bool {
    let Ok(r) = Url::parse(resource) else { return false };
    if r.origin() != server.origin() {
        return false;
    }
    let rp = r.path().trim_end_matches('/');
    let sp = server.path().trim_end_matches('/');
    sp == rp || sp.starts_with(&format!("{rp}/"))
}

/// Two issuer identifiers are the same: identical, by simple string
/// comparison (RFC 8414 §3.3; no URL normalization).
pub(crate) fn same_issuer(a: &str, b: &str) -> bool {
    a == b
}

/// The MCP server's canonical URI, for the `resource` parameter (RFC 8707):
/// no fragment, no trailing slash on an empty path.
pub(crate) fn canonical_resource(server: &Url) -> String {
    let mut u = server.clone();
    u.set_fragment(None);
    let s = u.to_string();
    if u.path() == "/" && u.query().is_none() {
        s.trim_end_matches('/').to_owned()
    } else {
        s
    }
}

/// Fetches the protected resource metadata for `server`: from
/// `hinted` (the challenge's `resource_metadata`) if given, else from the
/// well-known URLs in order. `None` when no document was found (the
/// 2025-03-26 fallback applies). A document for another resource is
/// refused, never skipped.
pub(crate) async fn resource_metadata(
    http: &HttpClient,
    server: &Url,
    hinted: Option<&Url>,
    tried: &mut Vec<String>,
) -> Result<Option<ProtectedResourceMetadata>, AuthError> {
    let candidates = match hinted {
        Some(u) => {
            let mut v = vec![u.clone()];
            v.extend(resource_metadata_urls(server).into_iter().filter(|c| c != u));
            v
        }
        None => resource_metadata_urls(server),
    };
    for url in candidates {
        let answer = match http
            .get(&url, &[("MCP-Protocol-Version", "2025-11-25".into())])
            .await
        {
            Ok(a) => a,
            Err(e) => {
                tried.push(format!("{url}: {e}"));
                continue;
            }
        };
        if !answer.status.is_success() {
            tried.push(format!("{url}: HTTP {}", answer.status.as_u16()));
            continue;
        }
        let doc: ProtectedResourceMetadata = match answer.json("protected resource metadata", &url) {
            Ok(d) => d,
            Err(e) => {
                tried.push(e.to_string());
                continue;
            }
        };
        if !resource_matches(&doc.resource, server) {
            return Err(AuthError::ResourceMismatch {
                server: server.to_string(),
                resource: mcp_jsonrpc::excerpt(doc.resource.as_bytes(), 200),
            });
        }
        tracing::debug!(%url, resource = %doc.resource, "protected resource metadata");
        return Ok(Some(doc));
    }
    Ok(None)
}

/// Fetches the authorization server metadata of `issuer`, trying the
/// well-known URLs in order and keeping the first document that parses,
/// has the endpoints a code flow needs, and names `issuer` as its issuer.
pub(crate) async fn server_metadata(
    http: &HttpClient,
    issuer: &str,
    tried: &mut Vec<String>,
) -> Result<Option<AuthorizationServerMetadata>, AuthError> {
    let issuer_url = Url::parse(issuer).map_err(|e| AuthError::Invalid {
        what: "an authorization server issuer",
        url: issuer.to_owned(),
        reason: e.to_string(),
    })?;
    for url in server_metadata_urls(&issuer_url) {
        match fetch_server_metadata(http, &url).await {
            Ok(doc) if same_issuer(&doc.issuer, issuer) => {
                tracing::debug!(%url, issuer = %doc.issuer, "authorization server metadata");
                return Ok(Some(doc));
            }
            Ok(doc) => tried.push(format!(
                "{url}: names the issuer {}, not {issuer} (RFC 8414 §3.3)",
                mcp_jsonrpc::excerpt(doc.issuer.as_bytes(), 200)
            )),
            Err(e) => tried.push(e),
        }
    }
    Ok(None)
}

async fn fetch_server_metadata(http: &HttpClient, url: &Url) -> Result<AuthorizationServerMetadata, String> {
    let answer = http.get(url, &[]).await.map_err(|e| format!("{url}: {e}"))?;
    if !answer.status.is_success() {
        return Err(format!("{url}: HTTP {}", answer.status.as_u16()));
    }
    let doc: AuthorizationServerMetadata = answer
        .json("authorization server metadata", url)
        .map_err(|e| e.to_string())?;
    Ok(doc)
}

/// The whole discovery for `server`, given the challenge's
/// `resource_metadata` URL if any.
pub(crate) async fn discover(
    http: &HttpClient,
    server: &Url,
    hinted: Option<&Url>,
) -> Result<Discovered, AuthError> {
    let mut tried = Vec::new();
    let resource = resource_metadata(http, server, hinted, &mut tried).await?;
    if let Some(prm) = &resource {
        for issuer in &prm.authorization_servers {
            if let Some(doc) = server_metadata(http, issuer, &mut tried).await? {
                return Ok(Discovered {
                    resource,
                    server: doc,
                });
            }
        }
        if prm.authorization_servers.is_empty() {
            tried.push("the protected resource metadata names no authorization server".into());
        }
        return Err(AuthError::Discovery {
            server: server.to_string(),
            tried: tried.join("; "),
        });
    }
    // 2025-03-26: the authorization server is the MCP server's origin, its
    // metadata at the origin's well-known URL, else the default endpoints.
    let mut origin = server.clone();
    origin.set_path("/");
    origin.set_query(None);
    origin.set_fragment(None);
    let issuer = origin.as_str().trim_end_matches('/').to_owned();
    let mut legacy = origin.clone();
    legacy.set_path("/.well-known/oauth-authorization-server");
    match fetch_server_metadata(http, &legacy).await {
        Ok(doc) => {
            return Ok(Discovered {
                resource: None,
                server: doc,
            })
        }
        Err(e) => tried.push(e),
    }
    tracing::debug!(%issuer, tried = %tried.join("; "), "no metadata; using the 2025-03-26 default endpoints");
    let endpoint = |p: &str| {
        let mut u = origin.clone();
        u.set_path(p);
        u.to_string()
    };
    Ok(Discovered {
        resource: None,
        server: AuthorizationServerMetadata {
            issuer,
            authorization_endpoint: Some(endpoint("/authorize")),
            token_endpoint: Some(endpoint("/token")),
            registration_endpoint: Some(endpoint("/register")),
            code_challenge_methods_supported: Some(vec!["S256".into()]),
            ..Default::default()
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(v: Vec<Url>) -> Vec<String> {
        v.into_iter().map(|u| u.to_string()).collect()
    }

    #[test]
    fn resource_metadata_order_with_and_without_a_path() {
        let with = Url::parse("https://mcp.example.com/public/mcp?x=1").expect("url");
        assert_eq!(
            urls(resource_metadata_urls(&with)),
            [
                "https://mcp.example.com/.well-known/oauth-protected-resource/public/mcp",
                "https://mcp.example.com/.well-known/oauth-protected-resource",
            ]
        );
        let root = Url::parse("https://mcp.example.com").expect("url");
        assert_eq!(
            urls(resource_metadata_urls(&root)),
            ["https://mcp.example.com/.well-known/oauth-protected-resource"]
        );
    }

    #[test]
    fn server_metadata_order_with_and_without_a_path() {
        let with = Url::parse("https://auth.example.com/tenant1").expect("url");
        assert_eq!(
            urls(server_metadata_urls(&with)),
            [
                "https://auth.example.com/.well-known/oauth-authorization-server/tenant1",
                "https://auth.example.com/.well-known/openid-configuration/tenant1",
                "https://auth.example.com/tenant1/.well-known/openid-configuration",
            ]
        );
        let root = Url::parse("https://auth.example.com/").expect("url");
        assert_eq!(
            urls(server_metadata_urls(&root)),
            [
                "https://auth.example.com/.well-known/oauth-authorization-server",
                "https://auth.example.com/.well-known/openid-configuration",
            ]
        );
    }

    #[test]
    fn resources_match_by_origin_and_path_prefix() {
        let server = Url::parse("https://h.example/api/mcp").expect("url");
        assert!(resource_matches("https://h.example/api/mcp", &server));
        assert!(resource_matches("https://h.example/api/mcp/", &server));
        assert!(resource_matches("https://h.example/api", &server));
        assert!(resource_matches("https://h.example", &server));
        assert!(!resource_matches("https://h.example/ap", &server));
        assert!(!resource_matches("https://other.example/api/mcp", &server));
        assert!(!resource_matches("http://h.example/api/mcp", &server));
        assert!(!resource_matches("not a url", &server));
    }

    #[test]
    fn issuers_compare_exactly() {
        assert!(!same_issuer("https://as.example", "https://as.example/"));
        assert!(same_issuer("https://as.example/t", "https://as.example/t"));
        assert!(!same_issuer("https://as.example/t", "https://as.example/u"));
        assert!(!same_issuer("https://evil.example", "https://as.example"));
    }

    #[test]
    fn canonical_resource_drops_fragment_and_root_slash() {
        assert_eq!(
            canonical_resource(&Url::parse("https://h.example/").expect("url")),
            "https://h.example"
        );
        assert_eq!(
            canonical_resource(&Url::parse("https://h.example/mcp#x").expect("url")),
            "https://h.example/mcp"
        );
    }
}
