//! The example server in the 2026-07-28 era: discovery, `_meta` checks,
//! results, input rounds and logging, driven by a raw JSON-RPC peer with
//! hand-written requests.

mod support;

use serde_json::{json, Value};

#[allow(clippy::wildcard_imports)]
use support::*;

#[tokio::test]
async fn discover_describes_the_modern_era() {
    let c = start();
    let d = c.ok("server/discover", json!({"_meta": meta(json!({}))})).await;
    assert_eq!(d["resultType"], "complete");
    assert_eq!(d["supportedVersions"], json!([V]));
    assert_eq!(d["capabilities"]["tools"]["listChanged"], true);
    assert_eq!(d["capabilities"]["resources"]["subscribe"], true);
    assert_eq!(d["capabilities"]["prompts"]["listChanged"], false);
    assert!(d["capabilities"]["extensions"]["io.modelcontextprotocol/tasks"].is_object());
    assert_eq!(d["ttlMs"], 60000);
    assert_eq!(d["cacheScope"], "public");
    assert!(d["instructions"].is_string());
    assert_eq!(
        d["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
        mcp_testkit::EXAMPLE_SERVER_NAME
    );
    // A dual-era server answers discovery even without the stateless `_meta`.
    let bare = c.ok("server/discover", json!({})).await;
    assert_eq!(bare["supportedVersions"], json!([V]));
}

#[tokio::test]
async fn meta_is_checked_on_every_modern_request() {
    let c = start();
    let e = c
        .err(
            "tools/call",
            json!({"name": "echo", "arguments": {"message": "x"}, "_meta": {PV: V}}),
        )
        .await;
    assert_eq!(e.code, -32602);
    assert!(e.message.contains("clientCapabilities"), "{}", e.message);
    let e = c.err("tools/list", json!({"_meta": {CC: {}}})).await;
    assert_eq!(e.code, -32602);
    assert!(e.message.contains("protocolVersion"), "{}", e.message);
    let e = c.err("subscriptions/listen", json!({"notifications": {}})).await;
    assert_eq!(e.code, -32602);
    let e = c
        .err(
            "tools/list",
            json!({"_meta": {PV: V, CC: {}, "io.modelcontextprotocol/logLevel": "loud"}}),
        )
        .await;
    assert_eq!(e.code, -32602);

    let e = c
        .err("tools/list", json!({"_meta": {PV: "2099-01-01", CC: {}}}))
        .await;
    assert_eq!(e.code, -32022);
    let data = e.data.expect("data");
    assert_eq!(data["supported"], json!([V]));
    assert_eq!(data["requested"], "2099-01-01");
    let e = c
        .err("server/discover", json!({"_meta": {PV: "2099-01-01", CC: {}}}))
        .await;
    assert_eq!(e.code, -32022);

    for (method, params) in [
        ("ping", json!({})),
        ("logging/setLevel", json!({"level": "debug"})),
        ("resources/subscribe", json!({"uri": "example://readme"})),
        ("resources/unsubscribe", json!({"uri": "example://readme"})),
        ("initialize", json!({})),
    ] {
        let e = c.err(method, with_meta(params, json!({}))).await;
        assert_eq!(e.code, -32601, "{method}");
    }
}

#[tokio::test]
async fn modern_results_carry_result_type_and_cache_hints() {
    let c = start();
    let tools = c.ok("tools/list", with_meta(json!({}), json!({}))).await;
    assert_eq!(tools["resultType"], "complete");
    assert_eq!(tools["ttlMs"], 30000);
    assert_eq!(tools["cacheScope"], "public");
    let mut names = Vec::new();
    let mut cursor: Option<Value> = None;
    loop {
        let mut params = with_meta(json!({}), json!({}));
        if let Some(c) = cursor.take() {
            params["cursor"] = c;
        }
        let page = c.ok("tools/list", params).await;
        for t in page["tools"].as_array().expect("tools") {
            names.push(t["name"].as_str().expect("name").to_owned());
        }
        match page.get("nextCursor") {
            Some(next) => cursor = Some(next.clone()),
            None => break,
        }
    }
    for name in ["echo", "multi_step", "task_input", "end_subscriptions"] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }
    let read = c
        .ok(
            "resources/read",
            with_meta(json!({"uri": "example://readme"}), json!({})),
        )
        .await;
    assert_eq!(read["resultType"], "complete");
    assert_eq!(read["ttlMs"], 5000);
    assert_eq!(read["cacheScope"], "public");
    let missing = c
        .err(
            "resources/read",
            with_meta(json!({"uri": "example://missing"}), json!({})),
        )
        .await;
    assert_eq!(missing.code, -32602);
    let prompts = c.ok("prompts/list", with_meta(json!({}), json!({}))).await;
    assert_eq!(prompts["ttlMs"], 30000);
    assert_eq!(prompts["prompts"].as_array().map(Vec::len), Some(3));
    let echo = c.tool("echo", json!({"message": "hi"}), json!({})).await;
    assert_eq!(echo["resultType"], "complete");
    assert_eq!(first_text(&echo), "hi");
    let done = c
        .ok(
            "completion/complete",
            with_meta(
                json!({"ref": {"type": "ref/prompt", "name": "greet"}, "argument": {"name": "name", "value": "A"}}),
                json!({}),
            ),
        )
        .await;
    assert_eq!(done["resultType"], "complete");
    assert_eq!(done["completion"]["values"], json!(["Ada", "Alan"]));
}

