//! One request over Streamable HTTP: the POST, its JSON or SSE response,
//! error synthesis, re-issue with a new id when a 2026-07-28 response
//! stream breaks, and the hand-offs to the initialize era (session capture,
//! re-initialize on 404, resumption) and to the HTTP+SSE fallback.

use std::sync::Arc;

use bytes::Bytes;
use http::{Method, StatusCode};
use hyper::body::Incoming;
use mcp_jsonrpc::{Message, Request, RequestId, TransportError};
use serde_json::Value;
use url::Url;

use crate::client::content_type;
use crate::conn::{jsonrpc_error, status_error, Control, Exchange, Shared, SESSION_ID};
use crate::error::HttpError;
use crate::headers::meta_version;
use crate::legacy;
use crate::sse::SseReader;

/// How reading an SSE response stream ended.
pub(crate) enum StreamEnd {
    /// The request's response was delivered.
    Answered,
    /// The stream ended or broke before the response.
    Broken {
        last_event_id: Option<String>,
        retry: Option<std::time::Duration>,
        why: String,
    },
    /// A failure that retrying will not fix (too large, idle timeout).
    Failed(HttpError),
}

/// Reads an SSE response stream, delivering each message.
pub(crate) async fn read_stream(shared: &Shared, mut reader: SseReader, ex: &Exchange<'_>) -> StreamEnd {
    loop {
        match reader.next().await {
            Ok(Some(event)) => {
                if event.data.trim().is_empty() || event.event.as_deref().is_some_and(|e| e != "message") {
                    continue;
                }
                match Message::from_slice(event.data.as_bytes()) {
                    Ok(m) => {
                        if shared.deliver(m, ex).await {
                            return StreamEnd::Answered;
                        }
                    }
                    Err(e) => {
                        shared.emit(Err(TransportError::Malformed(e))).await;
                    }
                }
            }
            Ok(None) => {
                return StreamEnd::Broken {
                    last_event_id: reader.last_event_id().map(str::to_owned),
                    retry: reader.retry(),
                    why: "the event stream ended before the response".into(),
                }
            }
            Err(e @ (HttpError::TooLarge { .. } | HttpError::Timeout { .. })) => return StreamEnd::Failed(e),
            Err(e) => {
                return StreamEnd::Broken {
                    last_event_id: reader.last_event_id().map(str::to_owned),
                    retry: reader.retry(),
                    why: e.to_string(),
                }
            }
        }
    }
}

/// Sends `req` and delivers what comes back; returns its id when done so
/// that the main loop forgets it. `fallback` allows the switch to HTTP+SSE
/// when `initialize` is refused.
pub(crate) async fn request_task(shared: Arc<Shared>, req: Request, fallback: bool) -> Option<RequestId> {
    let orig_id = req.id.clone();
    if let Err(e) = run_request(&shared, &req, fallback).await {
        shared.fail(&orig_id, &e).await;
    }
    Some(orig_id)
}

async fn run_request(shared: &Shared, req: &Request, fallback: bool) -> Result<(), HttpError> {
    let params: Option<Value> = req
        .params
        .as_ref()
        .and_then(|p| serde_json::from_str(p.get()).ok());
    let modern = meta_version(params.as_ref()).is_some();
    let method = req.method.as_ref();
    let mut sent_id = req.id.clone();
    let mut reissued = 0;
    let mut reinitialized = false;
    loop {
        let headers = shared.post_headers(Some(method), params.as_ref());
        let session = headers.get(SESSION_ID).cloned();
        let wire = Message::Request(Request {
            id: sent_id.clone(),
            method: req.method.clone(),
            params: req.params.clone(),
        });
        let (resp, at) = shared
            .client
            .send(Method::POST, &shared.url, &headers, Bytes::from(wire.to_vec()))
            .await?;
        let status = resp.status();
        let ex = Exchange {
            orig_id: &req.id,
            sent_id: &sent_id,
            method,
            modern,
        };
        if status.is_success() {
            if method == "initialize" {
                let sid = resp.headers().get(SESSION_ID).and_then(|v| v.to_str().ok());
                shared.state().session_id = sid.map(str::to_owned);
            }
            let content = content_type(resp.headers());
            match answer(shared, resp.into_body(), status, &content, &at, &ex).await {
                StreamEnd::Answered => return Ok(()),
                StreamEnd::Failed(e) => return Err(e),
                StreamEnd::Broken {
                    last_event_id,
                    retry,
                    why,
                } => {
                    if !modern {
                        if let Some(last) = last_event_id {
                            return legacy::resume(shared, &ex, last, retry).await;
                        }
                    }
                    // Re-issuing is the 2026-07-28 rule; earlier revisions
                    // resume by event id or fail (a re-sent tools/call
                    // could run twice).
                    if !modern || reissued >= shared.max_retries {
                        return Err(HttpError::Protocol {
                            url: at.to_string(),
                            reason: format!("{why} (after {reissued} re-issues)"),
                        });
                    }
                    reissued += 1;
                    sent_id = shared.fresh_id();
                    tracing::debug!(orig = %req.id, new = %sent_id, %why, "response stream broke; re-issuing the request with a new id");
                    continue;
                }
            }
        }
        let challenge_404 = status == StatusCode::NOT_FOUND && session.is_some() && method != "initialize";
        if challenge_404 && !reinitialized {
            reinitialized = true;
            legacy::reinitialize(shared, session.as_ref()).await?;
            continue;
        }
        let body = shared.client.read_error_body(resp.into_body()).await;
        let legacy_refusal = matches!(status.as_u16(), 404 | 405)
            || (status == StatusCode::BAD_REQUEST && jsonrpc_error(&body).is_none());
        if fallback && method == "initialize" && legacy_refusal {
            tracing::debug!(%status, url = %at, "initialize refused; trying the HTTP+SSE transport");
            if shared.control.send(Control::Fallback(req.clone())).await.is_ok() {
                return Ok(());
            }
        }
        shared.emit(Ok(status_error(&req.id, status, &at, &body))).await;
        return Ok(());
    }
}

/// Reads a successful response: 202 (nothing more to wait for), an SSE
/// stream, or a JSON body.
async fn answer(
    shared: &Shared,
    body: Incoming,
    status: StatusCode,
    content: &str,
    at: &Url,
    ex: &Exchange<'_>,
) -> StreamEnd {
    if status == StatusCode::ACCEPTED || status == StatusCode::NO_CONTENT {
        // Initialize era: the response comes on another stream.
        return StreamEnd::Answered;
    }
    if content == "text/event-stream" {
        let reader = SseReader::new(body, shared.client.max_size, shared.client.idle, at.to_string());
        return read_stream(shared, reader, ex).await;
    }
    let bytes = match shared.client.read_body(body, at).await {
        Ok(b) => b,
        Err(e @ (HttpError::TooLarge { .. } | HttpError::Timeout { .. })) => return StreamEnd::Failed(e),
        Err(e) => {
            return StreamEnd::Broken {
                last_event_id: None,
                retry: None,
                why: e.to_string(),
            }
        }
    };
    if shared.deliver_body(&bytes, ex).await {
        return StreamEnd::Answered;
    }
    StreamEnd::Failed(HttpError::Protocol {
        url: at.to_string(),
        reason: format!(
            "HTTP {status} ({}) did not answer request {}",
            if content.is_empty() {
                "no content type"
            } else {
                content
            },
            ex.orig_id
        ),
    })
}
