//! Serves what the server sends us: its requests go to the user's
//! callbacks, its notifications to the logging callback, the message handler
//! and the session's own bookkeeping.

use std::sync::Arc;

use async_trait::async_trait;
use mcp_jsonrpc::{error_codes, ErrorObject, Handler, Notification, Peer, RawValue, Request, TransportError};
use mcp_types::{methods, ServerNotification, ServerRequest};
use serde::Serialize;

use crate::options::{IncomingMessage, RequestContext};
use crate::session::Shared;

pub(crate) struct SessionHandler {
    pub(crate) shared: Arc<Shared>,
}

fn encode<T: Serialize>(value: &T) -> Result<Box<RawValue>, ErrorObject> {
    mcp_jsonrpc::to_raw(value).map_err(|e| {
        ErrorObject::new(
            error_codes::INTERNAL_ERROR,
            format!("could not encode the result: {e}"),
        )
    })
}

fn unsupported(what: &str, callback: &str) -> ErrorObject {
    ErrorObject::new(
        error_codes::METHOD_NOT_FOUND,
        format!("this client does not support {what} (no {callback} is configured)"),
    )
}

#[async_trait]
impl Handler for SessionHandler {
    async fn handle_request(
        &self,
        request: Request,
        cx: mcp_jsonrpc::RequestContext,
    ) -> Result<Box<RawValue>, ErrorObject> {
        let params = request.params.as_deref().map(RawValue::get);
        let parsed = ServerRequest::parse(&request.method, params).map_err(|e| {
            ErrorObject::new(
                error_codes::INVALID_PARAMS,
                format!("invalid params for `{}`: {e}", request.method),
            )
        })?;
        let ctx = RequestContext {
            cancelled: cx.cancelled.clone(),
        };
        let o = &self.shared.options;
        match parsed {
            ServerRequest::Ping(_) => encode(&serde_json::json!({})),
            ServerRequest::CreateMessage(p) => match &o.sampling_callback {
                Some(cb) => encode(&cb(ctx, p).await?),
                None => Err(unsupported("sampling", "sampling callback")),
            },
            ServerRequest::Elicit(p) => match &o.elicitation_callback {
                Some(cb) => encode(&cb(ctx, p).await?),
                None => Err(unsupported("elicitation", "elicitation callback")),
            },
            ServerRequest::ListRoots(_) => match &o.list_roots_callback {
                Some(cb) => encode(&cb(ctx).await?),
                None => Err(unsupported("roots", "list-roots callback")),
            },
            other => Err(ErrorObject::new(
                error_codes::METHOD_NOT_FOUND,
                format!("method not found: `{}`", other.method()),
            )),
        }
    }

    async fn handle_notification(&self, notification: Notification, _peer: &Peer) {
        let params = notification.params.as_deref().map(RawValue::get);
        let parsed = match ServerNotification::parse(&notification.method, params) {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(method = %notification.method, error = %e, "ignored a notification with invalid params");
                return;
            }
        };
        let shared = &self.shared;
        match &parsed {
            ServerNotification::ToolListChanged(_) => {
                shared.tool_schemas.clear();
                shared.cache.invalidate_method(methods::TOOLS_LIST);
            }
            ServerNotification::PromptListChanged(_) => shared.cache.invalidate_method(methods::PROMPTS_LIST),
            ServerNotification::ResourceListChanged(_) => {
                shared.cache.invalidate_method(methods::RESOURCES_LIST);
                shared.cache.invalidate_method(methods::RESOURCES_TEMPLATES_LIST);
            }
            ServerNotification::ResourceUpdated(p) => shared.cache.invalidate_read(&p.uri),
            ServerNotification::SubscriptionsAcknowledged(p) => {
                shared.listen.acknowledged(p.notifications.clone())
            }
            ServerNotification::LoggingMessage(p) => {
                if let Some(cb) = &shared.options.logging_callback {
                    cb(p.clone()).await;
                }
            }
            _ => {}
        }
        if let Some(handler) = &shared.options.message_handler {
            handler(IncomingMessage::Notification(Arc::new(parsed))).await;
        }
    }

    fn handle_transport_error(&self, error: &TransportError) {
        tracing::debug!(%error, "transport report");
        if let Some(handler) = self.shared.options.message_handler.clone() {
            let report = Arc::new(TransportError::Other(error.to_string().into()));
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(async move { handler(IncomingMessage::TransportError(report)).await });
            }
        }
    }
}
