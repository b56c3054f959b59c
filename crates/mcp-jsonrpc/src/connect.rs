//! Opening transports: [`Connect`], implemented by every transport's
//! parameters, and [`Connection`], what a session is opened from.

use std::fmt;
use std::sync::Arc;

use crate::boxed::BoxFuture;
use crate::error::TransportError;
use crate::transport::Transport;

/// Opens a fresh transport to a peer: spawns the server again, dials the
/// URL again. Every transport crate implements it for its parameters, so
/// that a session (or a group) can start a server anew: after it exited on
/// an unknown first message, or after it died.
pub trait Connect: Send + Sync + 'static {
    /// Opens a new transport.
    fn connect(&self) -> BoxFuture<'_, Result<Transport, TransportError>>;

    /// Who this connects to, for messages ("`node server.js`",
    /// "`https://example.com/mcp`").
    fn describe(&self) -> String;
}

/// What a session is opened from: a transport already open, or a
/// [`Connect`] that opens one and can open it again.
///
/// Every transport crate converts its parameters and its connected
/// transport into one, so `ClientSession::connect` takes either as it is.
pub struct Connection {
    transport: Option<Transport>,
    connector: Option<Arc<dyn Connect>>,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("open", &self.transport.is_some())
            .field("connector", &self.connector.as_ref().map(|c| c.describe()))
            .finish()
    }
}

impl Connection {
    /// A connection over a transport already open; it cannot be reopened.
    pub fn open(transport: impl Into<Transport>) -> Self {
        Connection {
            transport: Some(transport.into()),
            connector: None,
        }
    }

    /// A connection that `connector` opens, and can open again.
    pub fn connector(connector: impl Connect) -> Self {
        Self::shared_connector(Arc::new(connector))
    }

    /// A connection that a shared `connector` opens, and can open again.
    pub fn shared_connector(connector: Arc<dyn Connect>) -> Self {
        Connection {
            transport: None,
            connector: Some(connector),
        }
    }

    /// The transport: the one given, else a fresh one from the connector.
    pub async fn take_transport(&mut self) -> Result<Transport, TransportError> {
        if let Some(t) = self.transport.take() {
            return Ok(t);
        }
        match &self.connector {
            Some(c) => c.connect().await,
            None => Err(TransportError::Other(
                "this connection was made from a transport that is already used; \
                 give the transport's parameters to be able to reconnect"
                    .into(),
            )),
        }
    }

    /// What can open the transport again, if anything.
    pub fn reconnector(&self) -> Option<Arc<dyn Connect>> {
        self.connector.clone()
    }
}

impl From<Transport> for Connection {
    fn from(t: Transport) -> Self {
        Connection::open(t)
    }
}

impl From<Arc<dyn Connect>> for Connection {
    fn from(c: Arc<dyn Connect>) -> Self {
        Connection::shared_connector(c)
    }
}
