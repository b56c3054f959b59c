//! `ClientSessionGroup`: many MCP servers as one, as the Python SDK's
//! `ClientSessionGroup`, over any transport of the workspace.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # mcp_testkit::serve_if_asked().await;
//! use mcp_group::{ClientSessionGroup, GroupOptions};
//! use serde_json::json;
//!
//! let group = ClientSessionGroup::with_options(
//!     GroupOptions::new().component_name_hook(|name, server| format!("{}.{name}", server.name)),
//! );
//! // Two servers (here, this program started twice as the example server).
//! for name in ["first", "second"] {
//!     group.connect_to_server_as(name, mcp_testkit::example_server()).await?;
//! }
//! // Every tool of every server, under its group name.
//! let tools = group.tools();
//! assert!(tools.contains_key("mcp-example-server.echo"));
//! // The second server's `echo` collided; it is prefixed with its server's name.
//! assert!(tools.contains_key("second_mcp-example-server.echo"));
//! let result = group.call_tool("mcp-example-server.echo", json!({"message": "hi"})).await?;
//! assert_eq!(result.content[0].as_text(), Some("hi"));
//! group.close().await;
//! # Ok(()) }
//! ```
//!
//! - [`ClientSessionGroup`]: connect servers ([`connect_to_server`](ClientSessionGroup::connect_to_server),
//!   [`connect_all`](ClientSessionGroup::connect_all) in parallel,
//!   [`connect_with_session`](ClientSessionGroup::connect_with_session)),
//!   list their tools, prompts and resources under group names, call and
//!   read through the group, watch its [`changes`](ClientSessionGroup::changes),
//!   close it.
//! - [`ServerParameters`]: how to reach a server, one variant per transport
//!   (cargo features `stdio`, `http`, `ws`, all on by default) or any
//!   [`Connect`](mcp_client::Connect).
//! - [`GroupOptions`], [`RestartPolicy`], [`GroupError`].
#![warn(missing_docs)]

mod error;
mod group;
mod index;
mod names;
mod options;
mod params;
mod restart;
mod server;

pub use error::{GroupError, Result};
pub use group::{ClientSessionGroup, Component};
pub use names::ComponentNameHook;
pub use options::{
    GroupOptions, RestartPolicy, DEFAULT_CLOSE_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REFRESH_DEBOUNCE,
};
pub use params::ServerParameters;
