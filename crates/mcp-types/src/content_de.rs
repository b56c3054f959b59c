//! Single-pass `Deserialize` impls for the hot result types: [`ContentBlock`],
//! [`ResourceContents`] and [`CallToolResult`].
//!
//! Derived impls of these types buffer their input (a flattened `extra` map
//! makes serde collect the whole object into its private `Content` type; a
//! tagged union went through a `serde_json::Value` and `from_value`). The
//! visitors here read every member once, move strings instead of copying
//! them, and keep unknown members as [`Value`]s. Serialization is untouched.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Unexpected, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use crate::content::{
    AudioContent, BlobResourceContents, ContentBlock, EmbeddedResource, ImageContent, ResourceContents,
    ResourceLink, TextContent, TextResourceContents,
};
use crate::input::ResultType;
use crate::meta::Meta;
use crate::tools::CallToolResult;

/// A map key: one of the known members (by index into a key table) or any other key, owned.
enum Key {
    Known(usize),
    Other(String),
}

/// Reads a map key, matching it against `keys` without allocating for known ones.
struct KeySeed(&'static [&'static str]);

impl KeySeed {
    fn find(&self, k: &str) -> Option<usize> {
        self.0.iter().position(|&known| known == k)
    }
}

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(self.find(v).map_or_else(|| Key::Other(v.to_owned()), Key::Known))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Key, E> {
        Ok(self.find(&v).map_or(Key::Other(v), Key::Known))
    }
}

/// Stores `value` in `slot`, failing on a member seen twice.
fn set_once<T, E: de::Error>(slot: &mut Option<T>, value: T, name: &'static str) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(name));
    }
    *slot = Some(value);
    Ok(())
}

/// Reads the next value into `slot`, failing on a member seen twice.
fn next_once<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
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

// ---------------------------------------------------------------------------
// ContentBlock

/// Every member any known content block has; `type` first.
const BLOCK_KEYS: &[&str] = &[
    "type",
    "text",
    "data",
    "mimeType",
    "annotations",
    "_meta",
    "uri",
    "name",
    "title",
    "description",
    "size",
    "icons",
    "resource",
];
const TYPE: usize = 0;
const TEXT: usize = 1;
const DATA: usize = 2;
const MIME_TYPE: usize = 3;
const ANNOTATIONS: usize = 4;
const META: usize = 5;
const URI: usize = 6;
const NAME: usize = 7;
const TITLE: usize = 8;
const DESCRIPTION: usize = 9;
const SIZE: usize = 10;
const ICONS: usize = 11;
const RESOURCE: usize = 12;
const N_BLOCK_KEYS: usize = 13;

/// The known `type`s of a content block.
enum Kind {
    Text,
    Image,
    Audio,
    ResourceLink,
    Resource,
    Unknown,
}

impl Kind {
    fn of(ty: &str) -> Self {
        match ty {
            "text" => Self::Text,
            "image" => Self::Image,
            "audio" => Self::Audio,
            "resource_link" => Self::ResourceLink,
            "resource" => Self::Resource,
            _ => Self::Unknown,
        }
    }
}

/// The members of one block as read, before its `type` is known.
struct BlockFields {
    known: [Option<Value>; N_BLOCK_KEYS],
    other: Map<String, Value>,
}

impl BlockFields {
    fn take(&mut self, i: usize) -> Option<Value> {
        self.known[i].take()
    }

    /// A required string member, moved out.
    fn string<E: de::Error>(&mut self, i: usize) -> Result<String, E> {
        match self.take(i) {
            Some(Value::String(s)) => Ok(s),
            Some(other) => Err(E::invalid_type(unexpected(&other), &"a string")),
            None => Err(E::missing_field(BLOCK_KEYS[i])),
        }
    }

    /// An optional member (absent or `null` is `None`).
    fn opt<T: DeserializeOwned, E: de::Error>(&mut self, i: usize) -> Result<Option<T>, E> {
        match self.take(i) {
            None | Some(Value::Null) => Ok(None),
            // `from_value` moves strings out of the value.
            Some(v) => serde_json::from_value(v).map(Some).map_err(E::custom),
        }
    }

