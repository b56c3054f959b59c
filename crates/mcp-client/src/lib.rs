//! `ClientSession`: talk to one MCP server over any transport.
//!
//! The API follows the Python SDK's `mcp.ClientSession`: create a session
//! over a transport pair, `initialize()`, then call tools, read resources,
//! get prompts. Server-to-client requests (sampling, elicitation, roots) are
//! served by callbacks set on [`ClientSessionOptions`]; the capabilities we
//! declare follow from the callbacks present.
//!
//! The session does not know transports: it takes an
//! [`mcp_jsonrpc::Transport`], which `mcp-transport-stdio` (and later the
//! WebSocket and HTTP crates) produce.

mod api;
mod cache;
mod envelope;
mod error;
mod handler;
mod hooks;
mod listen;
mod negotiate;
mod options;
mod rounds;
mod session;
mod tasks;
mod validate;

pub use api::MAX_PAGES;
pub use error::{ClientError, Result};
pub use hooks::McpHooks;
pub use options::{
    BoxFuture, CallOptions, ClientSessionOptions, ElicitationCallback, IncomingMessage, ListRootsCallback,
    LoggingCallback, MessageHandler, ProgressCallback, ProtocolMode, RequestContext, SamplingCallback,
    DEFAULT_DISCOVER_TIMEOUT, DEFAULT_MAX_INPUT_ROUNDS, DEFAULT_READ_TIMEOUT,
};
pub use rounds::RoundResult;
pub use session::{ClientSession, Era, Negotiated};
