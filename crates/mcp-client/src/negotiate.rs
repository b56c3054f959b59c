//! The handshake: `server/discover` for servers of the stateless era,
//! `initialize` for the others, chosen automatically by the spec's dual-era
//! rules, or pinned by the user; bounded as a whole by the request timeout.
//! And opening a session in one step, starting the server again when it
//! exits on the probe.

use std::time::Duration;

use mcp_jsonrpc::{Connection, RawValue, TimeoutKind};
use mcp_types::{
    error_codes, methods, version, DiscoverRequestParams, DiscoverResult, Era, Implementation,
    InitializeRequest, InitializeRequestParams, InitializeResult, InitializedNotification,
    NotificationMethod, RequestMethod, UnsupportedProtocolVersionData,
};
use serde_json::Map;
use tokio::time::Instant;

use crate::envelope::Additions;
use crate::error::{ClientError, Result};
use crate::options::{CallOptions, ClientSessionOptions, ProtocolMode};
use crate::session::{ClientSession, Negotiated};
use crate::wire::decode;

/// What the `server/discover` probe found.
enum Probe {
    /// A server of the stateless era, speaking `version`.
    Stateless(Box<DiscoverResult>, String),
    /// A server of the initialize era; `Some(v)` when it named the version.
    Initialize(Option<String>),
}

/// The newest of `offered` that we speak in the stateless era, else the
/// newest we speak in the initialize era.
fn pick(offered: &[String]) -> Option<(String, Era)> {
    let stateless = version::SUPPORTED
        .iter()
        .find(|v| version::is_stateless_era(v) && offered.iter().any(|o| o == *v));
    if let Some(v) = stateless {
        return Some(((*v).to_owned(), Era::Stateless));
    }
    version::INITIALIZE_ERA
        .iter()
        .find(|v| offered.iter().any(|o| o == *v))
        .map(|v| ((*v).to_owned(), Era::Initialize))
}

/// True when a transport failure on the probe is the server refusing the
/// request, as servers of the initialize era do (HTTP 400, 404, 405, ...),
/// not a failure to deliver it (5xx, 429, 408, authorization, a refused
/// redirect, TLS, a body cut short).
fn refuses_the_request(error: &mcp_jsonrpc::TransportError) -> bool {
    !error.is_auth()
        && error
            .status()
            .is_some_and(|s| (400..500).contains(&s) && !matches!(s, 401 | 403 | 407 | 408 | 429))
}

fn unsupported(server: &[String]) -> ClientError {
    ClientError::UnsupportedProtocolVersion {
        server: server.join(", "),
        supported: version::SUPPORTED.join(", "),
    }
}

/// The time left of a handshake.
struct Deadline {
    start: Instant,
    total: Duration,
}

impl Deadline {
    fn left(&self, method: &str) -> Result<Duration> {
        let left = self.total.saturating_sub(self.start.elapsed());
        if left.is_zero() {
            return Err(ClientError::Timeout {
                method: method.to_owned(),
                id: None,
                elapsed: self.start.elapsed(),
                kind: TimeoutKind::Total,
            });
        }
        Ok(left)
    }
}

impl ClientSession {
    /// Opens a session and makes the handshake, in one step.
    ///
    /// `connection` is what a transport crate returns (a connected
    /// transport), or its parameters: then the session keeps them (see
    /// [`reconnector`](ClientSession::reconnector)), and a server that exits
    /// on the `server/discover` probe (older SDKs' servers exit on any first
    /// message but `initialize`) is started again and spoken to with
    /// `initialize`.
    pub async fn connect(connection: impl Into<Connection>, options: ClientSessionOptions) -> Result<Self> {
        let mut connection = connection.into();
        let reconnector = connection.reconnector();
        let target = || {
            reconnector
                .as_ref()
                .map_or_else(|| "the server".to_owned(), |c| c.describe())
        };
        let transport = connection
            .take_transport()
            .await
            .map_err(|source| ClientError::Connect {
                target: target(),
                source,
            })?;
        let session = Self::open(transport, options.clone(), reconnector.clone(), None);
        let outcome = session.initialize().await;
        match (outcome, &reconnector) {
            (Ok(_), _) => Ok(session),
            (Err(ClientError::ProbeRejected { reason }), Some(again)) => {
                tracing::info!(%reason, "the server closed the connection on the server/discover probe; starting it again for the initialize handshake");
                session.close().await;
                let transport = again.connect().await.map_err(|source| ClientError::Connect {
                    target: target(),
                    source,
                })?;
                let session = Self::open(
                    transport,
                    options,
                    reconnector.clone(),
                    Some(ProtocolMode::Initialize),
                );
                match session.initialize().await {
                    Ok(_) => Ok(session),
                    Err(e) => {
                        session.close().await;
                        Err(e)
                    }
                }
            }
            (Err(e), _) => {
                session.close().await;
                Err(e)
            }
        }
    }

