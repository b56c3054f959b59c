//! Every example of spec/2026-07-28/examples decodes into its Rust type and re-encodes unchanged.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{bail, ensure, Context, Result};
use mcp_types::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A tiny JSON-RPC envelope (every member optional, as in the examples).
#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    jsonrpc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<RequestId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    params: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    result: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<Value>,
}

type Decoder = fn(&Value) -> Result<()>;

fn roundtrip<T: Serialize + DeserializeOwned>(v: &Value) -> Result<T> {
    let t: T = serde_json::from_value(v.clone()).context("decode")?;
    let back = serde_json::to_value(&t)?;
    ensure!(
        &back == v,
        "re-encoding differs:\n  original: {v}\n  re-encoded: {back}"
    );
    Ok(t)
}

fn no_extra<T: HasExtra>(t: &T) -> Result<()> {
    ensure!(
        t.extra().is_empty(),
        "unmodelled fields: {:?}",
        t.extra().keys().collect::<Vec<_>>()
    );
    Ok(())
}

/// Plain type without an `extra` map.
fn p<T: Serialize + DeserializeOwned>(v: &Value) -> Result<()> {
    roundtrip::<T>(v).map(drop)
}

/// Plain type with an `extra` map that must stay empty.
fn x<T: Serialize + DeserializeOwned + HasExtra>(v: &Value) -> Result<()> {
    no_extra(&roundtrip::<T>(v)?)
}

fn envelope(v: &Value) -> Result<Envelope> {
    let env: Envelope = serde_json::from_value(v.clone())?;
    ensure!(
        &serde_json::to_value(&env)? == v,
        "envelope has unmodelled members"
    );
    Ok(env)
}

fn reencode(mut env: Envelope, params: Option<Value>, result: Option<Value>, v: &Value) -> Result<()> {
    if env.params.is_some() {
        env.params = params;
    }
    if env.result.is_some() {
        env.result = result;
    }
    let back = serde_json::to_value(&env)?;
    ensure!(
        &back == v,
        "envelope re-encoding differs:\n  original: {v}\n  re-encoded: {back}"
    );
    Ok(())
}

fn request_with<M: RequestMethod>(v: &Value, check: fn(&M::Params) -> Result<()>) -> Result<()> {
    let env = envelope(v)?;
    ensure!(
        env.method.as_deref() == Some(M::METHOD),
        "method {:?} != {}",
        env.method,
        M::METHOD
    );
    let raw = env.params.clone().unwrap_or_else(|| serde_json::json!({}));
    let params: M::Params = serde_json::from_value(raw).context("decode params")?;
    check(&params)?;
    let re = serde_json::to_value(&params)?;
    reencode(env, Some(re), None, v)
}

/// Request envelope whose params have an `extra` map.
fn req<M: RequestMethod>(v: &Value) -> Result<()>
where
    M::Params: HasExtra,
{
    request_with::<M>(v, no_extra)
}

fn notif<N: NotificationMethod>(v: &Value) -> Result<()>
where
    N::Params: HasExtra,
{
    let env = envelope(v)?;
    ensure!(
        env.method.as_deref() == Some(N::METHOD),
        "method {:?} != {}",
        env.method,
        N::METHOD
    );
    let raw = env.params.clone().unwrap_or_else(|| serde_json::json!({}));
    let params: N::Params = serde_json::from_value(raw).context("decode params")?;
    no_extra(&params)?;
    let re = serde_json::to_value(&params)?;
    reencode(env, Some(re), None, v)
}

/// Result envelope (`FooResultResponse`) of request `M`.
fn resp<M: RequestMethod>(v: &Value) -> Result<()>
where
    M::Result: HasExtra,
{
    let env = envelope(v)?;
    let raw = env.result.clone().context("no result")?;
    let probe: ResultTypeProbe = serde_json::from_value(raw.clone())?;
    let re = if probe.is_input_required() {
        let r: InputRequiredResult = serde_json::from_value(raw)?;
        no_extra(&r)?;
        serde_json::to_value(&r)?
    } else {
        let r: M::Result = serde_json::from_value(raw)?;
        no_extra(&r)?;
        serde_json::to_value(&r)?
    };
    reencode(env, None, Some(re), v)
}

