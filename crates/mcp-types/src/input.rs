//! Multi round-trip requests (2026-07-28): `resultType`, `input_required` results, input requests
//! and responses, and the caching fields of cacheable results.

use std::collections::BTreeMap;

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::elicitation::{ElicitRequestParams, ElicitResult};
use crate::macros::{has_extra, string_enum};
use crate::meta::{Meta, RequestParams};
use crate::methods;
use crate::roots::ListRootsResult;
use crate::sampling::{CreateMessageRequestParams, CreateMessageResult};

string_enum! {
    /// `resultType` of a 2026-07-28 result; absent means [`ResultType::Complete`].
    ResultType {
        /// `complete`: the result holds the final content.
        Complete => "complete",
        /// `input_required`: the result is an [`InputRequiredResult`].
        InputRequired => "input_required",
    }
}

string_enum! {
    /// Who may cache a cacheable result (2026-07-28).
    CacheScope {
        /// `private`: only the requesting client/user.
        Private => "private",
        /// `public`: shareable across users.
        Public => "public",
    }
}

/// Reads only `resultType` from any result, so a client can choose the type to decode into.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultTypeProbe {
    /// The `resultType`, if present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
}

impl ResultTypeProbe {
    /// The effective type (absent means `complete`).
    pub fn effective(&self) -> ResultType {
        self.result_type.clone().unwrap_or(ResultType::Complete)
    }

    /// Whether the result is `input_required`.
    pub fn is_input_required(&self) -> bool {
        self.result_type == Some(ResultType::InputRequired)
    }
}

/// A request the server needs the client to fulfil before retrying (`{method, params}`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum InputRequest {
    /// `elicitation/create`.
    Elicitation(ElicitRequestParams),
    /// `sampling/createMessage`.
    CreateMessage(CreateMessageRequestParams),
    /// `roots/list` (params are optional).
    ListRoots(Option<RequestParams>),
    /// A method this crate does not know.
    Unknown {
        /// Method name.
        method: String,
        /// Raw params.
        params: Option<Value>,
    },
}

impl InputRequest {
    /// The method name.
    pub fn method(&self) -> &str {
        match self {
            Self::Elicitation(_) => methods::ELICITATION_CREATE,
            Self::CreateMessage(_) => methods::SAMPLING_CREATE_MESSAGE,
            Self::ListRoots(_) => methods::ROOTS_LIST,
            Self::Unknown { method, .. } => method,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct RawInputRequest {
    method: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    params: Option<Value>,
}

impl Serialize for InputRequest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error as _;
        let params = match self {
            Self::Elicitation(p) => Some(serde_json::to_value(p).map_err(S::Error::custom)?),
            Self::CreateMessage(p) => Some(serde_json::to_value(p).map_err(S::Error::custom)?),
            Self::ListRoots(p) => p
                .as_ref()
                .map(serde_json::to_value)
                .transpose()
                .map_err(S::Error::custom)?,
            Self::Unknown { params, .. } => params.clone(),
        };
        RawInputRequest {
            method: self.method().to_owned(),
            params,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for InputRequest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        fn de<T: DeserializeOwned, E: serde::de::Error>(v: Option<Value>) -> Result<T, E> {
            serde_json::from_value(v.unwrap_or_else(|| Value::Object(Map::new()))).map_err(E::custom)
        }
        let raw = RawInputRequest::deserialize(d)?;
        Ok(match raw.method.as_str() {
            methods::ELICITATION_CREATE => Self::Elicitation(de(raw.params)?),
            methods::SAMPLING_CREATE_MESSAGE => Self::CreateMessage(de(raw.params)?),
            methods::ROOTS_LIST => match raw.params {
                None => Self::ListRoots(None),
                Some(p) => Self::ListRoots(Some(de(Some(p))?)),
            },
            _ => Self::Unknown {
                method: raw.method,
                params: raw.params,
            },
        })
    }
}

/// Input requests keyed by a server-chosen name.
pub type InputRequests = BTreeMap<String, InputRequest>;

/// The client's answer to one [`InputRequest`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum InputResponse {
    /// Answer to `elicitation/create`.
    Elicitation(ElicitResult),
    /// Answer to `sampling/createMessage`.
    CreateMessage(CreateMessageResult),
    /// Answer to `roots/list`.
    ListRoots(ListRootsResult),
    /// Anything else (raw JSON).
    Unknown(Value),
}

impl<'de> Deserialize<'de> for InputResponse {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        let has = |k: &str| v.get(k).is_some();
        let r = if has("action") {
            serde_json::from_value(v).map(Self::Elicitation)
        } else if has("model") && has("role") {
            serde_json::from_value(v).map(Self::CreateMessage)
        } else if has("roots") {
            serde_json::from_value(v).map(Self::ListRoots)
        } else {
            return Ok(Self::Unknown(v));
        };
        r.map_err(D::Error::custom)
    }
}

impl From<ElicitResult> for InputResponse {
    fn from(r: ElicitResult) -> Self {
        Self::Elicitation(r)
    }
}

impl From<CreateMessageResult> for InputResponse {
    fn from(r: CreateMessageResult) -> Self {
        Self::CreateMessage(r)
    }
}

impl From<ListRootsResult> for InputResponse {
    fn from(r: ListRootsResult) -> Self {
        Self::ListRoots(r)
    }
}

/// Input responses keyed by the names of the [`InputRequests`].
pub type InputResponses = BTreeMap<String, InputResponse>;

/// A result asking the client for more input before retrying the request (2026-07-28).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InputRequiredResult {
    /// `input_required`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// What the server needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_requests: Option<InputRequests>,
    /// Opaque state to echo back on retry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_state: Option<String>,
    /// `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl InputRequiredResult {
    /// An `input_required` result with the given requests.
    pub fn new(input_requests: InputRequests) -> Self {
        Self {
            result_type: Some(ResultType::InputRequired),
            input_requests: Some(input_requests),
            ..Self::default()
        }
    }
}

/// The retry fields common to requests that may get `input_required` (2026-07-28).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InputResponseRequestParams {
    /// Answers to the input requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_responses: Option<InputResponses>,
    /// The echoed `requestState`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_state: Option<String>,
    /// `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A decoded result that is either final or `input_required`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ResultOrInputRequired<T> {
    /// The final result.
    Complete(T),
    /// The server needs more input.
    InputRequired(InputRequiredResult),
}

impl<T: DeserializeOwned> ResultOrInputRequired<T> {
    /// Decodes a result, looking at `resultType` first.
    pub fn from_value(v: Value) -> Result<Self, serde_json::Error> {
        let probe = ResultTypeProbe::deserialize(&v)?;
        if probe.is_input_required() {
            Ok(Self::InputRequired(serde_json::from_value(v)?))
        } else {
            Ok(Self::Complete(serde_json::from_value(v)?))
        }
    }

    /// Decodes a result from raw JSON text.
    pub fn from_json(s: &str) -> Result<Self, serde_json::Error> {
        Self::from_value(serde_json::from_str(s)?)
    }
}

impl<T: Serialize> Serialize for ResultOrInputRequired<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Complete(t) => t.serialize(s),
            Self::InputRequired(r) => r.serialize(s),
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for ResultOrInputRequired<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::from_value(Value::deserialize(d)?).map_err(D::Error::custom)
    }
}

has_extra!(InputRequiredResult, InputResponseRequestParams);
