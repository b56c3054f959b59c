//! The limits that bound what a hostile server can make the session keep:
//! pages and bytes of a listing.

use mcp_client::{ClientError, ClientSessionOptions, ProtocolMode, MAX_LISTED_BYTES, MAX_PAGES};
use mcp_jsonrpc::Message;
use mcp_testkit::{scripted_session, with_timeout};
use serde_json::json;

fn initialize_era() -> ClientSessionOptions {
    ClientSessionOptions::new().protocol(ProtocolMode::Initialize)
}

#[tokio::test]
async fn a_listing_that_never_ends_stops_at_max_pages() {
    let (session, mut server) = scripted_session(initialize_era()).await;
    let script = tokio::spawn(async move {
        let mut served = 0usize;
        // Distinct cursors forever, each page one small prompt.
        while let Some(Message::Request(request)) = server.next().await {
            assert_eq!(request.method, "prompts/list");
            served += 1;
            let page =
                json!({"prompts": [{"name": format!("p{served}")}], "nextCursor": format!("c{served}")});
            server.respond(request.id, page).await;
        }
        served
    });
    let err = with_timeout(session.list_all_prompts())
        .await
        .expect_err("an endless listing");
    match &err {
        ClientError::ListingTooLarge { method, pages, .. } => {
            assert_eq!(method, "prompts/list");
            assert_eq!(*pages, MAX_PAGES);
        }
        other => panic!("expected ListingTooLarge, got {other:?}"),
    }
    assert_eq!(err.method(), Some("prompts/list"));
    drop(session);
    assert_eq!(script.await.unwrap(), MAX_PAGES, "no page asked past the limit");
}

#[tokio::test]
async fn a_listing_past_max_listed_bytes_stops_there() {
    let (session, mut server) = scripted_session(initialize_era()).await;
    let page_bytes = 4 * 1024 * 1024;
    let script = tokio::spawn(async move {
        let mut served = 0usize;
        while let Some(Message::Request(request)) = server.next().await {
            served += 1;
            let description = "d".repeat(page_bytes);
            let page = json!({
                "resources": [{"uri": format!("file:///r{served}"), "name": "r", "description": description}],
                "nextCursor": format!("c{served}"),
            });
            server.respond(request.id, page).await;
        }
        served
    });
    let err = with_timeout(session.list_all_resources())
        .await
        .expect_err("a listing past the byte limit");
    let ClientError::ListingTooLarge { pages, bytes, .. } = err else {
        panic!("expected ListingTooLarge, got {err:?}");
    };
    assert!(bytes > MAX_LISTED_BYTES, "{bytes}");
    // Every page has the same size: the pages before the last fit.
    assert!(
        bytes - bytes / pages <= MAX_LISTED_BYTES,
        "stopped at the first page past the limit"
    );
    drop(session);
    assert_eq!(script.await.unwrap(), pages);
}
