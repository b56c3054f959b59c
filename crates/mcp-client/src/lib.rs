//! `ClientSession`: talk to one MCP server over any transport, in every
//! protocol revision from 2024-11-05 to 2026-07-28.
//!
//! The API follows the Python SDK's `mcp.ClientSession`. A program needs this
//! crate and its transport's (`mcp-transport-stdio`, `mcp-transport-http`):
//! the protocol types are re-exported as [`types`], and the JSON-RPC
//! primitives ([`ErrorObject`], [`RequestId`], [`Transport`]…) at the root.
//!
//! Both protocol eras are spoken behind the same API. By default
//! ([`ProtocolMode::Auto`]) the handshake probes with `server/discover`: a
//! server of 2026-07-28 is then spoken to statelessly (per-request `_meta`,
//! multi round-trip requests answered through the same callbacks,
//! `subscriptions/listen`, a result cache); any other gets the `initialize`
//! handshake. [`ClientSession::era`] tells which.
//!
//! # Connect and call
//!
//! [`ClientSession::connect`] opens the transport and makes the handshake.
//! From the transport's parameters (as here) the session can start the
//! server again, which older servers need: they exit on the probe.
//!
//! ```
//! use mcp_client::{ClientSession, ClientSessionOptions};
//! use mcp_transport_stdio::StdioServerParameters;
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # mcp_testkit::serve_if_asked().await;
//! let params = StdioServerParameters::new("npx").args(["-y", "@modelcontextprotocol/server-everything"]);
//! # let params = mcp_testkit::example_server();
//! let session = ClientSession::connect(params, ClientSessionOptions::new()).await?;
//! let server = session.negotiated().expect("connected");
//! println!("{} speaks {}", server.server_info.name, server.protocol_version);
//!
//! for tool in session.list_all_tools().await? {
//!     println!("- {}: {}", tool.name, tool.description.unwrap_or_default());
//! }
//! let result = session.call_tool("add", json!({"a": 1, "b": 2})).await?;
//! assert_eq!(result.content[0].as_text(), Some("3"));
//! session.close().await;
//! # Ok(())
//! # }
//! ```
//!
//! The seed's two steps work too: `ClientSession::new(stdio_client(&params).await?,
//! options)` then [`initialize`](ClientSession::initialize). Arguments are
//! `json!` objects, `Map`s, references to `#[derive(Serialize)]` structs, or
//! `()`/`None` ([`IntoArguments`]); prompt arguments are pairs of strings
//! ([`IntoPromptArguments`]).
//!
//! # Over HTTP
//!
//! The same session over Streamable HTTP (either era; HTTP+SSE servers are
//! detected and used):
//!
//! ```no_run
//! use mcp_client::{ClientSession, ClientSessionOptions};
//! use mcp_transport_http::StreamableHttpParameters;
//!
//! # async fn run() -> mcp_client::Result<()> {
//! let params = StreamableHttpParameters::new("https://example.com/mcp")
//!     .header("Authorization", "Bearer my-token");
//! let session = ClientSession::connect(params, ClientSessionOptions::new()).await?;
//! let resources = session.list_all_resources().await?;
//! # let _ = resources;
//! # Ok(()) }
//! ```
//!
//! # Serving the server's requests
//!
//! Sampling, elicitation and roots are served by callbacks set on the
//! options; the capabilities declared follow from the callbacks present.
//! They serve the server's requests of the initialize era and the input
//! requests of 2026-07-28 alike. A callback returns [`ErrorObject`] to
//! refuse; any error converts into one, so `?` works; its
//! [`RequestContext`] has the request's id, `_meta`, progress token,
//! cancellation and a weak handle to the session.
//!
//! ```
//! use mcp_client::types::{CreateMessageResult, ElicitResult, ListRootsResult, Root};
//! use mcp_client::{ClientSession, ClientSessionOptions, ErrorObject};
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # mcp_testkit::serve_if_asked().await;
//! let options = ClientSessionOptions::new()
//!     .sampling_callback(|cx, params| async move {
//!         let asked = serde_json::to_string(&params.messages)?; // `?`: any error refuses the request
//!         assert!(cx.session().is_some(), "the session is alive");
//!         Ok(CreateMessageResult::text("my-model", format!("an answer to {} bytes", asked.len())))
//!     })
//!     .elicitation_callback(|_cx, _params| async move {
//!         Ok::<_, ErrorObject>(ElicitResult::accept(json!({"answer": "42"}).as_object().cloned().unwrap_or_default()))
//!     })
//!     .list_roots_callback(|_cx| async move { Ok(ListRootsResult::new(vec![Root::new("file:///work")])) });
//! let session = ClientSession::connect(mcp_testkit::example_server(), options).await?;
//!
//! let sampled = session.call_tool("sample", json!({"prompt": "Say hi"})).await?;
//! assert!(sampled.content[0].as_text().unwrap_or_default().starts_with("my-model said"));
//! let asked = session.call_tool("ask", json!({"question": "Why?"})).await?;
//! assert_eq!(asked.content[0].as_text(), Some("the user answered: 42"));
//! let roots = session.call_tool("roots", ()).await?;
//! assert_eq!(roots.content[0].as_text(), Some("roots: file:///work"));
//! # session.close().await;
//! # Ok(())
//! # }
//! ```
//!
//! # Tasks and skills
//!
//! [`ClientSessionOptions::tasks`] opts in to tasks, in both eras: the tasks
//! extension of 2026-07-28, and 2025-11-25's `tasks` capability (a tool
//! whose `execution.taskSupport` is `required` is called as a task).
//! `call_tool` awaits the task to its result either way, serving the input
//! it asks for through the same callbacks, and cancels it when dropped.
//! The cargo feature `skills` adds the skills extension: see the `skills` module
//! (every file verified before it is returned).
//!
//! # Progress, timeouts and cancellation
//!
//! Every request method returns a [`Call`]: set its options, then `.await`
//! it. Progress restarts the (idle) timeout, never the maximum total.
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use std::time::Duration;
//!
//! use mcp_client::{ClientSession, ClientSessionOptions};
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # mcp_testkit::serve_if_asked().await;
//! # let params = mcp_testkit::example_server();
//! let session = ClientSession::connect(params, ClientSessionOptions::new()).await?;
//! let seen = Arc::new(Mutex::new(Vec::new()));
//! let log = seen.clone();
//! session
//!     .call_tool("slow", json!({"steps": 3, "delay_ms": 10}))
//!     .timeout(Duration::from_secs(2))
//!     .max_total(Duration::from_secs(30))
//!     .on_progress(move |p| log.lock().expect("lock").push(p.progress))
//!     .await?;
//! assert_eq!(seen.lock().expect("lock").len(), 3);
//!
//! // A token cancels a call (the server is told).
//! let token = tokio_util::sync::CancellationToken::new();
//! let call = session.call_tool("hang", ()).cancellation(token.clone());
//! token.cancel();
//! assert!(call.await.expect_err("cancelled").is_cancelled());
//! # session.close().await;
//! # Ok(())
//! # }
//! ```
//!
//! # Matching errors
//!
//! [`ClientError`] tells apart the server's error, a timeout, a closed
//! connection (with the exit status and last stderr lines of a server
//! process) and a transport failure, alike on every transport.
//!
//! ```
//! use std::time::Duration;
//!
//! use mcp_client::{ClientError, ClientSession, ClientSessionOptions};
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # mcp_testkit::serve_if_asked().await;
//! # let params = mcp_testkit::example_server();
//! let session = ClientSession::connect(params, ClientSessionOptions::new()).await?;
//!
//! match session.call_tool("no_such_tool", ()).await {
//!     Err(ClientError::Server { error, .. }) => println!("the server said: {}", error.message),
//!     other => panic!("expected the server's error, got {other:?}"),
//! }
//! let slow = session.call_tool("hang", ()).timeout(Duration::from_millis(50)).await;
//! assert!(slow.expect_err("no answer").is_timeout());
//! let not_an_object = session.call_tool("add", json!([1, 2])).await;
//! assert!(matches!(not_an_object, Err(ClientError::InvalidArguments { .. })));
//!
//! let crashed = session.call_tool("crash", json!({"code": 7})).await.expect_err("it died");
//! assert!(crashed.is_connection_closed());
//! assert_eq!(crashed.close_reason().and_then(|r| r.exit_code()), Some(7));
//! # Ok(())
//! # }
//! ```

