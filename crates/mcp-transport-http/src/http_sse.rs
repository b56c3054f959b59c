//! The 2024-11-05 HTTP+SSE transport: `GET` the URL for an event stream,
//! wait for the `endpoint` event (same origin only), then `POST` every
//! message there; everything from the server arrives on the stream.

use std::sync::Arc;

use bytes::Bytes;
use http::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE};
use http::Method;
use mcp_jsonrpc::{CloseReason, Message, RequestId};
use url::Url;

use crate::client::{content_type, same_origin, Wait};
use crate::error::{snippet, HttpError};
use crate::event_stream::SseReader;
use crate::shared::{status_failure, Control, Shared};
use crate::stream::{inbound, is_message};

/// Opens the event stream and waits for the `endpoint` event. Returns the
/// POST endpoint and the stream, to be read by [`stream_task`].
pub(crate) async fn connect(shared: &Shared) -> Result<(Url, SseReader), HttpError> {
    let mut h = HeaderMap::new();
    h.insert(ACCEPT, HeaderValue::from_static("text/event-stream"));
    let (resp, at) = shared
        .client
        .send(Method::GET, &shared.url, &h, Bytes::new(), Wait::Bounded)
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
                if !is_message(&ev) {
                    continue;
                }
                if !shared.emit(inbound(&ev)).await {
                    return None;
                }
            }
            Ok(None) => break format!("the server closed the HTTP+SSE event stream of {}", shared.url),
            Err(e) => break format!("the HTTP+SSE event stream broke: {e}"),
        }
    };
    let _ = shared
        .control
        .send(Control::Fatal(CloseReason::Transport { message: why }))
        .await;
    None
}

/// POSTs one message to the endpoint (the answer comes on the event
/// stream); a failed request fails with its error, a refused notification
/// or response is reported.
pub(crate) async fn post(shared: &Shared, endpoint: &Url, msg: &Message) {
    let mut h = HeaderMap::new();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let request_id = match msg {
        Message::Request(r) => Some(&r.id),
        _ => None,
    };
    // The answer comes on the stream: the POST itself is short, so it is
    // bounded by the transport's timeout.
    let sent = shared
        .client
        .send(
            Method::POST,
            endpoint,
            &h,
            Bytes::from(msg.to_vec()),
            Wait::Bounded,
        )
        .await;
    match sent {
        Ok((resp, at)) => {
            let status = resp.status();
            let body = shared.client.read_error_body(resp.into_body()).await;
            if !status.is_success() {
                match request_id {
                    Some(id) => {
                        shared.emit(status_failure(id, status, &at, &body)).await;
                    }
                    None => {
                        let refused = HttpError::Status {
                            url: at.to_string(),
                            status,
                            body: snippet(&body),
                        };
                        shared.report(refused).await;
                    }
                }
            }
        }
        Err(e) => match request_id {
            Some(id) => shared.fail(id, e).await,
            None => shared.report(e).await,
        },
    }
}
