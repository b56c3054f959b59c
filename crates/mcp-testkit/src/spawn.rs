//! The example server as a real stdio process, for doc examples and
//! programs that show the library as users use it: the program starts
//! itself as the server ([`example_server`]), and its first line serves
//! when it is that child ([`serve_if_asked`]). One binary, the real stdio
//! path exercised, nothing to install.

use mcp_transport_stdio::StdioServerParameters;

use crate::server::serve_stdio;

/// The environment variable that makes a program [`serve_if_asked`].
pub const SERVE_EXAMPLE_ENV: &str = "MCP_TESTKIT_SERVE_EXAMPLE";

/// Parameters that start this very program as the example server.
///
/// # Panics
/// When the path of the running program cannot be found.
pub fn example_server() -> StdioServerParameters {
    let me = std::env::current_exe().expect("the path of the running program");
    StdioServerParameters::new(me.to_string_lossy().into_owned()).env(SERVE_EXAMPLE_ENV, "1")
}

/// When this process was started by [`example_server`], serves the example
/// server on stdio and exits; otherwise returns at once.
pub async fn serve_if_asked() {
    if std::env::var_os(SERVE_EXAMPLE_ENV).is_some() {
        serve_stdio().await;
        std::process::exit(0);
    }
}
