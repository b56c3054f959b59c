//! The environment of the child process.

use std::ffi::OsString;

/// Variables a server inherits when
/// [`inherit_env`](crate::StdioServerParameters::inherit_env) is false: the
/// Python SDK's list, and the proxy and CA-certificate variables (without
/// them a server behind a proxy or a private CA, `npx` included, cannot
/// reach the network).
#[cfg(not(windows))]
pub const DEFAULT_INHERITED_ENV_VARS: &[&str] = &[
    "HOME",
    "LOGNAME",
    "PATH",
    "SHELL",
    "TERM",
    "USER",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "all_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "NODE_EXTRA_CA_CERTS",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
];

/// Variables a server inherits when
/// [`inherit_env`](crate::StdioServerParameters::inherit_env) is false: the
/// Python SDK's list, and the proxy and CA-certificate variables.
#[cfg(windows)]
pub const DEFAULT_INHERITED_ENV_VARS: &[&str] = &[
    "APPDATA",
    "HOMEDRIVE",
    "HOMEPATH",
    "LOCALAPPDATA",
    "PATH",
    "PATHEXT",
    "PROCESSOR_ARCHITECTURE",
    "SYSTEMDRIVE",
    "SYSTEMROOT",
    "TEMP",
    "USERNAME",
    "USERPROFILE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "NODE_EXTRA_CA_CERTS",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
];

/// The allowlisted variables present in the environment that `lookup` reads,
/// without shell functions (values starting with `()`).
pub(crate) fn safe_env(lookup: impl Fn(&str) -> Option<OsString>) -> Vec<(&'static str, OsString)> {
    DEFAULT_INHERITED_ENV_VARS
        .iter()
        .filter_map(|&key| {
            let value = lookup(key)?;
            if value.as_encoded_bytes().starts_with(b"()") {
                return None;
            }
            Some((key, value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_listed_variables_and_skips_shell_functions() {
        let env = safe_env(|key| match key {
            "PATH" => Some("/usr/bin".into()),
            "HOME" => Some("/home/me".into()),
            "SHELL" => Some("() { echo pwned; }".into()),
            "SECRET_TOKEN" => Some("x".into()),
            _ => None,
        });
        let keys: Vec<_> = env.iter().map(|(k, _)| *k).collect();
        if cfg!(windows) {
            assert_eq!(keys, ["PATH"]);
        } else {
            assert_eq!(keys, ["HOME", "PATH"]);
        }
    }

    #[test]
    fn proxy_and_ca_variables_reach_the_server() {
        let env = safe_env(|key| match key {
            "HTTPS_PROXY" => Some("http://proxy:3128".into()),
            "NODE_EXTRA_CA_CERTS" => Some("/etc/ca.pem".into()),
            "AWS_SECRET_ACCESS_KEY" => Some("x".into()),
            _ => None,
        });
        let keys: Vec<_> = env.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["HTTPS_PROXY", "NODE_EXTRA_CA_CERTS"]);
    }
}
