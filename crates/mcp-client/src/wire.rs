//! One exchange with the server: params put on the wire with what the era
//! adds, the call's timeout, maximum total, progress and cancellation, and
//! the protocol's meaningful errors typed.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use mcp_jsonrpc::{Peer, RawValue, RequestId, RequestOptions};
use serde::Serialize;
use serde_json::Value;

use crate::envelope::{encode, Additions};
use crate::error::{ClientError, Result};
use crate::options::{CallOptions, ClientSessionOptions};

/// The engine, and the progress tokens of our requests.
pub(crate) struct Wire {
    pub(crate) peer: Peer,
    next_progress_token: AtomicI64,
}

impl Wire {
    pub(crate) fn new(peer: Peer) -> Self {
        Wire {
            peer,
            next_progress_token: AtomicI64::new(1),
        }
    }

    /// The engine's options for a call: its timeout (else the session's),
    /// its maximum total (else the session's, never below the timeout), its
    /// cancellation.
    pub(crate) fn request_options(session: &ClientSessionOptions, call: &CallOptions) -> RequestOptions {
        let timeout = call.timeout.unwrap_or(session.read_timeout);
        let max_total = call.max_total.unwrap_or(session.max_total.max(timeout));
        let mut options = RequestOptions::default().timeout(timeout).max_total(max_total);
        if let Some(token) = &call.cancellation {
            options = options.cancellation(token.clone());
        }
        options
    }

    /// Sends one request with `additions` and returns its raw result.
    pub(crate) async fn exchange<P: Serialize + ?Sized>(
        &self,
        session: &ClientSessionOptions,
        method: &'static str,
        params: &P,
        mut additions: Additions<'_>,
        call: &CallOptions,
    ) -> Result<Box<RawValue>> {
        let mut options = Self::request_options(session, call);
        if let Some(progress) = call.progress.clone() {
            let token = self.next_progress_token.fetch_add(1, Ordering::Relaxed);
            additions.progress_token = Some(token);
            options = options
                .progress_token(RequestId::Number(token))
                .reset_timeout_on_progress(true)
                .on_progress(move |n: &mcp_jsonrpc::Notification| {
                    let Some(p) = n.params.as_ref() else { return };
                    match serde_json::from_str(p.get()) {
                        Ok(params) => progress(params),
                        Err(e) => tracing::debug!(error = %e, "ignored malformed progress notification"),
                    }
                });
        }
        let raw = encode(method, params, &additions)?;
        self.peer
            .request_raw(method, Some(raw), options)
            .await
            .map_err(|e| typed(method, e.into()))
    }

    /// Sends one request without retries or extras, bounded by `timeout`,
    /// never cancelled on drop (the spec forbids cancelling `initialize`).
    pub(crate) async fn handshake_request<P: Serialize + ?Sized>(
        &self,
        method: &'static str,
        params: &P,
        timeout: Duration,
    ) -> Result<Box<RawValue>> {
        let raw = encode(method, params, &Additions::default())?;
        let options = RequestOptions::default()
            .timeout(timeout)
            .max_total(timeout)
            .cancel_on_drop(false);
        Ok(self.peer.request_raw(method, Some(raw), options).await?)
    }
}

/// Turns the errors the protocol gives a meaning to into their variants.
fn typed(method: &str, error: ClientError) -> ClientError {
    let ClientError::Server { error: e, .. } = &error else {
        return error;
    };
    if e.code == mcp_types::error_codes::MISSING_REQUIRED_CLIENT_CAPABILITY {
        let required = e
            .data
            .as_ref()
            .and_then(|d| d.get("requiredCapabilities"))
            .cloned()
            .unwrap_or(Value::Null);
        return ClientError::MissingClientCapability {
            method: method.to_owned(),
            required,
        };
    }
    error
}

/// Decodes a raw result into the type asked for.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(method: &str, raw: &RawValue) -> Result<T> {
    serde_json::from_str(raw.get()).map_err(|e| ClientError::InvalidResponse {
        method: method.to_owned(),
        detail: e.to_string(),
    })
}
