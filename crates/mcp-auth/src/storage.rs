//! Where tokens and client registrations are kept: the [`TokenStorage`]
//! trait, [`MemoryStorage`], and [`FileStorage`] (a JSON file created
//! `0600` and replaced atomically), so that a restarted program reuses its
//! refresh token and its registration.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use mcp_jsonrpc::{BoxFuture, Secret};
use serde::{Deserialize, Serialize};

use crate::error::AuthError;
use crate::metadata::ClientInformation;

/// Tokens for one MCP server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Tokens {
    /// The access token.
    pub access_token: Secret,
    /// `Bearer` or `DPoP`.
    pub token_type: String,
    /// The refresh token, if one was issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    /// When the access token expires (seconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    /// The scope granted (or asked for, when the answer named none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The issuer of the authorization server that issued them.
    pub issuer: String,
    /// The DPoP key the tokens are bound to (PKCS#8, base64url), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_key: Option<Secret>,
}

/// Everything kept for one MCP server: its tokens, and this client's
/// identity at each authorization server, keyed by issuer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StoredAuth {
    /// The current tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<Tokens>,
    /// Registrations, by authorization server issuer.
    #[serde(default)]
    pub clients: BTreeMap<String, ClientInformation>,
}

/// Keeps a [`StoredAuth`] per MCP server (keyed by its canonical URL).
/// Implement it to keep credentials in a keychain or a database.
pub trait TokenStorage: Send + Sync + 'static {
    /// What is stored for `server`, if anything.
    fn load<'a>(&'a self, server: &'a str) -> BoxFuture<'a, Result<Option<StoredAuth>, AuthError>>;
    /// Replaces what is stored for `server`.
    fn save<'a>(&'a self, server: &'a str, auth: &'a StoredAuth) -> BoxFuture<'a, Result<(), AuthError>>;
    /// Forgets `server` (log out).
    fn remove<'a>(&'a self, server: &'a str) -> BoxFuture<'a, Result<(), AuthError>>;
}

/// Keeps credentials in memory, for the life of the process.
#[derive(Debug, Default)]
pub struct MemoryStorage {
    entries: Mutex<BTreeMap<String, StoredAuth>>,
}

impl MemoryStorage {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl TokenStorage for MemoryStorage {
    fn load<'a>(&'a self, server: &'a str) -> BoxFuture<'a, Result<Option<StoredAuth>, AuthError>> {
        let found = self
            .entries
            .lock()
            .map(|m| m.get(server).cloned())
            .unwrap_or(None);
        Box::pin(async move { Ok(found) })
    }

    fn save<'a>(&'a self, server: &'a str, auth: &'a StoredAuth) -> BoxFuture<'a, Result<(), AuthError>> {
        if let Ok(mut m) = self.entries.lock() {
            m.insert(server.to_owned(), auth.clone());
        }
        Box::pin(async { Ok(()) })
    }

    fn remove<'a>(&'a self, server: &'a str) -> BoxFuture<'a, Result<(), AuthError>> {
        if let Ok(mut m) = self.entries.lock() {
            m.remove(server);
        }
        Box::pin(async { Ok(()) })
    }
}

/// Largest credentials file read: 4 MiB.
pub const MAX_FILE: u64 = 4 << 20;

/// Keeps credentials for every server in one JSON file. The file (and a
/// missing parent directory) is created readable by the owner only
/// (`0600`, `0700`); every save writes a temporary file beside it and
/// renames it over the old one, so a crash never leaves half a file.
/// Saves in one process are serialized; separate processes writing one
/// file at once may lose each other's update (the last rename wins).
#[derive(Debug)]
pub struct FileStorage {
    path: PathBuf,
    lock: tokio::sync::Mutex<()>,
}

impl FileStorage {
    /// A store in the file `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileStorage {
            path: path.into(),
            lock: tokio::sync::Mutex::new(()),
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn fail(&self, source: std::io::Error) -> AuthError {
        AuthError::Storage {
            path: self.path.display().to_string(),
            source,
        }
    }

