//! Validation of structured tool results against the tool's `outputSchema`
//! (JSON Schema 2020-12 unless the schema names another draft). Schemas are
//! compiled once per tool, when `tools/list` reveals them; a schema that
//! cannot be compiled (for example one with a remote `$ref`, which we never
//! fetch) disables validation for that tool with a warning.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use mcp_types::{CallToolResult, Tool};

use crate::error::ClientError;

/// The compiled output schema of each known tool.
#[derive(Default)]
pub(crate) struct ToolSchemas {
    known: Mutex<Known>,
}

#[derive(Default)]
struct Known {
    /// Tool name -> its compiled output schema, if it has one.
    tools: HashMap<String, Option<Arc<Schema>>>,
    /// True after a full listing: a tool not in `tools` does not exist.
    complete: bool,
}

#[cfg(feature = "output-schema")]
type Schema = jsonschema::Validator;
#[cfg(not(feature = "output-schema"))]
type Schema = ();

impl ToolSchemas {
    /// Records the output schemas of `tools`.
    pub(crate) fn record(&self, tools: &[Tool]) {
        let mut known = self.lock();
        for tool in tools {
            known.tools.insert(tool.name.clone(), compile(tool));
        }
    }

    /// Marks the listing complete: tools not recorded have no schema, so
    /// calling a tool the server does not list does not re-list each time.
    pub(crate) fn record_complete(&self) {
        self.lock().complete = true;
    }

    /// Forgets every schema (the tool list changed).
    pub(crate) fn clear(&self) {
        *self.lock() = Known::default();
    }

    /// True when a listing since the last change tells whether `tool` has
    /// an output schema.
    pub(crate) fn knows(&self, tool: &str) -> bool {
        let known = self.lock();
        known.complete || known.tools.contains_key(tool)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Known> {
        self.known.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Checks `result` of `tool` against its output schema, if it has one.
    pub(crate) fn check(&self, tool: &str, result: &CallToolResult) -> Result<(), ClientError> {
        let schema = match self.lock().tools.get(tool) {
            Some(Some(schema)) => Arc::clone(schema),
            _ => return Ok(()),
        };
        if result.is_error == Some(true) {
            return Ok(());
        }
        check(tool, &schema, result)
    }
}

#[cfg(feature = "output-schema")]
fn compile(tool: &Tool) -> Option<Arc<Schema>> {
    let schema = tool.output_schema.as_ref()?;
    let schema = serde_json::Value::Object(schema.clone());
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
fn check(tool: &str, schema: &Schema, result: &CallToolResult) -> Result<(), ClientError> {
    let Some(structured) = &result.structured_content else {
        return Err(ClientError::OutputSchemaMismatch {
            tool: tool.to_owned(),
            detail: "the tool declares an output schema but returned no structuredContent".into(),
        });
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
        Err(ClientError::OutputSchemaMismatch {
            tool: tool.to_owned(),
            detail: errors.join("; "),
        })
    }
}

#[cfg(not(feature = "output-schema"))]
fn check(_tool: &str, _schema: &Schema, _result: &CallToolResult) -> Result<(), ClientError> {
    Ok(())
}
