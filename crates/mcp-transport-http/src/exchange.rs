//! The exchange of one request over Streamable HTTP: the POST, its JSON or
//! event-stream answer, typed failures, and the hand-offs to the
//! initialize-era session (session id, resumption, expiry) and to the
//! HTTP+SSE fallback. A request is sent once: a stream that breaks without
//! an event id to resume from fails it.

use std::sync::Arc;

use bytes::Bytes;
use http::{Method, StatusCode};
use hyper::body::Incoming;
use mcp_jsonrpc::{Request, RequestId};
use serde_json::Value;
use url::Url;

use crate::client::{content_type, Wait};
use crate::error::HttpError;
use crate::event_stream::SseReader;
use crate::headers::meta_version;
use crate::session;
use crate::shared::{is_jsonrpc_error, status_failure, Control, Shared, SESSION_ID};
use crate::stream::{read_stream, StreamEnd};

/// Sends `req` (whose `params`, parsed once by the caller, give its
/// headers) and delivers what comes back; returns its id when done so that
/// the main loop forgets it. `fallback` allows the switch to HTTP+SSE when
/// `initialize` is refused.
pub(crate) async fn request_task(
    shared: Arc<Shared>,
    req: Request,
    params: Option<Value>,
    fallback: bool,
) -> RequestId {
    let id = req.id.clone();
    if let Err(e) = run(&shared, &req, params.as_ref(), fallback).await {
        shared.fail(&id, e).await;
    }
    id
}

/// True for a request of the stateless era (its `_meta` names the version).
pub(crate) fn is_stateless(params: Option<&Value>) -> bool {
    meta_version(params).is_some()
}

async fn run(
    shared: &Shared,
    req: &Request,
    params: Option<&Value>,
    fallback: bool,
) -> Result<(), HttpError> {
    let stateless = is_stateless(params);
    let method = req.method.as_ref();
    let headers = shared.post_headers(Some(method), params);
    let session = headers.get(SESSION_ID).cloned();
    let body = Bytes::from(req.to_vec());
    let (resp, at) = shared
        .client
        .send(Method::POST, &shared.url, &headers, body, Wait::ByCaller)
        .await?;
    let status = resp.status();
    if status.is_success() {
        if method == "initialize" {
            let sid = resp.headers().get(SESSION_ID).and_then(|v| v.to_str().ok());
            shared.state().session_id = sid.map(str::to_owned);
        }
        let content = content_type(resp.headers());
        return match answer(
            shared,
            resp.into_body(),
            status,
            &content,
            &at,
            &req.id,
            stateless,
        )
        .await
        {
            StreamEnd::Answered => Ok(()),
            StreamEnd::Failed(e) => Err(e),
            StreamEnd::Broken {
                last_event_id,
                retry,
                why,
            } => match last_event_id {
                // The initialize era resumes by event id (never re-sending).
                Some(last) if !stateless => session::resume(shared, &req.id, last, retry).await,
                _ => Err(HttpError::Protocol {
                    url: at.to_string(),
                    reason: format!("{why}; the request may have run, so it is not sent again"),
                }),
            },
        };
    }
    if status == StatusCode::NOT_FOUND && session.is_some() && method != "initialize" {
        shared.session_expired(session.as_ref());
        drop(resp);
        return Err(HttpError::SessionExpired { url: at.to_string() });
    }
    let body = shared.client.read_error_body(resp.into_body()).await;
    let http_sse_refusal = matches!(status.as_u16(), 404 | 405)
        || (status == StatusCode::BAD_REQUEST && !is_jsonrpc_error(&body));
    if fallback && method == "initialize" && http_sse_refusal {
        tracing::debug!(%status, url = %at, "initialize refused; trying the HTTP+SSE transport");
        if shared
            .control
            .send(Control::Fallback(req.clone(), status))
            .await
            .is_ok()
        {
            return Ok(());
        }
    }
    shared.emit(status_failure(&req.id, status, &at, &body)).await;
    Ok(())
}

/// Reads a successful response: 202 (the answer comes on the GET stream of
/// the initialize era), an event stream, or a JSON body.
async fn answer(
    shared: &Shared,
    body: Incoming,
    status: StatusCode,
    content: &str,
    at: &Url,
    id: &RequestId,
    stateless: bool,
) -> StreamEnd {
    if status == StatusCode::ACCEPTED || status == StatusCode::NO_CONTENT {
        if stateless {
            // 2026-07-28 has no other stream the answer could come on.
            return StreamEnd::Failed(HttpError::Protocol {
                url: at.to_string(),
                reason: format!("HTTP {status} to request {id}, which can then never be answered"),
            });
        }
        return StreamEnd::Answered;
    }
    if content == "text/event-stream" {
        let reader = SseReader::new(body, shared.client.max_size, shared.client.idle, at.to_string());
        return read_stream(shared, reader, id).await;
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
    if shared.deliver_body(&bytes, id).await {
        return StreamEnd::Answered;
    }
    StreamEnd::Failed(HttpError::Protocol {
        url: at.to_string(),
        reason: format!(
            "HTTP {status} ({}) did not answer request {id}",
            if content.is_empty() {
                "no content type"
            } else {
                content
            }
        ),
    })
}
