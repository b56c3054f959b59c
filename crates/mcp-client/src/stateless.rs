//! The machinery of the stateless era (2026-07-28): the `_meta` every
//! request carries, the result cache, `resultType`, multi round-trip
//! requests whose input requests are answered through the callbacks, tasks,
//! and the `subscriptions/listen` stream.

use std::any::Any;
use std::sync::{Arc, RwLock, Weak};

use mcp_jsonrpc::{Peer, RawValue};
use mcp_types::{
    meta_keys, methods, InputRequiredResult, InputResponses, LoggingLevel, ResultType, ServerCapabilities,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::cache::is_cacheable;
use crate::envelope::Additions;
use crate::error::{ClientError, Result};
use crate::inputs::answer_inputs;
use crate::listen::Listener;
use crate::options::CallOptions;
use crate::shared::Shared;
use crate::tasks::TaskPoll;
use crate::wire::{decode, Wire};

/// The fields of a result the pipeline looks at before decoding it.
#[derive(Deserialize)]
struct Probe {
    #[serde(rename = "resultType", default)]
    result_type: Option<ResultType>,
    #[serde(rename = "ttlMs", default)]
    ttl_ms: Option<i64>,
}

/// The methods whose results may ask for input (2026-07-28).
fn accepts_input(method: &str) -> bool {
    matches!(
        method,
        methods::TOOLS_CALL | methods::PROMPTS_GET | methods::RESOURCES_READ
    )
}

/// What one exchange returned: a final result or a request for input.
#[derive(Debug)]
#[non_exhaustive]
pub enum RoundResult<T> {
    /// The final result.
    Complete(T),
    /// The server asks for input; answer it and retry with
    /// [`ClientSession::request_once`](crate::ClientSession::request_once)'s
    /// `input` argument.
    InputRequired(InputRequiredResult),
}

/// Everything a stateless request needs of the session.
pub(crate) struct Ctx<'a> {
    pub(crate) wire: &'a Wire,
    pub(crate) shared: &'a Shared,
    pub(crate) session: &'a Weak<dyn Any + Send + Sync>,
}

/// The state of a session in the stateless era.
pub(crate) struct StatelessEra {
    /// The `_meta` every request carries.
    meta: RwLock<Arc<Map<String, Value>>>,
    listener: Listener,
}

impl StatelessEra {
    pub(crate) fn new(meta: Map<String, Value>) -> Self {
        StatelessEra {
            meta: RwLock::new(Arc::new(meta)),
            listener: Listener::default(),
        }
    }