mod api;
mod args;
mod cache;
mod call;
mod context;
mod envelope;
mod era;
mod error;
#[cfg(feature = "skills")]
mod frontmatter;
mod handler;
mod hooks;
mod inputs;
mod listen;
mod negotiate;
mod options;
mod request;
#[cfg(feature = "output-schema")]
mod schema_loops;
mod session;
mod shared;
#[cfg(feature = "skills")]
mod skill_check;
#[cfg(feature = "skills")]
pub mod skills;
mod stateless;
mod tasks;
mod tool_catalog;
mod tool_headers;
mod wire;

pub use api::{MAX_LISTED_BYTES, MAX_PAGES};
pub use args::{IntoArguments, IntoPromptArguments};
pub use call::{Call, CallOp};
pub use context::RequestContext;
pub use error::{ClientError, Result};
pub use hooks::McpHooks;
pub use options::{
    CallOptions, ClientSessionOptions, ElicitationCallback, IncomingMessage, ListRootsCallback,
    LoggingCallback, MessageHandler, ProgressCallback, ProtocolMode, SamplingCallback,
    DEFAULT_DISCOVER_TIMEOUT, DEFAULT_MAX_INPUT_ROUNDS, DEFAULT_MAX_TOTAL, DEFAULT_READ_TIMEOUT,
};
pub use session::{ClientSession, Negotiated};
pub use shared::ListChanges;
#[cfg(feature = "skills")]
pub use skill_check::{SkillLimits, SkillProblem, DEFAULT_MAX_SKILL_BYTES, DEFAULT_MAX_SKILL_FILES};
#[cfg(feature = "skills")]
pub use skills::{LoadedSkill, SkillFile, Verification};
pub use stateless::RoundResult;

/// The JSON-RPC primitives and the transport seam (from `mcp-jsonrpc`), so
/// that a program needs no other crate of ours than its transport's.
pub use mcp_jsonrpc::{
    auth, error_codes, AuthenticationError, BoxFuture, ClientAuth, CloseReason, Connect, Connection,
    ErrorObject, ProgressToken, RequestId, TimeoutKind, Transport, TransportError,
};
/// The protocol types of every revision (the `mcp-types` crate).
pub use mcp_types as types;
pub use mcp_types::Era;