    async fn read_all(&self) -> Result<BTreeMap<String, StoredAuth>, AuthError> {
        let meta = match tokio::fs::metadata(&self.path).await {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
            Err(e) => return Err(self.fail(e)),
        };
        if meta.len() > MAX_FILE {
            return Err(self.fail(std::io::Error::other(format!(
                "the file is larger than {MAX_FILE} bytes"
            ))));
        }
        let bytes = tokio::fs::read(&self.path).await.map_err(|e| self.fail(e))?;
        serde_json::from_slice(&bytes)
            .map_err(|e| self.fail(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
    }

    async fn write_all(&self, all: &BTreeMap<String, StoredAuth>) -> Result<(), AuthError> {
        let bytes = serde_json::to_vec_pretty(all)
            .map_err(|e| self.fail(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || write_private(&path, &bytes))
            .await
            .map_err(|e| self.fail(std::io::Error::other(e)))?
            .map_err(|e| self.fail(e))
    }
}

/// Writes `bytes` to `path` through a `0600` temporary file and a rename.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.exists() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir)?;
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("credentials");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let result = (|| {
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

impl TokenStorage for FileStorage {
    fn load<'a>(&'a self, server: &'a str) -> BoxFuture<'a, Result<Option<StoredAuth>, AuthError>> {
        Box::pin(async move {
            let _guard = self.lock.lock().await;
            Ok(self.read_all().await?.remove(server))
        })
    }

    fn save<'a>(&'a self, server: &'a str, auth: &'a StoredAuth) -> BoxFuture<'a, Result<(), AuthError>> {
        Box::pin(async move {
            let _guard = self.lock.lock().await;
            let mut all = self.read_all().await?;
            all.insert(server.to_owned(), auth.clone());
            self.write_all(&all).await
        })
    }

    fn remove<'a>(&'a self, server: &'a str) -> BoxFuture<'a, Result<(), AuthError>> {
        Box::pin(async move {
            let _guard = self.lock.lock().await;
            let mut all = self.read_all().await?;
            if all.remove(server).is_some() {
                self.write_all(&all).await?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> StoredAuth {
        let mut s = StoredAuth {
            tokens: Some(Tokens {
                access_token: Secret::new("at"),
                token_type: "Bearer".into(),
                refresh_token: Some(Secret::new("rt")),
                expires_at: Some(100),
                scope: Some("a b".into()),
                issuer: "https://as.example".into(),
                dpop_key: None,
            }),
            clients: BTreeMap::new(),
        };
        s.clients.insert(
            "https://as.example".into(),
            ClientInformation::new("cid", Some(Secret::new("cs"))),
        );
        s
    }

    #[tokio::test]
    async fn the_file_store_round_trips_privately_and_atomically() {
        let dir = std::env::temp_dir().join(format!("mcp-auth-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("nested").join("credentials.json");
        let store = FileStorage::new(&path);
        assert_eq!(store.load("https://h/mcp").await.expect("load"), None);
        store.save("https://h/mcp", &sample()).await.expect("save");
        store
            .save("https://other/mcp", &StoredAuth::default())
            .await
            .expect("save");
        // A new store (a restarted program) reads what the first wrote.
        let again = FileStorage::new(&path);
        assert_eq!(again.load("https://h/mcp").await.expect("load"), Some(sample()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let mode = std::fs::metadata(path.parent().expect("dir"))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(path.parent().expect("dir"))
            .expect("dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("credentials.json")]);
        again.remove("https://h/mcp").await.expect("remove");
        assert_eq!(store.load("https://h/mcp").await.expect("load"), None);
        assert!(store.load("https://other/mcp").await.expect("load").is_some());
        // A corrupt file is an error naming the file, not a panic or a reset.
        std::fs::write(&path, b"{not json").expect("write");
        let e = store.load("https://h/mcp").await.expect_err("corrupt");
        assert!(e.to_string().contains("credentials.json"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn secrets_do_not_show_in_debug() {
        let s = sample();
        let text = format!("{s:?}");
        assert!(
            !text.contains("\"at\"") && !text.contains("\"rt\"") && !text.contains("\"cs\""),
            "{text}"
        );
    }
}
