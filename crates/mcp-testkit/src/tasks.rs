//! The tasks extension (`io.modelcontextprotocol/tasks`, 2026-07-28): tool
//! calls that run in the background, `tasks/get`, `tasks/update` and
//! `tasks/cancel`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mcp_jsonrpc::{error_codes, ErrorObject};
use mcp_types::methods;
use serde_json::{json, Value};
use tokio::sync::oneshot;
use tokio::task::AbortHandle;

/// How long a task is kept (advertised; tasks are never purged here).
const TASK_TTL_MS: u64 = 60_000;
/// How often clients should poll.
const POLL_INTERVAL_MS: u64 = 50;
/// The key of `task_input`'s one input request.
const INPUT_KEY: &str = "answer";

#[derive(Debug)]
struct Entry {
    status: &'static str,
    created_at: String,
    updated_at: String,
    /// The `CallToolResult` once completed.
    result: Option<Value>,
    /// Outstanding input requests (status `input_required`).
    input_requests: Option<Value>,
    /// Where the answer to the input request goes.
    input: Option<oneshot::Sender<Value>>,
    work: Option<AbortHandle>,
}

impl Drop for Entry {
    fn drop(&mut self) {
        if let Some(work) = &self.work {
            work.abort();
        }
    }
}

impl Entry {
    fn set(&mut self, status: &'static str) {
        self.status = status;
        self.updated_at = now_iso8601();
    }

    fn terminal(&self) -> bool {
        matches!(self.status, "completed" | "cancelled" | "failed")
    }

    /// The `Task` fields.
    fn task(&self, id: &str) -> Value {
        json!({
            "taskId": id,
            "status": self.status,
            "createdAt": self.created_at,
            "lastUpdatedAt": self.updated_at,
            "ttlMs": TASK_TTL_MS,
            "pollIntervalMs": POLL_INTERVAL_MS,
        })
    }
}

type Table = Mutex<HashMap<String, Entry>>;

/// The tasks of one connection. Dropping it aborts their work.
#[derive(Debug, Default)]
pub(crate) struct Tasks {
    table: Arc<Table>,
    next: std::sync::atomic::AtomicU64,
}

fn lock(table: &Table) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
    table.lock().unwrap_or_else(|e| e.into_inner())
}

fn text(text: impl Into<String>) -> Value {
    json!({"content": [{"type": "text", "text": text.into()}]})
}

/// Sets task `id` completed with `result`, unless it already ended.
fn finish(table: &Weak<Table>, id: &str, result: Value) {
    let Some(table) = table.upgrade() else { return };
    let mut entries = lock(&table);
    if let Some(entry) = entries.get_mut(id).filter(|e| !e.terminal()) {
        entry.result = Some(result);
        entry.input_requests = None;
        entry.work = None;
        entry.set("completed");
    }
}

impl Tasks {
    /// Creates a task running `work` (which gets a weak handle on the table
    /// and the task id); returns the `CreateTaskResult`.
    fn create<F, Fut>(
        &self,
        status: &'static str,
        input_requests: Option<Value>,
        input: Option<oneshot::Sender<Value>>,
        work: F,
    ) -> Value
    where
        F: FnOnce(Weak<Table>, String) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let id = format!("task-{n}");
        let now = now_iso8601();
        let mut entries = lock(&self.table);
        let entry = entries.entry(id.clone()).or_insert(Entry {
            status,
            created_at: now.clone(),
            updated_at: now,
            result: None,
            input_requests,
            input,
            work: None,
        });
        // Spawned under the lock: the work cannot finish before its entry
        // holds the abort handle.
        entry.work = Some(tokio::spawn(work(Arc::downgrade(&self.table), id.clone())).abort_handle());
        let mut task = entry.task(&id);
        task["resultType"] = json!("task");
        task
    }

    /// `slow` as a task: `steps` steps of `delay`.
    pub(crate) fn create_slow(&self, steps: u64, delay: Duration) -> Value {
        self.create("working", None, None, move |table, id| async move {
            for _ in 0..steps {
                tokio::time::sleep(delay).await;
            }
            finish(&table, &id, text(format!("done after {steps} steps")));
        })
    }

    /// `task_input` as a task: waits for `tasks/update` to answer `question`.
    pub(crate) fn create_input(&self, question: String) -> Value {
        let requests = json!({ INPUT_KEY: {
            "method": methods::ELICITATION_CREATE,
            "params": {
                "message": question,
                "requestedSchema": {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}
            }
        }});
        let (tx, rx) = oneshot::channel::<Value>();
        self.create(
            "input_required",
            Some(requests),
            Some(tx),
            move |table, id| async move {
                let Ok(answer) = rx.await else { return };
                let action = answer["action"].as_str().unwrap_or("?");
                let result = match answer["content"]["answer"].as_str() {
                    Some(a) if action == "accept" => text(format!("the user answered: {a}")),
                    _ => text(format!("the user chose to {action}")),
                };
                finish(&table, &id, result);
            },
        )
    }

    fn with_entry<T>(&self, params: &Value, f: impl FnOnce(&str, &mut Entry) -> T) -> Result<T, ErrorObject> {
        let Some(id) = params.get("taskId").and_then(Value::as_str) else {
            return Err(ErrorObject::new(
                error_codes::INVALID_PARAMS,
                "`taskId` must be a string",
            ));
        };
        let mut entries = lock(&self.table);
        match entries.get_mut(id) {
            Some(entry) => Ok(f(id, entry)),
            None => Err(
                ErrorObject::new(error_codes::INVALID_PARAMS, format!("unknown task {id:?}"))
                    .with_data(json!({"taskId": id})),
            ),
        }
    }

    /// `tasks/get`: the detailed task.
    pub(crate) fn get(&self, params: &Value) -> Result<Value, ErrorObject> {
        self.with_entry(params, |id, entry| {
            let mut task = entry.task(id);
            task["resultType"] = json!("complete");
            if let Some(result) = &entry.result {
                task["result"] = result.clone();
            }
            if let Some(requests) = &entry.input_requests {
                task["inputRequests"] = requests.clone();
            }
            task
        })
    }

    /// `tasks/update`: delivers input responses (unknown keys are ignored).
    pub(crate) fn update(&self, params: &Value) -> Result<Value, ErrorObject> {
        let responses = params.get("inputResponses").cloned().unwrap_or(Value::Null);
        self.with_entry(params, |_, entry| {
            if let Some(answer) = responses
                .get(INPUT_KEY)
                .filter(|_| entry.status == "input_required")
            {
                if let Some(input) = entry.input.take() {
                    let _ = input.send(answer.clone());
                    entry.input_requests = None;
                    entry.set("working");
                }
            }
            json!({"resultType": "complete"})
        })
    }

    /// `tasks/cancel`: stops the work; the task becomes `cancelled`.
    pub(crate) fn cancel(&self, params: &Value) -> Result<Value, ErrorObject> {
        self.with_entry(params, |_, entry| {
            if !entry.terminal() {
                if let Some(work) = entry.work.take() {
                    work.abort();
                }
                entry.input = None;
                entry.input_requests = None;
                entry.set("cancelled");
            }
            json!({"resultType": "complete"})
        })
    }
}

/// Now as an ISO 8601 UTC timestamp with milliseconds.
fn now_iso8601() -> String {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        since.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_look_like_iso8601() {
        let t = super::now_iso8601();
        assert_eq!(t.len(), "2026-07-28T00:00:00.000Z".len(), "{t}");
        assert!(
            t.starts_with("20") && t.ends_with('Z') && t.as_bytes()[10] == b'T',
            "{t}"
        );
    }
}
