//! Shared by the example-server tests: a raw JSON-RPC client with helpers.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use mcp_client::McpHooks;
use mcp_jsonrpc::{
    memory_pair, ErrorObject, Handler, NoHandler, Notification, Peer, PeerConfig, RequestOptions,
};
use mcp_testkit::ExampleServer;
use serde_json::{json, Value};
use tokio::sync::broadcast;

pub(crate) const V: &str = "2026-07-28";
pub(crate) const PV: &str = "io.modelcontextprotocol/protocolVersion";
pub(crate) const CC: &str = "io.modelcontextprotocol/clientCapabilities";
pub(crate) const SUB: &str = "io.modelcontextprotocol/subscriptionId";
pub(crate) const WAIT: Duration = Duration::from_secs(5);

/// A raw client connected in memory to a fresh example server.
pub(crate) struct Client {
    pub(crate) peer: Peer,
    pub(crate) notes: broadcast::Receiver<Arc<Notification>>,
}

pub(crate) fn start_with(handler: Arc<dyn Handler>) -> Client {
    let (client_side, server_side) = memory_pair(64);
    let server = ExampleServer::default().start(server_side);
    // As in the fixtures: the server lives as long as the connection.
    tokio::spawn(async move {
        let _ = server.closed().await;
    });
    let config = PeerConfig::default()
        .hooks(Arc::new(McpHooks))
        .default_timeout(WAIT);
    let peer = Peer::start(client_side, handler, config);
    let notes = peer.subscribe();
    Client { peer, notes }
}

pub(crate) fn start() -> Client {
    start_with(Arc::new(NoHandler))
}

/// Modern `_meta` with these client capabilities.
pub(crate) fn meta(caps: Value) -> Value {
    json!({ PV: V, CC: caps })
}

pub(crate) fn all_caps() -> Value {
    json!({"elicitation": {}, "sampling": {}, "roots": {}, "extensions": {"io.modelcontextprotocol/tasks": {}}})
}

/// `params` with modern `_meta` added.
pub(crate) fn with_meta(mut params: Value, caps: Value) -> Value {
    params["_meta"] = meta(caps);
    params
}

pub(crate) fn first_text(result: &Value) -> &str {
    result["content"][0]["text"].as_str().unwrap_or("<no text>")
}

impl Client {
    pub(crate) async fn call(&self, method: &'static str, params: Value) -> Result<Value, ErrorObject> {
        let answer = tokio::time::timeout(
            WAIT,
            self.peer
                .request::<Value, Value>(method, Some(&params), RequestOptions::default()),
        )
        .await
        .expect("an answer in time");
        match answer {
            Ok(v) => Ok(v),
            Err(mcp_jsonrpc::Error::Rpc { error, .. }) => Err(error),
            Err(other) => panic!("{method}: {other}"),
        }
    }

    pub(crate) async fn ok(&self, method: &'static str, params: Value) -> Value {
        self.call(method, params)
            .await
            .unwrap_or_else(|e| panic!("{method} failed: {e}"))
    }

    pub(crate) async fn err(&self, method: &'static str, params: Value) -> ErrorObject {
        match self.call(method, params).await {
            Ok(v) => panic!("{method} should fail, got {v}"),
            Err(e) => e,
        }
    }

    pub(crate) async fn tool(&self, name: &str, args: Value, caps: Value) -> Value {
        self.ok(
            "tools/call",
            with_meta(json!({"name": name, "arguments": args}), caps),
        )
        .await
    }

    /// The next notification (of any method).
    pub(crate) async fn note(&mut self) -> Notification {
        let n = tokio::time::timeout(WAIT, self.notes.recv())
            .await
            .expect("a notification in time")
            .expect("the notification stream is open");
        (*n).clone()
    }

    /// Notifications that arrived so far, without waiting.
    pub(crate) fn drain(&mut self) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        while let Ok(n) = self.notes.try_recv() {
            out.push((n.method.to_string(), params_of(&n)));
        }
        out
    }
}

pub(crate) fn params_of(n: &Notification) -> Value {
    n.params
        .as_ref()
        .map(|p| serde_json::from_str(p.get()).expect("JSON params"))
        .unwrap_or(Value::Null)
}
