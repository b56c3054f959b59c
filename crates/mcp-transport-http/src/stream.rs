//! Reading the event stream that answers one request: every message on it
//! goes to the engine, until the request's response.

use std::time::Duration;

use mcp_jsonrpc::{Inbound, Message, RequestId, TransportError};

use crate::error::HttpError;
use crate::event_stream::{Event, SseReader};
use crate::shared::Shared;

/// How reading a response stream ended.
pub(crate) enum StreamEnd {
    /// The request's response was delivered.
    Answered,
    /// The stream ended or broke before the response.
    Broken {
        last_event_id: Option<String>,
        retry: Option<Duration>,
        why: String,
    },
    /// A failure that reading on will not fix (too large, idle timeout).
    Failed(HttpError),
}

/// True for an event that carries a JSON-RPC message.
pub(crate) fn is_message(event: &Event) -> bool {
    !event.data.trim().is_empty() && event.event.as_deref().is_none_or(|e| e == "message")
}

/// What a message event of a stream that answers no one request (the GET
/// stream, the HTTP+SSE stream) hands to the engine.
pub(crate) fn inbound(event: &Event) -> Inbound {
    match Message::from_slice(event.data.as_bytes()) {
        Ok(m) => Inbound::Message(m),
        Err(e) => Inbound::Report(TransportError::Malformed(e)),
    }
}

/// Reads the response stream of request `id`, delivering each message.
pub(crate) async fn read_stream(shared: &Shared, mut reader: SseReader, id: &RequestId) -> StreamEnd {
    loop {
        match reader.next().await {
            Ok(Some(event)) => {
                if !is_message(&event) {
                    continue;
                }
                match Message::from_slice(event.data.as_bytes()) {
                    Ok(m) => {
                        if shared.deliver(m, id).await {
                            return StreamEnd::Answered;
                        }
                    }
                    Err(e) => {
                        shared.emit(Inbound::Report(TransportError::Malformed(e))).await;
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
