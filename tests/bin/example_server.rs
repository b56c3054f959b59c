//! The bundled example server over stdio, as a program of its own, for
//! tests that start many servers (the group's).

#[tokio::main(flavor = "current_thread")]
async fn main() {
    mcp_testkit::serve_stdio().await;
}
