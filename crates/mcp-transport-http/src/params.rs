//! What the HTTP transports are configured with.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use mcp_jsonrpc::lines::DEFAULT_MAX_MESSAGE_SIZE;
use mcp_jsonrpc::{BoxFuture, ClientAuth, Connect, Connection, Transport, TransportError};

use crate::origin_cache::OriginCache;

/// Default for [`StreamableHttpParameters::timeout`]: 30 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default for [`StreamableHttpParameters::max_retries`]: 2.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Default for [`StreamableHttpParameters::sse_read_timeout`]: 300 s.
pub const DEFAULT_SSE_READ_TIMEOUT: Duration = Duration::from_secs(300);
/// Default for [`StreamableHttpParameters::max_redirects`]: 5.
pub const DEFAULT_MAX_REDIRECTS: usize = 5;

/// Which HTTP transport to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum HttpTransportMode {
    /// Streamable HTTP, falling back to the 2024-11-05 HTTP+SSE transport
    /// when the server refuses the `initialize` POST (404, 405, or 400
    /// without a JSON-RPC body). The outcome is kept in the parameters'
    /// [`OriginCache`].
    #[default]
    Auto,
    /// Streamable HTTP only (both eras).
    StreamableHttp,
    /// The 2024-11-05 HTTP+SSE transport only.
    Sse,
}

/// How to reach an MCP server over HTTP (`streamablehttp_client`).
#[derive(Clone)]
#[non_exhaustive]
pub struct StreamableHttpParameters {
    /// The MCP endpoint, `http://` or `https://`.
    pub url: String,
    /// Extra headers sent with every request.
    pub headers: Vec<(String, String)>,
    /// Bound on connecting, and on every HTTP exchange that no request
    /// timeout bounds (notifications, the GET stream opening, `DELETE`). The
    /// answer to a request is bounded by that request's own timeout: a slow
    /// tool may take longer than this.
    pub timeout: Duration,
    /// Bound on silence while reading a body or an SSE stream.
    pub sse_read_timeout: Duration,
    /// Largest response body or SSE event, in bytes.
    pub max_message_size: usize,
    /// Which transport to speak.
    pub transport: HttpTransportMode,
    /// Most redirects followed (only to the same origin).
    pub max_redirects: usize,
    /// How often a broken response stream of the initialize era is resumed
    /// with `Last-Event-ID`, and the GET stream reconnected without an event
    /// in between. Default 2. (A request is never sent twice: in 2026-07-28
    /// a broken stream fails its request.)
    pub max_retries: u32,
    /// Capacity of the transport's channels.
    pub channel_capacity: usize,
    /// Supplies credentials for every request and hears the server's
    /// authorization challenges (401, 403 `insufficient_scope`): a
    /// [`BearerToken`](mcp_jsonrpc::auth::BearerToken), the OAuth provider
    /// of `mcp-auth`, or any [`ClientAuth`].
    pub auth: Option<Arc<dyn ClientAuth>>,
    /// What connections learned about origins; a new cache by default,
    /// shared by clones of these parameters.
    pub origin_cache: OriginCache,
}

impl fmt::Debug for StreamableHttpParameters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamableHttpParameters")
            .field("url", &self.url)
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("timeout", &self.timeout)
            .field("sse_read_timeout", &self.sse_read_timeout)
            .field("max_message_size", &self.max_message_size)
            .field("transport", &self.transport)
            .field("max_redirects", &self.max_redirects)
            .field("max_retries", &self.max_retries)
            .field("auth", &self.auth.is_some())
            .field("origin_cache", &self.origin_cache)
            .finish()
    }
}

impl StreamableHttpParameters {
    /// Parameters for `url` with the defaults.
    pub fn new(url: impl Into<String>) -> Self {
        StreamableHttpParameters {
            url: url.into(),
            headers: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            sse_read_timeout: DEFAULT_SSE_READ_TIMEOUT,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            transport: HttpTransportMode::Auto,
            max_redirects: DEFAULT_MAX_REDIRECTS,
            max_retries: DEFAULT_MAX_RETRIES,
            channel_capacity: mcp_jsonrpc::DEFAULT_CHANNEL_CAPACITY,
            auth: None,
            origin_cache: OriginCache::new(),
        }
    }

