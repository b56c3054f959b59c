//! `ClientSession`: one connection to one MCP server, and the state the
//! handshake established. Only this module touches the session's inner
//! state; the others go through the methods here.

use std::any::Any;
use std::sync::{Arc, RwLock, Weak};

use mcp_jsonrpc::{CloseReason, Connect, Peer, PeerConfig, SessionHints, Transport};
use mcp_types::{
    meta_keys, ClientCapabilities, ElicitationCapability, Era, Implementation, ServerCapabilities,
};
use serde_json::{Map, Value};

use crate::context::RequestContext;
use crate::era::EraState;
use crate::error::{ClientError, Result};
use crate::handler::SessionHandler;
use crate::hooks::McpHooks;
use crate::options::{ClientSessionOptions, ProtocolMode};
use crate::shared::Shared;
use crate::stateless::{Ctx, StatelessEra};
use crate::wire::Wire;

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

/// The handshake's outcome and the machinery of its era.
pub(crate) struct Established {
    pub(crate) negotiated: Arc<Negotiated>,
    pub(crate) era: EraState,
    /// Counts handshakes, so that concurrent renewals make one.
    pub(crate) generation: u64,
}

/// A session with one MCP server over any transport.
///
/// Cheap to clone: clones share the connection. The connection closes when
/// [`ClientSession::close`] is called or the last clone is dropped. Every
/// call before the handshake ([`ClientSession::initialize`], or
/// [`ClientSession::connect`] which makes it) fails with
/// [`ClientError::NotInitialized`] and sends nothing.
#[derive(Clone)]
pub struct ClientSession {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    wire: Wire,
    shared: Arc<Shared>,
    state: RwLock<Option<Arc<Established>>>,
    /// Which protocol revision(s) this session may speak.
    mode: ProtocolMode,
    /// What the transport remembered of the peer's era.
    remembered_era: Option<Era>,
    /// What can open the transport again (a session made from parameters).
    reconnector: Option<Arc<dyn Connect>>,
    /// Serializes renewals of the handshake.
    renewal: tokio::sync::Mutex<()>,
    /// This very state, erased, for the callbacks' contexts.
    this: Weak<dyn Any + Send + Sync>,
}

impl Drop for Inner {
    /// The last clone of the session is gone: close the connection even if a
    /// callback still running holds the engine (a sampling callback that
    /// never returns must not keep a server process alive).
    fn drop(&mut self) {
        if let Some(established) = self.state.get_mut().unwrap_or_else(|p| p.into_inner()).take() {
            established.era.stop();
        }
        if self.wire.peer.is_closed() {
            return;
        }
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            let peer = self.wire.peer.clone();
            rt.spawn(async move { peer.close().await });
        }
    }
}

