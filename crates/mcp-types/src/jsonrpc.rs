//! The JSON-RPC primitives every layer shares: [`RequestId`],
//! [`ProgressToken`], [`ErrorObject`] and the [`error_codes`]. They are
//! defined here, in the lowest crate that needs them, and re-exported by the
//! crates above (`mcp_jsonrpc`, `mcp_client`), so that a program sees one type
//! of each whichever crate it names.

use std::fmt;
use std::sync::Arc;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

/// Error codes: those of JSON-RPC 2.0 and those the MCP specification defines.
pub mod error_codes {
    /// Invalid JSON was received.
    pub const PARSE_ERROR: i64 = -32700;
    /// The JSON sent is not a valid request object.
    pub const INVALID_REQUEST: i64 = -32600;
    /// The method does not exist or is not available.
    pub const METHOD_NOT_FOUND: i64 = -32601;
    /// Invalid method parameters.
    pub const INVALID_PARAMS: i64 = -32602;
    /// Internal JSON-RPC error.
    pub const INTERNAL_ERROR: i64 = -32603;
    /// Resource not found (`resources/read`, the initialize era; the stateless
    /// era answers [`INVALID_PARAMS`] with the `uri` in `data`).
    pub const RESOURCE_NOT_FOUND: i64 = -32002;
    /// HTTP headers do not match the body (2026-07-28).
    pub const HEADER_MISMATCH: i64 = -32020;
    /// The request needs a client capability that was not declared (2026-07-28);
    /// data: [`MissingRequiredClientCapabilityData`](crate::MissingRequiredClientCapabilityData).
    pub const MISSING_REQUIRED_CLIENT_CAPABILITY: i64 = -32021;
    /// The requested protocol version is not supported (2026-07-28);
    /// data: [`UnsupportedProtocolVersionData`](crate::UnsupportedProtocolVersionData).
    pub const UNSUPPORTED_PROTOCOL_VERSION: i64 = -32022;
    /// URL elicitation required (2025-11-25);
    /// data: [`UrlElicitationRequiredData`](crate::UrlElicitationRequiredData).
    pub const URL_ELICITATION_REQUIRED: i64 = -32042;
}

/// A request id: a number or a string, as JSON-RPC allows.
///
/// Integral floats (`1.0`), which some peers send, decode as numbers.
///
/// ```
/// use mcp_types::RequestId;
///
/// let id: RequestId = serde_json::from_str("7.0")?;
/// assert_eq!(id, RequestId::Number(7));
/// assert_eq!(RequestId::from("abc").to_string(), "\"abc\"");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RequestId {
    /// A numeric id.
    Number(i64),
    /// A string id.
    String(Arc<str>),
}

/// A progress token: a string or a number chosen by the requester, like a
/// request id.
pub type ProgressToken = RequestId;

impl fmt::Display for RequestId {
    /// Numbers as they are, strings quoted (so that `1` and `"1"` differ).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestId::Number(n) => write!(f, "{n}"),
            RequestId::String(s) => write!(f, "{s:?}"),
        }
    }
}

impl From<i64> for RequestId {
    fn from(n: i64) -> Self {
        RequestId::Number(n)
    }
}

impl From<&str> for RequestId {
    fn from(s: &str) -> Self {
        RequestId::String(s.into())
    }
}

impl From<String> for RequestId {
    fn from(s: String) -> Self {
        RequestId::String(s.into())
    }
}

impl Serialize for RequestId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            RequestId::Number(n) => s.serialize_i64(*n),
            RequestId::String(v) => s.serialize_str(v),
        }
    }
}

