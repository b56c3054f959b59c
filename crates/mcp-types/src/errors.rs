//! JSON-RPC error objects, MCP error codes and typed error `data`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::capabilities::ClientCapabilities;
use crate::macros::has_extra;

/// Error codes (JSON-RPC standard and MCP-specific).
pub mod error_codes {
    /// Invalid JSON.
    pub const PARSE_ERROR: i64 = -32700;
    /// Not a valid request object.
    pub const INVALID_REQUEST: i64 = -32600;
    /// Unknown method.
    pub const METHOD_NOT_FOUND: i64 = -32601;
    /// Invalid params.
    pub const INVALID_PARAMS: i64 = -32602;
    /// Internal error.
    pub const INTERNAL_ERROR: i64 = -32603;
    /// Resource not found (`resources/read`).
    pub const RESOURCE_NOT_FOUND: i64 = -32002;
    /// HTTP headers do not match the body (2026-07-28).
    pub const HEADER_MISMATCH: i64 = -32020;
    /// The request needs a client capability that was not declared (2026-07-28);
    /// data: [`MissingRequiredClientCapabilityData`](super::MissingRequiredClientCapabilityData).
    pub const MISSING_REQUIRED_CLIENT_CAPABILITY: i64 = -32021;
    /// The requested protocol version is not supported (2026-07-28);
    /// data: [`UnsupportedProtocolVersionData`](super::UnsupportedProtocolVersionData).
    pub const UNSUPPORTED_PROTOCOL_VERSION: i64 = -32022;
    /// URL elicitation required (2025-11-25);
    /// data: [`UrlElicitationRequiredData`](crate::UrlElicitationRequiredData).
    pub const URL_ELICITATION_REQUIRED: i64 = -32042;
}

/// A JSON-RPC error object (`{code, message, data?}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorObject {
    /// Error code (see [`error_codes`]).
    pub code: i64,
    /// Short description.
    pub message: String,
    /// Additional data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl ErrorObject {
    /// An error without data.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// Attaches typed data.
    pub fn with_data<T: Serialize>(mut self, data: &T) -> Result<Self, serde_json::Error> {
        self.data = Some(serde_json::to_value(data)?);
        Ok(self)
    }

    /// Decodes `data` into a typed struct (`None` when absent).
    pub fn data_as<T: serde::de::DeserializeOwned>(&self) -> Option<Result<T, serde_json::Error>> {
        self.data.as_ref().map(|d| T::deserialize(d))
    }
}

impl std::fmt::Display for ErrorObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for ErrorObject {}

/// `data` of [`error_codes::UNSUPPORTED_PROTOCOL_VERSION`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UnsupportedProtocolVersionData {
    /// Versions the server supports.
    pub supported: Vec<String>,
    /// The version the client requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `data` of [`error_codes::MISSING_REQUIRED_CLIENT_CAPABILITY`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MissingRequiredClientCapabilityData {
    /// The capabilities the server requires.
    pub required_capabilities: ClientCapabilities,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

has_extra!(
    UnsupportedProtocolVersionData,
    MissingRequiredClientCapabilityData
);
