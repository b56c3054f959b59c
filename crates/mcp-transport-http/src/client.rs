//! The hyper client: TLS via rustls (ring, webpki roots), connect and
//! response timeouts, same-origin redirects, bounded body reads.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue, LOCATION, WWW_AUTHENTICATE};
use http::{Method, Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use url::Url;

use crate::error::HttpError;
use mcp_jsonrpc::auth::{AuthChallenge, AuthRequest, ChallengeOutcome, MAX_AUTH_ROUNDS};
use mcp_jsonrpc::{AuthenticationError, ClientAuth, Secret};

use crate::params::StreamableHttpParameters;

/// What bounds the wait for a response to begin (see [`HttpClient::send`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wait {
    /// The configured timeout.
    Bounded,
    /// The caller: the JSON-RPC request's own timeout.
    ByCaller,
}

/// The HTTP client of one transport, with its configuration.
#[derive(Clone)]
pub(crate) struct HttpClient {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    pub(crate) static_headers: HeaderMap,
    pub(crate) auth: Option<Arc<dyn ClientAuth>>,
    pub(crate) timeout: Duration,
    pub(crate) idle: Duration,
    pub(crate) max_size: usize,
    pub(crate) max_redirects: usize,
}

/// Parses and checks an MCP server URL.
pub(crate) fn parse_url(url: &str) -> Result<Url, HttpError> {
    let parsed = Url::parse(url).map_err(|e| HttpError::InvalidUrl {
        url: url.to_owned(),
        reason: e.to_string(),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(HttpError::InvalidUrl {
            url: url.to_owned(),
            reason: "only http:// and https:// URLs with a host are supported".into(),
        });
    }
    Ok(parsed)
}

fn https_connector(timeout: Duration) -> Result<HttpsConnector<HttpConnector>, HttpError> {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_connect_timeout(Some(timeout));
    http.set_nodelay(true);
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    #[cfg(feature = "native-roots")]
    let builder = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_native_roots(provider)
        .map_err(|e| HttpError::Tls(e.to_string()))?;
    #[cfg(not(feature = "native-roots"))]
    let builder = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_webpki_roots(provider)
        .map_err(|e| HttpError::Tls(e.to_string()))?;
    Ok(builder.https_or_http().enable_all_versions().wrap_connector(http))
}

/// Whether two URLs share scheme, host and port.
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.origin() == b.origin()
}

impl HttpClient {
    pub(crate) fn new(params: &StreamableHttpParameters) -> Result<Self, HttpError> {
        let mut static_headers = HeaderMap::new();
        for (name, value) in &params.headers {
            let n = HeaderName::from_bytes(name.as_bytes()).map_err(|e| HttpError::InvalidHeader {
                name: name.clone(),
                reason: e.to_string(),
            })?;
            let v = HeaderValue::from_str(value).map_err(|e| HttpError::InvalidHeader {
                name: name.clone(),
                reason: e.to_string(),
            })?;
            static_headers.append(n, v);
        }
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .build(https_connector(params.timeout)?);
        Ok(HttpClient {
            client,
            static_headers,
            auth: params.auth.clone(),
            timeout: params.timeout,
            idle: params.sse_read_timeout,
            max_size: params.max_message_size,
            max_redirects: params.max_redirects,
        })
    }