/// Calls `name` once, checks it asks for input under `key` with `method`,
/// then retries with `answer` and the echoed state; returns the final result.
async fn round_trip(c: &Client, name: &str, args: Value, key: &str, method: &str, answer: Value) -> Value {
    let first = c.tool(name, args.clone(), all_caps()).await;
    assert_eq!(first["resultType"], "input_required", "{first}");
    assert_eq!(first["inputRequests"][key]["method"], method, "{first}");
    let state = first["requestState"].as_str().expect("requestState").to_owned();
    let retry = json!({
        "name": name,
        "arguments": args,
        "inputResponses": {key: answer},
        "requestState": state,
    });
    let last = c.ok("tools/call", with_meta(retry, all_caps())).await;
    assert_eq!(last["resultType"], "complete", "{last}");
    last
}

#[tokio::test]
async fn ask_sample_and_roots_take_one_round() {
    let c = start();
    let r = round_trip(
        &c,
        "ask",
        json!({"question": "Colour?"}),
        "answer",
        "elicitation/create",
        json!({"action": "accept", "content": {"answer": "blue"}}),
    )
    .await;
    assert_eq!(first_text(&r), "the user answered: blue");
    let r = round_trip(
        &c,
        "ask",
        json!({"question": "Colour?"}),
        "answer",
        "elicitation/create",
        json!({"action": "decline"}),
    )
    .await;
    assert_eq!(first_text(&r), "the user chose to decline");
    let r = round_trip(
        &c,
        "sample",
        json!({"prompt": "Hi"}),
        "completion",
        "sampling/createMessage",
        json!({"role": "assistant", "content": {"type": "text", "text": "hello"}, "model": "m1"}),
    )
    .await;
    assert_eq!(first_text(&r), "m1 said: hello");
    let r = round_trip(
        &c,
        "roots",
        json!({}),
        "roots",
        "roots/list",
        json!({"roots": [{"uri": "file:///a"}, {"uri": "file:///b"}]}),
    )
    .await;
    assert_eq!(first_text(&r), "roots: file:///a, file:///b");
}

#[tokio::test]
async fn retries_must_echo_the_request_state() {
    let c = start();
    let args = json!({"question": "Colour?"});
    let answer = json!({"answer": {"action": "accept", "content": {"answer": "blue"}}});
    let e = c
        .err(
            "tools/call",
            with_meta(
                json!({"name": "ask", "arguments": args, "inputResponses": answer}),
                all_caps(),
            ),
        )
        .await;
    assert_eq!(e.code, -32602);
    assert!(e.message.contains("requestState"), "{}", e.message);
    let e = c
        .err(
            "tools/call",
            with_meta(
                json!({"name": "ask", "arguments": args, "inputResponses": answer, "requestState": "bm9wZQ"}),
                all_caps(),
            ),
        )
        .await;
    assert_eq!(e.code, -32602);
    // A retry without the requested input is asked again.
    let first = c.tool("ask", args.clone(), all_caps()).await;
    let state = first["requestState"].clone();
    let again = c
        .ok(
            "tools/call",
            with_meta(
                json!({"name": "ask", "arguments": args, "inputResponses": {}, "requestState": state}),
                all_caps(),
            ),
        )
        .await;
    assert_eq!(again["resultType"], "input_required");
    assert_eq!(again["inputRequests"], first["inputRequests"]);
}

#[tokio::test]
async fn multi_step_takes_two_rounds() {
    let c = start();
    let call = |extra: Value| {
        let mut p = json!({"name": "multi_step", "arguments": {}});
        if let (Value::Object(p), Value::Object(extra)) = (&mut p, extra) {
            p.extend(extra);
        }
        with_meta(p, json!({"elicitation": {}}))
    };
    let one = c.ok("tools/call", call(json!({}))).await;
    assert_eq!(one["resultType"], "input_required");
    assert_eq!(one["inputRequests"]["name"]["method"], "elicitation/create");
    let two = c
        .ok(
            "tools/call",
            call(json!({
                "inputResponses": {"name": {"action": "accept", "content": {"name": "Ada"}}},
                "requestState": one["requestState"],
            })),
        )
        .await;
    assert_eq!(two["resultType"], "input_required", "{two}");
    let confirm = &two["inputRequests"]["confirm"];
    assert_eq!(confirm["method"], "elicitation/create");
    assert_eq!(confirm["params"]["message"], "Proceed as Ada?");
    assert_eq!(
        confirm["params"]["requestedSchema"]["properties"]["confirm"]["type"],
        "boolean"
    );
    assert_ne!(two["requestState"], one["requestState"]);
    // Only the latest round's answers travel with the latest state.
    let done = c
        .ok(
            "tools/call",
            call(json!({
                "inputResponses": {"confirm": {"action": "accept", "content": {"confirm": true}}},
                "requestState": two["requestState"],
            })),
        )
        .await;
    assert_eq!(done["resultType"], "complete");
    assert_eq!(first_text(&done), "confirmed: Ada");
    // The first round's state answered with the second round's key: asked again.
    let stale = c
        .ok(
            "tools/call",
            call(json!({
                "inputResponses": {"confirm": {"action": "accept", "content": {"confirm": true}}},
                "requestState": one["requestState"],
            })),
        )
        .await;
    assert_eq!(stale["inputRequests"]["name"]["method"], "elicitation/create");
}