    /// The block as it came, for a `type` this crate does not know.
    fn into_raw(self) -> Value {
        let mut obj = self.other;
        for (i, v) in self.known.into_iter().enumerate() {
            if let Some(v) = v {
                obj.insert(BLOCK_KEYS[i].to_owned(), v);
            }
        }
        Value::Object(obj)
    }

    fn into_block<E: de::Error>(mut self) -> Result<ContentBlock, E> {
        let kind = match &self.known[TYPE] {
            Some(Value::String(s)) => Kind::of(s),
            Some(_) => Kind::Unknown,
            None => return Err(E::missing_field("type")),
        };
        Ok(match kind {
            Kind::Text => ContentBlock::Text(TextContent {
                text: self.string(TEXT)?,
                annotations: self.opt(ANNOTATIONS)?,
                meta: self.opt(META)?,
            }),
            Kind::Image => ContentBlock::Image(ImageContent {
                data: self.string(DATA)?,
                mime_type: self.string(MIME_TYPE)?,
                annotations: self.opt(ANNOTATIONS)?,
                meta: self.opt(META)?,
            }),
            Kind::Audio => ContentBlock::Audio(AudioContent {
                data: self.string(DATA)?,
                mime_type: self.string(MIME_TYPE)?,
                annotations: self.opt(ANNOTATIONS)?,
                meta: self.opt(META)?,
            }),
            Kind::ResourceLink => ContentBlock::ResourceLink(ResourceLink {
                uri: self.string(URI)?,
                name: self.string(NAME)?,
                title: self.opt(TITLE)?,
                description: self.opt(DESCRIPTION)?,
                mime_type: self.opt(MIME_TYPE)?,
                size: self.opt(SIZE)?,
                icons: self.opt(ICONS)?,
                annotations: self.opt(ANNOTATIONS)?,
                meta: self.opt(META)?,
            }),
            Kind::Resource => ContentBlock::Resource(EmbeddedResource {
                resource: match self.take(RESOURCE) {
                    Some(v) => serde_json::from_value(v).map_err(E::custom)?,
                    None => return Err(E::missing_field("resource")),
                },
                annotations: self.opt(ANNOTATIONS)?,
                meta: self.opt(META)?,
            }),
            Kind::Unknown => ContentBlock::Unknown(self.into_raw()),
        })
    }
}

fn unexpected(v: &Value) -> Unexpected<'_> {
    match v {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => n
            .as_i64()
            .map(Unexpected::Signed)
            .or_else(|| n.as_f64().map(Unexpected::Float))
            .unwrap_or(Unexpected::Other("number")),
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

struct BlockVisitor;

impl<'de> Visitor<'de> for BlockVisitor {
    type Value = ContentBlock;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a content block object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ContentBlock, A::Error> {
        let mut fields = BlockFields {
            known: Default::default(),
            other: Map::new(),
        };
        while let Some(key) = map.next_key_seed(KeySeed(BLOCK_KEYS))? {
            match key {
                Key::Known(i) => {
                    let v: Value = map.next_value()?;
                    set_once(&mut fields.known[i], v, BLOCK_KEYS[i])?;
                }
                Key::Other(k) => {
                    let v: Value = map.next_value()?;
                    fields.other.insert(k, v);
                }
            }
        }
        fields.into_block()
    }
}

impl<'de> Deserialize<'de> for ContentBlock {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(BlockVisitor)
    }
}

// ---------------------------------------------------------------------------
// ResourceContents

const RESOURCE_KEYS: &[&str] = &["uri", "mimeType", "text", "blob", "_meta"];

struct ResourceVisitor;

