//! The initialize era of Streamable HTTP (2025-03-26 to 2025-11-25): the
//! session (`Mcp-Session-Id`, re-initialize on 404, DELETE on close), the
//! GET stream for server-initiated messages, and resumption of broken
//! streams with `Last-Event-ID`.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT};
use http::{Method, StatusCode};
use mcp_jsonrpc::{Message, Request, TransportError};

use crate::client::content_type;
use crate::conn::{Exchange, Shared, LAST_EVENT_ID, SESSION_ID};
use crate::error::{snippet, HttpError};
use crate::modern::{read_stream, StreamEnd};
use crate::sse::SseReader;

/// Default wait before reconnecting when the server gave no `retry`.
const DEFAULT_RETRY: Duration = Duration::from_millis(500);
/// Longest wait between reconnections.
const MAX_RETRY: Duration = Duration::from_secs(30);
/// Reconnections of the GET stream without a single event in between.
const MAX_GET_FAILURES: u32 = 5;

fn backoff(server: Option<Duration>, failures: u32) -> Duration {
    let base = server.unwrap_or(DEFAULT_RETRY);
    base.saturating_mul(1 << failures.min(6)).min(MAX_RETRY)
}

/// Opens `GET` on the endpoint for an event stream, resuming after `last`.
/// `Ok(None)` when the server offers none (405, 404, not an event stream).
pub(crate) async fn open_get(shared: &Shared, last: Option<&str>) -> Result<Option<SseReader>, HttpError> {
    let mut h = HeaderMap::new();
    h.insert(ACCEPT, HeaderValue::from_static("text/event-stream"));
    shared.legacy_headers(&mut h);
    if let Some(v) = last.and_then(|l| HeaderValue::from_str(l).ok()) {
        h.insert(HeaderName::from_static(LAST_EVENT_ID), v);
    }
    let (resp, at) = shared
        .client
        .send(Method::GET, &shared.url, &h, Bytes::new())
        .await?;
    let status = resp.status();
    if !status.is_success() {
        let body = shared.client.read_error_body(resp.into_body()).await;
        if matches!(status, StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_FOUND) {
            tracing::debug!(%status, "the server offers no GET event stream");
            return Ok(None);
        }
        return Err(HttpError::Status {
            url: at.to_string(),
            status,
            body: snippet(&body),
        });
    }
    if content_type(resp.headers()) != "text/event-stream" {
        return Ok(None);
    }
    let c = &shared.client;
    Ok(Some(SseReader::new(
        resp.into_body(),
        c.max_size,
        c.idle,
        at.to_string(),
    )))
}

/// Resumes the broken response stream of `ex` with `GET` and
/// `Last-Event-ID`, honouring the server's `retry`, a bounded number of
/// times.
pub(crate) async fn resume(
    shared: &Shared,
    ex: &Exchange<'_>,
    mut last: String,
    mut retry: Option<Duration>,
) -> Result<(), HttpError> {
    let mut why = String::new();
    for attempt in 0..=shared.max_retries {
        tokio::time::sleep(backoff(retry, attempt)).await;
        tracing::debug!(id = %ex.orig_id, last_event_id = %last, "resuming a broken event stream");
        let Some(reader) = open_get(shared, Some(&last)).await? else {
            why = "the server refused to resume the stream".into();
            break;
        };
        match read_stream(shared, reader, ex).await {
            StreamEnd::Answered => return Ok(()),
            StreamEnd::Failed(e) => return Err(e),
            StreamEnd::Broken {
                last_event_id,
                retry: r,
                why: w,
            } => {
                last = last_event_id.unwrap_or(last);
                retry = r.or(retry);
                why = w;
            }
        }
    }
    Err(HttpError::Protocol {
        url: shared.url.to_string(),
        reason: format!(
            "could not resume the response stream of request {}: {why}",
            ex.orig_id
        ),
    })
}

/// The result of opening the GET stream, as [`get_stream_task`] takes it.
pub(crate) type Opened = Result<Option<SseReader>, HttpError>;

