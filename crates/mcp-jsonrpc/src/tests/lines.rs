//! Line framing over `tokio::io::duplex`, alone and under two peers.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use super::{config, TestHandler};
use crate::lines::{line_transport, LineOptions};
use crate::{Inbound, Message, Notification, Peer, RequestOptions, TransportError};

#[tokio::test]
async fn oversized_and_malformed_lines_are_reported_and_skipped() {
    let (ours, theirs) = tokio::io::duplex(1024);
    let (read, write) = tokio::io::split(ours);
    let mut transport = line_transport(read, write, LineOptions::default().max_message_size(64));
    let (_their_read, mut their_write) = tokio::io::split(theirs);
    let big = format!(
        r#"{{"jsonrpc":"2.0","method":"big","params":"{}"}}"#,
        "x".repeat(200)
    );
    let input = format!(
        "{big}\nnot json\n\r\n{}\n",
        r#"{"jsonrpc":"2.0","id":1,"result":true}"#
    );
    their_write.write_all(input.as_bytes()).await.expect("write");
    let first = transport.inbound.recv().await.expect("report");
    assert!(
        matches!(first, Inbound::Report(TransportError::TooLarge { limit: 64 })),
        "{first:?}"
    );
    let second = transport.inbound.recv().await.expect("report");
    assert!(
        matches!(second, Inbound::Report(TransportError::Malformed(_))),
        "{second:?}"
    );
    let Some(Inbound::Message(third)) = transport.inbound.recv().await else {
        panic!("expected a message");
    };
    assert_eq!(third.id(), Some(&1.into()));
    // End of stream ends the inbound stream, even while our outbound is open.
    drop(their_write);
    drop(_their_read);
    let end = tokio::time::timeout(Duration::from_secs(5), transport.inbound.recv())
        .await
        .expect("ended in time");
    assert!(end.is_none(), "{end:?}");
}

#[tokio::test]
async fn the_writer_coalesces_many_messages_in_order() {
    let (ours, theirs) = tokio::io::duplex(4096);
    let (read, write) = tokio::io::split(ours);
    let transport = line_transport(read, write, LineOptions::default());
    let sender = transport.outbound.clone();
    let n = 2000;
    tokio::spawn(async move {
        for i in 0..n {
            let msg = Message::Notification(Notification {
                method: format!("m{i}").into(),
                params: crate::to_raw(&serde_json::json!({"i": i, "pad": "y".repeat(i % 50)})).ok(),
            });
            if sender.send(msg.into()).await.is_err() {
                break;
            }
        }
    });
    let mut lines = BufReader::new(theirs).lines();
    for i in 0..n {
        let line = lines.next_line().await.expect("read").expect("a line");
        let msg = Message::from_slice(line.as_bytes()).expect("valid");
        assert_eq!(msg.method(), Some(format!("m{i}").as_str()));
    }
    drop(transport);
}

#[tokio::test]
async fn two_peers_over_line_transports() {
    let (a, b) = tokio::io::duplex(64 * 1024);
    let (ar, aw) = tokio::io::split(a);
    let (br, bw) = tokio::io::split(b);
    let client = Peer::start(
        line_transport(ar, aw, LineOptions::default()),
        Arc::new(TestHandler::default()),
        config(),
    );
    let server = Peer::start(
        line_transport(br, bw, LineOptions::default()),
        Arc::new(TestHandler::default()),
        config(),
    );
    let mut calls = Vec::new();
    for i in 0..50 {
        calls.push(client.request::<_, serde_json::Value>("echo", Some(&i), RequestOptions::default()));
    }
    let results = futures_util::future::join_all(calls).await;
    for (i, r) in results.into_iter().enumerate() {
        assert_eq!(r.expect("echo"), serde_json::json!(i));
    }
    drop(server);
    let reason = tokio::time::timeout(Duration::from_secs(5), client.closed())
        .await
        .expect("the client saw the close");
    assert_eq!(reason, crate::CloseReason::end_of_stream());
}
