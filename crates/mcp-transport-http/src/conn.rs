//! State shared by the tasks of one HTTP transport, header building, and
//! delivery of inbound messages (id remapping, inspection, synthesized
//! errors).

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

use http::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE};
use http::StatusCode;
use mcp_jsonrpc::{
    parse_frame, ErrorObject, ErrorResponse, Message, Notification, Request, RequestId, TransportError,
};
use serde_json::Value;
use tokio::sync::mpsc;
use url::Url;

use crate::client::HttpClient;
use crate::error::{snippet, HttpError, HTTP_TRANSPORT_ERROR};
use crate::headers::{filter_tools_list, meta_version, request_headers, ToolHeaders};

/// `Mcp-Session-Id` (initialize era).
pub(crate) const SESSION_ID: &str = "mcp-session-id";
/// `MCP-Protocol-Version`.
pub(crate) const PROTOCOL_VERSION: &str = "mcp-protocol-version";
/// `Last-Event-ID`.
pub(crate) const LAST_EVENT_ID: &str = "last-event-id";

/// Requests from tasks to the transport's main loop.
#[derive(Debug)]
pub(crate) enum Control {
    /// `initialize` was refused as by a server of the HTTP+SSE transport.
    Fallback(Request),
    /// The transport cannot go on.
    Fatal(String),
}

/// What the transport learned from the messages it carried.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// `Mcp-Session-Id` of the initialize era.
    pub(crate) session_id: Option<String>,
    /// The version the `initialize` response named.
    pub(crate) protocol_version: Option<String>,
    /// The `initialize` request seen, for a transparent re-initialize.
    pub(crate) init: Option<Request>,
    /// The `notifications/initialized` seen.
    pub(crate) initialized: Option<Notification>,
    /// Tools with `x-mcp-header` parameters.
    pub(crate) tools: HashMap<String, ToolHeaders>,
    /// The POST endpoint of the HTTP+SSE transport, once in that mode.
    pub(crate) sse_endpoint: Option<Url>,
}

/// Shared by every task of one transport.
pub(crate) struct Shared {
    pub(crate) client: HttpClient,
    pub(crate) url: Url,
    pub(crate) inbound: mpsc::Sender<Result<Message, TransportError>>,
    pub(crate) control: mpsc::Sender<Control>,
    pub(crate) state: Mutex<State>,
    pub(crate) reinit: tokio::sync::Mutex<()>,
    pub(crate) max_retries: u32,
    next_id: AtomicI64,
}

impl Shared {
    pub(crate) fn new(
        client: HttpClient,
        url: Url,
        inbound: mpsc::Sender<Result<Message, TransportError>>,
        control: mpsc::Sender<Control>,
        max_retries: u32,
    ) -> Self {
        Shared {
            client,
            url,
            inbound,
            control,
            state: Mutex::new(State::default()),
            reinit: tokio::sync::Mutex::new(()),
            max_retries,
            // Ids of our own re-issued requests: far from the engine's.
            next_id: AtomicI64::new(1 << 50),
        }
    }

    pub(crate) fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A fresh id for a request the transport issues on its own.
    pub(crate) fn fresh_id(&self) -> RequestId {
        RequestId::Number(self.next_id.fetch_add(1, Ordering::Relaxed))
    }