#[tokio::test]
async fn missing_capabilities_are_reported() {
    let c = start();
    let ask = c.tool("ask", json!({"question": "?"}), json!({})).await;
    assert_eq!(ask["resultType"], "complete");
    assert_eq!(ask["isError"], true);
    assert!(first_text(&ask).contains("elicitation"), "{ask}");
    // URL-only elicitation cannot carry a form.
    let url_only = c
        .tool("multi_step", json!({}), json!({"elicitation": {"url": {}}}))
        .await;
    assert_eq!(url_only["isError"], true);
    let roots = c.tool("roots", json!({}), json!({"elicitation": {}})).await;
    assert_eq!(roots["isError"], true);
    assert!(first_text(&roots).contains("roots"), "{roots}");
    let e = c
        .err(
            "tools/call",
            with_meta(json!({"name": "sample", "arguments": {"prompt": "x"}}), json!({})),
        )
        .await;
    assert_eq!(e.code, -32021);
    assert!(e.data.expect("data")["requiredCapabilities"]["sampling"].is_object());
    let e = c
        .err("prompts/get", with_meta(json!({"name": "personal"}), json!({})))
        .await;
    assert_eq!(e.code, -32021);
    let e = c
        .err(
            "resources/read",
            with_meta(json!({"uri": "example://secret"}), json!({})),
        )
        .await;
    assert_eq!(e.code, -32021);
}

#[tokio::test]
async fn prompts_and_resources_ask_for_input_too() {
    let c = start();
    let caps = json!({"elicitation": {}});
    let first = c
        .ok(
            "prompts/get",
            with_meta(json!({"name": "personal"}), caps.clone()),
        )
        .await;
    assert_eq!(first["resultType"], "input_required");
    assert!(
        first.get("ttlMs").is_none(),
        "interim results carry no cache hints"
    );
    let got = c
        .ok(
            "prompts/get",
            with_meta(
                json!({
                    "name": "personal",
                    "inputResponses": {"name": {"action": "accept", "content": {"name": "Grace"}}},
                    "requestState": first["requestState"],
                }),
                caps.clone(),
            ),
        )
        .await;
    assert_eq!(got["resultType"], "complete");
    assert_eq!(
        got["messages"][0]["content"]["text"],
        "Please greet Grace personally."
    );

    let first = c
        .ok(
            "resources/read",
            with_meta(json!({"uri": "example://secret"}), caps.clone()),
        )
        .await;
    assert_eq!(first["resultType"], "input_required");
    assert_eq!(
        first["inputRequests"]["passphrase"]["method"],
        "elicitation/create"
    );
    let retry = |answer: Value| {
        with_meta(
            json!({
                "uri": "example://secret",
                "inputResponses": {"passphrase": answer},
                "requestState": first["requestState"],
            }),
            caps.clone(),
        )
    };
    let read = c
        .ok(
            "resources/read",
            retry(json!({"action": "accept", "content": {"passphrase": "open"}})),
        )
        .await;
    assert_eq!(read["resultType"], "complete");
    assert_eq!(read["contents"][0]["text"], "The secret is 42.");
    assert_eq!(read["cacheScope"], "private");
    let e = c.err("resources/read", retry(json!({"action": "decline"}))).await;
    assert_eq!(e.code, -32602);
}

#[tokio::test]
async fn log_messages_follow_the_request_log_level() {
    let mut c = start();
    c.tool("notify", json!({}), json!({})).await;
    assert!(
        c.drain().iter().all(|(m, _)| m != "notifications/message"),
        "no logLevel, no logs"
    );
    let mut p = with_meta(json!({"name": "notify", "arguments": {}}), json!({}));
    p["_meta"]["io.modelcontextprotocol/logLevel"] = json!("warning");
    c.ok("tools/call", p.clone()).await;
    let levels: Vec<Value> = c
        .drain()
        .into_iter()
        .filter(|(m, _)| m == "notifications/message")
        .map(|(_, p)| p["level"].clone())
        .collect();
    assert_eq!(levels, vec![json!("warning")]);
    p["_meta"]["io.modelcontextprotocol/logLevel"] = json!("debug");
    c.ok("tools/call", p).await;
    let logs: Vec<Value> = c
        .drain()
        .into_iter()
        .filter(|(m, _)| m == "notifications/message")
        .map(|(_, p)| p["data"].clone())
        .collect();
    assert_eq!(
        logs,
        vec![
            json!("calling tool notify"),
            json!("a warning from the notify tool")
        ]
    );
}
