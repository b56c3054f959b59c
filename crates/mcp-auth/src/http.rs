//! The HTTP client that talks to authorization servers and metadata hosts:
//! rustls (ring, webpki roots), one bound on each whole exchange, bodies
//! read up to a limit, redirects never followed (a metadata document or a
//! token endpoint that redirects is a misconfiguration, and following one
//! could send credentials elsewhere).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use url::Url;

use crate::error::AuthError;

/// Largest document or answer read from an authorization server: 1 MiB.
pub const MAX_BODY: usize = 1 << 20;

/// One answer.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Answer {
    /// The body as JSON of type `T`, `what` naming it in errors.
    pub(crate) fn json<T: serde::de::DeserializeOwned>(
        &self,
        what: &'static str,
        url: &Url,
    ) -> Result<T, AuthError> {
        serde_json::from_slice(&self.body).map_err(|e| AuthError::Invalid {
            what,
            url: url.to_string(),
            reason: e.to_string(),
        })
    }

    /// An OAuth error answer (`error`, `error_description`) as an
    /// [`AuthError::Endpoint`].
    pub(crate) fn endpoint_error(&self, what: &'static str, url: &Url) -> AuthError {
        #[derive(serde::Deserialize)]
        struct OAuthError {
            error: Option<String>,
            error_description: Option<String>,
        }
        let parsed: Option<OAuthError> = serde_json::from_slice(&self.body).ok();
        let clean = |s: String| mcp_jsonrpc::excerpt(s.as_bytes(), 300);
        AuthError::Endpoint {
            what,
            url: url.to_string(),
            status: self.status.as_u16(),
            error: parsed.as_ref().and_then(|p| p.error.clone()).map(clean),
            description: parsed.and_then(|p| p.error_description).map(clean),
        }
    }
}

/// The client, cheap to clone.
#[derive(Clone)]
pub(crate) struct HttpClient {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    timeout: Duration,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl HttpClient {
    pub(crate) fn new(timeout: Duration) -> Result<Self, AuthError> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(timeout));
        http.set_nodelay(true);
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        #[cfg(feature = "native-roots")]
        let builder = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(provider)
            .map_err(|e| AuthError::Config(format!("TLS setup failed: {e}")))?;
        #[cfg(not(feature = "native-roots"))]
        let builder = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(provider)
            .map_err(|e| AuthError::Config(format!("TLS setup failed: {e}")))?;
        let connector = builder.https_or_http().enable_all_versions().wrap_connector(http);
        Ok(HttpClient {
            client: Client::builder(TokioExecutor::new())
                .pool_idle_timeout(Duration::from_secs(30))
                .build(connector),
            timeout,
        })
    }

    /// `GET url` with `Accept: application/json`.
    pub(crate) async fn get(&self, url: &Url, headers: &[(&str, String)]) -> Result<Answer, AuthError> {
        self.send(Method::GET, url, headers, None).await
    }

    /// `POST url` with `body` of `content_type`.
    pub(crate) async fn post(
        &self,
        url: &Url,
        headers: &[(&str, String)],
        content_type: &'static str,
        body: Vec<u8>,
    ) -> Result<Answer, AuthError> {
        self.send(Method::POST, url, headers, Some((content_type, body)))
            .await
    }

    async fn send(
        &self,
        method: Method,
        url: &Url,
        headers: &[(&str, String)],
        body: Option<(&'static str, Vec<u8>)>,
    ) -> Result<Answer, AuthError> {
        let fail = |reason: String| AuthError::Http {
            url: url.to_string(),
            reason,
        };
        if !matches!(url.scheme(), "http" | "https") {
            return Err(fail(format!(
                "the scheme `{}` is not http or https",
                url.scheme()
            )));
        }
        let mut builder = Request::builder()
            .method(method)
            .uri(url.as_str())
            .header(http::header::ACCEPT, "application/json");
        for (name, value) in headers {
            builder = builder.header(*name, value.as_str());
        }
        let payload = match body {
            Some((content_type, bytes)) => {
                builder = builder.header(http::header::CONTENT_TYPE, content_type);
                Bytes::from(bytes)
            }
            None => Bytes::new(),
        };
        let request = builder
            .body(Full::new(payload))
            .map_err(|e| fail(format!("could not build the request: {e}")))?;
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| fail(error_chain(&e)))?;
            let (parts, body) = response.into_parts();
            let collected = Limited::new(body, MAX_BODY)
                .collect()
                .await
                .map_err(|e| fail(format!("reading the body failed (limit {MAX_BODY} bytes): {e}")))?;
            Ok(Answer {
                status: parts.status,
                headers: parts.headers,
                body: collected.to_bytes(),
            })
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(answer) => answer,
            Err(_) => Err(fail(format!(
                "no complete answer within {}",
                mcp_jsonrpc::Elapsed(self.timeout)
            ))),
        }
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}
