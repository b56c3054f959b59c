//! The tasks extension (`io.modelcontextprotocol/tasks`), opt-in: a tool
//! call that returns a task is polled with `tasks/get` at the server's
//! `pollIntervalMs` until it ends, within the call's maximum total; input
//! it asks for is answered through the callbacks and sent with
//! `tasks/update`; dropping the call sends `tasks/cancel`.

use std::any::Any;
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Weak};
use std::time::Duration;

use mcp_jsonrpc::{Peer, RawValue, RequestOptions, TimeoutKind};
use mcp_types::InputRequests;
use serde_json::{json, Map, Value};
use tokio::time::Instant;

use crate::envelope::{encode, Additions};
use crate::error::{ClientError, Result};
use crate::inputs::answer_inputs;
use crate::options::{CallOptions, ClientSessionOptions};
use crate::wire::{decode, Wire};

const TASKS_GET: &str = "tasks/get";
const TASKS_UPDATE: &str = "tasks/update";
const TASKS_CANCEL: &str = "tasks/cancel";
const POLL_MIN: Duration = Duration::from_millis(10);
const POLL_MAX: Duration = Duration::from_secs(30);
const POLL_DEFAULT: Duration = Duration::from_millis(500);

fn poll_interval(task: &Value) -> Option<Duration> {
    task.get("pollIntervalMs")
        .and_then(Value::as_u64)
        .map(|ms| Duration::from_millis(ms).clamp(POLL_MIN, POLL_MAX))
}

/// Sends `tasks/cancel` if the call is dropped (or gives up) before the
/// task ended.
struct CancelOnDrop {
    peer: Peer,
    meta: Arc<Map<String, Value>>,
    task_id: String,
    armed: bool,
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let peer = self.peer.clone();
        let params = json!({ "taskId": self.task_id });
        let additions = Additions {
            meta: Some(&self.meta),
            ..Default::default()
        };
        let Ok(raw) = encode(TASKS_CANCEL, &params, &additions) else {
            return;
        };
        rt.spawn(async move {
            let options = RequestOptions::default().timeout(Duration::from_secs(10));
            if let Err(e) = peer.request_raw(TASKS_CANCEL, Some(raw), options).await {
                tracing::debug!(error = %e, "tasks/cancel failed");
            }
        });
    }
}

/// What polling a task needs of the session.
pub(crate) struct TaskPoll<'a> {
    pub(crate) wire: &'a Wire,
    pub(crate) options: &'a ClientSessionOptions,
    pub(crate) session: &'a Weak<dyn Any + Send + Sync>,
    pub(crate) meta: Arc<Map<String, Value>>,
    pub(crate) call: &'a CallOptions,
}

impl TaskPoll<'_> {
    async fn request(&self, method: &'static str, params: &Value) -> Result<Box<RawValue>> {
        let additions = Additions {
            meta: Some(&self.meta),
            ..Default::default()
        };
        let call = CallOptions {
            timeout: self.call.timeout,
            cancellation: self.call.cancellation.clone(),
            ..CallOptions::default()
        };
        self.wire
            .exchange(self.options, method, params, additions, &call)
            .await
    }

    /// Polls the task that `created` describes until it ends; returns the
    /// original request's final result.
    pub(crate) async fn await_task(&self, method: &str, created: &RawValue) -> Result<Box<RawValue>> {
        let start = Instant::now();
        let max_total = Wire::request_options(self.options, self.call)
            .max_total
            .unwrap_or(self.options.max_total);
        let created: Value = decode(method, created)?;
        // 2026-07-28 sends the task's fields flat; 2025-11-25 nested them.
        let task = created.get("task").filter(|t| t.is_object()).unwrap_or(&created);
        let task_id = task
            .get("taskId")
            .and_then(Value::as_str)
            .ok_or_else(|| ClientError::InvalidResponse {
                method: method.to_owned(),
                detail: "a task result without a taskId".into(),
            })?
            .to_owned();
        let mut guard = CancelOnDrop {
            peer: self.wire.peer.clone(),
            meta: self.meta.clone(),
            task_id: task_id.clone(),
            armed: true,
        };
        let mut interval = poll_interval(task).unwrap_or(POLL_DEFAULT);
        let mut answered = HashSet::new();
        let params = json!({ "taskId": task_id });
        loop {
            if start.elapsed() + interval > max_total {
                // The guard cancels the task on the way out.
                return Err(ClientError::Timeout {
                    method: method.to_owned(),
                    id: None,
                    elapsed: start.elapsed(),
                    kind: TimeoutKind::Total,
                });
            }
            tokio::time::sleep(interval).await;
            let raw = self.request(TASKS_GET, &params).await?;
            let task: Value = decode(TASKS_GET, &raw)?;
            interval = poll_interval(&task).unwrap_or(interval);
            let status = task.get("status").and_then(Value::as_str).unwrap_or_default();
            match status {
                "working" | "submitted" => {}
                "input_required" => {
                    let requests: InputRequests = match task.get("inputRequests") {
                        Some(r) => {
                            serde_json::from_value(r.clone()).map_err(|e| ClientError::InvalidResponse {
                                method: TASKS_GET.to_owned(),
                                detail: e.to_string(),
                            })?
                        }
                        None => BTreeMap::new(),
                    };
                    // Keys are unique over the task's life: answer each once.
                    let fresh: InputRequests = requests
                        .into_iter()
                        .filter(|(k, _)| !answered.contains(k))
                        .collect();
                    if fresh.is_empty() {
                        continue;
                    }
                    let keys: Vec<String> = fresh.keys().cloned().collect();
                    let responses = answer_inputs(self.options, self.session, method, fresh).await?;
                    let update = json!({ "taskId": task_id, "inputResponses": responses });
                    self.request(TASKS_UPDATE, &update).await?;
                    answered.extend(keys);
                }
                "completed" => {
                    guard.armed = false;
                    let result = task.get("result").cloned().unwrap_or(Value::Null);
                    return mcp_jsonrpc::to_raw(&result).map_err(|e| ClientError::InvalidResponse {
                        method: method.to_owned(),
                        detail: e.to_string(),
                    });
                }
                "failed" | "cancelled" => {
                    guard.armed = false;
                    let detail = task
                        .get("error")
                        .and_then(|e| e.get("message"))
                        .or_else(|| task.get("statusMessage"))
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    return Err(ClientError::TaskEnded {
                        method: method.to_owned(),
                        task_id,
                        status: status.to_owned(),
                        detail,
                    });
                }
                other => {
                    return Err(ClientError::InvalidResponse {
                        method: TASKS_GET.to_owned(),
                        detail: format!("unknown task status `{other}`"),
                    })
                }
            }
        }
    }
}
