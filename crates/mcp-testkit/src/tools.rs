//! `tools/call` in both eras.

use std::time::Duration;

use mcp_jsonrpc::{ErrorObject, InboundContext};
use mcp_types::{methods, CallToolRequestParams, LoggingLevel};
use serde_json::{json, Value};

use crate::catalog;
use crate::mrtr::{self, Flow, Reply};
use crate::server::{invalid, text, ExampleServer};
use crate::stateless::{self, Era};

impl ExampleServer {
    /// Calls a tool. `params` are the raw request params (for
    /// `inputResponses` and `requestState`). In 2026-07-28 the result may be
    /// an `input_required` or a `task` result; the caller marks the others
    /// complete.
    pub(crate) async fn call_tool(
        &self,
        p: CallToolRequestParams,
        params: &Value,
        era: &Era,
        cx: &InboundContext,
    ) -> Result<Value, ErrorObject> {
        let args = p.arguments.clone().unwrap_or_default();
        let peer = &cx.peer;
        self.log(
            era,
            peer,
            LoggingLevel::Info,
            json!(format!("calling tool {}", p.name)),
        )
        .await;
        let num = |k: &str| args.get(k).and_then(Value::as_f64);
        let string = |k: &str| args.get(k).and_then(Value::as_str).map(str::to_owned);
        let stateless = match era {
            Era::Stateless(meta) => Some(meta),
            Era::Initialize => None,
        };
        let as_task = stateless.is_some_and(|m| stateless::has_tasks(&m.caps));
        let flow = match p.name.as_str() {
            "ask" => Some(Flow::Ask(
                string("question").ok_or_else(|| invalid("`question` must be a string"))?,
            )),
            "sample" => Some(Flow::Sample(
                string("prompt").ok_or_else(|| invalid("`prompt` must be a string"))?,
            )),
            "roots" => Some(Flow::Roots),
            "multi_step" => Some(Flow::MultiStep),
            _ => None,
        };
        if let Some(flow) = flow {
            return match stateless {
                None => mrtr::run_initialize_era(&flow, peer).await,
                Some(meta) => Ok(match mrtr::run_stateless(&flow, &meta.caps, params)? {
                    Reply::Done(v) | Reply::InputRequired(v) => v,
                }),
            };
        }
        Ok(match p.name.as_str() {
            "echo" => text(string("message").ok_or_else(|| invalid("`message` must be a string"))?),
            "add" => {
                let (a, b) = num("a")
                    .zip(num("b"))
                    .ok_or_else(|| invalid("`a` and `b` must be numbers"))?;
                let sum = a + b;
                json!({"content": [{"type": "text", "text": sum.to_string()}], "structuredContent": {"sum": sum}})
            }
            "slow" => {
                let steps = args.get("steps").and_then(Value::as_u64).unwrap_or(5).min(1000);
                let delay = args
                    .get("delay_ms")
                    .and_then(Value::as_u64)
                    .unwrap_or(100)
                    .min(10_000);
                // Without the extension a task request reverts to a plain call.
                if as_task && args.get("task").and_then(Value::as_bool) == Some(true) {
                    return Ok(self.state.tasks.create_slow(steps, Duration::from_millis(delay)));
                }
                let token = p.meta.as_ref().and_then(|m| m.get("progressToken")).cloned();
                for step in 1..=steps {
                    tokio::time::sleep(Duration::from_millis(delay)).await;
                    if let Some(token) = &token {
                        let params = json!({"progressToken": token, "progress": step, "total": steps, "message": format!("step {step} of {steps}")});
                        let _ = peer
                            .notify(methods::NOTIFICATIONS_PROGRESS, mcp_jsonrpc::to_raw(&params).ok())
                            .await;
                    }
                }
                text(format!("done after {steps} steps"))
            }
            "task_input" => {
                let question = string("question").unwrap_or_else(|| "What is the answer?".to_owned());
                match stateless {
                    Some(_) if as_task => self.state.tasks.create_input(question),
                    Some(_) => {
                        let ext = json!({"extensions": {stateless::TASKS_EXTENSION: {}}});
                        return Err(stateless::missing_capability("extensions[tasks]", ext));
                    }
                    None => {
                        let mut result = text("task_input needs the tasks extension of 2026-07-28");
                        result["isError"] = json!(true);
                        result
                    }
                }
            }
            "bad_output" => {
                json!({"content": [{"type": "text", "text": "count: many"}], "structuredContent": {"count": "many"}})
            }
            "fail" => {
                json!({"content": [{"type": "text", "text": "this tool always fails"}], "isError": true})
            }
            "notify" => {
                self.log(
                    era,
                    peer,
                    LoggingLevel::Warning,
                    json!("a warning from the notify tool"),
                )
                .await;
                let uri = string("uri").unwrap_or_else(|| catalog::README_URI.to_owned());
                let listening = self.state.listens.resource_updated(peer, &uri).await;
                self.state.listens.tools_changed(peer).await;
                match stateless {
                    Some(_) => text(format!("notified (subscribed: {})", listening > 0)),
                    None => {
                        let subscribed = self
                            .state
                            .subscriptions
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .contains(&uri);
                        if subscribed {
                            let _ = peer
                                .notify(
                                    methods::NOTIFICATIONS_RESOURCES_UPDATED,
                                    mcp_jsonrpc::to_raw(&json!({"uri": uri})).ok(),
                                )
                                .await;
                        }
                        let _ = peer.notify(methods::NOTIFICATIONS_TOOLS_LIST_CHANGED, None).await;
                        text(format!("notified (subscribed: {subscribed})"))
                    }
                }
            }
            "end_subscriptions" => {
                let n = self.state.listens.end_all();
                text(format!("ended {n} subscription(s)"))
            }
            "crash" => {
                let code = args.get("code").and_then(Value::as_i64).unwrap_or(7) as i32;
                if self.allow_exit {
                    std::process::exit(code);
                }
                peer.close().await;
                std::future::pending::<Value>().await
            }
            "hang" => std::future::pending::<Value>().await,
            "huge" => {
                let bytes = args
                    .get("bytes")
                    .and_then(Value::as_u64)
                    .unwrap_or(0)
                    .min(256 * 1024 * 1024) as usize;
                text("x".repeat(bytes))
            }
            other => return Err(invalid(format!("unknown tool `{other}`"))),
        })
    }
}