/// Error envelope with code `CODE` and typed data `D`.
fn err_env<const CODE: i64, D: Serialize + DeserializeOwned + HasExtra>(v: &Value) -> Result<()> {
    let mut env = envelope(v)?;
    let e: ErrorObject = roundtrip(env.error.as_ref().context("no error")?)?;
    ensure!(e.code == CODE, "code {} != {CODE}", e.code);
    if let Some(data) = &e.data {
        x::<D>(data)?;
    }
    env.error = Some(serde_json::to_value(&e)?);
    reencode(env, None, None, v)
}

/// Error envelope without typed data.
fn err_env_plain<const CODE: i64>(v: &Value) -> Result<()> {
    let env = envelope(v)?;
    let e: ErrorObject = roundtrip(env.error.as_ref().context("no error")?)?;
    ensure!(e.code == CODE, "code {} != {CODE}", e.code);
    Ok(())
}

fn err_obj<const CODE: i64>(v: &Value) -> Result<()> {
    let e: ErrorObject = roundtrip(v)?;
    ensure!(e.code == CODE, "code {} != {CODE}", e.code);
    Ok(())
}

fn elicit_form(v: &Value) -> Result<()> {
    match roundtrip::<ElicitRequestParams>(v)? {
        ElicitRequestParams::Form(f) => {
            no_extra(&f)?;
            for (name, def) in f.properties() {
                ensure!(
                    !matches!(def, PrimitiveSchemaDefinition::Unknown(_)),
                    "untyped property {name}"
                );
            }
            Ok(())
        }
        other => bail!("expected form params, got {other:?}"),
    }
}

fn elicit_url(v: &Value) -> Result<()> {
    match roundtrip::<ElicitRequestParams>(v)? {
        ElicitRequestParams::Url(u) => no_extra(&u),
        other => bail!("expected URL params, got {other:?}"),
    }
}

fn primitive(v: &Value) -> Result<()> {
    let d = roundtrip::<PrimitiveSchemaDefinition>(v)?;
    ensure!(
        !matches!(d, PrimitiveSchemaDefinition::Unknown(_)),
        "unknown primitive schema"
    );
    Ok(())
}

fn input_requests(v: &Value) -> Result<()> {
    let m = roundtrip::<InputRequests>(v)?;
    for r in m.values() {
        ensure!(
            !matches!(r, InputRequest::Unknown { .. }),
            "unknown input request"
        );
    }
    Ok(())
}

fn input_responses(v: &Value) -> Result<()> {
    let m = roundtrip::<InputResponses>(v)?;
    for r in m.values() {
        ensure!(!matches!(r, InputResponse::Unknown(_)), "unknown input response");
    }
    Ok(())
}

fn content_block(v: &Value) -> Result<()> {
    let b = roundtrip::<ContentBlock>(v)?;
    ensure!(!matches!(b, ContentBlock::Unknown(_)), "unknown content block");
    Ok(())
}

fn sampling_block(v: &Value) -> Result<()> {
    let b = roundtrip::<SamplingMessageContentBlock>(v)?;
    ensure!(
        !matches!(b, SamplingMessageContentBlock::Unknown(_)),
        "unknown content block"
    );
    Ok(())
}

