//! `_meta` maps and the typed per-request `_meta` of 2026-07-28.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::capabilities::ClientCapabilities;
use crate::jsonrpc::{ProgressToken, RequestId};
use crate::lifecycle::Implementation;
use crate::logging::LoggingLevel;
use crate::macros::has_extra;

/// The free-form `_meta` object carried by most protocol messages.
pub type Meta = Map<String, Value>;

/// Typed view of the per-request `_meta` keys of 2026-07-28 (see [`crate::meta_keys`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RequestMeta {
    /// `io.modelcontextprotocol/protocolVersion`.
    #[serde(
        rename = "io.modelcontextprotocol/protocolVersion",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub protocol_version: Option<String>,
    /// `io.modelcontextprotocol/clientCapabilities`.
    #[serde(
        rename = "io.modelcontextprotocol/clientCapabilities",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub client_capabilities: Option<ClientCapabilities>,
    /// `io.modelcontextprotocol/clientInfo`.
    #[serde(
        rename = "io.modelcontextprotocol/clientInfo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub client_info: Option<Implementation>,
    /// `io.modelcontextprotocol/logLevel`.
    #[serde(
        rename = "io.modelcontextprotocol/logLevel",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub log_level: Option<LoggingLevel>,
    /// `progressToken`.
    #[serde(rename = "progressToken", default, skip_serializing_if = "Option::is_none")]
    pub progress_token: Option<ProgressToken>,
    /// Any other `_meta` entries.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

has_extra!(RequestMeta);

impl RequestMeta {
    /// The two required keys of a 2026-07-28 request.
    pub fn new(protocol_version: impl Into<String>, client_capabilities: ClientCapabilities) -> Self {
        Self {
            protocol_version: Some(protocol_version.into()),
            client_capabilities: Some(client_capabilities),
            ..Self::default()
        }
    }

    /// Sets `clientInfo`.
    pub fn with_client_info(mut self, info: Implementation) -> Self {
        self.client_info = Some(info);
        self
    }

    /// Sets `logLevel`.
    pub fn with_log_level(mut self, level: LoggingLevel) -> Self {
        self.log_level = Some(level);
        self
    }

    /// Sets `progressToken`.
    pub fn with_progress_token(mut self, token: impl Into<ProgressToken>) -> Self {
        self.progress_token = Some(token.into());
        self
    }

    /// Converts into a plain `_meta` map.
    pub fn into_meta(self) -> Meta {
        match serde_json::to_value(self) {
            Ok(Value::Object(m)) => m,
            _ => Meta::new(),
        }
    }

    /// Reads the typed keys out of a `_meta` map.
    pub fn from_meta(meta: &Meta) -> Result<Self, serde_json::Error> {
        serde_json::from_value(Value::Object(meta.clone()))
    }

    /// Inserts these keys into an existing `_meta` map (overwriting same-named keys).
    pub fn merge_into(self, meta: &mut Meta) {
        meta.extend(self.into_meta());
    }
}

impl From<RequestMeta> for Meta {
    fn from(m: RequestMeta) -> Self {
        m.into_meta()
    }
}

/// Reads `io.modelcontextprotocol/serverInfo` from a result's `_meta`, if present and well-formed.
pub fn server_info_from_meta(meta: Option<&Meta>) -> Option<Implementation> {
    let v = meta?.get(crate::meta_keys::SERVER_INFO)?;
    serde_json::from_value(v.clone()).ok()
}

/// Reads `io.modelcontextprotocol/subscriptionId` from a `_meta`, if present.
pub fn subscription_id_from_meta(meta: Option<&Meta>) -> Option<RequestId> {
    let v = meta?.get(crate::meta_keys::SUBSCRIPTION_ID)?;
    serde_json::from_value(v.clone()).ok()
}

/// Params carrying only `_meta` (ping, `server/discover`, `roots/list`, ...).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RequestParams {
    /// `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl RequestParams {
    /// Params with the given `_meta`.
    pub fn with_meta(meta: impl Into<Meta>) -> Self {
        Self {
            meta: Some(meta.into()),
            extra: Map::new(),
        }
    }
}

/// Params of notifications that carry only `_meta` (`*/list_changed`, `initialized`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NotificationParams {
    /// `_meta` (in 2026-07-28 may carry `io.modelcontextprotocol/subscriptionId`).
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

has_extra!(RequestParams, NotificationParams);