/// The GET stream for server-initiated messages, reconnected with
/// `Last-Event-ID` while it keeps delivering. `first` is the stream already
/// opened by the caller, if it opened one.
pub(crate) async fn get_stream_task(
    shared: Arc<Shared>,
    mut first: Option<Opened>,
) -> Option<mcp_jsonrpc::RequestId> {
    let mut last: Option<String> = None;
    let mut retry = None;
    let mut failures = 0;
    loop {
        let opened = match first.take() {
            Some(opened) => opened,
            None => open_get(&shared, last.as_deref()).await,
        };
        let reader = match opened {
            Ok(Some(r)) => r,
            Ok(None) => return None,
            Err(e) => {
                tracing::debug!(error = %e, "GET event stream failed");
                failures += 1;
                if failures > MAX_GET_FAILURES {
                    tracing::warn!(error = %e, "giving up on the GET event stream");
                    return None;
                }
                tokio::time::sleep(backoff(retry, failures)).await;
                continue;
            }
        };
        let mut reader = reader;
        let mut got_any = false;
        loop {
            match reader.next().await {
                Ok(Some(ev)) => {
                    got_any = true;
                    if ev.data.trim().is_empty() || ev.event.as_deref().is_some_and(|e| e != "message") {
                        continue;
                    }
                    let item = Message::from_slice(ev.data.as_bytes()).map_err(TransportError::Malformed);
                    if !shared.emit(item).await {
                        return None;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::debug!(error = %e, "GET event stream broke");
                    break;
                }
            }
        }
        last = reader.last_event_id().map(str::to_owned).or(last);
        retry = reader.retry().or(retry);
        failures = if got_any { 0 } else { failures + 1 };
        if failures > MAX_GET_FAILURES {
            return None;
        }
        tokio::time::sleep(backoff(retry, failures)).await;
    }
}

/// After a 404 on a request that carried session `failed`: replays the
/// `initialize` request and `notifications/initialized` seen so far, under
/// a new session. Concurrent callers re-initialize once.
pub(crate) async fn reinitialize(shared: &Shared, failed: Option<&HeaderValue>) -> Result<(), HttpError> {
    let _one = shared.reinit.lock().await;
    let (init, initialized) = {
        let mut state = shared.state();
        let current = state
            .session_id
            .as_deref()
            .and_then(|s| HeaderValue::from_str(s).ok());
        if current.as_ref() != failed {
            return Ok(());
        }
        state.session_id = None;
        (state.init.clone(), state.initialized.clone())
    };
    let Some(init) = init else {
        return Err(HttpError::Protocol {
            url: shared.url.to_string(),
            reason: "session expired (HTTP 404) and no initialize request to replay".into(),
        });
    };
    tracing::info!(url = %shared.url, "session expired (HTTP 404); re-initializing");
    let id = shared.fresh_id();
    let wire = Message::Request(Request {
        id: id.clone(),
        ..init.clone()
    });
    let mut h = shared.post_headers(None, None);
    h.remove(SESSION_ID);
    let (resp, at) = shared
        .client
        .send(Method::POST, &shared.url, &h, Bytes::from(wire.to_vec()))
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
    let sid = resp
        .headers()
        .get(SESSION_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let content = content_type(resp.headers());
    let body = resp.into_body();
    let ok = if content == "text/event-stream" {
        let mut r = SseReader::new(body, shared.client.max_size, shared.client.idle, at.to_string());
        let mut found = false;
        while let Ok(Some(ev)) = r.next().await {
            if matches!(Message::from_slice(ev.data.as_bytes()), Ok(Message::Response(ref m)) if m.id == id) {
                found = true;
                break;
            }
        }
        found
    } else {
        let bytes = shared.client.read_body(body, &at).await?;
        matches!(Message::from_slice(&bytes), Ok(Message::Response(ref m)) if m.id == id)
    };
    if !ok {
        return Err(HttpError::Protocol {
            url: at.to_string(),
            reason: "re-initialize after an expired session failed".into(),
        });
    }
    shared.state().session_id = sid;
    if let Some(n) = initialized {
        let h = shared.post_headers(None, None);
        let wire = Message::Notification(n);
        let (resp, _) = shared
            .client
            .send(Method::POST, &shared.url, &h, Bytes::from(wire.to_vec()))
            .await?;
        drop(resp);
    }
    Ok(())
}

/// Ends the session with `DELETE` (405 tolerated), bounded in time.
pub(crate) async fn delete_session(shared: &Shared) {
    let mut h = HeaderMap::new();
    shared.legacy_headers(&mut h);
    if !h.contains_key(SESSION_ID) {
        return;
    }
    let send = shared.client.send(Method::DELETE, &shared.url, &h, Bytes::new());
    match tokio::time::timeout(Duration::from_secs(5), send).await {
        Ok(Ok((resp, _))) => tracing::debug!(status = %resp.status(), "session deleted"),
        Ok(Err(e)) => tracing::debug!(error = %e, "DELETE of the session failed"),
        Err(_) => tracing::debug!("DELETE of the session timed out"),
    }
}
