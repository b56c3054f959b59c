//! Forward compatibility, unions, constants and helpers.

use mcp_types::*;
use serde_json::{json, Value};

type TestResult = Result<(), serde_json::Error>;

#[test]
fn unknown_content_type_is_kept_verbatim() -> TestResult {
    let raw = json!({"type": "hologram", "data": {"x": 1}, "fps": 60});
    let block: ContentBlock = serde_json::from_value(raw.clone())?;
    assert!(matches!(&block, ContentBlock::Unknown(v) if v == &raw));
    assert_eq!(block.type_name(), Some("hologram"));
    assert_eq!(serde_json::to_value(&block)?, raw);

    let result: CallToolResult = serde_json::from_value(json!({
        "content": [raw.clone(), {"type": "text", "text": "ok"}],
    }))?;
    assert_eq!(result.content.len(), 2);
    assert_eq!(serde_json::to_value(&result)?["content"][0], raw);

    let sampling: SamplingMessageContentBlock = serde_json::from_value(raw.clone())?;
    assert!(matches!(sampling, SamplingMessageContentBlock::Unknown(_)));
    Ok(())
}

#[test]
fn unknown_enum_strings_decode() -> TestResult {
    let msg: PromptMessage = serde_json::from_value(json!({
        "role": "system", "content": {"type": "text", "text": "hi"}
    }))?;
    assert_eq!(msg.role, Role::Other("system".into()));
    assert_eq!(serde_json::to_value(&msg)?["role"], "system");

    let level: LoggingLevel = serde_json::from_value(json!("trace"))?;
    assert_eq!(level, LoggingLevel::Other("trace".into()));
    assert_eq!(level.severity(), None);
    assert_eq!(LoggingLevel::from("warning"), LoggingLevel::Warning);
    assert!(LoggingLevel::Error.severity() > LoggingLevel::Info.severity());

    let status: TaskStatus = serde_json::from_value(json!("paused"))?;
    assert_eq!(status.as_str(), "paused");
    assert!(!status.is_terminal());
    let action: ElicitAction = serde_json::from_value(json!("defer"))?;
    assert_eq!(action.to_string(), "defer");
    let scope: CacheScope = serde_json::from_value(json!("shared"))?;
    assert_eq!(scope, CacheScope::Other("shared".into()));
    Ok(())
}

#[test]
fn unknown_result_type_decodes() -> TestResult {
    let raw = json!({"resultType": "streaming", "content": []});
    let probe: ResultTypeProbe = serde_json::from_value(raw.clone())?;
    assert_eq!(probe.result_type, Some(ResultType::Other("streaming".into())));
    assert!(!probe.is_input_required());
    let r: CallToolResult = serde_json::from_value(raw.clone())?;
    assert_eq!(serde_json::to_value(&r)?, raw);

    let absent: ResultTypeProbe = serde_json::from_value(json!({"tools": []}))?;
    assert_eq!(absent.effective(), ResultType::Complete);
    Ok(())
}

#[test]
fn unknown_fields_are_preserved() -> TestResult {
    let raw = json!({
        "name": "t", "inputSchema": {"type": "object", "$defs": {"a": {"type": "string"}},
        "properties": {"x": {"$ref": "#/$defs/a"}}, "additionalProperties": false},
        "futureField": {"nested": [1, 2]},
    });
    let tool: Tool = serde_json::from_value(raw.clone())?;
    assert_eq!(tool.extra.get("futureField"), Some(&json!({"nested": [1, 2]})));
    assert_eq!(serde_json::to_value(&tool)?, raw);

    let caps: ServerCapabilities =
        serde_json::from_value(json!({"tools": {"listChanged": true, "x": 1}, "holograms": {}}))?;
    assert!(caps.extra.contains_key("holograms"));
    assert_eq!(caps.tools.as_ref().map(|t| t.extra.len()), Some(1));

    let impl_: Implementation = serde_json::from_value(json!({"name": "n", "version": "1", "vendor": "v"}))?;
    assert_eq!(impl_.extra().len(), 1);

    let url: ElicitRequestParams =
        serde_json::from_value(json!({"mode": "url", "message": "m", "url": "https://x", "color": "red"}))?;
    match &url {
        ElicitRequestParams::Url(u) => assert_eq!(u.extra.keys().collect::<Vec<_>>(), vec!["color"]),
        other => panic!("expected URL mode, got {other:?}"),
    }
    assert_eq!(
        serde_json::to_value(&url)?,
        json!({"mode": "url", "message": "m", "url": "https://x", "color": "red"})
    );
    let future: ElicitRequestParams = serde_json::from_value(json!({"mode": "voice", "message": "m"}))?;
    assert_eq!(future.mode(), Some("voice"));
    Ok(())
}

#[test]
fn input_required_round_trip() -> TestResult {
    let raw = r#"{"resultType":"input_required","inputRequests":{
        "r":{"method":"roots/list"},
        "x":{"method":"future/method","params":{"a":1}}},"requestState":"s"}"#;
    let r = ResultOrInputRequired::<CallToolResult>::from_json(raw)?;
    let ResultOrInputRequired::InputRequired(ir) = r else {
        panic!("expected input_required")
    };
    let reqs = ir.input_requests.as_ref().map(|m| m.len());
    assert_eq!(reqs, Some(2));
    let back = serde_json::to_value(&ir)?;
    assert_eq!(back, serde_json::from_str::<Value>(raw)?);
    Ok(())
}

