//! `ClientSessionGroup` against several example servers at once, each a real
//! stdio process (the `example-server` program of this package), and
//! against a scripted server for list changes.

use std::time::Duration;

use mcp_client::{ClientSession, ClientSessionOptions, ProtocolMode};
use mcp_group::{ClientSessionGroup, GroupError, GroupOptions, RestartPolicy, ServerParameters};
use mcp_testkit::{scripted_session, with_timeout};
use mcp_transport_stdio::StdioServerParameters;
use serde_json::json;

fn example() -> StdioServerParameters {
    StdioServerParameters::new(env!("CARGO_BIN_EXE_example-server"))
}

fn text(result: &mcp_client::types::CallToolResult) -> String {
    result.content.iter().filter_map(|c| c.as_text()).collect()
}

#[tokio::test]
async fn servers_of_both_eras_join_every_page_is_listed_and_collisions_are_prefixed() {
    let group = ClientSessionGroup::new();
    let one = with_timeout(group.connect_to_server_as("one", example()))
        .await
        .expect("one connects");
    // The second speaks the initialize era: a session the caller built.
    let old = with_timeout(ClientSession::connect(
        example(),
        ClientSessionOptions::new().protocol(ProtocolMode::Initialize),
    ))
    .await
    .expect("a session of the initialize era");
    let two = with_timeout(group.connect_with_session(old))
        .await
        .expect("added");
    assert_ne!(one.era(), two.era(), "one session per era");
    assert_eq!(group.server_names(), ["one", "mcp-example-server"]);

    // Every page: the example server pages its tools by 5.
    let per_server = with_timeout(one.list_all_tools()).await.expect("tools").len();
    assert!(per_server > 5, "the example server has several pages of tools");
    let tools = group.tool_list();
    let of = |server: &str| tools.iter().filter(|c| c.server == server).count();
    assert_eq!(of("one"), per_server);
    assert_eq!(
        of("mcp-example-server"),
        with_timeout(two.list_all_tools()).await.expect("tools").len()
    );

    // The first keeps `echo`; the second's is prefixed, and both reach
    // their own server under the tool's own name.
    let names = group.tools();
    assert!(names.contains_key("echo") && names.contains_key("mcp-example-server_echo"));
    let echo = tools
        .iter()
        .find(|c| c.name == "mcp-example-server_echo")
        .expect("listed");
    assert_eq!(
        (echo.server.as_str(), echo.item.name.as_str()),
        ("mcp-example-server", "echo")
    );
    for name in ["echo", "mcp-example-server_echo"] {
        let result = with_timeout(group.call_tool(name, json!({"message": name})))
            .await
            .expect("routed");
        assert_eq!(text(&result), name);
    }

    // Prompts by name, resources by URI.
    let prompt = with_timeout(group.get_prompt("mcp-example-server_greet", [("name", "Ada")]))
        .await
        .expect("prompt");
    assert!(!prompt.messages.is_empty());
    let readme = group
        .resource_list()
        .into_iter()
        .find(|r| r.server == "one")
        .expect("a resource");
    let read = with_timeout(group.read_resource(&readme.item.uri))
        .await
        .expect("read");
    assert!(!read.contents.is_empty());

    let unknown = group
        .call_tool("nope", json!({}))
        .await
        .expect_err("no such tool");
    assert!(matches!(unknown, GroupError::UnknownTool { .. }) && unknown.is_unknown());
    let unknown = group.read_resource("nowhere://x").await.expect_err("no owner");
    assert!(matches!(unknown, GroupError::UnknownResource { .. }), "{unknown}");
    with_timeout(group.close()).await;
    assert!(group.sessions().is_empty() && group.tools().is_empty());
}

