//! `ClientSession`: one connection to one MCP server.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use mcp_jsonrpc::{Peer, PeerConfig, RequestOptions, Transport};
use mcp_types::{
    version, ClientCapabilities, Implementation, InitializeRequest, InitializeRequestParams,
    InitializeResult, InitializedNotification, NotificationMethod, RequestMethod, ServerCapabilities,
};
use serde::Serialize;
use serde_json::Value;

use crate::error::{ClientError, Result};
use crate::handler::SessionHandler;
use crate::hooks::McpHooks;
use crate::options::{CallOptions, ClientSessionOptions, ProtocolMode};
use crate::validate::ToolSchemas;

/// The protocol era a session speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Era {
    /// 2024-11-05 to 2025-11-25: an `initialize` handshake, a stateful
    /// connection, server-to-client requests.
    Initialize,
    /// 2026-07-28 and later: stateless, `server/discover`, per-request
    /// `_meta`.
    Stateless,
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

/// A session with one MCP server over any transport.
///
/// Cheap to clone: clones share the connection. The connection closes when
/// [`ClientSession::close`] is called or the last clone is dropped.
#[derive(Clone)]
pub struct ClientSession {
    inner: Arc<Inner>,
}

struct Inner {
    peer: Peer,
    options: Arc<ClientSessionOptions>,
    negotiated: RwLock<Option<Arc<Negotiated>>>,
    next_progress_token: AtomicI64,
    tool_schemas: Arc<ToolSchemas>,
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
        let options = Arc::new(options);
        let tool_schemas = Arc::new(ToolSchemas::default());
        let handler = SessionHandler {
            options: Arc::clone(&options),
            tool_schemas: Arc::clone(&tool_schemas),
        };
        let config = PeerConfig::default()
            .default_timeout(options.read_timeout)
            .hooks(Arc::new(McpHooks));
        let peer = Peer::start(transport, Arc::new(handler), config);
        ClientSession {
            inner: Arc::new(Inner {
                peer,
                options,
                negotiated: RwLock::new(None),
                next_progress_token: AtomicI64::new(1),
                tool_schemas,
            }),
        }
    }

    /// Performs the handshake: offers a protocol version, checks the one the
    /// server chose, and sends `notifications/initialized`.
    pub async fn initialize(&self) -> Result<InitializeResult> {
        let offered = match &self.inner.options.protocol {
            ProtocolMode::Legacy => version::LATEST_INITIALIZE_ERA.to_owned(),
            ProtocolMode::Pinned(v) => v.clone(),
        };
        let params = InitializeRequestParams::new(
            offered.clone(),
            self.client_capabilities(),
            self.inner.options.client_info.clone(),
        );
        let options = self
            .request_options(&CallOptions::default())
            .cancel_on_drop(false);
        let result: InitializeResult = self
            .inner
            .peer
            .request(InitializeRequest::METHOD, Some(&params), options)
            .await?;
        let chosen = result.protocol_version.clone();
        let acceptable = match &self.inner.options.protocol {
            ProtocolMode::Pinned(v) => &chosen == v,
            ProtocolMode::Legacy => version::INITIALIZE_ERA.contains(&chosen.as_str()),
        };
        if !acceptable {
            let supported = match &self.inner.options.protocol {
                ProtocolMode::Pinned(v) => v.clone(),
                ProtocolMode::Legacy => version::INITIALIZE_ERA.join(", "),
            };
            self.inner.peer.close().await;
            return Err(ClientError::UnsupportedProtocolVersion {
                server: chosen,
                supported,
            });
        }
        self.send_notification::<InitializedNotification>(&Default::default())
            .await?;
        *self.inner.negotiated.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(Negotiated {
            protocol_version: chosen,
            era: Era::Initialize,
            server_info: result.server_info.clone(),
            capabilities: result.capabilities.clone(),
            instructions: result.instructions.clone(),
        }));
        Ok(result)
    }

    /// The capabilities we declare: derived from the callbacks present.
    pub fn client_capabilities(&self) -> ClientCapabilities {
        let o = &self.inner.options;
        let mut caps = ClientCapabilities::default();
        if o.sampling_callback.is_some() {
            caps.sampling = Some(Default::default());
        }
        if o.elicitation_callback.is_some() {
            caps.elicitation = Some(Default::default());
        }
        if o.list_roots_callback.is_some() {
            caps.roots = Some(mcp_types::RootsCapability {
                list_changed: Some(true),
                ..Default::default()
            });
        }
        caps
    }

    /// What the handshake established, once it has.
    pub fn negotiated(&self) -> Option<Arc<Negotiated>> {
        self.inner
            .negotiated
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
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
        self.inner.peer.close().await;
    }

    pub(crate) fn tool_schemas(&self) -> &ToolSchemas {
        &self.inner.tool_schemas
    }

    pub(crate) fn options(&self) -> &ClientSessionOptions {
        &self.inner.options
    }

    /// Sends any request, typed by its method marker (for example
    /// `mcp_types::ListToolsRequest`), with per-call options.
    pub async fn send_request<M: RequestMethod>(
        &self,
        params: &M::Params,
        call: CallOptions,
    ) -> Result<M::Result> {
        let mut options = self.request_options(&call);
        if let Some(progress) = call.progress.clone() {
            let token = self.inner.next_progress_token.fetch_add(1, Ordering::Relaxed);
            let raw = with_progress_token(M::METHOD, params, token)?;
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
            let result = self.inner.peer.request_raw(M::METHOD, Some(raw), options).await?;
            return serde_json::from_str(result.get()).map_err(|e| ClientError::InvalidResponse {
                method: M::METHOD.to_owned(),
                detail: e.to_string(),
            });
        }
        Ok(self.inner.peer.request(M::METHOD, Some(params), options).await?)
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

    fn request_options(&self, call: &CallOptions) -> RequestOptions {
        let mut options =
            RequestOptions::default().timeout(call.timeout.unwrap_or(self.inner.options.read_timeout));
        if let Some(max) = call.max_total {
            options = options.max_total(max);
        }
        options
    }
}

/// Serializes `params` with `_meta.progressToken` set to `token`.
fn with_progress_token<P: Serialize>(
    method: &str,
    params: &P,
    token: i64,
) -> Result<Box<mcp_jsonrpc::RawValue>> {
    let encode = |source| ClientError::Encode {
        method: method.to_owned(),
        source,
    };
    let mut value = serde_json::to_value(params).map_err(encode)?;
    if let Value::Object(map) = &mut value {
        let meta = map
            .entry("_meta")
            .or_insert_with(|| Value::Object(Default::default()));
        if let Value::Object(meta) = meta {
            meta.insert("progressToken".into(), token.into());
        }
    }
    mcp_jsonrpc::to_raw(&value).map_err(encode)
}