    /// Adds a header sent with every request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds headers sent with every request.
    pub fn headers<K: Into<String>, V: Into<String>>(
        mut self,
        headers: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.headers
            .extend(headers.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Sets the connect-and-respond timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the idle timeout of bodies and streams.
    pub fn sse_read_timeout(mut self, timeout: Duration) -> Self {
        self.sse_read_timeout = timeout;
        self
    }

    /// Sets the largest response body or SSE event.
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = bytes.max(1);
        self
    }

    /// Sets which transport to speak.
    pub fn transport(mut self, mode: HttpTransportMode) -> Self {
        self.transport = mode;
        self
    }

    /// Sets the most redirects followed.
    pub fn max_redirects(mut self, n: usize) -> Self {
        self.max_redirects = n;
        self
    }

    /// Sets how often a broken stream of the initialize era is resumed.
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// Shares `cache` with other parameters: what one connection learns of
    /// an origin, the others use.
    pub fn origin_cache(mut self, cache: OriginCache) -> Self {
        self.origin_cache = cache;
        self
    }

    /// Sets the channel capacity.
    pub fn channel_capacity(mut self, capacity: usize) -> Self {
        self.channel_capacity = capacity.max(1);
        self
    }

    /// Sets the credentials (the seed's `auth=`).
    pub fn auth(mut self, auth: Arc<dyn ClientAuth>) -> Self {
        self.auth = Some(auth);
        self
    }
}

/// How to reach an MCP server over the 2024-11-05 HTTP+SSE transport
/// (`sse_client`).
#[derive(Clone)]
#[non_exhaustive]
pub struct SseServerParameters {
    /// The SSE endpoint (GET).
    pub url: String,
    /// Extra headers sent with every request.
    pub headers: Vec<(String, String)>,
    /// Bound on connecting plus waiting for response headers (and for the
    /// `endpoint` event).
    pub timeout: Duration,
    /// Bound on silence on the SSE stream.
    pub sse_read_timeout: Duration,
    /// Largest SSE event, in bytes.
    pub max_message_size: usize,
    /// Supplies credentials for every request and hears the server's
    /// authorization challenges (401, 403 `insufficient_scope`): a
    /// [`BearerToken`](mcp_jsonrpc::auth::BearerToken), the OAuth provider
    /// of `mcp-auth`, or any [`ClientAuth`].
    pub auth: Option<Arc<dyn ClientAuth>>,
}

impl fmt::Debug for SseServerParameters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SseServerParameters")
            .field("url", &self.url)
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("timeout", &self.timeout)
            .field("sse_read_timeout", &self.sse_read_timeout)
            .field("max_message_size", &self.max_message_size)
            .field("auth", &self.auth.is_some())
            .finish()
    }
}

impl SseServerParameters {
    /// Parameters for `url` with the defaults.
    pub fn new(url: impl Into<String>) -> Self {
        SseServerParameters {
            url: url.into(),
            headers: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            sse_read_timeout: DEFAULT_SSE_READ_TIMEOUT,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            auth: None,
        }
    }

    /// Adds a header sent with every request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the connect-and-respond timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the idle timeout of the stream.
    pub fn sse_read_timeout(mut self, timeout: Duration) -> Self {
        self.sse_read_timeout = timeout;
        self
    }

    /// Sets the largest SSE event.
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = bytes.max(1);
        self
    }

    /// Sets the credentials (the seed's `auth=`).
    pub fn auth(mut self, auth: Arc<dyn ClientAuth>) -> Self {
        self.auth = Some(auth);
        self
    }

    pub(crate) fn to_streamable(&self) -> StreamableHttpParameters {
        let mut p = StreamableHttpParameters::new(self.url.clone())
            .headers(self.headers.clone())
            .timeout(self.timeout)
            .sse_read_timeout(self.sse_read_timeout)
            .max_message_size(self.max_message_size)
            .transport(HttpTransportMode::Sse);
        p.max_retries = 0;
        p.auth = self.auth.clone();
        p
    }
}

/// Dials the URL again on every call.
impl Connect for StreamableHttpParameters {
    fn connect(&self) -> BoxFuture<'_, Result<Transport, TransportError>> {
        Box::pin(async move { Ok(crate::streamablehttp_client(self).await?) })
    }

    fn describe(&self) -> String {
        format!("`{}`", self.url)
    }
}

/// Dials the URL again on every call.
impl Connect for SseServerParameters {
    fn connect(&self) -> BoxFuture<'_, Result<Transport, TransportError>> {
        Box::pin(async move { Ok(crate::sse_client(self).await?) })
    }

    fn describe(&self) -> String {
        format!("`{}` (HTTP+SSE)", self.url)
    }
}

impl From<StreamableHttpParameters> for Connection {
    fn from(params: StreamableHttpParameters) -> Self {
        Connection::connector(params)
    }
}

impl From<&StreamableHttpParameters> for Connection {
    fn from(params: &StreamableHttpParameters) -> Self {
        Connection::connector(params.clone())
    }
}

impl From<SseServerParameters> for Connection {
    fn from(params: SseServerParameters) -> Self {
        Connection::connector(params)
    }
}

impl From<&SseServerParameters> for Connection {
    fn from(params: &SseServerParameters) -> Self {
        Connection::connector(params.clone())
    }
}
