//! Serves what the server sends us: its requests go to the user's
//! callbacks, its notifications to the logging callback, the message handler
//! and the session's own bookkeeping; transport reports and the close to the
//! message handler.

use std::any::Any;
use std::sync::{Arc, OnceLock, Weak};

use async_trait::async_trait;
use mcp_jsonrpc::{
    CloseReason, ErrorObject, Handler, InboundContext, Notification, Peer, RawValue, Request, TransportError,
};
use mcp_types::{methods, RequestMeta, ServerNotification, ServerRequest};
use serde::Serialize;

use crate::context::RequestContext;
use crate::options::IncomingMessage;
use crate::shared::Shared;

pub(crate) struct SessionHandler {
    pub(crate) shared: Arc<Shared>,
    /// The session, for the callbacks' contexts; set once it exists.
    pub(crate) session: OnceLock<Weak<dyn Any + Send + Sync>>,
    /// Rate limit for the warning about malformed notifications.
    pub(crate) complaints: mcp_jsonrpc::LogThrottle,
}

fn encode<T: Serialize>(value: &T) -> Result<Box<RawValue>, ErrorObject> {
    mcp_jsonrpc::to_raw(value)
        .map_err(|e| ErrorObject::internal_error(format!("could not encode the result: {e}")))
}

fn unsupported(what: &str, callback: &str) -> ErrorObject {
    ErrorObject::new(
        mcp_types::error_codes::METHOD_NOT_FOUND,
        format!("this client does not support {what} (no {callback} is configured)"),
    )
}

impl SessionHandler {
    fn context(&self, request: &Request, cx: &InboundContext) -> RequestContext {
        let meta = request.params.as_deref().and_then(|p| {
            #[derive(serde::Deserialize)]
            struct WithMeta {
                #[serde(rename = "_meta")]
                meta: Option<mcp_types::Meta>,
            }
            serde_json::from_str::<WithMeta>(p.get())
                .ok()
                .and_then(|w| w.meta)
        });
        let progress_token = meta
            .as_ref()
            .and_then(|m| RequestMeta::from_meta(m).ok())
            .and_then(|m| m.progress_token);
        RequestContext {
            request_id: Some(cx.id.clone()),
            input_key: None,
            meta,
            progress_token,
            cancelled: cx.cancelled.clone(),
            session: self.session.get().cloned().unwrap_or_else(|| Weak::<()>::new()),
        }
    }

    fn tell(&self, message: IncomingMessage) {
        if let Some(handler) = self.shared.options.message_handler.clone() {
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(async move { handler(message).await });
            }
        }
    }
}

#[async_trait]
impl Handler for SessionHandler {
    async fn handle_request(
        &self,
        request: Request,
        cx: InboundContext,
    ) -> Result<Box<RawValue>, ErrorObject> {
        // 2026-07-28 has no requests from the server: what it needs of the
        // client comes as input requests within a result.
        if self.shared.hints.borrow().era == Some(mcp_jsonrpc::Era::Stateless) {
            return Err(ErrorObject::new(
                mcp_types::error_codes::METHOD_NOT_FOUND,
                format!(
                    "`{}`: protocol version 2026-07-28 has no requests from the server to the client",
                    mcp_jsonrpc::excerpt(request.method.as_bytes(), 100)
                ),
            ));
        }
        let params = request.params.as_deref().map(RawValue::get);
        let parsed = ServerRequest::parse(&request.method, params).map_err(|e| {
            ErrorObject::invalid_params(format!("invalid params for `{}`: {e}", request.method))
        })?;
        let ctx = self.context(&request, &cx);
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
            other => Err(ErrorObject::method_not_found(other.method())),
        }
    }

    async fn handle_notification(&self, notification: Notification, _peer: &Peer) {
        let params = notification.params.as_deref().map(RawValue::get);
        let parsed = match ServerNotification::parse(&notification.method, params) {
            Ok(n) => n,
            Err(e) => {
                if let Some(suppressed) = self.complaints.admit() {
                    let method = mcp_jsonrpc::excerpt(notification.method.as_bytes(), 100);
                    tracing::warn!(%method, error = %e, suppressed, "ignored a notification with invalid params");
                }
                return;
            }
        };
        let shared = &self.shared;
        match &parsed {
            ServerNotification::ToolListChanged(_) => {
                shared.tools_changed();
                shared.list_changed(|c| &mut c.tools);
            }
            ServerNotification::PromptListChanged(_) => {
                shared.cache.invalidate_method(methods::PROMPTS_LIST);
                shared.list_changed(|c| &mut c.prompts);
            }
            ServerNotification::ResourceListChanged(_) => {
                shared.cache.invalidate_method(methods::RESOURCES_LIST);
                shared.cache.invalidate_method(methods::RESOURCES_TEMPLATES_LIST);
                shared.list_changed(|c| &mut c.resources);
            }
            ServerNotification::ResourceUpdated(p) => shared.cache.invalidate_read(&p.uri),
            ServerNotification::SubscriptionsAcknowledged(p) => {
                shared.acks.acknowledged(p.notifications.clone())
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

    fn handle_report(&self, error: TransportError) {
        tracing::debug!(%error, "transport report");
        self.tell(IncomingMessage::TransportError(Arc::new(error)));
    }

    fn handle_close(&self, reason: &CloseReason) {
        self.tell(IncomingMessage::Closed(reason.clone()));
    }
}