fn table() -> BTreeMap<&'static str, Decoder> {
    use error_codes as ec;
    let entries: Vec<(&'static str, Decoder)> = vec![
        ("AudioContent", |v| {
            p::<AudioContent>(v).and_then(|()| content_block(v))
        }),
        ("BlobResourceContents", p::<BlobResourceContents>),
        ("BooleanSchema", |v| {
            p::<BooleanSchema>(v).and_then(|()| primitive(v))
        }),
        ("CallToolRequest", req::<CallToolRequest>),
        ("CallToolRequestParams", x::<CallToolRequestParams>),
        ("CallToolResult", x::<CallToolResult>),
        ("CallToolResultResponse", resp::<CallToolRequest>),
        ("CancelledNotification", notif::<CancelledNotification>),
        ("CancelledNotificationParams", x::<CancelledNotificationParams>),
        ("ClientCapabilities", x::<ClientCapabilities>),
        ("CompleteRequest", req::<CompleteRequest>),
        ("CompleteRequestParams", x::<CompleteRequestParams>),
        ("CompleteResult", x::<CompleteResult>),
        ("CompleteResultResponse", resp::<CompleteRequest>),
        ("CreateMessageRequest", req::<CreateMessageRequest>),
        ("CreateMessageRequestParams", x::<CreateMessageRequestParams>),
        ("CreateMessageResult", x::<CreateMessageResult>),
        ("DiscoverRequest", req::<DiscoverRequest>),
        ("DiscoverResult", |v| {
            let r = roundtrip::<DiscoverResult>(v)?;
            ensure!(r.server_info().is_some(), "serverInfo missing");
            no_extra(&r)
        }),
        ("DiscoverResultResponse", resp::<DiscoverRequest>),
        ("ElicitRequest", |v| {
            request_with::<ElicitRequest>(v, |p| match p {
                ElicitRequestParams::Form(f) => no_extra(f),
                ElicitRequestParams::Url(u) => no_extra(u),
                _ => bail!("unknown elicitation mode"),
            })
        }),
        ("ElicitRequestFormParams", elicit_form),
        ("ElicitRequestURLParams", elicit_url),
        ("ElicitResult", x::<ElicitResult>),
        ("EmbeddedResource", |v| {
            p::<EmbeddedResource>(v).and_then(|()| content_block(v))
        }),
        ("GetPromptRequest", req::<GetPromptRequest>),
        ("GetPromptRequestParams", x::<GetPromptRequestParams>),
        ("GetPromptResult", x::<GetPromptResult>),
        ("GetPromptResultResponse", resp::<GetPromptRequest>),
        ("HeaderMismatchError", err_env_plain::<{ ec::HEADER_MISMATCH }>),
        ("ImageContent", |v| {
            p::<ImageContent>(v).and_then(|()| content_block(v))
        }),
        ("InputRequests", input_requests),
        ("InputRequiredResult", x::<InputRequiredResult>),
        ("InputResponses", input_responses),
        ("InternalError", err_obj::<{ ec::INTERNAL_ERROR }>),
        ("InvalidParamsError", err_obj::<{ ec::INVALID_PARAMS }>),
        ("ListPromptsRequest", req::<ListPromptsRequest>),
        ("ListPromptsResult", x::<ListPromptsResult>),
        ("ListPromptsResultResponse", resp::<ListPromptsRequest>),
        (
            "ListResourceTemplatesRequest",
            req::<ListResourceTemplatesRequest>,
        ),
        ("ListResourceTemplatesResult", x::<ListResourceTemplatesResult>),
        (
            "ListResourceTemplatesResultResponse",
            resp::<ListResourceTemplatesRequest>,
        ),
        ("ListResourcesRequest", req::<ListResourcesRequest>),
        ("ListResourcesResult", x::<ListResourcesResult>),
        ("ListResourcesResultResponse", resp::<ListResourcesRequest>),
        ("ListRootsRequest", req::<ListRootsRequest>),
        ("ListRootsResult", x::<ListRootsResult>),
        ("ListToolsRequest", req::<ListToolsRequest>),
        ("ListToolsResult", x::<ListToolsResult>),
        ("ListToolsResultResponse", resp::<ListToolsRequest>),
        ("LoggingMessageNotification", notif::<LoggingMessageNotification>),
        (
            "LoggingMessageNotificationParams",
            x::<LoggingMessageNotificationParams>,
        ),
        ("MethodNotFoundError", err_obj::<{ ec::METHOD_NOT_FOUND }>),
        (
            "MissingRequiredClientCapabilityError",
            err_env::<{ ec::MISSING_REQUIRED_CLIENT_CAPABILITY }, MissingRequiredClientCapabilityData>,
        ),
        ("ModelPreferences", p::<ModelPreferences>),
        ("NumberSchema", |v| {
            p::<NumberSchema>(v).and_then(|()| primitive(v))
        }),
        ("PaginatedRequestParams", x::<PaginatedRequestParams>),
        ("ParseError", err_obj::<{ ec::PARSE_ERROR }>),
        ("ProgressNotification", notif::<ProgressNotification>),
        ("ProgressNotificationParams", x::<ProgressNotificationParams>),
        (
            "PromptListChangedNotification",
            notif::<PromptListChangedNotification>,
        ),
        ("ReadResourceRequest", req::<ReadResourceRequest>),
        ("ReadResourceResult", x::<ReadResourceResult>),
        ("ReadResourceResultResponse", resp::<ReadResourceRequest>),
        ("Resource", x::<Resource>),
        ("ResourceLink", |v| {
            p::<ResourceLink>(v).and_then(|()| content_block(v))
        }),
        (
            "ResourceListChangedNotification",
            notif::<ResourceListChangedNotification>,
        ),
        (
            "ResourceUpdatedNotification",
            notif::<ResourceUpdatedNotification>,
        ),
        (
            "ResourceUpdatedNotificationParams",
            x::<ResourceUpdatedNotificationParams>,
        ),
        ("Root", p::<Root>),
        ("SamplingMessage", p::<SamplingMessage>),
        ("ServerCapabilities", x::<ServerCapabilities>),
        ("StringSchema", |v| {
            p::<StringSchema>(v).and_then(|()| primitive(v))
        }),
        (
            "SubscriptionsAcknowledgedNotification",
            notif::<SubscriptionsAcknowledgedNotification>,
        ),
        ("SubscriptionsListenRequest", req::<SubscriptionsListenRequest>),
        ("SubscriptionsListenResult", |v| {
            let r = roundtrip::<SubscriptionsListenResult>(v)?;
            ensure!(r.subscription_id().is_some(), "subscriptionId missing");
            no_extra(&r)
        }),
        (
            "SubscriptionsListenResultResponse",
            resp::<SubscriptionsListenRequest>,
        ),
        ("TextContent", |v| {
            p::<TextContent>(v).and_then(|()| content_block(v))
        }),
        ("TextResourceContents", p::<TextResourceContents>),
        ("TitledMultiSelectEnumSchema", |v| {
            p::<TitledMultiSelectEnumSchema>(v).and_then(|()| primitive(v))
        }),
        ("TitledSingleSelectEnumSchema", |v| {
            p::<TitledSingleSelectEnumSchema>(v).and_then(|()| primitive(v))
        }),
        ("Tool", x::<Tool>),
        (
            "ToolListChangedNotification",
            notif::<ToolListChangedNotification>,
        ),
        ("ToolResultContent", |v| {
            p::<ToolResultContent>(v).and_then(|()| sampling_block(v))
        }),
        ("ToolUseContent", |v| {
            p::<ToolUseContent>(v).and_then(|()| sampling_block(v))
        }),
        (
            "UnsupportedProtocolVersionError",
            err_env::<{ ec::UNSUPPORTED_PROTOCOL_VERSION }, UnsupportedProtocolVersionData>,
        ),
        ("UntitledMultiSelectEnumSchema", |v| {
            p::<UntitledMultiSelectEnumSchema>(v).and_then(|()| primitive(v))
        }),
        ("UntitledSingleSelectEnumSchema", |v| {
            p::<UntitledSingleSelectEnumSchema>(v).and_then(|()| primitive(v))
        }),
    ];
    let n = entries.len();
    let map: BTreeMap<_, _> = entries.into_iter().collect();
    assert_eq!(map.len(), n, "duplicate table entries");
    map
}

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../spec/2026-07-28/examples")
}

