//! `ClientSession`: one connection to one MCP server.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use mcp_jsonrpc::{Peer, PeerConfig, RawValue, RequestOptions, Transport};
use mcp_types::{
    meta_keys, ClientCapabilities, ElicitationCapability, Implementation, LoggingLevel, NotificationMethod,
    RequestMethod, ServerCapabilities,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::cache::ResponseCache;
use crate::envelope::{encode, Additions};
use crate::error::{ClientError, Result};
use crate::handler::SessionHandler;
use crate::hooks::McpHooks;
use crate::listen::{ListenShared, Listener};
use crate::options::{CallOptions, ClientSessionOptions};
use crate::validate::ToolSchemas;

/// The protocol era a session speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Era {
    /// 2024-11-05 to 2025-11-25: an `initialize` handshake, a stateful
    /// connection, server-to-client requests.
    Initialize,
    /// 2026-07-28 and later: stateless, `server/discover`, per-request
    /// `_meta`, multi round-trip requests.
    Stateless,
}

impl std::fmt::Display for Era {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Era::Initialize => "initialize",
            Era::Stateless => "stateless",
        })
    }
}

/// What the handshake established.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Negotiated {
    /// The protocol version both sides speak.
    pub protocol_version: String,
    /// The era of that version.
    pub era: Era,
    /// The server's name and version.
    pub server_info: Implementation,
    /// What the server offers.
    pub capabilities: ServerCapabilities,
    /// How to use the server, as the server describes it.
    pub instructions: Option<String>,
}

/// State shared by the session and the handler of server messages.
pub(crate) struct Shared {
    pub(crate) options: ClientSessionOptions,
    pub(crate) tool_schemas: ToolSchemas,
    pub(crate) cache: ResponseCache,
    pub(crate) listen: ListenShared,
}

/// A session with one MCP server over any transport.
///
/// Cheap to clone: clones share the connection. The connection closes when
/// [`ClientSession::close`] is called or the last clone is dropped.
#[derive(Clone)]
pub struct ClientSession {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) peer: Peer,
    pub(crate) shared: Arc<Shared>,
    state: RwLock<State>,
    next_progress_token: AtomicI64,
    pub(crate) listener: Listener,
}

impl Drop for Inner {
    /// The last clone of the session is gone: close the connection even if a
    /// callback still running holds the engine (a sampling callback that
    /// never returns must not keep a server process alive).
    fn drop(&mut self) {
        self.listener.stop();
        if self.peer.is_closed() {
            return;
        }
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            let peer = self.peer.clone();
            rt.spawn(async move { peer.close().await });
        }
    }
}

#[derive(Default)]
struct State {
    negotiated: Option<Arc<Negotiated>>,
    /// The `_meta` every request carries in the stateless era.
    meta: Option<Arc<Map<String, Value>>>,
}

impl std::fmt::Debug for ClientSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSession")
            .field("negotiated", &self.negotiated())
            .field("closed", &self.inner.peer.is_closed())
            .finish()
    }
}

impl ClientSession {
    /// Starts a session over `transport`. Call [`ClientSession::initialize`]
    /// next. Must be called within a Tokio runtime.
    pub fn new(transport: Transport, options: ClientSessionOptions) -> Self {
        let config = PeerConfig::default()
            .default_timeout(options.read_timeout)
            .hooks(Arc::new(McpHooks));
        let shared = Arc::new(Shared {
            options,
            tool_schemas: ToolSchemas::default(),
            cache: ResponseCache::default(),
            listen: ListenShared::default(),
        });
        let handler = SessionHandler {
            shared: Arc::clone(&shared),
        };
        let peer = Peer::start(transport, Arc::new(handler), config);
        ClientSession {
            inner: Arc::new(Inner {
                peer,
                shared,
                state: RwLock::new(State::default()),
                next_progress_token: AtomicI64::new(1),
                listener: Listener::default(),
            }),
        }
    }

    /// The capabilities we declare: derived from the callbacks present.
    pub fn client_capabilities(&self) -> ClientCapabilities {
        let o = self.options();
        let mut caps = ClientCapabilities::default();
        if o.sampling_callback.is_some() {
            caps.sampling = Some(Default::default());
        }
        if o.elicitation_callback.is_some() {
            caps.elicitation = Some(ElicitationCapability::default());
        }
        if o.list_roots_callback.is_some() {
            caps.roots = Some(mcp_types::RootsCapability {
                list_changed: Some(true),
                ..Default::default()
            });
        }
        if o.tasks {
            let mut extensions = Map::new();
            extensions.insert(mcp_types::tasks::EXTENSION_ID.into(), Value::Object(Map::new()));
            caps.extensions = Some(extensions);
        }
        caps
    }

    /// What the handshake established, once it has.
    pub fn negotiated(&self) -> Option<Arc<Negotiated>> {
        self.read_state().negotiated.clone()
    }

    /// The negotiated protocol version.
    pub fn protocol_version(&self) -> Option<String> {
        self.negotiated().map(|n| n.protocol_version.clone())
    }

    /// The negotiated era.
    pub fn era(&self) -> Option<Era> {
        self.negotiated().map(|n| n.era)
    }

    /// The server's capabilities, once initialized.
    pub fn server_capabilities(&self) -> Option<ServerCapabilities> {
        self.negotiated().map(|n| n.capabilities.clone())
    }

    /// The underlying JSON-RPC peer, for what this API does not cover.
    pub fn peer(&self) -> &Peer {
        &self.inner.peer
    }

    /// True once the connection is closed.
    pub fn is_closed(&self) -> bool {
        self.inner.peer.is_closed()
    }

    /// Closes the connection (and, for stdio, stops the server process).
    pub async fn close(&self) {
        self.inner.listener.stop();
        self.inner.peer.close().await;
    }