    pub(crate) fn meta(&self) -> Arc<Map<String, Value>> {
        self.meta.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Every later request carries `level` as `_meta.logLevel`.
    pub(crate) fn set_log_level(&self, level: &LoggingLevel) {
        let mut meta = self.meta.write().unwrap_or_else(|p| p.into_inner());
        let mut next = (**meta).clone();
        next.insert(
            meta_keys::LOG_LEVEL.into(),
            serde_json::to_value(level).unwrap_or(Value::Null),
        );
        *meta = Arc::new(next);
    }

    /// Opens the listen stream for the list changes the server offers.
    pub(crate) fn listen_for_list_changes(&self, peer: &Peer, shared: &Shared, caps: &ServerCapabilities) {
        if shared.options.listen_for_list_changes {
            self.listener
                .listen_for_list_changes(peer, &self.meta(), &shared.acks, caps);
        }
    }

    /// Adds or removes a resource subscription on the listen stream.
    pub(crate) async fn listen_resource(
        &self,
        peer: &Peer,
        shared: &Shared,
        uri: &str,
        on: bool,
    ) -> Result<()> {
        let timeout = shared.options.read_timeout;
        self.listener
            .listen_resource(peer, &self.meta(), &shared.acks, uri, on, timeout)
            .await
    }

    /// Stops the listen stream.
    pub(crate) fn stop(&self) {
        self.listener.stop();
    }

    /// Sends `method` and returns the raw final result: the cache, input
    /// rounds and tasks included.
    pub(crate) async fn request<P: Serialize + ?Sized>(
        &self,
        cx: &Ctx<'_>,
        method: &'static str,
        params: &P,
        call: &CallOptions,
    ) -> Result<Box<RawValue>> {
        let meta = self.meta();
        let options = &cx.shared.options;
        let cache = &cx.shared.cache;
        let cache_key = (options.cache_results && is_cacheable(method))
            .then(|| serde_json::to_string(params).unwrap_or_default());
        if let (Some(key), false) = (&cache_key, call.bypass_cache) {
            if let Some(hit) = cache.get(method, key) {
                tracing::debug!(method, "result served from the cache");
                return Ok(hit);
            }
        }
        let generation = cache.generation();
        let mut responses: Option<InputResponses> = None;
        let mut state: Option<String> = None;
        let max_rounds = options.max_input_rounds;
        for round in 0..=max_rounds {
            let additions = Additions {
                meta: Some(&meta),
                input_responses: responses.as_ref(),
                request_state: state.as_deref(),
                ..Default::default()
            };
            let raw = cx.wire.exchange(options, method, params, additions, call).await?;
            let probe: Probe = decode(method, &raw)?;
            match probe.result_type.unwrap_or(ResultType::Complete) {
                ResultType::Complete => {
                    if let (Some(key), 0) = (&cache_key, round) {
                        cache.put(method, key, &raw, probe.ttl_ms, generation);
                    }
                    return Ok(raw);
                }
                ResultType::InputRequired if accepts_input(method) => {
                    let required: InputRequiredResult = decode(method, &raw)?;
                    responses = match required.input_requests {
                        Some(requests) if !requests.is_empty() => {
                            Some(answer_inputs(options, cx.session, method, requests).await?)
                        }
                        _ => None,
                    };
                    // Echo exactly what the server sent, and nothing if it
                    // sent nothing.
                    state = required.request_state;
                }
                ResultType::Other(t) if t == "task" && method == methods::TOOLS_CALL && options.tasks => {
                    let poll = TaskPoll {
                        wire: cx.wire,
                        options,
                        session: cx.session,
                        meta: Some(meta.clone()),
                        call,
                    };
                    return poll.await_task(method, &raw).await;
                }
                other => {
                    return Err(ClientError::InvalidResponse {
                        method: method.to_owned(),
                        detail: format!("unexpected resultType `{}`", other.as_str()),
                    })
                }
            }
        }
        Err(ClientError::TooManyInputRounds {
            method: method.to_owned(),
            rounds: max_rounds,
        })
    }

    /// One exchange of a request that may ask for input, for callers that
    /// answer input requests themselves.
    pub(crate) async fn request_once<P: Serialize + ?Sized, T: serde::de::DeserializeOwned>(
        &self,
        cx: &Ctx<'_>,
        method: &'static str,
        params: &P,
        input: Option<(&InputResponses, Option<&str>)>,
        call: &CallOptions,
    ) -> Result<RoundResult<T>> {
        let meta = self.meta();
        let additions = Additions {
            meta: Some(&meta),
            input_responses: input.map(|(r, _)| r),
            request_state: input.and_then(|(_, s)| s),
            ..Default::default()
        };
        let raw = cx
            .wire
            .exchange(&cx.shared.options, method, params, additions, call)
            .await?;
        let probe: Probe = decode(method, &raw)?;
        match probe.result_type.unwrap_or(ResultType::Complete) {
            ResultType::Complete => Ok(RoundResult::Complete(decode(method, &raw)?)),
            ResultType::InputRequired => Ok(RoundResult::InputRequired(decode(method, &raw)?)),
            other => Err(ClientError::InvalidResponse {
                method: method.to_owned(),
                detail: format!("unexpected resultType `{}`", other.as_str()),
            }),
        }
    }
}
