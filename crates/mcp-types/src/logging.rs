//! Logging: levels, `logging/setLevel` (initialize era), `notifications/message`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::macros::{has_extra, string_enum};
use crate::meta::Meta;

string_enum! {
    /// Syslog severity levels (RFC 5424).
    LoggingLevel {
        /// `debug`.
        Debug => "debug",
        /// `info`.
        Info => "info",
        /// `notice`.
        Notice => "notice",
        /// `warning`.
        Warning => "warning",
        /// `error`.
        Error => "error",
        /// `critical`.
        Critical => "critical",
        /// `alert`.
        Alert => "alert",
        /// `emergency`.
        Emergency => "emergency",
    }
}

impl LoggingLevel {
    /// Severity from 0 (`debug`) to 7 (`emergency`); `None` for unknown levels.
    pub fn severity(&self) -> Option<u8> {
        Some(match self {
            Self::Debug => 0,
            Self::Info => 1,
            Self::Notice => 2,
            Self::Warning => 3,
            Self::Error => 4,
            Self::Critical => 5,
            Self::Alert => 6,
            Self::Emergency => 7,
            Self::Other(_) => return None,
        })
    }
}

/// Params of `logging/setLevel` (initialize era).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetLevelRequestParams {
    /// Minimum level to send.
    pub level: LoggingLevel,
    /// `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Params of `notifications/message`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LoggingMessageNotificationParams {
    /// Severity.
    pub level: LoggingLevel,
    /// Logger name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logger: Option<String>,
    /// Any JSON data.
    pub data: Value,
    /// `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl LoggingMessageNotificationParams {
    /// A log message of `level` carrying `data`.
    pub fn new(level: LoggingLevel, data: Value) -> Self {
        Self {
            level,
            logger: None,
            data,
            meta: None,
            extra: Map::new(),
        }
    }
}

has_extra!(SetLevelRequestParams, LoggingMessageNotificationParams);
