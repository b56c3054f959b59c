//! Elicitation: `elicitation/create` in form mode (2025-06-18+) and URL mode (2025-11-25+).

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::macros::{has_extra, num, string_enum};
use crate::meta::Meta;
use crate::tasks::TaskMetadata;

/// Params of `elicitation/create`, selected by `mode`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ElicitRequestParams {
    /// Form mode (`mode` absent or `"form"`).
    Form(ElicitRequestFormParams),
    /// URL mode (`mode: "url"`).
    Url(ElicitRequestURLParams),
    /// A mode this crate does not know (raw JSON).
    Unknown(Value),
}

impl ElicitRequestParams {
    /// The `mode` of the request (`form` when absent).
    pub fn mode(&self) -> Option<&str> {
        match self {
            Self::Form(_) => Some("form"),
            Self::Url(_) => Some("url"),
            Self::Unknown(v) => v.get("mode").and_then(Value::as_str),
        }
    }

    /// The message shown to the user.
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::Form(f) => Some(&f.message),
            Self::Url(u) => Some(&u.message),
            Self::Unknown(v) => v.get("message").and_then(Value::as_str),
        }
    }
}

impl<'de> Deserialize<'de> for ElicitRequestParams {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        if !v.is_object() {
            return Err(D::Error::custom("elicitation params must be an object"));
        }
        match v.get("mode") {
            None => serde_json::from_value(v)
                .map(Self::Form)
                .map_err(D::Error::custom),
            Some(Value::String(m)) if m == "form" => serde_json::from_value(v)
                .map(Self::Form)
                .map_err(D::Error::custom),
            Some(Value::String(m)) if m == "url" => {
                serde_json::from_value(v).map(Self::Url).map_err(D::Error::custom)
            }
            Some(_) => Ok(Self::Unknown(v)),
        }
    }
}

impl From<ElicitRequestFormParams> for ElicitRequestParams {
    fn from(p: ElicitRequestFormParams) -> Self {
        Self::Form(p)
    }
}

impl From<ElicitRequestURLParams> for ElicitRequestParams {
    fn from(p: ElicitRequestURLParams) -> Self {
        Self::Url(p)
    }
}

/// Form-mode elicitation params.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ElicitRequestFormParams {
    /// `"form"` when present (may be omitted on the wire).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Message shown to the user.
    pub message: String,
    /// Restricted JSON Schema of the requested data, preserved verbatim
    /// (see [`PrimitiveSchemaDefinition`] for a typed view of its properties).
    pub requested_schema: Map<String, Value>,
    /// Run as a task (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskMetadata>,
    /// `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ElicitRequestFormParams {
    /// Form params with `mode: "form"`.
    pub fn new(message: impl Into<String>, requested_schema: Map<String, Value>) -> Self {
        Self {
            mode: Some("form".to_owned()),
            message: message.into(),
            requested_schema,
            ..Self::default()
        }
    }

    /// The values the requested schema proposes (`default` of each field,
    /// SEP-1034): what a form shows pre-filled, and what a user who accepts
    /// the form unchanged sends.
    pub fn default_content(&self) -> Map<String, Value> {
        let Some(Value::Object(props)) = self.requested_schema.get("properties") else {
            return Map::new();
        };
        props
            .iter()
            .filter_map(|(k, v)| v.get("default").map(|d| (k.clone(), d.clone())))
            .collect()
    }

    /// Typed view of `requestedSchema.properties`; unknown shapes map to
    /// [`PrimitiveSchemaDefinition::Unknown`].
    pub fn properties(&self) -> Vec<(String, PrimitiveSchemaDefinition)> {
        let Some(Value::Object(props)) = self.requested_schema.get("properties") else {
            return Vec::new();
        };
        props
            .iter()
            .map(|(k, v)| {
                let def = serde_json::from_value(v.clone())
                    .unwrap_or_else(|_| PrimitiveSchemaDefinition::Unknown(v.clone()));
                (k.clone(), def)
            })
            .collect()
    }
}

