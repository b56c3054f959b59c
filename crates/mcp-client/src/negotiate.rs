//! The handshake: `server/discover` for servers of the stateless era,
//! `initialize` for the others, chosen automatically by the spec's dual-era
//! rules, or pinned by the user.

use mcp_jsonrpc::RawValue;
use mcp_types::{
    error_codes, methods, version, DiscoverRequestParams, DiscoverResult, Implementation, InitializeRequest,
    InitializeRequestParams, InitializeResult, InitializedNotification, RequestMethod,
    UnsupportedProtocolVersionData,
};
use serde_json::Map;

use crate::envelope::Additions;
use crate::error::{ClientError, Result};
use crate::options::{CallOptions, ProtocolMode};
use crate::session::{decode, ClientSession, Era, Negotiated};

/// What the `server/discover` probe found.
enum Probe {
    /// A server of the stateless era, speaking `version`.
    Modern(Box<DiscoverResult>, String),
    /// A server of the initialize era; `Some(v)` when it named the version.
    Legacy(Option<String>),
}

/// The newest of `offered` that we speak in the stateless era, else the
/// newest we speak in the initialize era.
fn pick(offered: &[String]) -> Option<(String, Era)> {
    let modern = version::SUPPORTED
        .iter()
        .find(|v| version::is_modern(v) && offered.iter().any(|o| o == *v));
    if let Some(v) = modern {
        return Some(((*v).to_owned(), Era::Stateless));
    }
    version::INITIALIZE_ERA
        .iter()
        .find(|v| offered.iter().any(|o| o == *v))
        .map(|v| ((*v).to_owned(), Era::Initialize))
}

fn unsupported(server: &[String]) -> ClientError {
    ClientError::UnsupportedProtocolVersion {
        server: server.join(", "),
        supported: version::SUPPORTED.join(", "),
    }
}

impl ClientSession {
    /// Performs the handshake. With [`ProtocolMode::Auto`] (the default) it
    /// probes with `server/discover` and speaks 2026-07-28 with a server of
    /// that era, else falls back to `initialize` (offering the latest
    /// version of that era and accepting any supported one the server
    /// picks). The result describes the server in both eras; see
    /// [`ClientSession::era`] and [`ClientSession::protocol_version`].
    pub async fn initialize(&self) -> Result<InitializeResult> {
        match self.options().protocol.clone() {
            ProtocolMode::Auto => match self.probe(version::LATEST, true).await? {
                Probe::Modern(result, v) => Ok(self.adopt_modern(*result, v).await),
                Probe::Legacy(v) => self.initialize_legacy(v.as_deref(), v.is_some()).await,
            },
            ProtocolMode::Legacy => self.initialize_legacy(None, false).await,
            ProtocolMode::Pinned(v) if version::is_modern(&v) => match self.probe(&v, false).await? {
                Probe::Modern(result, chosen) if chosen == v => Ok(self.adopt_modern(*result, v).await),
                Probe::Modern(result, _) => Err(unsupported(&result.supported_versions)),
                Probe::Legacy(_) => Err(unsupported(&[])),
            },
            ProtocolMode::Pinned(v) => self.initialize_legacy(Some(&v), true).await,
        }
    }

