//! JSON-RPC 2.0 messages.
//!
//! Inbound frames are parsed once: `params` and `result` stay as
//! [`RawValue`] so that the caller decodes them straight into the type it
//! expects, without a `serde_json::Value` detour.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

pub(crate) use mcp_types::{ErrorObject, RequestId};

use crate::error::ParseError;

/// The `jsonrpc` member every message carries.
pub const JSONRPC_VERSION: &str = "2.0";

/// A request: it expects a response with the same id.
#[derive(Debug, Clone)]
pub struct Request {
    /// The id the response will carry.
    pub id: RequestId,
    /// The method name.
    pub method: Cow<'static, str>,
    /// The parameters, kept raw.
    pub params: Option<Box<RawValue>>,
}

/// A notification: no id, no response.
#[derive(Debug, Clone)]
pub struct Notification {
    /// The method name.
    pub method: Cow<'static, str>,
    /// The parameters, kept raw.
    pub params: Option<Box<RawValue>>,
}

/// A successful response.
#[derive(Debug, Clone)]
pub struct Response {
    /// The id of the request this answers.
    pub id: RequestId,
    /// The result, kept raw until the waiting caller decodes it.
    pub result: Box<RawValue>,
}

/// An error response.
#[derive(Debug, Clone)]
pub struct ErrorResponse {
    /// The id of the request this answers; `None` when the peer could not
    /// read the id (for example after a parse error).
    pub id: Option<RequestId>,
    /// The error.
    pub error: ErrorObject,
}

/// Any JSON-RPC 2.0 message.
#[derive(Debug, Clone)]
pub enum Message {
    /// A request.
    Request(Request),
    /// A notification.
    Notification(Notification),
    /// A successful response.
    Response(Response),
    /// An error response.
    Error(ErrorResponse),
}

impl Message {
    /// The method name of a request or notification.
    pub fn method(&self) -> Option<&str> {
        match self {
            Message::Request(r) => Some(&r.method),
            Message::Notification(n) => Some(&n.method),
            _ => None,
        }
    }

    /// The id of a request or response.
    pub fn id(&self) -> Option<&RequestId> {
        match self {
            Message::Request(r) => Some(&r.id),
            Message::Response(r) => Some(&r.id),
            Message::Error(e) => e.id.as_ref(),
            Message::Notification(_) => None,
        }
    }

    /// Serializes the message as one line of JSON (no trailing newline).
    pub fn to_vec(&self) -> Vec<u8> {
        let mut buf = Vec::with_capacity(128);
        self.write_to(&mut buf);
        buf
    }

    /// Appends the message's JSON to `buf` (no trailing newline).
    pub fn write_to(&self, buf: &mut Vec<u8>) {
        // Serializing our own message types into a Vec cannot fail: every
        // map key is a string and raw values are already valid JSON.
        if let Err(e) = serde_json::to_writer(&mut *buf, self) {
            tracing::error!(error = %e, "serializing a JSON-RPC message failed");
        }
    }

    /// Parses one message from `bytes`. A batch (JSON array) is an error
    /// here; use [`parse_frame`] where batches are allowed.
    pub fn from_slice(bytes: &[u8]) -> Result<Message, ParseError> {
        let env: Envelope = serde_json::from_slice(bytes).map_err(|e| ParseError::json(e, bytes))?;
        env.classify()
            .map_err(|reason| ParseError::invalid(reason, bytes))
    }
}

impl From<Request> for Message {
    fn from(r: Request) -> Self {
        Message::Request(r)
    }
}
impl From<Notification> for Message {
    fn from(n: Notification) -> Self {
        Message::Notification(n)
    }
}
impl From<Response> for Message {
    fn from(r: Response) -> Self {
        Message::Response(r)
    }
}
impl From<ErrorResponse> for Message {
    fn from(e: ErrorResponse) -> Self {
        Message::Error(e)
    }
}

impl Serialize for Message {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Message::Request(r) => r.serialize(s),
            Message::Notification(n) => n.serialize(s),
            Message::Response(r) => r.serialize(s),
            Message::Error(e) => e.serialize(s),
        }
    }
}

/// Each part serializes as the whole message it is, so that a transport
/// can write a borrowed one.
impl Serialize for Request {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("jsonrpc", JSONRPC_VERSION)?;
        map.serialize_entry("id", &self.id)?;
        map.serialize_entry("method", &self.method)?;
        if let Some(p) = &self.params {
            map.serialize_entry("params", p)?;
        }
        map.end()
    }
}

impl Serialize for Notification {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("jsonrpc", JSONRPC_VERSION)?;
        map.serialize_entry("method", &self.method)?;
        if let Some(p) = &self.params {
            map.serialize_entry("params", p)?;
        }
        map.end()
    }
}

impl Serialize for Response {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("jsonrpc", JSONRPC_VERSION)?;
        map.serialize_entry("id", &self.id)?;
        map.serialize_entry("result", &self.result)?;
        map.end()
    }
}