    /// Performs the handshake. With [`ProtocolMode::Auto`] (the default) it
    /// probes with `server/discover` and speaks 2026-07-28 with a server of
    /// that era, else makes the `initialize` handshake (offering the latest
    /// version of that era and accepting any supported one the server
    /// picks); the probe is skipped when the transport remembers that the
    /// server speaks the initialize era. The whole handshake takes at most
    /// the session's read timeout, the probe at most its discover timeout of
    /// that. The result describes the server in both eras; see
    /// [`ClientSession::era`] and [`ClientSession::protocol_version`].
    pub async fn initialize(&self) -> Result<InitializeResult> {
        let deadline = Deadline {
            start: Instant::now(),
            total: self.options().read_timeout,
        };
        match self.mode().clone() {
            ProtocolMode::Auto if self.remembered_era() == Some(Era::Initialize) => {
                tracing::debug!("the transport remembers a server of the initialize era: no probe");
                self.initialize_era(None, false, &deadline).await
            }
            ProtocolMode::Pinned(v) if version::is_stateless_era(&v) => {
                match self.probe(&v, false, &deadline).await? {
                    Probe::Stateless(result, chosen) if chosen == v => Ok(self.adopt_stateless(*result, v)),
                    Probe::Stateless(result, _) => Err(unsupported(&result.supported_versions)),
                    Probe::Initialize(_) => Err(unsupported(&[])),
                }
            }
            ProtocolMode::Pinned(v) => self.initialize_era(Some(&v), true, &deadline).await,
            ProtocolMode::Initialize => self.initialize_era(None, false, &deadline).await,
            // Auto, and modes of later versions.
            _ => match self.probe(version::LATEST, true, &deadline).await? {
                Probe::Stateless(result, v) => Ok(self.adopt_stateless(*result, v)),
                Probe::Initialize(v) => self.initialize_era(v.as_deref(), v.is_some(), &deadline).await,
            },
        }
    }

    /// Sends `server/discover` offering `offer`. With `fallback`, any error
    /// that is not a recognised error of the stateless era (and a timeout)
    /// means a server of the initialize era; without it, errors surface.
    async fn probe(&self, offer: &str, fallback: bool, deadline: &Deadline) -> Result<Probe> {
        let mut offer = offer.to_owned();
        // At most one retry with a version the server named in -32022.
        for _ in 0..2 {
            let meta = self.base_meta(&offer);
            let additions = Additions {
                meta: Some(&meta),
                ..Default::default()
            };
            let bound = deadline
                .left(methods::SERVER_DISCOVER)?
                .min(self.options().discover_timeout);
            let call = CallOptions::new().timeout(bound).max_total(bound);
            let outcome = self
                .wire()
                .exchange(
                    self.options(),
                    methods::SERVER_DISCOVER,
                    &DiscoverRequestParams::default(),
                    additions,
                    &call,
                )
                .await;
            match outcome {
                Ok(raw) => match self.discovered(&raw, &offer) {
                    // A reply that is not a DiscoverResult (some servers
                    // answer every unknown method with `{}`) is not the
                    // stateless era either.
                    Err(ClientError::InvalidResponse { detail, .. }) if fallback => {
                        tracing::debug!(%detail, "server/discover answered with no DiscoverResult: a server of the initialize era");
                        return Ok(Probe::Initialize(None));
                    }
                    other => return other,
                },
                Err(ClientError::Server { error, method }) => {
                    if error.code == error_codes::UNSUPPORTED_PROTOCOL_VERSION {
                        let data = error
                            .data
                            .clone()
                            .and_then(|d| serde_json::from_value::<UnsupportedProtocolVersionData>(d).ok());
                        let offered = data.map(|d| d.supported).unwrap_or_default();
                        // Retry once with a mutual version, even the one we
                        // offered (a server may refuse a first request).
                        match pick(&offered) {
                            Some((v, Era::Stateless)) => offer = v,
                            Some((v, _)) => return Ok(Probe::Initialize(Some(v))),
                            None => return Err(unsupported(&offered)),
                        }
                        continue;
                    }
                    let stateless_error = matches!(
                        error.code,
                        error_codes::HEADER_MISMATCH | error_codes::MISSING_REQUIRED_CLIENT_CAPABILITY
                    );
                    if fallback && !stateless_error {
                        tracing::debug!(code = error.code, message = %error.message, "server/discover refused: a server of the initialize era");
                        return Ok(Probe::Initialize(None));
                    }
                    return Err(ClientError::Server { method, error });
                }
                Err(ClientError::ConnectionClosed { reason, .. }) if !reason.is_local() => {
                    return Err(ClientError::ProbeRejected { reason })
                }
                // The server cannot be reached at all: the handshake would
                // fail the same way.
                Err(e @ (ClientError::ConnectionClosed { .. } | ClientError::Cancelled { .. })) => {
                    return Err(e)
                }
                Err(e)
                    if e.transport_error()
                        .is_some_and(mcp_jsonrpc::TransportError::is_connect) =>
                {
                    return Err(e)
                }
                // A silent server used up the whole handshake: say so.
                Err(e) if e.is_timeout() && deadline.left(methods::SERVER_DISCOVER).is_err() => {
                    return Err(e)
                }
                // A transport failure is no answer: only a refusal of the
                // request (an older server's 4xx) tells the era.
                Err(e)
                    if e.transport_error()
                        .is_some_and(|t| !t.is_timeout() && !refuses_the_request(t)) =>
                {
                    return Err(e)
                }
                Err(e) if fallback => {
                    tracing::debug!(error = %e, "server/discover failed: a server of the initialize era");
                    return Ok(Probe::Initialize(None));
                }
                Err(e) => return Err(e),
            }
        }
        Err(unsupported(&[offer]))
    }

