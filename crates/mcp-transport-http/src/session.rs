//! The HTTP session of the initialize era (Streamable HTTP, 2025-03-26 to
//! 2025-11-25): the GET stream for server-initiated messages, resumption of
//! broken streams with `Last-Event-ID`, and `DELETE` on close. (The session
//! id is captured by the exchange of `initialize`; when the server forgets
//! it, the exchange fails its request as expired and the session makes a
//! new handshake.)

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT};
use http::{Method, StatusCode};
use mcp_jsonrpc::RequestId;

use crate::client::{content_type, Wait};
use crate::error::{snippet, HttpError};
use crate::event_stream::SseReader;
use crate::shared::{Shared, LAST_EVENT_ID, SESSION_ID};
use crate::stream::{inbound, is_message, read_stream, StreamEnd};

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
    shared.initialize_era_headers(&mut h);
    if let Some(v) = last.and_then(|l| HeaderValue::from_str(l).ok()) {
        h.insert(HeaderName::from_static(LAST_EVENT_ID), v);
    }
    let (resp, at) = shared
        .client
        .send(Method::GET, &shared.url, &h, Bytes::new(), Wait::Bounded)
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

/// Resumes the broken response stream of request `id` with `GET` and
/// `Last-Event-ID`, honouring the server's `retry`, a bounded number of
/// times.
pub(crate) async fn resume(
    shared: &Shared,
    id: &RequestId,
    mut last: String,
    mut retry: Option<Duration>,
) -> Result<(), HttpError> {
    let mut why = String::new();
    for attempt in 0..=shared.max_retries {
        tokio::time::sleep(backoff(retry, attempt)).await;
        tracing::debug!(%id, last_event_id = %last, "resuming a broken event stream");
        let Some(reader) = open_get(shared, Some(&last)).await? else {
            why = "the server refused to resume the stream".into();
            break;
        };
        match read_stream(shared, reader, id).await {
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
        reason: format!("could not resume the response stream of request {id}: {why}"),
    })
}

/// The result of opening the GET stream, as [`get_stream_task`] takes it.
pub(crate) type Opened = Result<Option<SseReader>, HttpError>;

/// The GET stream for server-initiated messages, reconnected with
/// `Last-Event-ID` while it keeps delivering, for as long as the session it
/// was opened for lasts. `first` is the stream already opened by the
/// caller, if it opened one.
pub(crate) async fn get_stream_task(shared: Arc<Shared>, mut first: Option<Opened>) -> Option<RequestId> {
    let session = shared.state().session_id.clone();
    let mut last: Option<String> = None;
    let mut retry = None;
    let mut failures = 0;
    loop {
        if shared.state().session_id != session {
            tracing::debug!("the session changed: the GET stream of the old one stops");
            return None;
        }
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
                    if !is_message(&ev) {
                        continue;
                    }
                    if !shared.emit(inbound(&ev)).await {
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
        if failures > MAX_GET_FAILURES.max(shared.max_retries) {
            return None;
        }
        tokio::time::sleep(backoff(retry, failures)).await;
    }
}

/// Ends the session with `DELETE` (405 tolerated), bounded in time.
pub(crate) async fn delete_session(shared: &Shared) {
    let mut h = HeaderMap::new();
    shared.initialize_era_headers(&mut h);
    if !h.contains_key(SESSION_ID) {
        return;
    }
    let send = shared
        .client
        .send(Method::DELETE, &shared.url, &h, Bytes::new(), Wait::Bounded);
    match tokio::time::timeout(Duration::from_secs(5), send).await {
        Ok(Ok((resp, _))) => tracing::debug!(status = %resp.status(), "session deleted"),
        Ok(Err(e)) => tracing::debug!(error = %e, "DELETE of the session failed"),
        Err(_) => tracing::debug!("DELETE of the session timed out"),
    }
}
