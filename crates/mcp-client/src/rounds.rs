//! The request pipeline of the stateless era: per-request `_meta`, the
//! result cache, `resultType`, and multi round-trip requests whose input
//! requests are answered through the same callbacks that serve
//! server-to-client requests in the initialize era.

use mcp_jsonrpc::RawValue;
use mcp_types::{
    methods, InputRequest, InputRequests, InputRequiredResult, InputResponse, InputResponses, ResultType,
};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::cache::is_cacheable;
use crate::envelope::Additions;
use crate::error::{ClientError, Result};
use crate::options::{CallOptions, RequestContext};
use crate::session::{decode, ClientSession};

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
    /// [`ClientSession::request_once`]'s `input` argument.
    InputRequired(InputRequiredResult),
}

impl ClientSession {
    /// Sends `method` and returns the raw final result: in the initialize
    /// era one exchange; in the stateless era with `_meta`, caching, input
    /// rounds and tasks.
    pub(crate) async fn request_value<P: Serialize + ?Sized>(
        &self,
        method: &'static str,
        params: &P,
        call: &CallOptions,
    ) -> Result<Box<RawValue>> {
        let Some(meta) = self.modern_meta() else {
            return self.exchange(method, params, Additions::default(), call).await;
        };
        let cache_key = (self.options().cache_results && is_cacheable(method))
            .then(|| serde_json::to_string(params).unwrap_or_default());
        if let (Some(key), false) = (&cache_key, call.bypass_cache) {
            if let Some(hit) = self.inner.shared.cache.get(method, key) {
                tracing::debug!(method, "result served from the cache");
                return Ok(hit);
            }
        }
        let generation = self.inner.shared.cache.generation();
        let mut responses: Option<InputResponses> = None;
        let mut state: Option<String> = None;
        let max_rounds = self.options().max_input_rounds;
        for round in 0..=max_rounds {
            let additions = Additions {
                meta: Some(&meta),
                input_responses: responses.as_ref(),
                request_state: state.as_deref(),
                ..Default::default()
            };
            let raw = self.exchange(method, params, additions, call).await?;
            let probe: Probe = decode(method, &raw)?;
            match probe.result_type.unwrap_or(ResultType::Complete) {
                ResultType::Complete => {
                    if let (Some(key), 0) = (&cache_key, round) {
                        self.inner
                            .shared
                            .cache
                            .put(method, key, &raw, probe.ttl_ms, generation);
                    }
                    return Ok(raw);
                }
                ResultType::InputRequired if accepts_input(method) => {
                    let required: InputRequiredResult = decode(method, &raw)?;
                    responses = match required.input_requests {
                        Some(requests) if !requests.is_empty() => {
                            Some(self.answer_inputs(method, requests).await?)
                        }
                        _ => None,
                    };
                    // Echo exactly what the server sent, and nothing if it
                    // sent nothing.
                    state = required.request_state;
                }
                ResultType::Other(t)
                    if t == "task" && method == methods::TOOLS_CALL && self.options().tasks =>
                {
                    // Boxed: polling the task goes through this pipeline again.
                    return Box::pin(self.await_task(method, &raw)).await;
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
    /// answer input requests themselves: pass `input` = the answers and the
    /// `requestState` of the previous round (`None` the first time).
    /// Stateless era only.
    pub async fn request_once<M: mcp_types::RequestMethod>(
        &self,
        params: &M::Params,
        input: Option<(&InputResponses, Option<&str>)>,
        call: CallOptions,
    ) -> Result<RoundResult<M::Result>> {
        let Some(meta) = self.modern_meta() else {
            return Err(ClientError::NotSupported {
                method: M::METHOD.to_owned(),
                why: "multi round-trip requests exist only in protocol 2026-07-28; this session speaks an earlier version".into(),
            });
        };
        let additions = Additions {
            meta: Some(&meta),
            input_responses: input.map(|(r, _)| r),
            request_state: input.and_then(|(_, s)| s),
            ..Default::default()
        };
        let raw = self.exchange(M::METHOD, params, additions, &call).await?;
        let probe: Probe = decode(M::METHOD, &raw)?;
        match probe.result_type.unwrap_or(ResultType::Complete) {
            ResultType::Complete => Ok(RoundResult::Complete(decode(M::METHOD, &raw)?)),
            ResultType::InputRequired => Ok(RoundResult::InputRequired(decode(M::METHOD, &raw)?)),
            other => Err(ClientError::InvalidResponse {
                method: M::METHOD.to_owned(),
                detail: format!("unexpected resultType `{}`", other.as_str()),
            }),
        }
    }

    /// Answers each input request through the matching callback, in key
    /// order.
    pub(crate) async fn answer_inputs(
        &self,
        method: &str,
        requests: InputRequests,
    ) -> Result<InputResponses> {
        let o = self.options();
        let mut responses = InputResponses::new();
        for (key, request) in requests {
            let cx = RequestContext {
                cancelled: CancellationToken::new(),
            };
            let undeclared = |what: &str| ClientError::InvalidResponse {
                method: method.to_owned(),
                detail: format!("the server asked for {what}, which this client did not declare"),
            };
            let failed = |request: &str| {
                let method = method.to_owned();
                let request = request.to_owned();
                move |error| ClientError::InputRequestFailed {
                    method,
                    request,
                    error,
                }
            };
            let response = match request {
                InputRequest::Elicitation(p) => {
                    let cb = o
                        .elicitation_callback
                        .as_ref()
                        .ok_or_else(|| undeclared("elicitation"))?;
                    InputResponse::Elicitation(cb(cx, p).await.map_err(failed(methods::ELICITATION_CREATE))?)
                }
                InputRequest::CreateMessage(p) => {
                    let cb = o
                        .sampling_callback
                        .as_ref()
                        .ok_or_else(|| undeclared("sampling"))?;
                    InputResponse::CreateMessage(
                        cb(cx, p)
                            .await
                            .map_err(failed(methods::SAMPLING_CREATE_MESSAGE))?,
                    )
                }
                InputRequest::ListRoots(_) => {
                    let cb = o
                        .list_roots_callback
                        .as_ref()
                        .ok_or_else(|| undeclared("roots"))?;
                    InputResponse::ListRoots(cb(cx).await.map_err(failed(methods::ROOTS_LIST))?)
                }
                InputRequest::Unknown { method: m, .. } => {
                    return Err(ClientError::InvalidResponse {
                        method: method.to_owned(),
                        detail: format!("the server asked for input with unknown method `{m}`"),
                    })
                }
            };
            responses.insert(key, response);
        }
        Ok(responses)
    }
}
