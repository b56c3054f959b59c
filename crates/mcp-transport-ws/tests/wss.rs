//! `wss://` against a loopback TLS server whose certificate the test makes:
//! trusted through `tls_config`, the session runs and closes cleanly; with the
//! default roots, the same certificate is refused with a typed connect error
//! that says what rustls refused and how to trust it.

use std::sync::Arc;

use mcp_client::{ClientSession, ClientSessionOptions};
use mcp_testkit::{with_timeout, WsBehaviour, WsServer};
use mcp_transport_ws::{websocket_client, WebSocketParameters, WsError};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::json;

/// A self-signed certificate for `localhost`, its server config, and a
/// client config that trusts only it.
fn tls_pair() -> (Arc<rustls::ServerConfig>, Arc<rustls::ClientConfig>) {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate");
    let cert: CertificateDer<'static> = certified.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.signing_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());

    let server = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], key)
        .expect("server config");

    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert).expect("a root");
    let client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    (Arc::new(server), Arc::new(client))
}

#[tokio::test]
async fn a_session_runs_over_wss_with_a_trusted_certificate() {
    let (server_tls, client_tls) = tls_pair();
    let server = WsServer::start_tls(WsBehaviour::Serve, server_tls)
        .await
        .expect("bind 127.0.0.1:0");
    assert!(server.url.starts_with("wss://localhost:"), "{}", server.url);

    let params = WebSocketParameters::new(&server.url).tls_config(client_tls);
    let session = with_timeout(ClientSession::connect(params, ClientSessionOptions::new()))
        .await
        .expect("the session connects over wss");
    let echoed = with_timeout(session.call_tool("echo", json!({"message": "over tls"})))
        .await
        .expect("tools/call");
    let text: String = echoed.content.iter().filter_map(|c| c.as_text()).collect();
    assert_eq!(text, "over tls");
    session.close().await;

    // The close handshake went through TLS too.
    with_timeout(async {
        while server.clean_closes() == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    })
    .await;
    assert_eq!(server.upgrade_requests().len(), 1);
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused_before_the_upgrade() {
    let (server_tls, _) = tls_pair();
    let server = WsServer::start_tls(WsBehaviour::Serve, server_tls)
        .await
        .expect("bind 127.0.0.1:0");

    // The default roots (webpki) do not know the test's certificate.
    let err = with_timeout(websocket_client(&WebSocketParameters::new(&server.url)))
        .await
        .expect_err("a self-signed certificate is not trusted by default");
    assert!(matches!(err, WsError::Tls { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("UnknownIssuer"), "{message}");
    assert!(message.contains("tls_config"), "{message}");
    // On the seam it is a failure to connect, like an unreachable server.
    assert!(mcp_jsonrpc::TransportError::from(err).is_connect());
    // No upgrade request was sent over the refused connection.
    assert!(server.upgrade_requests().is_empty());
}
