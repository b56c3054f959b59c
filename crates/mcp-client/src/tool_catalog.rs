//! What the session knows of the server's tools, learned from listings:
//! each tool's compiled `outputSchema`, to validate structured results
//! (JSON Schema 2020-12 unless the schema names another draft), and, in the
//! stateless era, the parameters its `x-mcp-header` annotations mirror into
//! transport headers (tools with invalid annotations are dropped from the
//! listing), and which tools can only be called as a task (2025-11-25's
//! `execution.taskSupport: "required"`). A schema that cannot be compiled (for example one with a remote
//! `$ref`, which we never fetch) disables validation for that tool with a
//! warning.

use std::collections::{HashMap, HashSet};
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

#[derive(Default)]
struct Known {
    /// Tool name -> its compiled output schema, if it has one.
    tools: HashMap<String, Option<Arc<Schema>>>,
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
            known.tools.insert(tool.name.clone(), compile(tool));
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
        let schema = match self.lock().tools.get(tool) {
            Some(Some(schema)) => Arc::clone(schema),
            _ => return Ok(result),
        };
        if result.is_error == Some(true) {
            return Ok(result);
        }
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

#[cfg(feature = "output-schema")]
fn compile(tool: &Tool) -> Option<Arc<Schema>> {
    let schema = tool.output_schema.as_ref()?;
    let schema = serde_json::Value::Object(schema.clone());
    if crate::schema_loops::loops(&schema) {
        tracing::warn!(tool = %tool.name, "the tool's output schema refers to itself without descending into the value (a $ref cycle); its results are not validated");
        return None;
    }
    match jsonschema::options().build(&schema) {
        Ok(v) => Some(Arc::new(v)),
        Err(e) => {
            tracing::warn!(tool = %tool.name, error = %e, "the tool's output schema cannot be compiled; its results are not validated");
            None
        }
    }
}

#[cfg(not(feature = "output-schema"))]
fn compile(_tool: &Tool) -> Option<Arc<Schema>> {
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
