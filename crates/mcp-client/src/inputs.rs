//! The input requests of the stateless era (inside `input_required`
//! results and tasks), answered through the same callbacks that serve the
//! server's requests in the initialize era.

use std::any::Any;
use std::sync::Weak;

use mcp_types::{methods, InputRequest, InputRequests, InputResponse, InputResponses};
use tokio_util::sync::CancellationToken;

use crate::context::RequestContext;
use crate::error::{ClientError, Result};
use crate::options::ClientSessionOptions;

/// Answers each input request through the matching callback, in key
/// order. `session` becomes the callbacks' (weak) session handle.
pub(crate) async fn answer_inputs(
    options: &ClientSessionOptions,
    session: &Weak<dyn Any + Send + Sync>,
    method: &str,
    requests: InputRequests,
) -> Result<InputResponses> {
    let mut responses = InputResponses::new();
    for (key, request) in requests {
        let cx = RequestContext {
            request_id: None,
            input_key: Some(key.clone()),
            meta: None,
            progress_token: None,
            cancelled: CancellationToken::new(),
            session: session.clone(),
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
                let cb = options
                    .elicitation_callback
                    .as_ref()
                    .ok_or_else(|| undeclared("elicitation"))?;
                InputResponse::Elicitation(cb(cx, p).await.map_err(failed(methods::ELICITATION_CREATE))?)
            }
            InputRequest::CreateMessage(p) => {
                let cb = options
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
                let cb = options
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
            other => {
                return Err(ClientError::InvalidResponse {
                    method: method.to_owned(),
                    detail: format!("the server asked for input this client does not know: {other:?}"),
                })
            }
        };
        responses.insert(key, response);
    }
    Ok(responses)
}
