//! The 2026-07-28 era: telling the eras apart per request, the `_meta`
//! checks, `server/discover`, caching hints and client capabilities.

use mcp_jsonrpc::{error_codes, ErrorObject};
use mcp_types::{error_codes as mcp_codes, meta_keys, methods, version, LoggingLevel};
use serde_json::{json, Value};

use crate::server::EXAMPLE_SERVER_NAME;

/// The only stateless revision this server speaks.
pub(crate) const STATELESS_VERSION: &str = version::V2026_07_28;
/// The tasks extension's id (capabilities `extensions` key).
pub(crate) const TASKS_EXTENSION: &str = "io.modelcontextprotocol/tasks";
/// `tasks/update` (tasks extension; not in [`mcp_types::methods`]).
pub(crate) const TASKS_UPDATE: &str = "tasks/update";

/// How long list results stay fresh.
pub(crate) const LIST_TTL_MS: u64 = 30_000;
/// How long `resources/read` results stay fresh.
pub(crate) const READ_TTL_MS: u64 = 5_000;
/// How long the `server/discover` result stays fresh.
const DISCOVER_TTL_MS: u64 = 60_000;

/// The instructions shared by `initialize` and `server/discover`.
pub(crate) const INSTRUCTIONS: &str =
    "A demonstration server: try the `echo`, `add` and `slow` tools, read example://readme, get the `greet` prompt.";

/// How one request is served.
#[derive(Debug, Clone)]
pub(crate) enum Era {
    /// The `initialize` era (no stateless protocol version in `_meta`).
    Initialize,
    /// 2026-07-28, with the request's own `_meta`.
    Stateless(ModernMeta),
}

/// The parts of a stateless request's `_meta` the server uses.
#[derive(Debug, Clone)]
pub(crate) struct ModernMeta {
    /// `io.modelcontextprotocol/clientCapabilities` (an object).
    pub(crate) caps: Value,
    /// `io.modelcontextprotocol/logLevel`, when the request opted into logs.
    pub(crate) log_level: Option<LoggingLevel>,
}

/// Methods this server serves only in the stateless era.
fn modern_only(method: &str) -> bool {
    matches!(
        method,
        methods::SUBSCRIPTIONS_LISTEN | methods::TASKS_GET | methods::TASKS_CANCEL | TASKS_UPDATE
    )
}

/// Methods of the `initialize` era that 2026-07-28 removed.
pub(crate) fn initialize_era_only(method: &str) -> bool {
    matches!(
        method,
        methods::INITIALIZE
            | methods::PING
            | methods::LOGGING_SET_LEVEL
            | methods::RESOURCES_SUBSCRIBE
            | methods::RESOURCES_UNSUBSCRIBE
    )
}

fn invalid(message: impl Into<String>) -> ErrorObject {
    ErrorObject::new(error_codes::INVALID_PARAMS, message)
}

/// Decides the era of one request from its `params._meta`.
///
/// - No protocol version and no capabilities: initialize-era, except for the
///   stateless-only methods (-32602; `server/discover` is answered anyway).
/// - Protocol version `2026-07-28` with capabilities: stateless.
/// - Any other protocol version: -32022 with the supported versions.
/// - One required key without the other, or a malformed one: -32602.
pub(crate) fn classify(method: &str, params: &Value) -> Result<Era, ErrorObject> {
    let meta = params.get("_meta");
    let version = meta.and_then(|m| m.get(meta_keys::PROTOCOL_VERSION));
    let caps = meta.and_then(|m| m.get(meta_keys::CLIENT_CAPABILITIES));
    let (version, caps) = match (version, caps) {
        (None, None) if modern_only(method) => {
            return Err(invalid(format!(
                "{method} is a {STATELESS_VERSION} request: params._meta must carry \
                 `{}` and `{}`",
                meta_keys::PROTOCOL_VERSION,
                meta_keys::CLIENT_CAPABILITIES
            )))
        }
        (None, None) => return Ok(Era::Initialize),
        (None, Some(_)) => {
            return Err(invalid(format!(
            "missing params._meta[\"{}\"]: every {STATELESS_VERSION} request must carry its protocol version",
            meta_keys::PROTOCOL_VERSION
        )))
        }
        (Some(v), caps) => (v, caps),
    };
    let Some(version) = version.as_str() else {
        return Err(invalid(format!(
            "params._meta[\"{}\"] must be a string",
            meta_keys::PROTOCOL_VERSION
        )));
    };
    if version != STATELESS_VERSION {
        return Err(ErrorObject::new(
            mcp_codes::UNSUPPORTED_PROTOCOL_VERSION,
            format!("unsupported protocol version {version:?}; this server supports {STATELESS_VERSION}"),
        )
        .with_data(json!({"supported": [STATELESS_VERSION], "requested": version})));
    }
    let caps = match caps {
        Some(c @ Value::Object(_)) => c.clone(),
        Some(_) => {
            return Err(invalid(format!(
                "params._meta[\"{}\"] must be an object",
                meta_keys::CLIENT_CAPABILITIES
            )))
        }
        None => {
            return Err(invalid(format!(
                "missing params._meta[\"{}\"]: every {STATELESS_VERSION} request must declare its client \
                 capabilities (`{{}}` for none)",
                meta_keys::CLIENT_CAPABILITIES
            )))
        }
    };
    let log_level = match meta.and_then(|m| m.get(meta_keys::LOG_LEVEL)) {
        None | Some(Value::Null) => None,
        Some(level) => {
            let parsed = serde_json::from_value::<LoggingLevel>(level.clone())
                .ok()
                .filter(|l| l.severity().is_some());
            match parsed {
                Some(l) => Some(l),
                None => return Err(invalid(format!("invalid log level {level} in params._meta"))),
            }
        }
    };
    Ok(Era::Stateless(ModernMeta { caps, log_level }))
}