impl std::fmt::Debug for ClientSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSession")
            .field("negotiated", &self.negotiated())
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl ClientSession {
    /// Starts a session over `transport` (what any transport crate returns,
    /// as it is). Call [`ClientSession::initialize`] next, or use
    /// [`ClientSession::connect`] to do both. Must be called within a Tokio
    /// runtime.
    pub fn new(transport: impl Into<Transport>, options: ClientSessionOptions) -> Self {
        Self::open(transport.into(), options, None, None)
    }

    /// The session over `transport`; `reconnector` can open it again;
    /// `mode` overrides the options' protocol mode.
    pub(crate) fn open(
        transport: Transport,
        options: ClientSessionOptions,
        reconnector: Option<Arc<dyn Connect>>,
        mode: Option<ProtocolMode>,
    ) -> Self {
        let config = PeerConfig::default()
            .default_timeout(options.read_timeout)
            .hooks(Arc::new(McpHooks));
        let hints = transport.hints.clone();
        let remembered_era = transport.remembered_era;
        let mode = mode.unwrap_or_else(|| options.protocol.clone());
        let shared = Arc::new(Shared::new(options, hints));
        let handler = Arc::new(SessionHandler {
            shared: Arc::clone(&shared),
            session: Default::default(),
            complaints: mcp_jsonrpc::LogThrottle::new(),
        });
        let peer = Peer::start(transport, handler.clone(), config);
        let inner = Arc::new_cyclic(|this: &Weak<Inner>| {
            let this: Weak<dyn Any + Send + Sync> = this.clone();
            let _ = handler.session.set(this.clone());
            Inner {
                wire: Wire::new(peer),
                shared,
                state: RwLock::new(None),
                mode,
                remembered_era,
                reconnector,
                renewal: tokio::sync::Mutex::new(()),
                this,
            }
        });
        ClientSession { inner }
    }

    /// The capabilities we declare: derived from the callbacks present, and
    /// the extensions and tasks the options opt in to (in the stateless
    /// era without 2025-11-25's `tasks` capability).
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
            let mut roots = mcp_types::RootsCapability::default();
            roots.list_changed = Some(true);
            caps.roots = Some(roots);
        }
        let mut extensions = Map::new();
        if o.tasks {
            // 2025-11-25's capability (2026-07-28 has the extension
            // instead): we speak tasks, and take none of the server's
            // requests as tasks ourselves.
            if self.era() != Some(Era::Stateless) {
                caps.tasks = Some(mcp_types::TasksCapability::default());
            }
            extensions.insert(mcp_types::tasks::EXTENSION_ID.into(), Value::Object(Map::new()));
        }
        #[cfg(feature = "skills")]
        if o.skills {
            extensions.insert(mcp_types::skills::EXTENSION_ID.into(), Value::Object(Map::new()));
        }
        if !extensions.is_empty() {
            caps.extensions = Some(extensions);
        }
        caps
    }

    /// What the handshake established, once it has.
    pub fn negotiated(&self) -> Option<Arc<Negotiated>> {
        self.state().map(|s| s.negotiated.clone())
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
        &self.inner.wire.peer
    }

    /// What can open this session's transport again: the transport's
    /// parameters, for a session made by [`ClientSession::connect`] from
    /// them. A group uses it to start a dead server anew.
    pub fn reconnector(&self) -> Option<Arc<dyn Connect>> {
        self.inner.reconnector.clone()
    }

    /// Watches the server's lists: the counts of its list-changed
    /// notifications (tools, prompts, resources), in either era (in the
    /// stateless era they come over the `subscriptions/listen` stream; see
    /// [`ClientSessionOptions::listen_for_list_changes`]). A group refreshes
    /// a server's entries when they move.
    ///
    /// [`ClientSessionOptions::listen_for_list_changes`]: crate::ClientSessionOptions::listen_for_list_changes
    pub fn list_changes(&self) -> tokio::sync::watch::Receiver<crate::ListChanges> {
        self.inner.shared.changes.subscribe()
    }

    /// True when `a` and `b` are clones of one session.
    pub fn ptr_eq(a: &ClientSession, b: &ClientSession) -> bool {
        Arc::ptr_eq(&a.inner, &b.inner)
    }

    /// True once the connection is closed.
    pub fn is_closed(&self) -> bool {
        self.inner.wire.peer.is_closed()
    }

    /// Why the connection closed, once it has.
    pub fn close_reason(&self) -> Option<CloseReason> {
        self.inner.wire.peer.close_reason()
    }

    /// Resolves when the connection has closed, with the reason.
    pub async fn closed(&self) -> CloseReason {
        self.inner.wire.peer.closed().await
    }

    /// Closes the connection (and, for stdio, stops the server process).
    pub async fn close(&self) {
        if let Some(established) = self.state() {
            established.era.stop();
        }
        self.inner.wire.peer.close().await;
    }

    pub(crate) fn options(&self) -> &ClientSessionOptions {
        &self.inner.shared.options
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.inner.shared
    }

    pub(crate) fn wire(&self) -> &Wire {
        &self.inner.wire
    }

    pub(crate) fn mode(&self) -> &ProtocolMode {
        &self.inner.mode
    }

    pub(crate) fn remembered_era(&self) -> Option<Era> {
        self.inner.remembered_era
    }

    /// What a stateless request needs of the session.
    pub(crate) fn ctx(&self) -> Ctx<'_> {
        Ctx {
            wire: &self.inner.wire,
            shared: &self.inner.shared,
            session: &self.inner.this,
        }
    }

    pub(crate) fn renewal(&self) -> &tokio::sync::Mutex<()> {
        &self.inner.renewal
    }

    fn state(&self) -> Option<Arc<Established>> {
        self.inner.state.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The handshake's outcome, or [`ClientError::NotInitialized`] for
    /// `method`.
    pub(crate) fn established(&self, method: &str) -> Result<Arc<Established>> {
        self.state().ok_or_else(|| ClientError::NotInitialized {
            method: method.to_owned(),
        })
    }

    /// Records the outcome of a handshake and tells the transport; in the
    /// stateless era opens the listen stream.
    pub(crate) fn establish(&self, negotiated: Negotiated) {
        let era = match negotiated.era {
            Era::Stateless => {
                EraState::Stateless(StatelessEra::new(self.base_meta(&negotiated.protocol_version)))
            }
            _ => EraState::Initialize,
        };
        let version: Arc<str> = negotiated.protocol_version.as_str().into();
        let name = negotiated.era;
        let caps = negotiated.capabilities.clone();
        let previous = {
            let mut state = self.inner.state.write().unwrap_or_else(|p| p.into_inner());
            let generation = state.as_ref().map_or(0, |s| s.generation + 1);
            state.replace(Arc::new(Established {
                negotiated: Arc::new(negotiated),
                era,
                generation,
            }))
        };
        if let Some(previous) = previous {
            previous.era.stop();
        }
        self.shared().hints.send_modify(|h: &mut SessionHints| {
            h.era = Some(name);
            h.protocol_version = Some(version);
        });
        if let Some(established) = self.state() {
            if let EraState::Stateless(s) = &established.era {
                s.listen_for_list_changes(&self.inner.wire.peer, self.shared(), &caps);
            }
        }
    }

    /// The per-request `_meta` of the stateless era for `version`.
    pub(crate) fn base_meta(&self, version: &str) -> Map<String, Value> {
        let mut meta = Map::new();
        meta.insert(
            meta_keys::PROTOCOL_VERSION.into(),
            Value::String(version.to_owned()),
        );
        let mut caps = self.client_capabilities();
        caps.tasks = None;
        meta.insert(
            meta_keys::CLIENT_CAPABILITIES.into(),
            serde_json::to_value(caps).unwrap_or_else(|_| Value::Object(Map::new())),
        );
        meta.insert(
            meta_keys::CLIENT_INFO.into(),
            serde_json::to_value(&self.options().client_info).unwrap_or(Value::Null),
        );
        meta
    }
}

impl RequestContext {
    /// The session the request came through, while it is alive; `None` once
    /// every other handle to it is gone (the context keeps nothing alive).
    pub fn session(&self) -> Option<ClientSession> {
        let inner = self.session.upgrade()?.downcast::<Inner>().ok()?;
        Some(ClientSession { inner })
    }
}
