//! How to reach an MCP server over WebSocket, and the seam for credentials.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use mcp_jsonrpc::{BoxFuture, ClientAuth, Connect, Connection, Transport, TransportError};

/// Default for [`WebSocketParameters::connect_timeout`]: 30 s.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default for [`WebSocketParameters::ping_interval`]: 30 s.
pub const DEFAULT_PING_INTERVAL: Duration = Duration::from_secs(30);
/// Default for [`WebSocketParameters::pong_timeout`]: 10 s.
pub const DEFAULT_PONG_TIMEOUT: Duration = Duration::from_secs(10);
/// Default for [`WebSocketParameters::close_timeout`]: 5 s.
pub const DEFAULT_CLOSE_TIMEOUT: Duration = Duration::from_secs(5);
/// Default for [`WebSocketParameters::max_message_size`] and
/// [`max_frame_size`](WebSocketParameters::max_frame_size): 16 MiB, as on
/// the other transports.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = mcp_jsonrpc::lines::DEFAULT_MAX_MESSAGE_SIZE;

/// How to reach an MCP server over WebSocket (`websocket_client`).
///
/// The upgrade asks for the subprotocol `mcp` and refuses a server that
/// does not accept it. Each JSON-RPC message travels in one text frame.
#[derive(Clone)]
#[non_exhaustive]
pub struct WebSocketParameters {
    /// The MCP endpoint, `ws://` or `wss://`.
    pub url: String,
    /// Extra headers sent with the upgrade request.
    pub headers: Vec<(String, String)>,
    /// Bound on connecting: DNS, TCP, TLS and the upgrade together.
    pub connect_timeout: Duration,
    /// How often a ping is sent; `None` sends none (and so detects no dead
    /// peer).
    pub ping_interval: Option<Duration>,
    /// How long after a ping is due the server may stay silent (no pong,
    /// no frame at all) before the connection is considered dead and
    /// closed; pending requests then fail at once.
    pub pong_timeout: Duration,
    /// Bound on the close handshake, on [`close`](mcp_jsonrpc::TransportGuard::close)
    /// and on drop.
    pub close_timeout: Duration,
    /// Largest message, in bytes; a larger one closes the connection (close
    /// code 1009), since its frames cannot be skipped without reading them.
    pub max_message_size: usize,
    /// Largest frame, in bytes, checked from its header before its payload
    /// is read.
    pub max_frame_size: usize,
    /// Capacity of the transport's channels.
    pub channel_capacity: usize,
    /// Supplies credentials for the upgrade request and hears a refusal of
    /// it (401; 403 for want of scope): a
    /// [`BearerToken`](mcp_jsonrpc::auth::BearerToken), the OAuth provider
    /// of `mcp-auth`, or any [`ClientAuth`].
    pub auth: Option<Arc<dyn ClientAuth>>,
    /// The TLS configuration for `wss://`; by default rustls with the ring
    /// provider and the bundled webpki roots (plus the system's with the
    /// `native-roots` feature).
    pub tls_config: Option<Arc<rustls::ClientConfig>>,
}

impl fmt::Debug for WebSocketParameters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebSocketParameters")
            .field("url", &self.url)
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("connect_timeout", &self.connect_timeout)
            .field("ping_interval", &self.ping_interval)
            .field("pong_timeout", &self.pong_timeout)
            .field("close_timeout", &self.close_timeout)
            .field("max_message_size", &self.max_message_size)
            .field("max_frame_size", &self.max_frame_size)
            .field("channel_capacity", &self.channel_capacity)
            .field("auth", &self.auth.is_some())
            .field("tls_config", &self.tls_config.is_some())
            .finish()
    }
}

impl WebSocketParameters {
    /// Parameters for `url` with the documented defaults.
    pub fn new(url: impl Into<String>) -> Self {
        WebSocketParameters {
            url: url.into(),
            headers: Vec::new(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            ping_interval: Some(DEFAULT_PING_INTERVAL),
            pong_timeout: DEFAULT_PONG_TIMEOUT,
            close_timeout: DEFAULT_CLOSE_TIMEOUT,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            max_frame_size: DEFAULT_MAX_MESSAGE_SIZE,
            channel_capacity: mcp_jsonrpc::DEFAULT_CHANNEL_CAPACITY,
            auth: None,
            tls_config: None,
        }
    }

    /// Adds a header to the upgrade request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds headers to the upgrade request.
    pub fn headers<K: Into<String>, V: Into<String>>(
        mut self,
        headers: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.headers
            .extend(headers.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Sets [`connect_timeout`](Self::connect_timeout).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets [`ping_interval`](Self::ping_interval).
    pub fn ping_interval(mut self, interval: Option<Duration>) -> Self {
        self.ping_interval = interval;
        self
    }

    /// Sets [`pong_timeout`](Self::pong_timeout).
    pub fn pong_timeout(mut self, timeout: Duration) -> Self {
        self.pong_timeout = timeout;
        self
    }

    /// Sets [`close_timeout`](Self::close_timeout).
    pub fn close_timeout(mut self, timeout: Duration) -> Self {
        self.close_timeout = timeout;
        self
    }

    /// Sets [`max_message_size`](Self::max_message_size).
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// Sets [`max_frame_size`](Self::max_frame_size).
    pub fn max_frame_size(mut self, bytes: usize) -> Self {
        self.max_frame_size = bytes;
        self
    }

    /// Sets [`channel_capacity`](Self::channel_capacity).
    pub fn channel_capacity(mut self, capacity: usize) -> Self {
        self.channel_capacity = capacity;
        self
    }

    /// Sets [`auth`](Self::auth) (the seed's `auth=`).
    pub fn auth(mut self, auth: Arc<dyn ClientAuth>) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Sets [`tls_config`](Self::tls_config).
    pub fn tls_config(mut self, config: Arc<rustls::ClientConfig>) -> Self {
        self.tls_config = Some(config);
        self
    }
}

/// Dials the URL again on every call.
impl Connect for WebSocketParameters {
    fn connect(&self) -> BoxFuture<'_, Result<Transport, TransportError>> {
        Box::pin(async move { Ok(crate::websocket_client(self).await?) })
    }

    fn describe(&self) -> String {
        format!("`{}`", self.url)
    }
}

impl From<WebSocketParameters> for Connection {
    fn from(params: WebSocketParameters) -> Self {
        Connection::connector(params)
    }
}

impl From<&WebSocketParameters> for Connection {
    fn from(params: &WebSocketParameters) -> Self {
        Connection::connector(params.clone())
    }
}
