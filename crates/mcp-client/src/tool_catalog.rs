//! What the session knows of the server's tools, learned from listings:
//! each tool's `outputSchema`, to validate structured results (JSON Schema
//! 2020-12 unless the schema names another draft), and, in the
//! stateless era, the parameters its `x-mcp-header` annotations mirror into
//! transport headers (tools with invalid annotations are dropped from the
//! listing), and which tools can only be called as a task (2025-11-25's
//! `execution.taskSupport: "required"`). A schema that cannot be compiled (for example one with a remote
//! `$ref`, which we never fetch) disables validation for that tool with a
//! warning.
//!
//! Schemas are kept as the compact JSON text the listing carried and
//! compiled on the first result of their tool, not up front: a listing of
//! thousands of tools costs their text, not their validators. At most
//! [`MAX_COMPILED`] compiled validators are kept; past that, the oldest is
//! dropped and compiled again if its tool is called again.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use mcp_jsonrpc::HeaderParam;
use mcp_types::{CallToolResult, TaskSupport, Tool};

use crate::error::ClientError;
use crate::tool_headers::tool_headers;

/// The known tools.
#[derive(Default)]
pub(crate) struct ToolCatalog {
    known: Mutex<Known>,
}

/// Most compiled output schemas kept at once.
pub(crate) const MAX_COMPILED: usize = 128;

#[derive(Default)]
struct Known {
    /// Tool name -> its output schema as compact JSON, if it has one (and
    /// validation is compiled in).
    tools: HashMap<String, Option<Arc<str>>>,
    /// Tool name -> its compiled schema (`None`: it cannot be compiled),
    /// at most [`MAX_COMPILED`], the oldest first in `order`.
    compiled: HashMap<String, Option<Arc<Schema>>>,
    order: VecDeque<String>,
    /// Tool name -> the parameters mirrored into headers (stateless era).
    headers: HashMap<String, Vec<HeaderParam>>,
    /// The tools whose `execution.taskSupport` is `required`.
    task_required: HashSet<String>,
    /// True after a full listing: a tool not in `tools` does not exist.
    complete: bool,
}

#[cfg(feature = "output-schema")]
type Schema = jsonschema::Validator;
#[cfg(not(feature = "output-schema"))]
type Schema = ();

impl ToolCatalog {
    /// Records the tools of one listing page. With `headers` (the stateless
    /// era), validates their `x-mcp-header` annotations first, dropping the
    /// invalid tools from `tools` with a warning, and returns the new header
    /// map when it changed, for the transport.
    pub(crate) fn record(
        &self,
        tools: &mut Vec<Tool>,
        headers: bool,
    ) -> Option<Arc<HashMap<String, Vec<HeaderParam>>>> {
        let mut found = Vec::new();
        if headers {
            tools.retain(|tool| match tool_headers(&tool.input_schema) {
                Ok(params) => {
                    found.push((tool.name.clone(), params));
                    true
                }
                Err(reason) => {
                    tracing::warn!(tool = %tool.name, %reason, "dropped a tool with an invalid x-mcp-header annotation from the listing");
                    false
                }
            });
        }
        let mut known = self.lock();
        for tool in tools.iter() {
            let text = schema_text(tool);
            if known.tools.get(&tool.name) != Some(&text) && known.compiled.remove(&tool.name).is_some() {
                known.order.retain(|name| *name != tool.name);
            }
            known.tools.insert(tool.name.clone(), text);
            let support = tool.execution.as_ref().and_then(|e| e.task_support.as_ref());
            if support == Some(&TaskSupport::Required) {
                known.task_required.insert(tool.name.clone());
            } else {
                known.task_required.remove(&tool.name);
            }
        }
        let mut changed = false;
        for (name, params) in found {
            changed |= if params.is_empty() {
                known.headers.remove(&name).is_some()
            } else {
                known.headers.insert(name, params.clone()).as_ref() != Some(&params)
            };
        }
        changed.then(|| Arc::new(known.headers.clone()))
    }

    /// Marks the listing complete: tools not recorded have no schema, so
    /// calling a tool the server does not list does not re-list each time.
    pub(crate) fn record_complete(&self) {
        self.lock().complete = true;
    }

    /// Forgets every tool (the tool list changed).
    pub(crate) fn clear(&self) {
        *self.lock() = Known::default();
    }

    /// True when a listing since the last change tells whether `tool` has
    /// an output schema.
    pub(crate) fn knows(&self, tool: &str) -> bool {
        let known = self.lock();
        known.complete || known.tools.contains_key(tool)
    }

