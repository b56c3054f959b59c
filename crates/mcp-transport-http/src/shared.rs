//! State shared by the tasks of one HTTP transport: the client, what the
//! wire keeps (the `Mcp-Session-Id` of the initialize era, the endpoint of
//! HTTP+SSE), the session's hints, the headers of a POST, and delivery of
//! what arrives to the engine (as it arrived: nothing is rewritten).

use std::sync::Mutex;

use http::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE};
use http::StatusCode;
use mcp_jsonrpc::{
    parse_frame, CloseReason, Era, Inbound, Message, Request, RequestId, SessionHints, TransportError,
};
use serde_json::Value;
use tokio::sync::{mpsc, watch};
use url::Url;

use crate::client::HttpClient;
use crate::error::{snippet, HttpError};
use crate::headers::{meta_version, request_headers};

/// `Mcp-Session-Id` (initialize era).
pub(crate) const SESSION_ID: &str = "mcp-session-id";
/// `MCP-Protocol-Version`.
pub(crate) const PROTOCOL_VERSION: &str = "mcp-protocol-version";
/// `Last-Event-ID`.
pub(crate) const LAST_EVENT_ID: &str = "last-event-id";

/// Requests from tasks to the transport's main loop.
#[derive(Debug)]
pub(crate) enum Control {
    /// `initialize` was refused, with this status, as by a server of the
    /// HTTP+SSE transport.
    Fallback(Request, http::StatusCode),
    /// The transport cannot go on.
    Fatal(CloseReason),
}

/// What the wire keeps for this connection.
#[derive(Debug, Default)]
pub(crate) struct WireState {
    /// `Mcp-Session-Id` of the initialize era.
    pub(crate) session_id: Option<String>,
    /// The POST endpoint of the HTTP+SSE transport, once in that mode.
    pub(crate) sse_endpoint: Option<Url>,
}

/// Shared by every task of one transport.
pub(crate) struct Shared {
    pub(crate) client: HttpClient,
    pub(crate) url: Url,
    inbound: mpsc::Sender<Inbound>,
    pub(crate) control: mpsc::Sender<Control>,
    state: Mutex<WireState>,
    /// What the session tells us (read at each POST, never waited on).
    pub(crate) hints: watch::Receiver<SessionHints>,
    pub(crate) max_retries: u32,
    /// Rate limit for the warning about refused messages.
    refusals: mcp_jsonrpc::LogThrottle,
}

impl Shared {
    pub(crate) fn new(
        client: HttpClient,
        url: Url,
        inbound: mpsc::Sender<Inbound>,
        control: mpsc::Sender<Control>,
        hints: watch::Receiver<SessionHints>,
        max_retries: u32,
    ) -> Self {
        Shared {
            client,
            url,
            inbound,
            control,
            state: Mutex::new(WireState::default()),
            hints,
            max_retries,
            refusals: mcp_jsonrpc::LogThrottle::new(),
        }
    }

    pub(crate) fn state(&self) -> std::sync::MutexGuard<'_, WireState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The era the session settled on, once it has.
    pub(crate) fn era(&self) -> Option<Era> {
        self.hints.borrow().era
    }