    fn discovered(&self, raw: &RawValue, offer: &str) -> Result<Probe> {
        let result: DiscoverResult = decode(methods::SERVER_DISCOVER, raw)?;
        if result.supported_versions.iter().any(|v| v == offer) {
            return Ok(Probe::Stateless(Box::new(result), offer.to_owned()));
        }
        match pick(&result.supported_versions) {
            Some((v, Era::Stateless)) => Ok(Probe::Stateless(Box::new(result), v)),
            Some((v, _)) => Ok(Probe::Initialize(Some(v))),
            None => Err(unsupported(&result.supported_versions)),
        }
    }

    fn adopt_stateless(&self, result: DiscoverResult, version: String) -> InitializeResult {
        let server_info = result
            .server_info()
            .unwrap_or_else(|| Implementation::new("unknown", ""));
        let mut init =
            InitializeResult::new(version.clone(), result.capabilities.clone(), server_info.clone());
        init.instructions = result.instructions.clone();
        init.meta = result.meta.clone();
        init.extra = Map::new();
        self.establish(Negotiated {
            protocol_version: version,
            era: Era::Stateless,
            server_info,
            capabilities: result.capabilities,
            instructions: result.instructions,
        });
        init
    }

    /// The `initialize` handshake, offering `offer` (default: the latest
    /// version of that era). With `exact`, the server must answer with the
    /// version offered.
    async fn initialize_era(
        &self,
        offer: Option<&str>,
        exact: bool,
        deadline: &Deadline,
    ) -> Result<InitializeResult> {
        let offered = offer.unwrap_or(version::LATEST_INITIALIZE_ERA).to_owned();
        let params = InitializeRequestParams::new(
            offered.clone(),
            self.client_capabilities(),
            self.options().client_info.clone(),
        );
        let bound = deadline.left(InitializeRequest::METHOD)?;
        let raw = self
            .wire()
            .handshake_request(InitializeRequest::METHOD, &params, bound)
            .await?;
        let result: InitializeResult = decode(InitializeRequest::METHOD, &raw)?;
        let chosen = result.protocol_version.clone();
        let acceptable = if exact {
            chosen == offered
        } else {
            version::is_initialize_era(&chosen)
        };
        if !acceptable {
            self.wire().peer.close().await;
            return Err(ClientError::UnsupportedProtocolVersion {
                server: chosen,
                supported: if exact {
                    offered
                } else {
                    version::INITIALIZE_ERA.join(", ")
                },
            });
        }
        // The transport hears the version before `initialized` goes out.
        self.establish(Negotiated {
            protocol_version: chosen,
            era: Era::Initialize,
            server_info: result.server_info.clone(),
            capabilities: result.capabilities.clone(),
            instructions: result.instructions.clone(),
        });
        self.wire()
            .peer
            .notify(InitializedNotification::METHOD, None)
            .await
            .map_err(ClientError::from)?;
        Ok(result)
    }

    /// The transport's session expired (HTTP 404): make the `initialize`
    /// handshake again with the version negotiated before, once for all the
    /// requests that found out at the same time (`generation` is the
    /// handshake they ran under).
    pub(crate) async fn renew_handshake(&self, generation: u64) -> Result<()> {
        let _one = self.renewal().lock().await;
        let established = self.established(InitializeRequest::METHOD)?;
        if established.generation != generation {
            return Ok(());
        }
        tracing::info!("the server no longer knows the session; making the handshake again");
        let version = established.negotiated.protocol_version.clone();
        let deadline = Deadline {
            start: Instant::now(),
            total: self.options().read_timeout,
        };
        self.initialize_era(Some(&version), true, &deadline)
            .await
            .map(|_| ())
    }
}
