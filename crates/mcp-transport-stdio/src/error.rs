//! Errors of starting a server.

use std::io;
use std::path::PathBuf;

/// Starting the server process failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StdioError {
    /// The process could not be started.
    #[error(
        "could not start the MCP server `{command}`: {source}; check that the command is installed and on PATH"
    )]
    Spawn {
        /// The command as configured.
        command: String,
        /// The error of the operating system.
        #[source]
        source: io::Error,
    },
    /// The command is not a file, and no directory of `PATH` holds it.
    #[error(
        "the MCP server command `{command}` was not found in any directory of PATH ({path}); install it, or give its full path"
    )]
    NotFound {
        /// The command as configured.
        command: String,
        /// The `PATH` searched (the server's, as configured).
        path: String,
        /// The error of the operating system.
        #[source]
        source: io::Error,
    },
    /// The configured working directory is not a usable directory.
    #[error("could not start the MCP server `{command}`: working directory `{}` is not usable: {source}", cwd.display())]
    Cwd {
        /// The command as configured.
        command: String,
        /// The configured working directory.
        cwd: PathBuf,
        /// Why it is not usable.
        #[source]
        source: io::Error,
    },
}

/// A server that would not start is a transport that could not connect.
impl From<StdioError> for mcp_jsonrpc::TransportError {
    fn from(e: StdioError) -> Self {
        mcp_jsonrpc::TransportError::Connect(Box::new(e))
    }
}
