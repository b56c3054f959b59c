//! Process-group signals and readable exit statuses.

use std::process::ExitStatus;

/// Sends SIGTERM to the process group `pgid`; false if it could not be sent
/// (the group is gone, or this platform has no process groups).
pub(crate) fn terminate_group(pgid: u32) -> bool {
    #[cfg(unix)]
    {
        signal_group(pgid, libc::SIGTERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pgid;
        false
    }
}

/// Sends SIGKILL to the process group `pgid`; false if it could not be sent.
pub(crate) fn kill_group(pgid: u32) -> bool {
    #[cfg(unix)]
    {
        signal_group(pgid, libc::SIGKILL)
    }
    #[cfg(not(unix))]
    {
        let _ = pgid;
        false
    }
}

#[cfg(unix)]
#[allow(unsafe_code)]
fn signal_group(pgid: u32, signal: libc::c_int) -> bool {
    // Never 0 (our own group) or 1 (every process we may signal).
    let Ok(pgid) = libc::pid_t::try_from(pgid) else {
        return false;
    };
    if pgid <= 1 {
        return false;
    }
    // SAFETY: killpg takes two plain integers and touches no memory of ours.
    unsafe { libc::killpg(pgid, signal) == 0 }
}

/// "status 3", "signal 9 (SIGKILL)".
pub(crate) fn describe_exit(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return match signal_name(signal) {
                Some(name) => format!("signal {signal} ({name})"),
                None => format!("signal {signal}"),
            };
        }
    }
    status.to_string()
}

#[cfg(unix)]
fn signal_name(signal: i32) -> Option<&'static str> {
    Some(match signal {
        libc::SIGHUP => "SIGHUP",
        libc::SIGINT => "SIGINT",
        libc::SIGQUIT => "SIGQUIT",
        libc::SIGILL => "SIGILL",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGALRM => "SIGALRM",
        libc::SIGTERM => "SIGTERM",
        _ => return None,
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    #[test]
    fn describes_codes_and_signals() {
        assert_eq!(describe_exit(ExitStatus::from_raw(3 << 8)), "status 3");
        assert_eq!(describe_exit(ExitStatus::from_raw(9)), "signal 9 (SIGKILL)");
        assert_eq!(describe_exit(ExitStatus::from_raw(15)), "signal 15 (SIGTERM)");
    }

    #[test]
    fn refuses_dangerous_groups() {
        assert!(!kill_group(0));
        assert!(!kill_group(1));
        assert!(!kill_group(u32::MAX));
    }
}