impl Serialize for ErrorResponse {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("jsonrpc", JSONRPC_VERSION)?;
        map.serialize_entry("id", &self.id)?;
        map.serialize_entry("error", &self.error)?;
        map.end()
    }
}

impl Request {
    /// Serializes the request as one line of JSON (no trailing newline).
    pub fn to_vec(&self) -> Vec<u8> {
        to_vec(self)
    }
}

impl Notification {
    /// Serializes the notification as one line of JSON (no trailing newline).
    pub fn to_vec(&self) -> Vec<u8> {
        to_vec(self)
    }
}

fn to_vec<T: Serialize>(value: &T) -> Vec<u8> {
    let mut buf = Vec::with_capacity(128);
    // Our own message types always serialize: string keys, valid raw JSON.
    if let Err(e) = serde_json::to_writer(&mut buf, value) {
        tracing::error!(error = %e, "serializing a JSON-RPC message failed");
    }
    buf
}

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Envelope::deserialize(d)?.classify().map_err(de::Error::custom)
    }
}

/// Every member any message may have; parsed in one pass, then classified.
struct Envelope {
    /// Whether `jsonrpc` was absent, `null` or `"2.0"`.
    version_ok: bool,
    /// `None`: no `id`; `Some(None)`: `"id": null`.
    id: Option<Option<RequestId>>,
    method: Option<String>,
    params: Option<Box<RawValue>>,
    /// `"result": null` is kept as a raw `null`.
    result: Option<Box<RawValue>>,
    error: Option<ErrorObject>,
}

/// The members of an envelope; anything else is skipped.
enum Member {
    Jsonrpc,
    Id,
    Method,
    Params,
    Result,
    Error,
    Other,
}

impl<'de> Deserialize<'de> for Member {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MemberVisitor;
        impl Visitor<'_> for MemberVisitor {
            type Value = Member;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Member, E> {
                Ok(match v {
                    "jsonrpc" => Member::Jsonrpc,
                    "id" => Member::Id,
                    "method" => Member::Method,
                    "params" => Member::Params,
                    "result" => Member::Result,
                    "error" => Member::Error,
                    _ => Member::Other,
                })
            }
        }
        d.deserialize_str(MemberVisitor)
    }
}

/// Reads `jsonrpc` without allocating: `true` for `"2.0"` or `null`.
struct VersionOk(bool);