    pub(crate) fn options(&self) -> &ClientSessionOptions {
        &self.inner.shared.options
    }

    pub(crate) fn tool_schemas(&self) -> &ToolSchemas {
        &self.inner.shared.tool_schemas
    }

    fn read_state(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.inner.state.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Records the outcome of the handshake; in the stateless era also the
    /// `_meta` every request will carry.
    pub(crate) fn set_negotiated(&self, negotiated: Negotiated) {
        let meta = (negotiated.era == Era::Stateless)
            .then(|| Arc::new(self.base_meta(&negotiated.protocol_version)));
        let mut state = self.inner.state.write().unwrap_or_else(|p| p.into_inner());
        state.negotiated = Some(Arc::new(negotiated));
        state.meta = meta;
    }

    /// The per-request `_meta` of the stateless era for `version`.
    pub(crate) fn base_meta(&self, version: &str) -> Map<String, Value> {
        let mut meta = Map::new();
        meta.insert(
            meta_keys::PROTOCOL_VERSION.into(),
            Value::String(version.to_owned()),
        );
        meta.insert(
            meta_keys::CLIENT_CAPABILITIES.into(),
            serde_json::to_value(self.client_capabilities()).unwrap_or_else(|_| Value::Object(Map::new())),
        );
        meta.insert(
            meta_keys::CLIENT_INFO.into(),
            serde_json::to_value(&self.options().client_info).unwrap_or(Value::Null),
        );
        meta
    }

    /// The stateless era's `_meta`, or `None` in the initialize era.
    pub(crate) fn modern_meta(&self) -> Option<Arc<Map<String, Value>>> {
        self.read_state().meta.clone()
    }

    /// Sets `_meta.logLevel` on every later request (stateless era).
    pub(crate) fn set_meta_log_level(&self, level: &LoggingLevel) {
        let mut state = self.inner.state.write().unwrap_or_else(|p| p.into_inner());
        if let Some(meta) = &state.meta {
            let mut meta = (**meta).clone();
            meta.insert(
                meta_keys::LOG_LEVEL.into(),
                serde_json::to_value(level).unwrap_or(Value::Null),
            );
            state.meta = Some(Arc::new(meta));
        }
    }

    /// Sends any request, typed by its method marker (for example
    /// `mcp_types::ListToolsRequest`), with per-call options. In the
    /// stateless era the request carries the per-request `_meta`, input
    /// requests are answered through the callbacks and the request retried,
    /// and cacheable results are cached.
    pub async fn send_request<M: RequestMethod>(
        &self,
        params: &M::Params,
        call: CallOptions,
    ) -> Result<M::Result> {
        let raw = self.request_value(M::METHOD, params, &call).await?;
        decode(M::METHOD, &raw)
    }

    /// Sends any notification, typed by its method marker.
    pub async fn send_notification<M: NotificationMethod>(&self, params: &M::Params) -> Result<()>
    where
        M::Params: Serialize,
    {
        let raw = mcp_jsonrpc::to_raw(params).map_err(|source| ClientError::Encode {
            method: M::METHOD.to_owned(),
            source,
        })?;
        let raw = (raw.get() != "{}" && raw.get() != "null").then_some(raw);
        Ok(self.inner.peer.notify(M::METHOD, raw).await?)
    }

    /// Sends one request with `additions` and returns its raw result,
    /// mapping protocol errors to [`ClientError`].
    pub(crate) async fn exchange<P: Serialize + ?Sized>(
        &self,
        method: &'static str,
        params: &P,
        mut additions: Additions<'_>,
        call: &CallOptions,
    ) -> Result<Box<RawValue>> {
        let mut options = self.request_options(call);
        if let Some(progress) = call.progress.clone() {
            let token = self.inner.next_progress_token.fetch_add(1, Ordering::Relaxed);
            additions.progress_token = Some(token);
            options = options
                .progress_token(mcp_jsonrpc::RequestId::Number(token))
                .reset_timeout_on_progress(true)
                .on_progress(move |n: &mcp_jsonrpc::Notification| {
                    let Some(p) = n.params.as_ref() else { return };
                    match serde_json::from_str(p.get()) {
                        Ok(params) => progress(params),
                        Err(e) => tracing::debug!(error = %e, "ignored malformed progress notification"),
                    }
                });
        }
        let raw = encode(method, params, &additions)?;
        self.inner
            .peer
            .request_raw(method, Some(raw), options)
            .await
            .map_err(|e| map_protocol_error(method, e.into()))
    }

    pub(crate) fn request_options(&self, call: &CallOptions) -> RequestOptions {
        let mut options =
            RequestOptions::default().timeout(call.timeout.unwrap_or(self.options().read_timeout));
        if let Some(max) = call.max_total {
            options = options.max_total(max);
        }
        options
    }
}

/// Decodes a raw result into the type asked for.
pub(crate) fn decode<T: DeserializeOwned>(method: &str, raw: &RawValue) -> Result<T> {
    serde_json::from_str(raw.get()).map_err(|e| ClientError::InvalidResponse {
        method: method.to_owned(),
        detail: e.to_string(),
    })
}

/// Turns the errors the protocol gives a meaning to into their variants.
fn map_protocol_error(method: &str, error: ClientError) -> ClientError {
    let ClientError::Server { error: e, .. } = &error else {
        return error;
    };
    if e.code == mcp_types::error_codes::MISSING_REQUIRED_CLIENT_CAPABILITY {
        let required = e
            .data
            .as_ref()
            .and_then(|d| d.get("requiredCapabilities"))
            .cloned()
            .unwrap_or(Value::Null);
        return ClientError::MissingClientCapability {
            method: method.to_owned(),
            required,
        };
    }
    error
}