    /// True when the listing says `tool` can only be called as a task.
    pub(crate) fn requires_task(&self, tool: &str) -> bool {
        self.lock().task_required.contains(tool)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Known> {
        self.known.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Checks `result` of `tool` against its output schema, if it has one;
    /// a mismatch keeps the result in the error.
    pub(crate) fn check(&self, tool: &str, result: CallToolResult) -> Result<CallToolResult, ClientError> {
        if result.is_error == Some(true) {
            return Ok(result);
        }
        let Some(schema) = self.compiled(tool) else {
            return Ok(result);
        };
        match check(&schema, &result) {
            Ok(()) => Ok(result),
            Err(detail) => Err(ClientError::OutputSchemaMismatch {
                tool: tool.to_owned(),
                detail,
                result: Box::new(result),
            }),
        }
    }
}

impl ToolCatalog {
    /// The compiled schema of `tool`, compiling it on first use (outside
    /// the lock) and keeping at most [`MAX_COMPILED`].
    fn compiled(&self, tool: &str) -> Option<Arc<Schema>> {
        let text = {
            let known = self.lock();
            if let Some(compiled) = known.compiled.get(tool) {
                return compiled.clone();
            }
            Arc::clone(known.tools.get(tool)?.as_ref()?)
        };
        let compiled = compile(tool, &text);
        let mut known = self.lock();
        // The listing may have changed while we compiled: keep the result
        // only if it is still this tool's schema.
        if known.tools.get(tool).and_then(Option::as_ref) == Some(&text) && !known.compiled.contains_key(tool)
        {
            if known.order.len() >= MAX_COMPILED {
                if let Some(oldest) = known.order.pop_front() {
                    known.compiled.remove(&oldest);
                }
            }
            known.order.push_back(tool.to_owned());
            known.compiled.insert(tool.to_owned(), compiled.clone());
        }
        compiled
    }

    /// How many compiled schemas are kept (for tests).
    #[cfg(test)]
    fn compiled_count(&self) -> usize {
        self.lock().compiled.len()
    }
}

/// The tool's output schema as compact JSON, kept until it is needed.
#[cfg(feature = "output-schema")]
fn schema_text(tool: &Tool) -> Option<Arc<str>> {
    let schema = tool.output_schema.as_ref()?;
    serde_json::to_string(schema).ok().map(Arc::from)
}

#[cfg(not(feature = "output-schema"))]
fn schema_text(_tool: &Tool) -> Option<Arc<str>> {
    None
}

#[cfg(feature = "output-schema")]
fn compile(tool: &str, text: &str) -> Option<Arc<Schema>> {
    let tool = mcp_jsonrpc::excerpt(tool.as_bytes(), 100);
    let schema: serde_json::Value = serde_json::from_str(text).ok()?;
    if crate::schema_loops::loops(&schema) {
        tracing::warn!(%tool, "the tool's output schema refers to itself without descending into the value (a $ref cycle); its results are not validated");
        return None;
    }
    match jsonschema::options().build(&schema) {
        Ok(v) => Some(Arc::new(v)),
        Err(e) => {
            tracing::warn!(%tool, error = %e, "the tool's output schema cannot be compiled; its results are not validated");
            None
        }
    }
}

#[cfg(not(feature = "output-schema"))]
fn compile(_tool: &str, _text: &str) -> Option<Arc<Schema>> {
    None
}

#[cfg(feature = "output-schema")]
fn check(schema: &Schema, result: &CallToolResult) -> Result<(), String> {
    let Some(structured) = &result.structured_content else {
        return Err("the tool declares an output schema but returned no structuredContent".into());
    };
    let errors: Vec<String> = schema
        .iter_errors(structured)
        .take(5)
        .map(|e| {
            let path = e.instance_path.to_string();
            if path.is_empty() {
                e.to_string()
            } else {
                format!("at {path}: {e}")
            }
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

#[cfg(not(feature = "output-schema"))]
fn check(_schema: &Schema, _result: &CallToolResult) -> Result<(), String> {
    Ok(())
}

#[cfg(all(test, feature = "output-schema"))]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tool(name: &str, required: &str) -> Tool {
        serde_json::from_value(json!({
            "name": name,
            "inputSchema": {"type": "object"},
            "outputSchema": {"type": "object", "required": [required]},
        }))
        .unwrap()
    }

    fn result(structured: serde_json::Value) -> CallToolResult {
        serde_json::from_value(json!({"content": [], "structuredContent": structured})).unwrap()
    }

    #[test]
    fn schemas_compile_on_first_use_and_at_most_max_compiled_are_kept() {
        let catalog = ToolCatalog::default();
        let mut tools: Vec<Tool> = (0..MAX_COMPILED * 2)
            .map(|i| tool(&format!("t{i}"), "x"))
            .collect();
        catalog.record(&mut tools, false);
        assert_eq!(catalog.compiled_count(), 0, "nothing is compiled by a listing");
        for i in 0..MAX_COMPILED * 2 {
            let name = format!("t{i}");
            assert!(catalog.check(&name, result(json!({"x": 1}))).is_ok());
            assert!(catalog.compiled_count() <= MAX_COMPILED);
        }
        assert_eq!(catalog.compiled_count(), MAX_COMPILED);
        // An evicted schema is compiled again and still validates.
        let err = catalog.check("t0", result(json!({"y": 1}))).unwrap_err();
        assert!(matches!(err, ClientError::OutputSchemaMismatch { .. }), "{err}");
    }

    #[test]
    fn a_changed_schema_replaces_the_compiled_one() {
        let catalog = ToolCatalog::default();
        catalog.record(&mut vec![tool("t", "x")], false);
        assert!(catalog.check("t", result(json!({"x": 1}))).is_ok());
        catalog.record(&mut vec![tool("t", "y")], false);
        assert!(catalog.check("t", result(json!({"x": 1}))).is_err());
        assert!(catalog.check("t", result(json!({"y": 1}))).is_ok());
        assert_eq!(catalog.compiled_count(), 1);
    }
}