impl<'de> Visitor<'de> for ResourceVisitor {
    type Value = ResourceContents;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("resource contents (an object with \"uri\" and \"text\" or \"blob\")")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ResourceContents, A::Error> {
        let mut uri: Option<String> = None;
        let mut mime_type: Option<Option<String>> = None;
        let mut text: Option<String> = None;
        let mut blob: Option<String> = None;
        let mut meta: Option<Option<Meta>> = None;
        while let Some(key) = map.next_key_seed(KeySeed(RESOURCE_KEYS))? {
            match key {
                Key::Known(0) => next_once(&mut map, &mut uri, "uri")?,
                Key::Known(1) => next_once(&mut map, &mut mime_type, "mimeType")?,
                Key::Known(2) => next_once(&mut map, &mut text, "text")?,
                Key::Known(3) => next_once(&mut map, &mut blob, "blob")?,
                Key::Known(_) => next_once(&mut map, &mut meta, "_meta")?,
                Key::Other(_) => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let uri = uri.ok_or_else(|| de::Error::missing_field("uri"))?;
        let (mime_type, meta) = (mime_type.flatten(), meta.flatten());
        match (text, blob) {
            (Some(text), _) => Ok(ResourceContents::Text(TextResourceContents {
                uri,
                mime_type,
                text,
                meta,
            })),
            (None, Some(blob)) => Ok(ResourceContents::Blob(BlobResourceContents {
                uri,
                mime_type,
                blob,
                meta,
            })),
            (None, None) => Err(de::Error::custom(
                "resource contents need a \"text\" or a \"blob\" member",
            )),
        }
    }
}

impl<'de> Deserialize<'de> for ResourceContents {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ResourceVisitor)
    }
}

// ---------------------------------------------------------------------------
// CallToolResult

const RESULT_KEYS: &[&str] = &["content", "structuredContent", "isError", "resultType", "_meta"];

struct CallToolResultVisitor(PhantomData<CallToolResult>);

impl<'de> Visitor<'de> for CallToolResultVisitor {
    type Value = CallToolResult;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a tools/call result object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CallToolResult, A::Error> {
        let mut content: Option<Vec<ContentBlock>> = None;
        let mut structured: Option<Option<Value>> = None;
        let mut is_error: Option<Option<bool>> = None;
        let mut result_type: Option<Option<ResultType>> = None;
        let mut meta: Option<Option<Meta>> = None;
        let mut extra = Map::new();
        while let Some(key) = map.next_key_seed(KeySeed(RESULT_KEYS))? {
            match key {
                Key::Known(0) => next_once(&mut map, &mut content, "content")?,
                Key::Known(1) => next_once(&mut map, &mut structured, "structuredContent")?,
                Key::Known(2) => next_once(&mut map, &mut is_error, "isError")?,
                Key::Known(3) => next_once(&mut map, &mut result_type, "resultType")?,
                Key::Known(_) => next_once(&mut map, &mut meta, "_meta")?,
                Key::Other(k) => {
                    let v: Value = map.next_value()?;
                    extra.insert(k, v);
                }
            }
        }
        Ok(CallToolResult {
            content: content.ok_or_else(|| de::Error::missing_field("content"))?,
            structured_content: structured.flatten(),
            is_error: is_error.flatten(),
            result_type: result_type.flatten(),
            meta: meta.flatten(),
            extra,
        })
    }
}