impl<'de> Deserialize<'de> for RequestId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl Visitor<'_> for IdVisitor {
            type Value = RequestId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or integer id")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RequestId, E> {
                Ok(RequestId::Number(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RequestId, E> {
                i64::try_from(v)
                    .map(RequestId::Number)
                    .map_err(|_| E::custom("id out of range"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RequestId, E> {
                if v.fract() == 0.0 && v.abs() < 9.0e15 {
                    #[allow(clippy::cast_possible_truncation)]
                    Ok(RequestId::Number(v as i64))
                } else {
                    Err(E::custom("an id must be an integer or a string"))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RequestId, E> {
                Ok(RequestId::String(v.into()))
            }
        }
        d.deserialize_any(IdVisitor)
    }
}

/// A JSON-RPC error object (`{code, message, data?}`): what a peer answers
/// when a request fails, and what a callback returns to refuse one.
///
/// Any error converts into one (an internal error, -32603, whose message is
/// the error's chain of causes), so `?` works inside callbacks; the
/// constructors build the usual codes.
///
/// ```
/// use mcp_types::{error_codes, ErrorObject};
///
/// fn parse(text: &str) -> Result<u32, ErrorObject> {
///     let n: u32 = text.parse()?; // ParseIntError -> internal error
///     if n == 0 {
///         return Err(ErrorObject::invalid_params("n must be positive"));
///     }
///     Ok(n)
/// }
/// assert_eq!(parse("x").unwrap_err().code, error_codes::INTERNAL_ERROR);
/// assert_eq!(parse("0").unwrap_err().code, error_codes::INVALID_PARAMS);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorObject {
    /// The error code (see [`error_codes`]).
    pub code: i64,
    /// A short description.
    pub message: String,
    /// Additional information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl ErrorObject {
    /// An error with the given code and message and no data.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        ErrorObject {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// Invalid params (-32602).
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(error_codes::INVALID_PARAMS, message)
    }

    /// Method not found (-32601), naming the method.
    pub fn method_not_found(method: &str) -> Self {
        Self::new(
            error_codes::METHOD_NOT_FOUND,
            format!("method not found: {method}"),
        )
    }

    /// Internal error (-32603).
    pub fn internal_error(message: impl Into<String>) -> Self {
        Self::new(error_codes::INTERNAL_ERROR, message)
    }

    /// Invalid request (-32600).
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(error_codes::INVALID_REQUEST, message)
    }

    /// Attaches `data`.
    pub fn with_data(mut self, data: impl Into<Value>) -> Self {
        self.data = Some(data.into());
        self
    }

    /// Decodes `data` into a typed struct (`None` when absent).
    pub fn data_as<T: serde::de::DeserializeOwned>(&self) -> Option<Result<T, serde_json::Error>> {
        self.data.as_ref().map(T::deserialize)
    }
}

impl fmt::Display for ErrorObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (code {})", self.message, self.code)
    }
}

/// Any error becomes an internal error (-32603) whose message is the error
/// and its causes, so that `?` works in a callback.
impl<E: std::error::Error + Send + Sync + 'static> From<E> for ErrorObject {
    fn from(e: E) -> Self {
        let mut message = e.to_string();
        let mut cause = e.source();
        while let Some(c) = cause {
            message.push_str(": ");
            message.push_str(&c.to_string());
            cause = c.source();
        }
        ErrorObject::internal_error(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_decode_leniently_and_strictly() {
        let n: RequestId = serde_json::from_str("3").expect("number");
        assert_eq!(n, RequestId::Number(3));
        let s: RequestId = serde_json::from_str("\"3\"").expect("string");
        assert_eq!(s, RequestId::from("3"));
        assert_ne!(n, s);
        for bad in ["1.5", "null", "{}", "[]", "true", "18446744073709551615"] {
            assert!(serde_json::from_str::<RequestId>(bad).is_err(), "{bad}");
        }
        assert_eq!(serde_json::to_string(&s).expect("encodes"), "\"3\"");
    }

    #[test]
    fn errors_convert_with_their_causes() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("reading the prompt failed")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let e: ErrorObject = Outer(std::io::Error::other("disk gone")).into();
        assert_eq!(e.code, error_codes::INTERNAL_ERROR);
        assert_eq!(e.message, "reading the prompt failed: disk gone");
        let with = ErrorObject::method_not_found("x/y").with_data(serde_json::json!({"k": 1}));
        assert_eq!(with.to_string(), "method not found: x/y (code -32601)");
        assert_eq!(
            with.data_as::<Value>().map(Result::ok),
            Some(Some(serde_json::json!({"k": 1})))
        );
    }
}