#[test]
fn every_example_roundtrips() {
    let table = table();
    let mut failures = Vec::new();
    let mut files = 0;
    let mut dirs = 0;
    let mut seen = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(examples_dir()).expect("examples dir").collect();
    entries.sort_by_key(|e| e.as_ref().map(|e| e.file_name()).ok());
    for dir in entries {
        let dir = dir.expect("dir entry");
        if !dir.file_type().expect("file type").is_dir() {
            continue;
        }
        let name = dir.file_name().to_string_lossy().into_owned();
        dirs += 1;
        let Some(decoder) = table.get(name.as_str()) else {
            failures.push(format!("{name}: no decoder in the table"));
            continue;
        };
        seen.push(name.clone());
        for file in std::fs::read_dir(dir.path()).expect("read type dir") {
            let path = file.expect("file").path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            files += 1;
            let text = std::fs::read_to_string(&path).expect("read example");
            let value: Value = serde_json::from_str(&text).expect("example is JSON");
            if let Err(e) = decoder(&value) {
                failures.push(format!("{}: {e:#}", path.display()));
            }
        }
    }
    for name in table.keys() {
        if !seen.iter().any(|s| s == name) {
            failures.push(format!("{name}: table entry without example directory"));
        }
    }
    assert!(dirs >= 88, "expected at least 88 example dirs, found {dirs}");
    assert!(files >= 129, "expected at least 129 example files, found {files}");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