fn extra_without_mode<'de, D: Deserializer<'de>>(d: D) -> Result<Map<String, Value>, D::Error> {
    let mut m = Map::<String, Value>::deserialize(d)?;
    m.remove("mode");
    Ok(m)
}

/// URL-mode elicitation params (2025-11-25+). Serializes with `mode: "url"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "mode", rename = "url", rename_all = "camelCase")]
pub struct ElicitRequestURLParams {
    /// Message shown to the user.
    pub message: String,
    /// URL the user should open.
    pub url: String,
    /// Elicitation id (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elicitation_id: Option<String>,
    /// Run as a task (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskMetadata>,
    /// `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Unknown fields.
    #[serde(flatten, deserialize_with = "extra_without_mode")]
    pub extra: Map<String, Value>,
}

impl ElicitRequestURLParams {
    /// URL params.
    pub fn new(message: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            url: url.into(),
            elicitation_id: None,
            task: None,
            meta: None,
            extra: Map::new(),
        }
    }
}

string_enum! {
    /// The user's response to an elicitation.
    ElicitAction {
        /// `accept`.
        Accept => "accept",
        /// `decline`.
        Decline => "decline",
        /// `cancel`.
        Cancel => "cancel",
    }
}

/// Result of `elicitation/create` (sent by the client).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ElicitResult {
    /// The action.
    pub action: ElicitAction,
    /// Submitted form data (string, number, boolean or string-array values).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Map<String, Value>>,
    /// `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ElicitResult {
    /// A result with an action and no content.
    pub fn new(action: ElicitAction) -> Self {
        Self {
            action,
            content: None,
            meta: None,
            extra: Map::new(),
        }
    }

    /// An `accept` result with form content.
    pub fn accept(content: Map<String, Value>) -> Self {
        Self {
            content: Some(content),
            ..Self::new(ElicitAction::Accept)
        }
    }
}

/// Params of `notifications/elicitation/complete` (2025-11-25).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ElicitationCompleteNotificationParams {
    /// The completed elicitation.
    pub elicitation_id: String,
    /// `_meta`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Error data of `-32042` URL elicitation required (2025-11-25).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UrlElicitationRequiredData {
    /// The URL elicitations the client must complete.
    pub elicitations: Vec<ElicitRequestURLParams>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

has_extra!(
    ElicitRequestFormParams,
    ElicitRequestURLParams,
    ElicitResult,
    ElicitationCompleteNotificationParams,
    UrlElicitationRequiredData,
);

string_enum! {
    /// `format` of a [`StringSchema`].
    StringFormat {
        /// `email`.
        Email => "email",
        /// `uri`.
        Uri => "uri",
        /// `date`.
        Date => "date",
        /// `date-time`.
        DateTime => "date-time",
    }
}

/// A string field of an elicitation form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "string", rename_all = "camelCase")]
#[non_exhaustive]
pub struct StringSchema {
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Minimum length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u64>,
    /// Maximum length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u64>,
    /// Format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<StringFormat>,
    /// Default value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

string_enum! {
    /// `type` of a [`NumberSchema`].
    NumberType {
        /// `number`.
        Number => "number",
        /// `integer`.
        Integer => "integer",
    }
}

/// A number field of an elicitation form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NumberSchema {
    /// `number` or `integer`.
    #[serde(rename = "type")]
    pub kind: NumberType,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Minimum.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "num::opt_f64"
    )]
    pub minimum: Option<f64>,
    /// Maximum.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "num::opt_f64"
    )]
    pub maximum: Option<f64>,
    /// Default value.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "num::opt_f64"
    )]
    pub default: Option<f64>,
}

/// A boolean field of an elicitation form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "boolean")]
#[non_exhaustive]
pub struct BooleanSchema {
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Default value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
}

/// A single-select enum without titles.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "string")]
#[non_exhaustive]
pub struct UntitledSingleSelectEnumSchema {
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The allowed values.
    #[serde(rename = "enum")]
    pub values: Vec<String>,
    /// Default value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// An enum option with a display title.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EnumOption {
    /// The value.
    #[serde(rename = "const")]
    pub value: String,
    /// Display title.
    pub title: String,
}

