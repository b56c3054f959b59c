//! Tasks, opt-in, awaited to completion within the call's maximum total;
//! dropping the call sends `tasks/cancel`.
//!
//! * The tasks extension of 2026-07-28 (`io.modelcontextprotocol/tasks`):
//!   a tool call that returns a task is polled with `tasks/get` at the
//!   server's `pollIntervalMs` until it ends; input it asks for is answered
//!   through the callbacks and sent with `tasks/update`.
//! * The tasks of 2025-11-25 (the `tasks` capability): a call to a tool
//!   whose `execution.taskSupport` is `required` carries a `task`
//!   parameter and is answered by a task; `tasks/get` is polled at its
//!   `pollInterval`; once the task needs input or has ended, `tasks/result`
//!   fetches the result, and while it is open the server sends its input
//!   requests as requests of its own, which the session's handler serves
//!   through the callbacks as any other.

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
const TASKS_RESULT: &str = "tasks/result";
const TASKS_UPDATE: &str = "tasks/update";
const TASKS_CANCEL: &str = "tasks/cancel";
const POLL_MIN: Duration = Duration::from_millis(10);
const POLL_MAX: Duration = Duration::from_secs(30);
const POLL_DEFAULT: Duration = Duration::from_millis(500);

fn poll_interval(task: &Value) -> Option<Duration> {
    // `pollIntervalMs` in 2026-07-28, `pollInterval` (also milliseconds) in
    // 2025-11-25.
    task.get("pollIntervalMs")
        .or_else(|| task.get("pollInterval"))
        .and_then(Value::as_u64)
        .map(|ms| Duration::from_millis(ms).clamp(POLL_MIN, POLL_MAX))
}

/// Sends `tasks/cancel` if the call is dropped (or gives up) before the
/// task ended.
struct CancelOnDrop {
    peer: Peer,
    /// The stateless era's `_meta`; `None` in the initialize era.
    meta: Option<Arc<Map<String, Value>>>,
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
            meta: self.meta.as_deref(),
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
    /// The stateless era's `_meta` of every request; `None` in the
    /// initialize era.
    pub(crate) meta: Option<Arc<Map<String, Value>>>,
    pub(crate) call: &'a CallOptions,
}

impl TaskPoll<'_> {
    async fn request(&self, method: &'static str, params: &Value) -> Result<Box<RawValue>> {
        self.request_within(method, params, None).await
    }

    /// A request of the task's, its timeout cut to `within` if given.
    async fn request_within(
        &self,
        method: &'static str,
        params: &Value,
        within: Option<Duration>,
    ) -> Result<Box<RawValue>> {
        let additions = Additions {
            meta: self.meta.as_deref(),
            ..Default::default()
        };
        let timeout = self.call.timeout.unwrap_or(self.options.read_timeout);
        let call = CallOptions {
            timeout: Some(within.map_or(timeout, |w| timeout.min(w))),
            max_total: within,
            cancellation: self.call.cancellation.clone(),
            ..CallOptions::default()
        };
        self.wire
            .exchange(self.options, method, params, additions, &call)
            .await
    }

    fn max_total(&self) -> Duration {
        Wire::request_options(self.options, self.call)
            .max_total
            .unwrap_or(self.options.max_total)
    }

    /// The created task and its id, and the guard that cancels it.
    fn created(&self, method: &str, created: &RawValue) -> Result<(Value, String, CancelOnDrop)> {
        let created: Value = decode(method, created)?;
        // 2026-07-28 sends the task's fields flat; 2025-11-25 nested them.
        let task = created
            .get("task")
            .filter(|t| t.is_object())
            .unwrap_or(&created)
            .clone();
        let task_id = task
            .get("taskId")
            .and_then(Value::as_str)
            .ok_or_else(|| ClientError::InvalidResponse {
                method: method.to_owned(),
                detail: "a task result without a taskId".into(),
            })?
            .to_owned();
        let guard = CancelOnDrop {
            peer: self.wire.peer.clone(),
            meta: self.meta.clone(),
            task_id: task_id.clone(),
            armed: true,
        };
        Ok((task, task_id, guard))
    }

    /// Awaits a task of 2025-11-25 (see the module's docs); returns the
    /// tool's result as `tasks/result` gave it.
    pub(crate) async fn await_initialize_era_task(
        &self,
        method: &str,
        created: &RawValue,
    ) -> Result<Box<RawValue>> {
        let start = Instant::now();
        let max_total = self.max_total();
        let (mut task, task_id, mut guard) = self.created(method, created)?;
        let mut interval = poll_interval(&task).unwrap_or(POLL_DEFAULT);
        let mut status = task
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("working")
            .to_owned();
        let params = json!({ "taskId": task_id });
        let out_of_time = || ClientError::Timeout {
            method: method.to_owned(),
            id: None,
            elapsed: start.elapsed(),
            kind: TimeoutKind::Total,
        };
        loop {
            match status.as_str() {
                "working" | "submitted" => {}
                // The result, once there is one (it blocks until then); the
                // input requests of the task come while it is open.
                "input_required" | "completed" | "failed" => {
                    let Some(left) = max_total.checked_sub(start.elapsed()).filter(|d| !d.is_zero()) else {
                        return Err(out_of_time());
                    };
                    match self.request_within(TASKS_RESULT, &params, Some(left)).await {
                        Ok(raw) => {
                            guard.armed = false;
                            return Ok(raw);
                        }
                        // Still waiting for input that has not come, or for
                        // the work after it: poll again.
                        Err(e)
                            if e.is_timeout()
                                && status == "input_required"
                                && start.elapsed() < max_total =>
                        {
                            tracing::debug!(task = %task_id, "tasks/result timed out; polling the task again");
                        }
                        Err(e) => return Err(e),
                    }
                }
                "cancelled" => {
                    guard.armed = false;
                    let detail = task_detail(&task);
                    return Err(ClientError::TaskEnded {
                        method: method.to_owned(),
                        task_id,
                        status,
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
            if start.elapsed() + interval > max_total {
                return Err(out_of_time());
            }
            tokio::time::sleep(interval).await;
            let raw = self.request(TASKS_GET, &params).await?;
            task = decode(TASKS_GET, &raw)?;
            interval = poll_interval(&task).unwrap_or(interval);
            status = task
                .get("status")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
        }
    }

    /// Polls the task that `created` describes until it ends; returns the
    /// original request's final result.
    pub(crate) async fn await_task(&self, method: &str, created: &RawValue) -> Result<Box<RawValue>> {
        let start = Instant::now();
        let max_total = self.max_total();
        let (task, task_id, mut guard) = self.created(method, created)?;
        let mut interval = poll_interval(&task).unwrap_or(POLL_DEFAULT);
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
                    let detail = task_detail(&task);
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

/// The server's message on a task that ended without a result.
fn task_detail(task: &Value) -> Option<String> {
    task.get("error")
        .and_then(|e| e.get("message"))
        .or_else(|| task.get("statusMessage"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}
