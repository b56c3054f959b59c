//! The 2024-11-05 HTTP+SSE transport: `GET` the URL for an event stream,
//! wait for the `endpoint` event (same origin only), then `POST` every
//! message there; everything from the server arrives on the stream.

use std::sync::Arc;

use bytes::Bytes;
use http::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE};
use http::Method;
use mcp_jsonrpc::{Message, RequestId, TransportError};
use url::Url;

use crate::client::{content_type, same_origin};
use crate::conn::{status_error, Control, Shared};
use crate::error::{snippet, HttpError};
use crate::sse::SseReader;

/// Opens the event stream and waits for the `endpoint` event. Returns the
/// POST endpoint and the stream, to be read by [`stream_task`].
pub(crate) async fn connect(shared: &Shared) -> Result<(Url, SseReader), HttpError> {
    let mut h = HeaderMap::new();
    h.insert(ACCEPT, HeaderValue::from_static("text/event-stream"));
    let (resp, at) = shared
        .client
        .send(Method::GET, &shared.url, &h, Bytes::new())
        .await?;
    let status = resp.status();
    if !status.is_success() {
        let body = shared.client.read_error_body(resp.into_body()).await;
        return Err(HttpError::Status {
            url: at.to_string(),
            status,
            body: snippet(&body),
        });
    }
    let protocol = |reason: String| HttpError::Protocol {
        url: at.to_string(),
        reason,
    };
    let ct = content_type(resp.headers());
    if ct != "text/event-stream" {
        return Err(protocol(format!("GET answered `{ct}`, not an event stream")));
    }
    let c = &shared.client;
    let mut reader = SseReader::new(resp.into_body(), c.max_size, c.idle, at.to_string());
    let wait = async {
        loop {
            match reader.next().await? {
                Some(ev) if ev.event.as_deref() == Some("endpoint") => return Ok(ev.data),
                Some(_) => continue,
                None => {
                    return Err(protocol(
                        "the event stream ended before the `endpoint` event".into(),
                    ))
                }
            }
        }
    };
    let data = tokio::time::timeout(c.timeout, wait)
        .await
        .map_err(|_| HttpError::Timeout {
            url: at.to_string(),
            what: "the `endpoint` event",
            secs: c.timeout.as_secs_f64(),
        })??;
    let endpoint = at
        .join(data.trim())
        .map_err(|e| protocol(format!("bad `endpoint` event {:?}: {e}", data.trim())))?;
    if !same_origin(&at, &endpoint) {
        return Err(protocol(format!(
            "the `endpoint` {endpoint} is not on the origin of {at}; refused"
        )));
    }
    tracing::debug!(%endpoint, "HTTP+SSE endpoint received");
    Ok((endpoint, reader))
}

/// Reads the event stream: every `message` event goes to the engine. The
/// end of the stream ends the transport.
pub(crate) async fn stream_task(shared: Arc<Shared>, mut reader: SseReader) -> Option<RequestId> {
    let why = loop {
        match reader.next().await {
            Ok(Some(ev)) => {
                if ev.event.as_deref().is_some_and(|e| e != "message") || ev.data.trim().is_empty() {
                    continue;
                }
                let item = Message::from_slice(ev.data.as_bytes()).map_err(TransportError::Malformed);
                if !shared.emit(item).await {
                    return None;
                }
            }
            Ok(None) => break "the server closed the SSE stream".to_owned(),
            Err(e) => break e.to_string(),
        }
    };
    let _ = shared.control.send(Control::Fatal(why)).await;
    None
}

/// POSTs one message to the endpoint; a failed request gets its error.
pub(crate) async fn post(shared: &Shared, endpoint: &Url, msg: &Message) {
    let mut h = HeaderMap::new();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let sent = shared
        .client
        .send(Method::POST, endpoint, &h, Bytes::from(msg.to_vec()))
        .await;
    let request_id = match msg {
        Message::Request(r) => Some(&r.id),
        _ => None,
    };
    match sent {
        Ok((resp, at)) => {
            let status = resp.status();
            let body = shared.client.read_error_body(resp.into_body()).await;
            if !status.is_success() {
                match request_id {
                    Some(id) => {
                        shared.emit(Ok(status_error(id, status, &at, &body))).await;
                    }
                    None => tracing::warn!(%status, url = %at, "the server refused a message"),
                }
            }
        }
        Err(e) => match request_id {
            Some(id) => shared.fail(id, &e).await,
            None => tracing::warn!(error = %e, "sending a message failed"),
        },
    }
}
