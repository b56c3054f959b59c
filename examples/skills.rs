//! Skills (the `io.modelcontextprotocol/skills` extension): list a server's
//! skills, load one (its `SKILL.md`, verified against the entry), then read
//! the files it lists, each verified before it is used.
//!
//! ```sh
//! cargo run -p mcp-examples --example skills -- my-skills-server --stdio
//! cargo run -p mcp-examples --example skills   # the bundled example server
//! ```

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use mcp_client::{ClientError, ClientSession, ClientSessionOptions};
use mcp_transport_stdio::StdioServerParameters;

#[tokio::main]
async fn main() -> ExitCode {
    // Without a server command, this program is also the example server.
    mcp_testkit::serve_if_asked().await;
    let mut args = std::env::args().skip(1);
    let params = match args.next() {
        Some(command) => StdioServerParameters::new(command).args(args),
        None => mcp_testkit::example_server(),
    };
    mcp_examples::report(run(params).await)
}

async fn run(params: StdioServerParameters) -> Result<(), ClientError> {
    // Declares the extension to the server; nothing is fetched yet.
    let session = ClientSession::connect(params, ClientSessionOptions::new().skills(true)).await?;
    let skills = session.list_all_skills().await?;
    for entry in skills {
        let uri = entry.uri.clone();
        // The user approves a skill from its entry; only then is it read.
        let skill = match session.load_skill(entry).await {
            Ok(skill) => skill,
            // A skill that fails verification is reported, never used.
            Err(e) if e.skill_problem().is_some() => {
                eprintln!("skipped: {e}");
                continue;
            }
            Err(e) => return Err(e),
        };
        let verified = if skill.skill_md().is_verified() {
            "verified"
        } else {
            "dynamic, unverifiable"
        };
        println!("{} ({uri}, {verified}): {}", skill.name(), skill.description());
        for file in skill.supporting_files() {
            let read = session.read_skill_file(&skill, file).await?;
            println!("  {} ({} bytes, verified)", read.uri, read.bytes.len());
        }
    }
    session.close().await;
    Ok(())
}