/// A single-select enum with titled options (2025-11-25+).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "string", rename_all = "camelCase")]
#[non_exhaustive]
pub struct TitledSingleSelectEnumSchema {
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The options.
    pub one_of: Vec<EnumOption>,
    /// Default value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// `items` of an [`UntitledMultiSelectEnumSchema`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "string")]
#[non_exhaustive]
pub struct UntitledEnumItems {
    /// The allowed values.
    #[serde(rename = "enum")]
    pub values: Vec<String>,
}

/// `items` of a [`TitledMultiSelectEnumSchema`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TitledEnumItems {
    /// The options.
    pub any_of: Vec<EnumOption>,
}

/// A multi-select enum without titles (2025-11-25+).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "array", rename_all = "camelCase")]
#[non_exhaustive]
pub struct UntitledMultiSelectEnumSchema {
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Minimum number of selections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u64>,
    /// Maximum number of selections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u64>,
    /// The items.
    pub items: UntitledEnumItems,
    /// Default selections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Vec<String>>,
}

/// A multi-select enum with titled options (2025-11-25+).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "array", rename_all = "camelCase")]
#[non_exhaustive]
pub struct TitledMultiSelectEnumSchema {
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Minimum number of selections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u64>,
    /// Maximum number of selections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u64>,
    /// The items.
    pub items: TitledEnumItems,
    /// Default selections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Vec<String>>,
}

/// The pre-2025-11-25 enum with `enumNames` (deprecated).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "string", rename_all = "camelCase")]
#[non_exhaustive]
pub struct LegacyTitledEnumSchema {
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The allowed values.
    #[serde(rename = "enum")]
    pub values: Vec<String>,
    /// Display names of the values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enum_names: Option<Vec<String>>,
    /// Default value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// One property of an elicitation form schema.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum PrimitiveSchemaDefinition {
    /// String.
    String(StringSchema),
    /// Number or integer.
    Number(NumberSchema),
    /// Boolean.
    Boolean(BooleanSchema),
    /// Single-select enum without titles.
    UntitledSingleSelectEnum(UntitledSingleSelectEnumSchema),
    /// Single-select enum with titles.
    TitledSingleSelectEnum(TitledSingleSelectEnumSchema),
    /// Multi-select enum without titles.
    UntitledMultiSelectEnum(UntitledMultiSelectEnumSchema),
    /// Multi-select enum with titles.
    TitledMultiSelectEnum(TitledMultiSelectEnumSchema),
    /// Legacy enum with `enumNames`.
    LegacyTitledEnum(LegacyTitledEnumSchema),
    /// A shape this crate does not know (raw JSON).
    Unknown(Value),
}

impl<'de> Deserialize<'de> for PrimitiveSchemaDefinition {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        fn de<T: serde::de::DeserializeOwned, E: serde::de::Error>(v: Value) -> Result<T, E> {
            serde_json::from_value(v).map_err(E::custom)
        }
        let v = Value::deserialize(d)?;
        let has = |k: &str| v.get(k).is_some();
        Ok(match v.get("type").and_then(Value::as_str) {
            Some("boolean") => Self::Boolean(de(v)?),
            Some("number" | "integer") => Self::Number(de(v)?),
            Some("string") if has("oneOf") => Self::TitledSingleSelectEnum(de(v)?),
            Some("string") if has("enumNames") => Self::LegacyTitledEnum(de(v)?),
            Some("string") if has("enum") => Self::UntitledSingleSelectEnum(de(v)?),
            Some("string") => Self::String(de(v)?),
            Some("array") if v.get("items").and_then(|i| i.get("anyOf")).is_some() => {
                Self::TitledMultiSelectEnum(de(v)?)
            }
            Some("array") => Self::UntitledMultiSelectEnum(de(v)?),
            _ => Self::Unknown(v),
        })
    }
}