    /// Headers of a POST carrying a message with `method` and `params`.
    /// A request that declares its protocol version in `_meta` (2026-07-28)
    /// gets that version and the request metadata headers; any other the
    /// negotiated version and session id of the initialize era.
    pub(crate) fn post_headers(&self, request_method: Option<&str>, params: Option<&Value>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            ACCEPT,
            HeaderValue::from_static("application/json, text/event-stream"),
        );
        h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        match meta_version(params) {
            Some(v) => {
                if let Ok(v) = HeaderValue::from_str(&v) {
                    h.insert(HeaderName::from_static(PROTOCOL_VERSION), v);
                }
                if let Some(m) = request_method {
                    let hints = self.hints.borrow();
                    for (k, v) in request_headers(m, params, &hints.tool_headers) {
                        h.insert(k, v);
                    }
                }
            }
            None => self.initialize_era_headers(&mut h),
        }
        h
    }

    /// Adds the negotiated version and session id of the initialize era.
    pub(crate) fn initialize_era_headers(&self, h: &mut HeaderMap) {
        let version = {
            let hints = self.hints.borrow();
            (hints.era == Some(Era::Initialize))
                .then(|| hints.protocol_version.clone())
                .flatten()
        };
        if let Some(v) = version.and_then(|v| HeaderValue::from_str(&v).ok()) {
            h.insert(HeaderName::from_static(PROTOCOL_VERSION), v);
        }
        let state = self.state();
        if let Some(s) = state
            .session_id
            .as_deref()
            .and_then(|s| HeaderValue::from_str(s).ok())
        {
            h.insert(HeaderName::from_static(SESSION_ID), s);
        }
    }

    /// The server forgot the session a request carried: forget it too, so
    /// that the session's next `initialize` goes out without one. A newer
    /// session id (another request already started one) stays.
    pub(crate) fn session_expired(&self, carried: Option<&HeaderValue>) {
        let mut state = self.state();
        let current = state
            .session_id
            .as_deref()
            .and_then(|s| HeaderValue::from_str(s).ok());
        if current.as_ref() == carried {
            state.session_id = None;
        }
    }

    /// Hands one item to the engine; false when nobody listens.
    pub(crate) async fn emit(&self, item: Inbound) -> bool {
        self.inbound.send(item).await.is_ok()
    }

    /// Fails request `id` with `err`.
    pub(crate) async fn fail(&self, id: &RequestId, err: HttpError) {
        tracing::debug!(%id, error = %err, "HTTP exchange failed");
        self.emit(Inbound::Failed {
            id: id.clone(),
            error: err.into(),
        })
        .await;
    }

    /// Reports a failure that concerns no request (a notification or a
    /// response the server refused).
    pub(crate) async fn report(&self, err: HttpError) {
        if let Some(suppressed) = self.refusals.admit() {
            tracing::warn!(error = %err, suppressed, "the server refused a message");
        }
        self.emit(Inbound::Report(err.into())).await;
    }

    /// Delivers one message from the answer to request `id`; true when it
    /// was that request's response.
    pub(crate) async fn deliver(&self, msg: Message, id: &RequestId) -> bool {
        let done = match &msg {
            Message::Response(r) => r.id == *id,
            Message::Error(e) => e.id.as_ref() == Some(id),
            _ => false,
        };
        self.emit(Inbound::Message(msg)).await;
        done
    }

    /// Parses a JSON body and delivers its messages; true when the
    /// response to request `id` was among them.
    pub(crate) async fn deliver_body(&self, body: &[u8], id: &RequestId) -> bool {
        let mut items = Vec::new();
        parse_frame(body, |m| items.push(m));
        let mut done = false;
        for item in items {
            match item {
                Ok(m) => done |= self.deliver(m, id).await,
                Err(e) => {
                    self.emit(Inbound::Report(TransportError::Malformed(e))).await;
                }
            }
        }
        done
    }
}

/// What becomes of request `id` answered with the error `status`: the
/// server's JSON-RPC error for this request, delivered as it came; else a
/// typed failure of the request, keeping a JSON-RPC error without an id as
/// the server's words.
pub(crate) fn status_failure(id: &RequestId, status: StatusCode, url: &Url, body: &[u8]) -> Inbound {
    let rpc_error = match Message::from_slice(body) {
        Ok(Message::Error(e)) if e.id.as_ref() == Some(id) => return Inbound::Message(Message::Error(e)),
        Ok(Message::Error(e)) => Some(e.error),
        _ => None,
    };
    let error = HttpError::Status {
        url: url.to_string(),
        status,
        body: snippet(body),
    };
    Inbound::Failed {
        id: id.clone(),
        error: TransportError::Status {
            status: status.as_u16(),
            rpc_error,
            error: Box::new(error),
        },
    }
}

/// True when `body` is a JSON-RPC error (whatever its id).
pub(crate) fn is_jsonrpc_error(body: &[u8]) -> bool {
    matches!(Message::from_slice(body), Ok(Message::Error(_)))
}