#[tokio::test]
async fn a_hook_names_components_and_a_duplicate_server_name_is_refused() {
    let group = ClientSessionGroup::with_options(
        GroupOptions::new().component_name_hook(|name, info| format!("{}:{name}", info.version)),
    );
    with_timeout(group.connect_to_server_as("a", example()))
        .await
        .expect("a");
    let tools = group.tools();
    assert!(tools.keys().all(|k| k.contains(':')), "{:?}", tools.keys());
    let again = with_timeout(group.connect_to_server_as("a", example()))
        .await
        .expect_err("the name is taken");
    assert!(matches!(again, GroupError::DuplicateServer { .. }), "{again}");
    assert_eq!(group.sessions().len(), 1);
    with_timeout(group.close()).await;
}

#[tokio::test]
async fn a_server_that_dies_fails_its_calls_at_once_and_the_others_go_on() {
    let group = ClientSessionGroup::new();
    let results = with_timeout(group.connect_all([
        ("doomed", ServerParameters::from(example())),
        ("steady", example().into()),
    ]))
    .await;
    assert!(results.iter().all(Result::is_ok));
    let mut changes = group.changes();
    changes.borrow_and_update();

    // A slow call on `steady` runs while `doomed` crashes.
    let slow = {
        let group = group.clone();
        tokio::spawn(async move {
            group
                .call_tool("steady_slow", json!({"steps": 5, "delay_ms": 100}))
                .await
        })
    };
    let crashed = with_timeout(group.call_tool("crash", json!({"code": 3})))
        .await
        .expect_err("the server exits under the call");
    assert_eq!(crashed.server(), Some("doomed"));
    assert!(crashed.is_unavailable(), "{crashed}");
    let slow = with_timeout(slow)
        .await
        .expect("joined")
        .expect("the other server answers");
    assert!(!text(&slow).is_empty());

    // It is marked unavailable, with its exit status; its tools go.
    with_timeout(changes.changed()).await.expect("a change is told");
    with_timeout(async {
        while group.unavailable_reason("doomed").is_none() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    let reason = group.unavailable_reason("doomed").expect("down");
    assert!(reason.contains('3'), "the exit status is told: {reason}");
    let again = with_timeout(group.call_tool("echo", json!({"message": "x"})))
        .await
        .expect_err("unavailable");
    assert!(
        matches!(&again, GroupError::Unavailable { server, .. } if server == "doomed"),
        "{again}"
    );
    assert!(group.tool_list().iter().all(|c| c.server == "steady"));
    assert_eq!(group.sessions().len(), 1);
    with_timeout(group.close()).await;
}

#[tokio::test]
async fn with_a_restart_policy_a_dead_server_comes_back_on_next_use() {
    let group = ClientSessionGroup::with_options(
        GroupOptions::new()
            .restart(RestartPolicy::new().backoff(Duration::from_millis(10), Duration::from_millis(50))),
    );
    let first = with_timeout(group.connect_to_server_as("phoenix", example()))
        .await
        .expect("connects");
    let _ = with_timeout(group.call_tool("crash", json!({}))).await;
    with_timeout(first.closed()).await;
    // Its tools stay listed: it is restartable.
    assert!(group.tools().contains_key("echo"));
    let result = with_timeout(group.call_tool("echo", json!({"message": "again"})))
        .await
        .expect("restarted on use");
    assert_eq!(text(&result), "again");
    let second = group.session("phoenix").expect("up again");
    assert!(!ClientSession::ptr_eq(&first, &second));
    with_timeout(group.close()).await;
}

#[tokio::test]
async fn failing_servers_are_named_and_the_others_connect() {
    let group = ClientSessionGroup::with_options(GroupOptions::new().connect_timeout(Duration::from_secs(2)));
    let results = with_timeout(group.connect_all([
        ("good", ServerParameters::from(example())),
        (
            "missing",
            StdioServerParameters::new("mcp-group-test-no-such-server").into(),
        ),
        (
            "exits",
            StdioServerParameters::new("sh").args(["-c", "exit 4"]).into(),
        ),
        ("silent", StdioServerParameters::new("sleep").arg("30").into()),
    ]))
    .await;
    assert!(results[0].is_ok());
    for (result, name) in results[1..].iter().zip(["missing", "exits", "silent"]) {
        let e = result.as_ref().expect_err("fails");
        assert_eq!(e.server(), Some(name), "{e}");
        assert!(e.is_connect(), "{e}");
    }
    assert!(matches!(results[3], Err(GroupError::ConnectTimeout { .. })));
    assert_eq!(group.server_names(), ["good"]);
    with_timeout(group.close()).await;
}

#[tokio::test]
async fn a_list_change_refreshes_that_servers_entries() {
    let (session, mut peer) = scripted_session(ClientSessionOptions::new()).await;
    let group =
        ClientSessionGroup::with_options(GroupOptions::new().refresh_debounce(Duration::from_millis(20)));
    let tool = |name: &str| json!({"name": name, "inputSchema": {"type": "object"}});
    let adding = {
        let group = group.clone();
        tokio::spawn(async move { group.connect_with_session(session).await })
    };
    // The first listings: one tool, no prompts, no resources.
    for (method, result) in [
        ("tools/list", json!({"tools": [tool("a")]})),
        ("prompts/list", json!({"prompts": []})),
        ("resources/list", json!({"resources": []})),
        ("resources/templates/list", json!({"resourceTemplates": []})),
    ] {
        let request = with_timeout(peer.request()).await;
        assert_eq!(request.method, method);
        peer.respond(request.id, result).await;
    }
    with_timeout(adding).await.expect("joined").expect("added");
    assert_eq!(group.tools().into_keys().collect::<Vec<_>>(), ["a"]);

    let mut changes = group.changes();
    changes.borrow_and_update();
    // Two notifications in a burst make one refresh.
    for _ in 0..2 {
        let changed = mcp_jsonrpc::Notification {
            method: "notifications/tools/list_changed".into(),
            params: None,
        };
        peer.send(changed).await;
    }
    let request = with_timeout(peer.request()).await;
    assert_eq!(request.method, "tools/list");
    peer.respond(request.id, json!({"tools": [tool("a"), tool("b")]}))
        .await;
    with_timeout(changes.changed()).await.expect("told");
    assert_eq!(group.tools().into_keys().collect::<Vec<_>>(), ["a", "b"]);
    // No second refresh for the same burst.
    let more = tokio::time::timeout(Duration::from_millis(200), peer.request()).await;
    assert!(more.is_err(), "one refresh per burst: {more:?}");
}

#[tokio::test]
async fn the_group_closes_from_any_task_and_drops_cleanly() {
    let group = ClientSessionGroup::new();
    with_timeout(group.connect_all([("x", ServerParameters::from(example())), ("y", example().into())]))
        .await;
    let sessions = group.sessions();
    assert_eq!(sessions.len(), 2);
    // Close from another task while this one still holds clones.
    let closer = {
        let group = group.clone();
        tokio::spawn(async move { group.close().await })
    };
    with_timeout(closer).await.expect("closed from another task");
    for s in &sessions {
        with_timeout(s.closed()).await;
    }
    assert!(group.sessions().is_empty());
    // The group can be used again, and dropping it closes what it holds.
    let z = with_timeout(group.connect_to_server_as("z", example()))
        .await
        .expect("z");
    drop(group);
    with_timeout(z.closed()).await;
}

#[tokio::test]
async fn a_slow_call_on_one_server_does_not_hold_up_another_and_disconnect_removes_a_server() {
    let group = ClientSessionGroup::new();
    let results = with_timeout(group.connect_all([
        ("slowpoke", ServerParameters::from(example())),
        ("quick", example().into()),
    ]))
    .await;
    assert!(results.iter().all(Result::is_ok));
    let slow = {
        let group = group.clone();
        tokio::spawn(async move {
            group
                .call_tool("slow", json!({"steps": 100, "delay_ms": 100}))
                .await
        })
    };
    // The other server answers while the slow call is still running.
    let quick = with_timeout(group.call_tool("quick_echo", json!({"message": "meanwhile"})))
        .await
        .expect("the other server answers");
    assert_eq!(text(&quick), "meanwhile");
    assert!(!slow.is_finished(), "the slow call is still running");

    // Disconnecting the slow server ends its call and removes its tools.
    let session = group.session("slowpoke").expect("up");
    with_timeout(group.disconnect_from_server(&session))
        .await
        .expect("disconnected");
    let ended = with_timeout(slow).await.expect("joined");
    assert!(ended.is_err(), "the call ends with its server: {ended:?}");
    assert_eq!(group.server_names(), ["quick"]);
    assert!(group.tool_list().iter().all(|c| c.server == "quick"));
    let again = group
        .disconnect_from_server(&session)
        .await
        .expect_err("already gone");
    assert!(matches!(again, GroupError::UnknownServer { .. }), "{again}");
    with_timeout(group.close()).await;
}

#[tokio::test]
async fn a_list_change_in_the_stateless_era_refreshes_the_server() {
    let group =
        ClientSessionGroup::with_options(GroupOptions::new().refresh_debounce(Duration::from_millis(20)));
    let session = with_timeout(group.connect_to_server_as("live", example()))
        .await
        .expect("connects");
    assert_eq!(session.era(), Some(mcp_client::Era::Stateless));
    let mut changes = group.changes();
    changes.borrow_and_update();
    let before = session.list_changes().borrow().tools;
    // `notify` pushes `notifications/tools/list_changed` to the listen
    // stream the session opened.
    with_timeout(group.call_tool("notify", json!({})))
        .await
        .expect("notify");
    with_timeout(changes.changed())
        .await
        .expect("the group refreshed");
    assert!(session.list_changes().borrow().tools > before);
    assert!(
        group.tools().contains_key("echo"),
        "the listing is whole after the refresh"
    );
    with_timeout(group.close()).await;
}

#[tokio::test]
async fn a_server_that_cannot_be_restarted_is_given_up_after_the_bounded_attempts() {
    let dir = std::env::temp_dir().join(format!("mcp-group-restart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let started = dir.join("started");
    // Serves the first time; every later start counts itself and fails.
    let script = format!(
        "if [ -e {m} ]; then echo x >> {m}.again; exit 5; fi; touch {m}; exec {exe}",
        m = started.display(),
        exe = env!("CARGO_BIN_EXE_example-server"),
    );
    let group = ClientSessionGroup::with_options(
        GroupOptions::new().restart(
            RestartPolicy::new()
                .max_attempts(2)
                .backoff(Duration::from_millis(10), Duration::from_millis(20)),
        ),
    );
    // A session of the initialize era, opened from parameters: restarts
    // speak that era again, so each attempt starts the server once.
    let first = with_timeout(ClientSession::connect(
        StdioServerParameters::new("sh").args(["-c", &script]),
        ClientSessionOptions::new().protocol(ProtocolMode::Initialize),
    ))
    .await
    .expect("the first start serves");
    let first = with_timeout(group.connect_with_session(first))
        .await
        .expect("added");
    let _ = with_timeout(group.call_tool("crash", json!({}))).await;
    with_timeout(first.closed()).await;

    let e = with_timeout(group.call_tool("echo", json!({"message": "x"})))
        .await
        .expect_err("it cannot come back");
    assert!(
        matches!(&e, GroupError::Unavailable { server, .. } if server == "mcp-example-server"),
        "{e}"
    );
    assert!(e.to_string().contains("2 attempt(s)"), "{e}");
    let attempts = || {
        std::fs::read_to_string(dir.join("started.again"))
            .map(|s| s.lines().count())
            .unwrap_or(0)
    };
    assert_eq!(attempts(), 2, "exactly the policy's attempts");
    // Given up: no more starts, and its tools are gone.
    let e = with_timeout(group.call_tool("echo", json!({"message": "x"})))
        .await
        .expect_err("still unavailable");
    assert!(e.is_unavailable(), "{e}");
    assert_eq!(attempts(), 2);
    assert!(group.tools().is_empty());
    with_timeout(group.close()).await;
    let _ = std::fs::remove_dir_all(&dir);
}
