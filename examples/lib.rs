//! Programs for the usage examples of the client API (see `examples/`),
//! and the one helper they share.
#![allow(clippy::print_stderr)]

use std::process::ExitCode;

/// The exit status of an example: success, or the error and each of its
/// causes on stderr (`error: …`, `  caused by: …`) and failure.
pub fn report<E: std::error::Error>(result: Result<(), E>) -> ExitCode {
    let Err(e) = result else {
        return ExitCode::SUCCESS;
    };
    let mut cause: Option<&dyn std::error::Error> = Some(&e);
    let mut first = true;
    while let Some(c) = cause {
        eprintln!("{}{c}", if first { "error: " } else { "  caused by: " });
        first = false;
        cause = c.source();
    }
    ExitCode::FAILURE
}
