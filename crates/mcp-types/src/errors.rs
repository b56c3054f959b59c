//! Typed `data` of the MCP error codes (the codes and [`ErrorObject`](crate::ErrorObject)
//! live in [`crate::jsonrpc`]).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::capabilities::ClientCapabilities;
use crate::macros::has_extra;

/// `data` of [`error_codes::UNSUPPORTED_PROTOCOL_VERSION`](crate::error_codes::UNSUPPORTED_PROTOCOL_VERSION).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
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

/// `data` of [`error_codes::MISSING_REQUIRED_CLIENT_CAPABILITY`](crate::error_codes::MISSING_REQUIRED_CLIENT_CAPABILITY).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
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