    /// Sends one request, following same-origin redirects and handing
    /// authorization challenges (401; 403 `insufficient_scope`) to the
    /// [`ClientAuth`], sending again when it has new credentials (at most
    /// [`MAX_AUTH_ROUNDS`] times). A final refusal is [`HttpError::Auth`].
    /// Returns the response and the URL that answered.
    ///
    /// `wait` bounds the wait for the response to begin: [`Wait::Bounded`]
    /// by the configured timeout; [`Wait::ByCaller`] for the POST of a
    /// JSON-RPC request, whose own timeout bounds it (the caller abandons
    /// the exchange when it runs out), so that a slow tool answering with
    /// plain JSON is not cut short. Connecting is always bounded.
    pub(crate) async fn send(
        &self,
        method: Method,
        url: &Url,
        headers: &HeaderMap,
        body: Bytes,
        wait: Wait,
    ) -> Result<(Response<Incoming>, Url), HttpError> {
        let mut rounds = 0;
        loop {
            let (resp, at, authorization) = self.send_redirects(&method, url, headers, &body, wait).await?;
            let status = resp.status().as_u16();
            let challenges: Vec<String> = resp
                .headers()
                .get_all(WWW_AUTHENTICATE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(str::to_owned)
                .collect();
            if !AuthChallenge::is_challenge(status, &challenges) {
                return Ok((resp, at));
            }
            let mut challenge = AuthChallenge::new(AuthRequest::new(method.as_str(), at.as_str()), status);
            challenge.www_authenticate = challenges;
            challenge.authorization = authorization;
            challenge.dpop_nonce = resp
                .headers()
                .get("dpop-nonce")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let Some(auth) = &self.auth else {
                return Err(HttpError::Auth(AuthenticationError::refused(&challenge, false)));
            };
            if rounds >= MAX_AUTH_ROUNDS {
                tracing::warn!(url = %at, status, rounds, "authorization refused again; giving up");
                return Err(HttpError::Auth(AuthenticationError::refused(&challenge, true)));
            }
            rounds += 1;
            challenge.round = rounds;
            tracing::debug!(url = %at, status, round = rounds, "authorization challenge");
            match auth.on_challenge(&challenge).await.map_err(HttpError::Auth)? {
                ChallengeOutcome::Retry => continue,
                _ => return Err(HttpError::Auth(AuthenticationError::refused(&challenge, true))),
            }
        }
    }

    async fn send_redirects(
        &self,
        method: &Method,
        url: &Url,
        headers: &HeaderMap,
        body: &Bytes,
        wait: Wait,
    ) -> Result<(Response<Incoming>, Url, Option<Secret>), HttpError> {
        let mut at = url.clone();
        for _ in 0..=self.max_redirects {
            let (resp, authorization) = self.send_once(method, &at, headers, body.clone(), wait).await?;
            let status = resp.status();
            if !matches!(status.as_u16(), 301 | 302 | 307 | 308) {
                return Ok((resp, at, authorization));
            }
            let next = resp
                .headers()
                .get(LOCATION)
                .and_then(|l| l.to_str().ok())
                .and_then(|l| at.join(l).ok())
                .ok_or_else(|| HttpError::Redirect {
                    url: at.to_string(),
                    reason: format!("HTTP {status} without a usable Location"),
                })?;
            if !same_origin(&at, &next) {
                return Err(HttpError::Redirect {
                    url: at.to_string(),
                    reason: format!(
                        "it points to another origin ({next}); only same-origin redirects are followed"
                    ),
                });
            }
            tracing::debug!(from = %at, to = %next, "following a redirect");
            at = next;
        }
        Err(HttpError::Redirect {
            url: url.to_string(),
            reason: format!("more than {} redirects", self.max_redirects),
        })
    }

    async fn send_once(
        &self,
        method: &Method,
        url: &Url,
        headers: &HeaderMap,
        body: Bytes,
        wait: Wait,
    ) -> Result<(Response<Incoming>, Option<Secret>), HttpError> {
        let mut req = Request::builder()
            .method(method.clone())
            .uri(url.as_str())
            .body(Full::new(body))
            .map_err(|e| HttpError::InvalidUrl {
                url: url.to_string(),
                reason: e.to_string(),
            })?;
        let h = req.headers_mut();
        for (k, v) in &self.static_headers {
            h.append(k, v.clone());
        }
        let mut authorization = None;
        if let Some(auth) = &self.auth {
            let request = AuthRequest::new(method.as_str(), url.as_str());
            for (name, value) in auth.get_headers(&request).await.map_err(HttpError::Auth)? {
                let invalid = |reason: String| HttpError::InvalidHeader {
                    name: name.clone(),
                    reason,
                };
                let key = HeaderName::from_bytes(name.as_bytes()).map_err(|e| invalid(e.to_string()))?;
                let mut v = HeaderValue::from_str(value.expose())
                    .map_err(|_| invalid("the credentials are not a valid header value".into()))?;
                v.set_sensitive(true);
                if key == http::header::AUTHORIZATION {
                    authorization = Some(value.clone());
                }
                h.insert(key, v);
            }
        }
        for (k, v) in headers {
            h.insert(k, v.clone());
        }
        let sent = match wait {
            Wait::Bounded => match tokio::time::timeout(self.timeout, self.client.request(req)).await {
                Ok(sent) => sent,
                Err(_) => {
                    return Err(HttpError::Timeout {
                        url: url.to_string(),
                        what: "a response",
                        secs: self.timeout.as_secs_f64(),
                    })
                }
            },
            Wait::ByCaller => self.client.request(req).await,
        };
        let resp = sent.map_err(|e| HttpError::Connect {
            url: url.to_string(),
            reason: error_chain(&e),
        })?;
        Ok((resp, authorization))
    }

    /// Reads a whole body, at most `max_size` bytes, with the idle timeout
    /// between chunks.
    pub(crate) async fn read_body(&self, mut body: Incoming, url: &Url) -> Result<Bytes, HttpError> {
        let mut buf = Vec::new();
        loop {
            let frame =
                tokio::time::timeout(self.idle, body.frame())
                    .await
                    .map_err(|_| HttpError::Timeout {
                        url: url.to_string(),
                        what: "the response body",
                        secs: self.idle.as_secs_f64(),
                    })?;
            match frame {
                None => return Ok(Bytes::from(buf)),
                Some(Err(e)) => {
                    return Err(HttpError::Connect {
                        url: url.to_string(),
                        reason: format!("response body broke: {}", error_chain(&e)),
                    })
                }
                Some(Ok(f)) => {
                    let Ok(data) = f.into_data() else { continue };
                    if buf.len() + data.len() > self.max_size {
                        return Err(HttpError::TooLarge {
                            url: url.to_string(),
                            limit: self.max_size,
                        });
                    }
                    buf.extend_from_slice(&data);
                }
            }
        }
    }

    /// Reads at most a snippet's worth of an error body, briefly.
    pub(crate) async fn read_error_body(&self, body: Incoming) -> Bytes {
        let limited = http_body_util::Limited::new(body, 64 * 1024);
        match tokio::time::timeout(Duration::from_secs(5).min(self.idle), limited.collect()).await {
            Ok(Ok(c)) => c.to_bytes(),
            _ => Bytes::new(),
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

/// The media type of a response, lowercased, without parameters.
pub(crate) fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}
