//! Fixtures for tests: a session connected in memory to the example server,
//! and a scripted peer for testing the client against exact messages.

use std::time::Duration;

use mcp_client::{ClientSession, ClientSessionOptions, ProtocolMode};
use mcp_jsonrpc::{memory_pair, Inbound, Message, Notification, Request, RequestId, Response, Transport};
use serde_json::Value;

use crate::server::ExampleServer;

/// How long a fixture waits for the peer before it fails the test.
pub const FIXTURE_TIMEOUT: Duration = Duration::from_secs(10);

/// A session connected in memory to a fresh [`ExampleServer`], initialized.
///
/// # Panics
/// If the handshake fails (this is a test fixture).
pub async fn example_session(options: ClientSessionOptions) -> ClientSession {
    example_session_of(ExampleServer::default(), options).await
}

/// [`example_session`] with a server configured by the test (one that
/// tampers with its skill files, say).
///
/// # Panics
/// If the handshake fails (this is a test fixture).
pub async fn example_session_of(server: ExampleServer, options: ClientSessionOptions) -> ClientSession {
    let (client_side, server_side) = memory_pair(64);
    let server = server.start(server_side);
    // The server lives as long as the connection: its tasks stop when the
    // client side closes.
    tokio::spawn(async move {
        let _ = server.closed().await;
    });
    let session = ClientSession::new(client_side, options);
    with_timeout(session.initialize())
        .await
        .expect("the example server initializes");
    session
}

/// A session of the initialize era over a [`ScriptedPeer`], after the
/// handshake: the peer answered `initialize` (version 2025-11-25,
/// offering tools, resources, prompts and logging) and consumed
/// `notifications/initialized`. The options' protocol mode is set to the
/// initialize era.
///
/// # Panics
/// If the handshake fails (this is a test fixture).
pub async fn scripted_session(options: ClientSessionOptions) -> (ClientSession, ScriptedPeer) {
    let (transport, mut peer) = scripted_pair();
    let session = ClientSession::new(transport, options.protocol(ProtocolMode::Initialize));
    let handshake = async {
        let init = peer.request().await;
        assert_eq!(init.method, "initialize", "the handshake comes first");
        let result = serde_json::json!({
            "protocolVersion": "2025-11-25",
            "capabilities": {"tools": {}, "resources": {"subscribe": true}, "prompts": {}, "logging": {}},
            "serverInfo": {"name": "scripted", "version": "0"}
        });
        peer.respond(init.id, result).await;
        let initialized = peer.notification().await;
        assert_eq!(initialized.method, "notifications/initialized");
    };
    let (outcome, ()) = with_timeout(async { tokio::join!(session.initialize(), handshake) }).await;
    outcome.expect("the scripted handshake completes");
    (session, peer)
}

/// Awaits `f` for at most [`FIXTURE_TIMEOUT`].
///
/// # Panics
/// When the time runs out.
pub async fn with_timeout<F: std::future::IntoFuture>(f: F) -> F::Output {
    tokio::time::timeout(FIXTURE_TIMEOUT, f)
        .await
        .unwrap_or_else(|_| panic!("timed out after {FIXTURE_TIMEOUT:?}"))
}

/// The server end of an in-memory connection, driven by hand.
#[derive(Debug)]
pub struct ScriptedPeer {
    transport: Transport,
}

/// A client end and the [`ScriptedPeer`] facing it.
pub fn scripted_pair() -> (Transport, ScriptedPeer) {
    let (client_side, server_side) = memory_pair(64);
    (
        client_side,
        ScriptedPeer {
            transport: server_side,
        },
    )
}

impl ScriptedPeer {
    /// The next message from the client, or `None` once it closed.
    ///
    /// # Panics
    /// After [`FIXTURE_TIMEOUT`] without a message, or on a transport error.
    pub async fn next(&mut self) -> Option<Message> {
        match with_timeout(self.transport.inbound.recv()).await {
            Some(Inbound::Message(m)) => Some(m),
            Some(Inbound::Closed(_)) | None => None,
            Some(other) => panic!("transport report in a scripted peer: {other:?}"),
        }
    }

    /// The next request, skipping notifications.
    ///
    /// # Panics
    /// If the client closes first or sends a response.
    pub async fn request(&mut self) -> Request {
        loop {
            match self.next().await {
                Some(Message::Request(r)) => return r,
                Some(Message::Notification(_)) => continue,
                other => panic!("expected a request, got {other:?}"),
            }
        }
    }

    /// The next notification, skipping nothing.
    ///
    /// # Panics
    /// If the next message is not a notification.
    pub async fn notification(&mut self) -> Notification {
        match self.next().await {
            Some(Message::Notification(n)) => n,
            other => panic!("expected a notification, got {other:?}"),
        }
    }

    /// Sends any message to the client.
    ///
    /// # Panics
    /// If the client side is gone.
    pub async fn send(&self, message: impl Into<Message>) {
        self.transport
            .outbound
            .send(message.into().into())
            .await
            .expect("the client side is open");
    }

    /// Answers request `id` with `result`.
    pub async fn respond(&self, id: RequestId, result: Value) {
        let result = mcp_jsonrpc::to_raw(&result).expect("JSON values encode");
        self.send(Response { id, result }).await;
    }

    /// Closes the connection, as a server that went away.
    pub fn close(self) {
        drop(self);
    }
}