    /// Sends `server/discover` offering `offer`. With `fallback`, any error
    /// that is not a recognised error of the stateless era (and a timeout)
    /// means a server of the initialize era; without it, errors surface.
    async fn probe(&self, offer: &str, fallback: bool) -> Result<Probe> {
        let mut offer = offer.to_owned();
        // At most one retry with a version the server named in -32022.
        for _ in 0..2 {
            let meta = self.base_meta(&offer);
            let additions = Additions {
                meta: Some(&meta),
                ..Default::default()
            };
            let call = CallOptions::new().timeout(self.options().discover_timeout);
            let outcome = self
                .exchange(
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
                        tracing::debug!(%detail, "server/discover answered with no DiscoverResult: assuming a server of the initialize era");
                        return Ok(Probe::Legacy(None));
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
                            Some((v, Era::Initialize)) => return Ok(Probe::Legacy(Some(v))),
                            None => return Err(unsupported(&offered)),
                        }
                        continue;
                    }
                    let modern_error = matches!(
                        error.code,
                        error_codes::HEADER_MISMATCH | error_codes::MISSING_REQUIRED_CLIENT_CAPABILITY
                    );
                    if fallback && !modern_error {
                        tracing::debug!(code = error.code, message = %error.message, "server/discover refused: assuming a server of the initialize era");
                        return Ok(Probe::Legacy(None));
                    }
                    return Err(ClientError::Server { method, error });
                }
                Err(e @ ClientError::ConnectionClosed { .. }) => return Err(e),
                Err(e) if fallback => {
                    tracing::debug!(error = %e, "server/discover failed: assuming a server of the initialize era");
                    return Ok(Probe::Legacy(None));
                }
                Err(e) => return Err(e),
            }
        }
        Err(unsupported(&[offer]))
    }

    fn discovered(&self, raw: &RawValue, offer: &str) -> Result<Probe> {
        let result: DiscoverResult = decode(methods::SERVER_DISCOVER, raw)?;
        if result.supported_versions.iter().any(|v| v == offer) {
            return Ok(Probe::Modern(Box::new(result), offer.to_owned()));
        }
        match pick(&result.supported_versions) {
            Some((v, Era::Stateless)) => Ok(Probe::Modern(Box::new(result), v)),
            Some((v, Era::Initialize)) => Ok(Probe::Legacy(Some(v))),
            None => Err(unsupported(&result.supported_versions)),
        }
    }

    async fn adopt_modern(&self, result: DiscoverResult, version: String) -> InitializeResult {
        let server_info = result
            .server_info()
            .unwrap_or_else(|| Implementation::new("unknown", ""));
        let init = InitializeResult {
            protocol_version: version.clone(),
            capabilities: result.capabilities.clone(),
            server_info: server_info.clone(),
            instructions: result.instructions.clone(),
            meta: result.meta.clone(),
            extra: Map::new(),
        };
        self.set_negotiated(Negotiated {
            protocol_version: version,
            era: Era::Stateless,
            server_info,
            capabilities: result.capabilities,
            instructions: result.instructions,
        });
        self.start_list_change_listener();
        init
    }

    /// The `initialize` handshake, offering `offer` (default: the latest
    /// version of that era). With `exact`, the server must answer with the
    /// version offered.
    async fn initialize_legacy(&self, offer: Option<&str>, exact: bool) -> Result<InitializeResult> {
        let offered = offer.unwrap_or(version::LATEST_INITIALIZE_ERA).to_owned();
        let params = InitializeRequestParams::new(
            offered.clone(),
            self.client_capabilities(),
            self.options().client_info.clone(),
        );
        // `initialize` is never cancelled (the spec forbids it).
        let options = self
            .request_options(&CallOptions::default())
            .cancel_on_drop(false);
        let result: InitializeResult = self
            .inner
            .peer
            .request(InitializeRequest::METHOD, Some(&params), options)
            .await?;
        let chosen = result.protocol_version.clone();
        let acceptable = if exact {
            chosen == offered
        } else {
            version::INITIALIZE_ERA.contains(&chosen.as_str())
        };
        if !acceptable {
            self.inner.peer.close().await;
            return Err(ClientError::UnsupportedProtocolVersion {
                server: chosen,
                supported: if exact {
                    offered
                } else {
                    version::INITIALIZE_ERA.join(", ")
                },
            });
        }
        self.send_notification::<InitializedNotification>(&Default::default())
            .await?;
        self.set_negotiated(Negotiated {
            protocol_version: chosen,
            era: Era::Initialize,
            server_info: result.server_info.clone(),
            capabilities: result.capabilities.clone(),
            instructions: result.instructions.clone(),
        });
        Ok(result)
    }

    /// Asks the server for its identity and capabilities again (stateless
    /// era; served from the cache while fresh).
    pub async fn discover(&self) -> Result<DiscoverResult> {
        if self.modern_meta().is_none() {
            return Err(ClientError::NotSupported {
                method: methods::SERVER_DISCOVER.to_owned(),
                why: "the session speaks a protocol version of the initialize era".into(),
            });
        }
        self.send_request::<mcp_types::DiscoverRequest>(
            &DiscoverRequestParams::default(),
            CallOptions::default(),
        )
        .await
    }
}