impl<'de> Deserialize<'de> for CallToolResult {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(CallToolResultVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn block(v: &str) -> Result<ContentBlock, serde_json::Error> {
        serde_json::from_str(v)
    }

    #[test]
    fn member_order_does_not_matter() {
        let first = block(r#"{"type":"image","data":"AAA=","mimeType":"image/png"}"#).expect("decodes");
        let last = block(r#"{"mimeType":"image/png","data":"AAA=","type":"image"}"#).expect("decodes");
        assert_eq!(first, last);
        assert_eq!(first, ContentBlock::image("AAA=", "image/png"));
        let text = block(r#"{"text":"hi","annotations":{"priority":1},"extra":[1],"type":"text"}"#)
            .expect("decodes");
        assert!(matches!(&text, ContentBlock::Text(t) if t.text == "hi"
            && t.annotations.as_ref().and_then(|a| a.priority) == Some(1.0)));
    }

    #[test]
    fn every_known_type_decodes_like_the_derived_structs() {
        let link = json!({"name": "n", "uri": "file:///a", "size": 3, "icons": [{"src": "x"}],
            "type": "resource_link", "title": "t", "_meta": {"k": 1}});
        let b: ContentBlock = serde_json::from_value(link.clone()).expect("decodes");
        assert!(matches!(&b, ContentBlock::ResourceLink(l) if l.size == Some(3) && l.name == "n"));
        assert_eq!(serde_json::to_value(&b).expect("encodes"), link);
        let res = json!({"resource": {"blob": "AA==", "uri": "u"}, "type": "resource"});
        let b: ContentBlock = serde_json::from_value(res.clone()).expect("decodes");
        assert!(matches!(&b, ContentBlock::Resource(r) if matches!(r.resource, ResourceContents::Blob(_))));
        assert_eq!(serde_json::to_value(&b).expect("encodes"), res);
        let audio = block(r#"{"type":"audio","data":"AA==","mimeType":"audio/wav","annotations":null}"#);
        assert!(matches!(audio, Ok(ContentBlock::Audio(a)) if a.annotations.is_none()));
    }

    #[test]
    fn unknown_type_is_preserved_exactly() {
        let raw = r#"{"data":{"x":[1,2.5,"s"]},"fps":60,"text":7,"type":"hologram","uri":null}"#;
        let b = block(raw).expect("decodes");
        assert_eq!(b.type_name(), Some("hologram"));
        assert!(
            matches!(&b, ContentBlock::Unknown(v) if v == &serde_json::from_str::<Value>(raw).expect("json"))
        );
        assert_eq!(serde_json::to_string(&b).expect("encodes"), raw);
        // A non-string type is kept as an unknown block too.
        assert!(matches!(
            block(r#"{"type":5,"a":1}"#),
            Ok(ContentBlock::Unknown(_))
        ));
    }

    #[test]
    fn bad_blocks_are_errors_not_panics() {
        for bad in [
            r#"{"text":"no type"}"#,
            r#"{"type":"text"}"#,
            r#"{"type":"text","text":5}"#,
            r#"{"type":"text","text":"a","text":"b"}"#,
            r#"{"type":"text","type":"text","text":"a"}"#,
            r#"{"type":"image","data":"AA=="}"#,
            r#"{"type":"text","text":"a","annotations":{"priority":"high"}}"#,
            r#"{"type":"resource_link","uri":"u","name":"n","size":-1}"#,
            r#"{"type":"resource","resource":{"uri":"u"}}"#,
            r#"{"type":"resource","resource":{"text":"t"}}"#,
            r#"{"type":"resource"}"#,
            r#""text""#,
            r#"[1]"#,
            r#"{"type":"text","text":"unterminated}"#,
        ] {
            assert!(block(bad).is_err(), "accepted {bad}");
        }
        // Nested members are read as a `Value` first (last duplicate wins there), but
        // resource contents decoded directly reject duplicates.
        let dup = r#"{"uri":"u","text":"a","text":"b"}"#;
        assert!(serde_json::from_str::<ResourceContents>(dup).is_err());
    }

    #[test]
    fn call_tool_result_keeps_unknown_members() {
        let raw = json!({"zeta": {"a": [1]}, "content": [{"type": "text", "text": "ok"}],
            "isError": true, "alpha": "x", "structuredContent": {"n": 1}, "_meta": {"m": 2}});
        let r: CallToolResult = serde_json::from_value(raw.clone()).expect("decodes");
        assert!(r.is_error());
        assert_eq!(r.extra.get("zeta"), Some(&json!({"a": [1]})));
        assert_eq!(r.extra.get("alpha"), Some(&json!("x")));
        assert_eq!(r.extra.len(), 2);
        assert_eq!(serde_json::to_value(&r).expect("encodes"), raw);
        let from_str: CallToolResult = serde_json::from_str(&raw.to_string()).expect("decodes");
        assert_eq!(from_str, r);
        let nulls: CallToolResult =
            serde_json::from_str(r#"{"content":[],"isError":null,"structuredContent":null}"#)
                .expect("decodes");
        assert_eq!(nulls, CallToolResult::new(Vec::new()));
    }

    #[test]
    fn bad_call_tool_results_are_errors_not_panics() {
        for bad in [
            r#"{}"#,
            r#"{"content":{}}"#,
            r#"{"content":[],"content":[]}"#,
            r#"{"content":[],"isError":"yes"}"#,
            r#"{"content":[],"isError":true,"isError":false}"#,
            r#"{"content":[{"text":"x"}]}"#,
            r#"[]"#,
            r#"{"content":[],"x":}"#,
        ] {
            assert!(
                serde_json::from_str::<CallToolResult>(bad).is_err(),
                "accepted {bad}"
            );
        }
    }
}
