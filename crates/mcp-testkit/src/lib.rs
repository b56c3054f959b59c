//! The test kit of the MCP client SDK (not published).
//!
//! - [`ExampleServer`]: the bundled example MCP server that the `mcp` tour and
//!   the tests talk to. It serves tools (echo, add with an `outputSchema`, a
//!   slow tool with progress, tools that ask the client for elicitation and
//!   sampling), resources and a template, prompts, logging and completion.
//!   It is dual-era: `initialize` starts a session of the initialize era
//!   (2024-11-05 ..= 2025-11-25), and any request whose `_meta` carries the protocol version
//!   `2026-07-28` is served the stateless way: `server/discover`, per-request
//!   capabilities and log level, multi round-trip requests
//!   (`input_required`), `subscriptions/listen` and the tasks extension. In
//!   both eras it publishes skills (`skills/list`, `skills/get`, `skill://`
//!   files): `arithmetic` (with a reference file), `greeting`, and the
//!   `"dynamic"` `live/status`.
//! - Fixtures: [`example_session`] (a session connected in memory to the
//!   example server), [`scripted_pair`] (a peer driven message by message)
//!   and [`scripted_session`] (a session already through its handshake with
//!   such a peer).
//! - [`example_server`] and [`serve_if_asked`]: a program (a doc example,
//!   an example of `examples/`) starts itself as the example server over
//!   real stdio.
//! - [`WsServer`]: the example server over a loopback WebSocket, which
//!   [`WsBehaviour`] can make refuse the subprotocol, drop or close the
//!   connection in the middle of a call, send garbage, go deaf or send an
//!   oversized frame.
//! - [`OAuthServer`]: an MCP endpoint behind OAuth on a loopback port, with
//!   its own authorization server (metadata, registration, an `/authorize`
//!   that consents at once, PKCE-checked tokens, refresh, step-up), for the
//!   tests of `mcp-auth` and `mcp login`.
//! - Knobs that make it misbehave on purpose, for tests: the `crash`, `hang`,
//!   `huge` and `garbage` tools, and environment variables read by
//!   [`serve_stdio`] (`MCP_EXAMPLE_GARBAGE_FIRST`, `MCP_EXAMPLE_STDERR_BYTES`,
//!   `MCP_EXAMPLE_NOTIFY_AFTER_MS`, `MCP_EXAMPLE_TAMPER_SKILLS`: see
//!   [`SkillTamper`]).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use mcp_jsonrpc::{memory_pair, NoHandler, Peer, PeerConfig, RequestOptions};
//!
//! let (client_side, server_side) = memory_pair(16);
//! let _server = mcp_testkit::ExampleServer::default().start(server_side);
//! let client = Peer::start(client_side, std::sync::Arc::new(NoHandler), PeerConfig::default());
//! let tools: serde_json::Value = client
//!     .request("tools/list", Some(&serde_json::json!({})), RequestOptions::default())
//!     .await
//!     .expect("the example server lists its tools");
//! assert!(tools["tools"].as_array().is_some_and(|t| !t.is_empty()));
//! # }
//! ```

mod catalog;
mod fixtures;
mod listen;
mod mrtr;
mod oauth;
mod server;
mod skills;
mod spawn;
mod stateless;
mod tasks;
mod tools;
mod ws;

pub use fixtures::{
    example_session, example_session_of, scripted_pair, scripted_session, with_timeout, ScriptedPeer,
    FIXTURE_TIMEOUT,
};
pub use oauth::{OAuthServer, OAuthServerOptions, TokenRequest};
pub use server::{serve_stdio, ExampleServer, SkillTamper, EXAMPLE_SERVER_NAME};
pub use spawn::{example_server, serve_if_asked, SERVE_EXAMPLE_ENV};
pub use ws::{WsBehaviour, WsServer};