impl<'de> Deserialize<'de> for VersionOk {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct VersionVisitor;
        impl<'de> Visitor<'de> for VersionVisitor {
            type Value = VersionOk;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("\"2.0\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<VersionOk, E> {
                Ok(VersionOk(v == JSONRPC_VERSION))
            }
            fn visit_unit<E: de::Error>(self) -> Result<VersionOk, E> {
                Ok(VersionOk(true))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<VersionOk, E> {
                Ok(VersionOk(false))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<VersionOk, E> {
                Ok(VersionOk(false))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<VersionOk, E> {
                Ok(VersionOk(false))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<VersionOk, E> {
                Ok(VersionOk(false))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<VersionOk, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(VersionOk(false))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<VersionOk, A::Error> {
                while map.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
                Ok(VersionOk(false))
            }
        }
        d.deserialize_any(VersionVisitor)
    }
}

/// Reads the next value into `slot`, failing on a member seen twice.
fn next_once<'de, A: de::MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

impl<'de> Deserialize<'de> for Envelope {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct EnvelopeVisitor;
        impl<'de> Visitor<'de> for EnvelopeVisitor {
            type Value = Envelope;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON-RPC message object")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Envelope, A::Error> {
                let mut version: Option<VersionOk> = None;
                let mut id: Option<Option<RequestId>> = None;
                let mut method: Option<Option<String>> = None;
                let mut params: Option<Option<Box<RawValue>>> = None;
                let mut result: Option<Box<RawValue>> = None;
                let mut error: Option<Option<ErrorObject>> = None;
                while let Some(member) = map.next_key::<Member>()? {
                    match member {
                        Member::Jsonrpc => next_once(&mut map, &mut version, "jsonrpc")?,
                        Member::Id => next_once(&mut map, &mut id, "id")?,
                        Member::Method => next_once(&mut map, &mut method, "method")?,
                        Member::Params => next_once(&mut map, &mut params, "params")?,
                        Member::Result => next_once(&mut map, &mut result, "result")?,
                        Member::Error => next_once(&mut map, &mut error, "error")?,
                        Member::Other => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(Envelope {
                    version_ok: version.is_none_or(|v| v.0),
                    id,
                    method: method.flatten(),
                    params: params.flatten(),
                    result,
                    error: error.flatten(),
                })
            }
        }
        d.deserialize_map(EnvelopeVisitor)
    }
}

impl Envelope {
    fn classify(self) -> Result<Message, &'static str> {
        if !self.version_ok {
            return Err("the \"jsonrpc\" member must be \"2.0\"");
        }
        let params = self.params.filter(|p| p.get() != "null");
        match (self.method, self.id) {
            (Some(method), Some(Some(id))) => Ok(Message::Request(Request {
                id,
                method: Cow::Owned(method),
                params,
            })),
            (Some(_), Some(None)) => Err("a request id must not be null"),
            (Some(method), None) => Ok(Message::Notification(Notification {
                method: Cow::Owned(method),
                params,
            })),
            (None, id) => match (self.result, self.error) {
                (_, Some(error)) => Ok(Message::Error(ErrorResponse {
                    id: id.flatten(),
                    error,
                })),
                (Some(result), None) => match id {
                    Some(Some(id)) => Ok(Message::Response(Response { id, result })),
                    _ => Err("a response must carry the id of its request"),
                },
                (None, None) => {
                    Err("not a request, notification or response: no \"method\", \"result\" or \"error\"")
                }
            },
        }
    }
}

/// Parses one transport frame: a single message or, as the 2025-03-26
/// revision allows, a batch (JSON array). Each message (or the error for a
/// malformed one) is handed to `emit` in order.
pub fn parse_frame(bytes: &[u8], mut emit: impl FnMut(Result<Message, ParseError>)) {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'[') {
        emit(Message::from_slice(bytes));
        return;
    }
    match serde_json::from_slice::<Vec<&RawValue>>(bytes) {
        Ok(items) if items.is_empty() => emit(Err(ParseError::invalid("an empty batch", bytes))),
        Ok(items) => {
            for item in items {
                emit(Message::from_slice(item.get().as_bytes()));
            }
        }
        Err(e) => emit(Err(ParseError::json(e, bytes))),
    }
}

/// Serializes `value` as raw JSON params or result.
pub fn to_raw<T: Serialize + ?Sized>(value: &T) -> Result<Box<RawValue>, serde_json::Error> {
    serde_json::value::to_raw_value(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &str) -> Result<Message, ParseError> {
        Message::from_slice(s.as_bytes())
    }

    #[test]
    fn classifies_every_kind() {
        assert!(
            matches!(one(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#), Ok(Message::Request(r)) if r.id == RequestId::Number(1) && r.params.is_none())
        );
        assert!(
            matches!(one(r#"{"jsonrpc":"2.0","method":"n","params":{"a":1}}"#), Ok(Message::Notification(n)) if n.params.as_ref().map(|p| p.get()) == Some(r#"{"a":1}"#))
        );
        assert!(
            matches!(one(r#"{"jsonrpc":"2.0","id":"x","result":{}}"#), Ok(Message::Response(r)) if r.id == RequestId::from("x"))
        );
        assert!(
            matches!(one(r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"bad"}}"#), Ok(Message::Error(e)) if e.id.is_none() && e.error.code == -32700)
        );
    }

    #[test]
    fn rejects_malformed_without_panicking() {
        for bad in [
            "",
            "not json",
            "{",
            "[]",
            "42",
            r#"{"jsonrpc":"1.0","id":1,"method":"x"}"#,
            r#"{"jsonrpc":"2.0","id":null,"method":"x"}"#,
            r#"{"jsonrpc":"2.0","result":{}}"#,
            r#"{"jsonrpc":"2.0","id":1}"#,
            r#"{"jsonrpc":"2.0","id":{"a":1},"result":{}}"#,
            r#"{"jsonrpc":"2.0","id":1.5,"result":{}}"#,
        ] {
            let mut got = Vec::new();
            parse_frame(bad.as_bytes(), |m| got.push(m));
            assert_eq!(got.len(), 1, "{bad}");
            assert!(got[0].is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn round_trips() {
        let line = r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo"}}"#;
        let msg = one(line).expect("parses");
        assert_eq!(String::from_utf8(msg.to_vec()).expect("utf8"), line);
        let err = Message::Error(ErrorResponse {
            id: Some(3.into()),
            error: ErrorObject::new(-32601, "nope").with_data(serde_json::json!({"m":"x"})),
        });
        let back = Message::from_slice(&err.to_vec()).expect("parses");
        assert!(matches!(back, Message::Error(e) if e.error.data == Some(serde_json::json!({"m":"x"}))));
    }

    #[test]
    fn batches_yield_each_message() {
        let mut got = Vec::new();
        parse_frame(
            br#"[{"jsonrpc":"2.0","method":"a"},{"bad":1},{"jsonrpc":"2.0","id":2,"result":null}]"#,
            |m| got.push(m),
        );
        assert_eq!(got.len(), 3);
        assert!(matches!(&got[0], Ok(Message::Notification(n)) if n.method == "a"));
        assert!(got[1].is_err());
        assert!(matches!(&got[2], Ok(Message::Response(r)) if r.result.get() == "null"));
    }
}