/// The `server/discover` result.
pub(crate) fn discover() -> Value {
    json!({
        "resultType": "complete",
        "supportedVersions": [STATELESS_VERSION],
        "capabilities": {
            "tools": {"listChanged": true},
            "resources": {"subscribe": true, "listChanged": true},
            "prompts": {"listChanged": false},
            "logging": {},
            "completions": {},
            "extensions": {TASKS_EXTENSION: {}, crate::skills::EXTENSION: {}}
        },
        "instructions": INSTRUCTIONS,
        "ttlMs": DISCOVER_TTL_MS,
        "cacheScope": "public",
        "_meta": {meta_keys::SERVER_INFO: server_info()}
    })
}

/// The server's `Implementation`.
pub(crate) fn server_info() -> Value {
    json!({"name": EXAMPLE_SERVER_NAME, "title": "Example server", "version": env!("CARGO_PKG_VERSION")})
}

/// Marks `result` as final (`resultType: "complete"`) unless it has a type.
pub(crate) fn complete(mut result: Value) -> Value {
    if let Value::Object(map) = &mut result {
        map.entry("resultType").or_insert_with(|| json!("complete"));
    }
    result
}

/// [`complete`] plus the caching hints.
pub(crate) fn cacheable(result: Value, ttl_ms: u64, scope: &str) -> Value {
    let mut result = complete(result);
    if let Value::Object(map) = &mut result {
        map.insert("ttlMs".into(), json!(ttl_ms));
        map.insert("cacheScope".into(), json!(scope));
    }
    result
}

/// Whether the client may be sent `elicitation/create` in form mode (an
/// empty `elicitation` object means form mode only).
pub(crate) fn can_elicit(caps: &Value) -> bool {
    match caps.get("elicitation") {
        Some(e @ Value::Object(_)) => e.get("form").is_some() || e.get("url").is_none(),
        _ => false,
    }
}

/// Whether the client declared the capability needed for an input request
/// of `method`.
pub(crate) fn allows(caps: &Value, method: &str) -> bool {
    match method {
        methods::ELICITATION_CREATE => can_elicit(caps),
        methods::SAMPLING_CREATE_MESSAGE => caps.get("sampling").is_some_and(Value::is_object),
        methods::ROOTS_LIST => caps.get("roots").is_some_and(Value::is_object),
        _ => false,
    }
}

/// Whether the client opted into the tasks extension.
pub(crate) fn has_tasks(caps: &Value) -> bool {
    caps.get("extensions")
        .and_then(|e| e.get(TASKS_EXTENSION))
        .is_some_and(|t| !t.is_null())
}

/// The -32021 error naming the capabilities the request needs.
pub(crate) fn missing_capability(what: &str, required: Value) -> ErrorObject {
    ErrorObject::new(
        mcp_codes::MISSING_REQUIRED_CLIENT_CAPABILITY,
        format!("this request needs the client capability {what}, which its _meta does not declare"),
    )
    .with_data(json!({"requiredCapabilities": required}))
}
