//! [`GroupError`]: what went wrong, always naming the server concerned.

use std::time::Duration;

use mcp_client::ClientError;

/// The error of every group operation.
///
/// Failures of one server name it ([`server`](GroupError::server)) and keep
/// the session's [`ClientError`] as their source
/// ([`client_error`](GroupError::client_error)).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GroupError {
    /// The server could not be reached or its handshake failed.
    #[error("could not connect to the MCP server `{server}`: {source}")]
    Connect {
        /// The server's name in the group (or what it was reached by).
        server: String,
        /// Why.
        #[source]
        source: Box<ClientError>,
    },
    /// Connecting (handshake and first listings included) took longer than
    /// the group's connect timeout.
    #[error(
        "timed out after {after:?} connecting to the MCP server `{server}`; raise the group's \
         connect timeout if the server is slow to start"
    )]
    ConnectTimeout {
        /// The server.
        server: String,
        /// The bound that ran out.
        after: Duration,
    },
    /// A request to a connected server failed.
    #[error("MCP server `{server}`: {source}")]
    Server {
        /// The server.
        server: String,
        /// The session's error.
        #[source]
        source: Box<ClientError>,
    },
    /// The server's connection is gone (and was not, or could not be,
    /// started again).
    #[error("the MCP server `{server}` is unavailable: {reason}")]
    Unavailable {
        /// The server.
        server: String,
        /// Why (the close reason, or the last failed restart).
        reason: String,
    },
    /// No tool of that name in the group.
    #[error("no tool named `{name}` in this group; `tools()` lists the names")]
    UnknownTool {
        /// The name asked for.
        name: String,
    },
    /// No prompt of that name in the group.
    #[error("no prompt named `{name}` in this group; `prompts()` lists the names")]
    UnknownPrompt {
        /// The name asked for.
        name: String,
    },
    /// No server of the group lists the resource or a template matching it.
    #[error(
        "no server of this group offers the resource `{uri}` (none lists it or a template \
         matching it)"
    )]
    UnknownResource {
        /// The URI asked for.
        uri: String,
    },
    /// No server of that name in the group.
    #[error("no server named `{server}` in this group")]
    UnknownServer {
        /// The name asked for.
        server: String,
    },
    /// A server of that name is already in the group.
    #[error("a server named `{server}` is already in this group; give each server its own name")]
    DuplicateServer {
        /// The name.
        server: String,
    },
}

impl GroupError {
    /// Wraps a failure of a request to `server`.
    pub(crate) fn at(server: impl Into<String>) -> impl FnOnce(ClientError) -> GroupError {
        let server = server.into();
        move |source| GroupError::Server {
            server,
            source: Box::new(source),
        }
    }

    /// Wraps a failure to connect `server`.
    pub(crate) fn connecting(server: impl Into<String>) -> impl FnOnce(ClientError) -> GroupError {
        let server = server.into();
        move |source| GroupError::Connect {
            server,
            source: Box::new(source),
        }
    }

    /// The server this error is about, when it is about one.
    pub fn server(&self) -> Option<&str> {
        match self {
            GroupError::Connect { server, .. }
            | GroupError::ConnectTimeout { server, .. }
            | GroupError::Server { server, .. }
            | GroupError::Unavailable { server, .. }
            | GroupError::UnknownServer { server }
            | GroupError::DuplicateServer { server } => Some(server),
            _ => None,
        }
    }

    /// The session's error behind this one.
    pub fn client_error(&self) -> Option<&ClientError> {
        match self {
            GroupError::Connect { source, .. } | GroupError::Server { source, .. } => Some(&**source),
            _ => None,
        }
    }

    /// True when no server of the group has the tool, prompt, resource or
    /// server name asked for.
    pub fn is_unknown(&self) -> bool {
        matches!(
            self,
            GroupError::UnknownTool { .. }
                | GroupError::UnknownPrompt { .. }
                | GroupError::UnknownResource { .. }
                | GroupError::UnknownServer { .. }
        )
    }

    /// True when the server is gone: unavailable, or its connection closed
    /// under the request.
    pub fn is_unavailable(&self) -> bool {
        match self {
            GroupError::Unavailable { .. } => true,
            GroupError::Server { source, .. } => source.is_connection_closed(),
            _ => false,
        }
    }

    /// True when connecting failed (including by timeout).
    pub fn is_connect(&self) -> bool {
        matches!(
            self,
            GroupError::Connect { .. } | GroupError::ConnectTimeout { .. }
        )
    }
}

/// A `Result` with [`GroupError`].
pub type Result<T, E = GroupError> = std::result::Result<T, E>;
