//! The era a session settled on at its handshake, as one value: each
//! operation whose shape differs between the eras asks it once, here.

use mcp_jsonrpc::RawValue;
use mcp_types::{
    methods, EmptyResult, LoggingLevel, RequestMethod, SetLevelRequest, SetLevelRequestParams,
    SubscribeRequest, SubscribeRequestParams, UnsubscribeRequest,
};
use serde::Serialize;
use serde_json::Map;

use crate::envelope::Additions;
use crate::error::{ClientError, Result};
use crate::options::CallOptions;
use crate::stateless::{Ctx, StatelessEra};
use crate::wire::decode;

/// The machinery of the era the session speaks.
pub(crate) enum EraState {
    /// The initialize era: requests go as they are; the server's own
    /// requests are served by the handler.
    Initialize,
    /// The stateless era, with its state.
    Stateless(StatelessEra),
}

impl EraState {
    /// The stateless machinery, or why `method` needs it.
    pub(crate) fn stateless(&self, method: &str) -> Result<&StatelessEra> {
        match self {
            EraState::Stateless(s) => Ok(s),
            EraState::Initialize => Err(ClientError::NotSupported {
                method: method.to_owned(),
                why: "it exists only in protocol 2026-07-28; the session speaks a version of the initialize era"
                    .into(),
            }),
        }
    }

    /// Fails `method`, removed by protocol 2026-07-28, in the stateless era.
    pub(crate) fn initialize_only(&self, method: &str, instead: &str) -> Result<()> {
        match self {
            EraState::Initialize => Ok(()),
            EraState::Stateless(_) => Err(ClientError::NotSupported {
                method: method.to_owned(),
                why: format!("protocol 2026-07-28 removed it; {instead}"),
            }),
        }
    }

    /// True when tool listings must be validated for header mirroring and
    /// a tool known before it is called.
    pub(crate) fn mirrors_tool_headers(&self) -> bool {
        matches!(self, EraState::Stateless(_))
    }

    /// Sends `method` and returns its raw final result.
    pub(crate) async fn request<P: Serialize + ?Sized>(
        &self,
        cx: &Ctx<'_>,
        method: &'static str,
        params: &P,
        call: &CallOptions,
    ) -> Result<Box<RawValue>> {
        match self {
            EraState::Initialize => {
                cx.wire
                    .exchange(&cx.shared.options, method, params, Additions::default(), call)
                    .await
            }
            // Boxed: the stateless pipeline's state (cache, input rounds,
            // tasks) would otherwise make every request's future as large.
            EraState::Stateless(s) => Box::pin(s.request(cx, method, params, call)).await,
        }
    }

    /// Subscribes to (or unsubscribes from) updates of a resource:
    /// `resources/(un)subscribe`, or a filter of the listen stream that the
    /// server acknowledges.
    pub(crate) async fn subscribe(
        &self,
        cx: &Ctx<'_>,
        uri: &str,
        on: bool,
        call: &CallOptions,
    ) -> Result<EmptyResult> {
        match self {
            EraState::Stateless(s) => {
                s.listen_resource(&cx.wire.peer, cx.shared, uri, on).await?;
                Ok(EmptyResult::default())
            }
            EraState::Initialize => {
                let params = SubscribeRequestParams {
                    uri: uri.to_owned(),
                    ..SubscribeRequestParams::default()
                };
                let method = if on {
                    SubscribeRequest::METHOD
                } else {
                    UnsubscribeRequest::METHOD
                };
                let raw = self.request(cx, method, &params, call).await?;
                decode(method, &raw)
            }
        }
    }

    /// Sets the level of the server's log messages: `logging/setLevel`, or
    /// `_meta.logLevel` on every later request.
    pub(crate) async fn set_logging_level(
        &self,
        cx: &Ctx<'_>,
        level: LoggingLevel,
        call: &CallOptions,
    ) -> Result<EmptyResult> {
        match self {
            EraState::Stateless(s) => {
                s.set_log_level(&level);
                Ok(EmptyResult::default())
            }
            EraState::Initialize => {
                let params = SetLevelRequestParams {
                    level,
                    meta: None,
                    extra: Map::new(),
                };
                let raw = self.request(cx, SetLevelRequest::METHOD, &params, call).await?;
                decode(methods::LOGGING_SET_LEVEL, &raw)
            }
        }
    }

    /// Ends the era's background work.
    pub(crate) fn stop(&self) {
        if let EraState::Stateless(s) = self {
            s.stop();
        }
    }
}
