//! Process-group signals and exit statuses.

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

/// The exit code and, on Unix, the signal that ended the process.
pub(crate) fn exit_parts(status: ExitStatus) -> (Option<i32>, Option<i32>) {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        (status.code(), status.signal())
    }
    #[cfg(not(unix))]
    {
        (status.code(), None)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    #[test]
    fn tells_codes_from_signals() {
        assert_eq!(exit_parts(ExitStatus::from_raw(3 << 8)), (Some(3), None));
        assert_eq!(exit_parts(ExitStatus::from_raw(9)), (None, Some(9)));
    }

    #[test]
    fn refuses_dangerous_groups() {
        assert!(!kill_group(0));
        assert!(!kill_group(1));
        assert!(!kill_group(u32::MAX));
    }
}