    /// Headers of a POST carrying a message with `method` and `params`.
    pub(crate) fn post_headers(&self, method: Option<&str>, params: Option<&Value>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            ACCEPT,
            HeaderValue::from_static("application/json, text/event-stream"),
        );
        h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(v) = meta_version(params) {
            if let Ok(v) = HeaderValue::from_str(&v) {
                h.insert(HeaderName::from_static(PROTOCOL_VERSION), v);
            }
            if let Some(m) = method {
                let state = self.state();
                for (k, v) in request_headers(m, params, &state.tools) {
                    h.insert(k, v);
                }
            }
        } else {
            self.legacy_headers(&mut h);
        }
        h
    }

    /// Adds the session id and negotiated version of the initialize era.
    pub(crate) fn legacy_headers(&self, h: &mut HeaderMap) {
        let state = self.state();
        if let Some(v) = state
            .protocol_version
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            h.insert(HeaderName::from_static(PROTOCOL_VERSION), v);
        }
        if let Some(s) = state
            .session_id
            .as_deref()
            .and_then(|s| HeaderValue::from_str(s).ok())
        {
            h.insert(HeaderName::from_static(SESSION_ID), s);
        }
    }

    /// Hands one message to the engine; false when nobody listens.
    pub(crate) async fn emit(&self, item: Result<Message, TransportError>) -> bool {
        self.inbound.send(item).await.is_ok()
    }

    /// Delivers the error for request `id`.
    pub(crate) async fn fail(&self, id: &RequestId, err: &HttpError) {
        tracing::debug!(%id, error = %err, "HTTP exchange failed");
        self.emit(Ok(error_message(id, err))).await;
    }

    /// Inspects and delivers one message from the response stream of a
    /// request sent as `sent_id` for the engine's `orig_id`. Returns true
    /// when it was that request's response.
    pub(crate) async fn deliver(&self, msg: Message, exchange: &Exchange<'_>) -> bool {
        let msg = self.inspect(msg, exchange);
        let done = match &msg {
            Message::Response(r) => r.id == *exchange.orig_id,
            Message::Error(e) => e.id.as_ref() == Some(exchange.orig_id),
            _ => false,
        };
        self.emit(Ok(msg)).await;
        done
    }

    fn inspect(&self, msg: Message, ex: &Exchange<'_>) -> Message {
        match msg {
            Message::Response(mut r) if r.id == *ex.sent_id => {
                r.id = ex.orig_id.clone();
                if ex.method == "initialize" {
                    let v = serde_json::from_str::<Value>(r.result.get()).ok();
                    if let Some(v) = v.as_ref().and_then(|v| v.get("protocolVersion")?.as_str()) {
                        self.state().protocol_version = Some(v.to_owned());
                    }
                }
                if ex.method == "tools/list" && ex.modern {
                    let rewritten = filter_tools_list(r.result.get(), &mut self.state().tools);
                    if let Some(raw) =
                        rewritten.and_then(|s| serde_json::value::RawValue::from_string(s).ok())
                    {
                        r.result = raw;
                    }
                }
                Message::Response(r)
            }
            Message::Error(mut e) if e.id.is_none() || e.id.as_ref() == Some(ex.sent_id) => {
                e.id = Some(ex.orig_id.clone());
                Message::Error(e)
            }
            other => other,
        }
    }

    /// Parses a JSON body and delivers its messages; true when the
    /// request's response was among them.
    pub(crate) async fn deliver_body(&self, body: &[u8], exchange: &Exchange<'_>) -> bool {
        let mut items = Vec::new();
        parse_frame(body, |m| items.push(m));
        let mut done = false;
        for item in items {
            match item {
                Ok(m) => done |= self.deliver(m, exchange).await,
                Err(e) => {
                    self.emit(Err(TransportError::Malformed(e))).await;
                }
            }
        }
        done
    }
}

/// One request as sent: the engine's id, the id on the wire, the method.
pub(crate) struct Exchange<'a> {
    pub(crate) orig_id: &'a RequestId,
    pub(crate) sent_id: &'a RequestId,
    pub(crate) method: &'a str,
    pub(crate) modern: bool,
}

/// The error response synthesized for a failed HTTP exchange (see
/// [`HTTP_TRANSPORT_ERROR`]).
pub(crate) fn error_message(id: &RequestId, err: &HttpError) -> Message {
    let mut data = serde_json::json!({ "url": url_of(err) });
    if let Some(s) = err.status() {
        data["httpStatus"] = s.as_u16().into();
    }
    Message::Error(ErrorResponse {
        id: Some(id.clone()),
        error: ErrorObject::new(HTTP_TRANSPORT_ERROR, err.to_string()).with_data(data),
    })
}

fn url_of(err: &HttpError) -> Option<&str> {
    match err {
        HttpError::Connect { url, .. }
        | HttpError::Timeout { url, .. }
        | HttpError::Status { url, .. }
        | HttpError::TooLarge { url, .. }
        | HttpError::Redirect { url, .. }
        | HttpError::Protocol { url, .. }
        | HttpError::InvalidUrl { url, .. } => Some(url),
        _ => None,
    }
}

/// The JSON-RPC error an HTTP error body carries, if any.
pub(crate) fn jsonrpc_error(body: &[u8]) -> Option<ErrorResponse> {
    match Message::from_slice(body) {
        Ok(Message::Error(e)) => Some(e),
        _ => None,
    }
}

/// The message for request `id` answered with an error `status`: the
/// server's own JSON-RPC error when the body has one, else a synthesized
/// one naming the status, URL and body.
pub(crate) fn status_error(id: &RequestId, status: StatusCode, url: &Url, body: &[u8]) -> Message {
    if let Some(mut e) = jsonrpc_error(body) {
        e.id = Some(id.clone());
        return Message::Error(e);
    }
    error_message(
        id,
        &HttpError::Status {
            url: url.to_string(),
            status,
            body: snippet(body),
        },
    )
}