#[test]
fn unions_parse_known_and_unknown_methods() -> TestResult {
    let r = ClientRequest::parse("tools/call", Some(r#"{"name":"x","arguments":{"a":1}}"#))?;
    assert!(matches!(&r, ClientRequest::CallTool(p) if p.name == "x"));
    assert_eq!(r.method(), "tools/call");
    assert_eq!(
        r.params_value()?.and_then(|p| p.get("name").cloned()),
        Some(json!("x"))
    );

    let r = ClientRequest::parse("tools/list", None)?;
    assert!(matches!(r, ClientRequest::ListTools(_)));
    assert!(ClientRequest::parse("tools/call", None).is_err());

    let r = ClientRequest::parse("x/y", Some(r#"{"k":true}"#))?;
    assert_eq!(r.method(), "x/y");
    assert!(matches!(r, ClientRequest::Unknown { params: Some(_), .. }));

    let r = ServerRequest::parse("roots/list", None)?;
    assert!(matches!(r, ServerRequest::ListRoots(_)));
    let r = ServerRequest::parse(
        "elicitation/create",
        Some(r#"{"message":"m","requestedSchema":{"type":"object","properties":{}}}"#),
    )?;
    assert!(matches!(r, ServerRequest::Elicit(ElicitRequestParams::Form(_))));

    let n = ServerNotification::parse(
        "notifications/subscriptions/acknowledged",
        Some(r#"{"notifications":{"toolsListChanged":true}}"#),
    )?;
    assert_eq!(n.method(), SubscriptionsAcknowledgedNotification::METHOD);
    let n = ServerNotification::parse("notifications/tools/list_changed", None)?;
    assert!(matches!(n, ServerNotification::ToolListChanged(_)));
    let n = ClientNotification::parse("notifications/initialized", None)?;
    assert!(matches!(n, ClientNotification::Initialized(_)));
    let n = ClientNotification::parse("notifications/unknown", None)?;
    assert!(matches!(n, ClientNotification::Unknown { params: None, .. }));
    Ok(())
}

#[test]
fn versions_and_meta() -> TestResult {
    assert_eq!(version::SUPPORTED[0], version::LATEST);
    assert!(version::is_supported("2025-06-18"));
    assert!(!version::is_supported("1900-01-01"));
    assert!(version::is_stateless_era(version::LATEST));
    assert!(version::is_stateless_era("2027-01-01"));
    assert!(!version::is_stateless_era(version::LATEST_INITIALIZE_ERA));
    assert!(version::INITIALIZE_ERA
        .iter()
        .all(|v| !version::is_stateless_era(v)));

    let meta = RequestMeta::new(version::LATEST, ClientCapabilities::default())
        .with_log_level(LoggingLevel::Debug)
        .with_progress_token(7)
        .into_meta();
    assert_eq!(meta[meta_keys::PROTOCOL_VERSION], "2026-07-28");
    assert_eq!(meta[meta_keys::CLIENT_CAPABILITIES], json!({}));
    assert_eq!(meta[meta_keys::LOG_LEVEL], "debug");
    assert_eq!(meta[meta_keys::PROGRESS_TOKEN], 7);
    let back = RequestMeta::from_meta(&meta)?;
    assert_eq!(back.progress_token, Some(RequestId::Number(7)));

    let err = ErrorObject::new(error_codes::UNSUPPORTED_PROTOCOL_VERSION, "unsupported")
        .with_data(json!({"supported": [version::LATEST], "requested": "1900-01-01"}));
    let data = err.data_as::<UnsupportedProtocolVersionData>().transpose()?;
    assert_eq!(data.map(|d| d.supported), Some(vec!["2026-07-28".to_owned()]));
    assert_eq!(error_codes::HEADER_MISMATCH, -32020);
    assert_eq!(error_codes::MISSING_REQUIRED_CLIENT_CAPABILITY, -32021);
    assert_eq!(error_codes::URL_ELICITATION_REQUIRED, -32042);
    Ok(())
}

#[test]
fn numbers_round_trip_compactly() -> TestResult {
    let p: ProgressNotificationParams =
        serde_json::from_value(json!({"progressToken": 1, "progress": 50, "total": 100.5}))?;
    assert_eq!(
        serde_json::to_value(&p)?,
        json!({"progressToken": 1, "progress": 50, "total": 100.5})
    );
    Ok(())
}

#[test]
fn task_results_flatten_the_task() -> TestResult {
    let raw = json!({
        "taskId": "t", "status": "working", "createdAt": "a", "lastUpdatedAt": "b", "ttl": null,
        "_meta": {"k": 1}, "future": true
    });
    let r: GetTaskResult = serde_json::from_value(raw.clone())?;
    assert_eq!(r.task.status, TaskStatus::Working);
    assert_eq!(r.extra.keys().collect::<Vec<_>>(), vec!["future"]);
    assert_eq!(serde_json::to_value(&r)?, raw);
    Ok(())
}

#[test]
fn form_defaults_are_offered_field_by_field() {
    let schema = serde_json::json!({
        "type": "object",
        "properties": {
            "name": {"type": "string", "default": "John Doe"},
            "age": {"type": "integer", "default": 30},
            "nick": {"type": "string"}
        }
    });
    let form =
        mcp_types::ElicitRequestFormParams::new("Who?", schema.as_object().cloned().unwrap_or_default());
    let defaults = form.default_content();
    assert_eq!(
        serde_json::Value::Object(defaults),
        serde_json::json!({"name": "John Doe", "age": 30})
    );
}
