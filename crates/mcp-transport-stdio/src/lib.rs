//! Stdio transport of the MCP client SDK: starts an MCP server as a child
//! process and speaks newline-delimited JSON-RPC over its stdin and stdout,
//! like the Python SDK's `stdio_client`.
//!
//! [`stdio_client`] returns a [`StdioTransport`]: the
//! [`mcp_jsonrpc::Transport`] a session takes (it converts into one) and the
//! process id. [`StdioServerParameters`] also implement
//! [`mcp_jsonrpc::Connect`], so a session made from them can start the
//! server again. The server:
//!
//! - runs in its own process group, with a safe environment (see
//!   [`DEFAULT_INHERITED_ENV_VARS`]) unless told to inherit everything;
//! - has its stderr always drained, by default line by line into `tracing`
//!   (target `mcp::server_stderr`), see [`StderrMode`];
//! - is watched: when it exits, the inbound stream ends with an
//!   [`Inbound::Closed`](mcp_jsonrpc::Inbound::Closed) naming the exit status
//!   and the last lines of its stderr, even if a grandchild keeps its stdout
//!   open;
//! - is shut down with its whole process group on
//!   [`TransportGuard::close`](mcp_jsonrpc::TransportGuard::close): stdin is
//!   closed, then SIGTERM, then SIGKILL, each step bounded by
//!   [`shutdown_timeout`](StdioServerParameters::shutdown_timeout). Dropping
//!   the transport does the same in the background and never blocks.
//!
//! A session takes the transport as it is (see `mcp_client`); at the level
//! of the seam it looks like this:
//!
//! ```no_run
//! use mcp_jsonrpc::{Inbound, Message, Transport};
//! use mcp_transport_stdio::{stdio_client, StdioServerParameters};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let params = StdioServerParameters::new("npx")
//!     .args(["-y", "@modelcontextprotocol/server-everything"])
//!     .env("LOG_LEVEL", "debug");
//! let mut transport: Transport = stdio_client(&params).await?.into();
//!
//! let ping = Message::from_slice(br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)?;
//! transport.outbound.send(ping.into()).await?;
//! while let Some(item) = transport.inbound.recv().await {
//!     match item {
//!         Inbound::Message(reply) if reply.id() == Some(&1.into()) => break,
//!         Inbound::Closed(reason) => return Err(reason.to_string().into()),
//!         other => tracing::debug!(?other, "not the reply yet"),
//!     }
//! }
//! transport.guard.close().await;
//! # Ok(())
//! # }
//! ```

mod env;
mod error;
mod params;
mod process;
mod stderr;
mod sys;

pub use env::DEFAULT_INHERITED_ENV_VARS;
pub use error::StdioError;
pub use params::{StderrCallback, StderrMode, StdioServerParameters, DEFAULT_SHUTDOWN_TIMEOUT};
pub use process::{stdio_client, StdioTransport};
pub use stderr::STDERR_TAIL_LINES;
