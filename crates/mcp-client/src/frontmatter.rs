//! A `SKILL.md`'s YAML frontmatter, read into JSON with bounded effort: the
//! YAML parser is driven event by event with our own stack, so a hostile
//! file can neither recurse us out of stack ([`MAX_DEPTH`]) nor make
//! aliases expand without end ([`MAX_NODES`]).

use std::collections::HashMap;

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;
use yaml_rust2::Yaml;

/// Deepest nesting of sequences and mappings accepted in a frontmatter.
pub(crate) const MAX_DEPTH: usize = 64;

/// Most nodes a frontmatter may hold, aliases expanded.
pub(crate) const MAX_NODES: usize = 100_000;

/// Splits a `SKILL.md` into its frontmatter (between a first line `---` and
/// the next line `---` or `...`) and the offset where the body starts.
pub(crate) fn split(text: &str) -> Option<(&str, usize)> {
    let bom = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let rest = &text[bom..];
    let first = rest.find('\n')?;
    if rest[..first].trim_end() != "---" {
        return None;
    }
    let yaml_start = bom + first + 1;
    let mut at = yaml_start;
    while at <= text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let line = text[at..end].trim_end();
        if line == "---" || line == "..." {
            let body = (end + 1).min(text.len());
            return Some((&text[yaml_start..at], body));
        }
        if end == text.len() {
            break;
        }
        at = end + 1;
    }
    None
}

enum Frame {
    Seq(Vec<Value>, usize),
    Map(Map<String, Value>, Option<String>, usize),
}

/// Parses one YAML document holding a mapping into a JSON object. Plain
/// scalars are typed by the YAML 1.2 core schema (`true`, `null`, `42`,
/// `1.5`); quoted ones are strings.
pub(crate) fn parse(yaml: &str) -> Result<Map<String, Value>, String> {
    let mut parser = Parser::new_from_str(yaml);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, (Value, usize)> = HashMap::new();
    let mut nodes = 0usize;
    let mut root: Option<Value> = None;
    let mut documents = 0;
    loop {
        let (event, _) = parser.next_token().map_err(|e| e.to_string())?;
        let (value, anchor, size) = match event {
            Event::StreamEnd => break,
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    return Err("it holds more than one YAML document".into());
                }
                continue;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("it nests deeper than {MAX_DEPTH} levels"));
                }
                stack.push(match event {
                    Event::SequenceStart(..) => Frame::Seq(Vec::new(), anchor),
                    _ => Frame::Map(Map::new(), None, anchor),
                });
                nodes += 1;
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq(items, anchor)) => (Value::Array(items), anchor, 1),
                Some(Frame::Map(map, None, anchor)) => (Value::Object(map), anchor, 1),
                _ => return Err("it is malformed".into()),
            },
            Event::Scalar(text, style, anchor, tag) => {
                let tag = tag.filter(|t| t.handle == "tag:yaml.org,2002:").map(|t| t.suffix);
                (scalar(text, style, tag.as_deref()), anchor, 1)
            }
            Event::Alias(id) => {
                let (value, size) = anchors.get(&id).cloned().ok_or("it uses an unknown alias")?;
                (value, 0, size)
            }
            _ => continue,
        };
        nodes = nodes.saturating_add(size);
        if nodes > MAX_NODES {
            return Err(format!("it holds more than {MAX_NODES} nodes (aliases expanded)"));
        }
        if anchor != 0 {
            anchors.insert(anchor, (value.clone(), count(&value)));
        }
        match stack.last_mut() {
            None if root.is_none() => root = Some(value),
            None => return Err("it is malformed".into()),
            Some(Frame::Seq(items, _)) => items.push(value),
            Some(Frame::Map(_, key @ None, _)) => *key = Some(key_string(value)?),
            Some(Frame::Map(map, key, _)) => {
                let Some(key) = key.take() else { unreachable!() };
                if map.insert(key.clone(), value).is_some() {
                    return Err(format!("it has the key {key:?} twice"));
                }
            }
        }
    }
    match root {
        Some(Value::Object(map)) => Ok(map),
        None | Some(Value::Null) => Err("it is empty".into()),
        Some(_) => Err("it is not a mapping of fields".into()),
    }
}

fn count(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(count).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(count).sum::<usize>(),
        _ => 1,
    }
}

fn key_string(key: Value) -> Result<String, String> {
    match key {
        Value::String(s) => Ok(s),
        Value::Null => Ok(String::new()),
        Value::Bool(_) | Value::Number(_) => Ok(key.to_string()),
        _ => Err("it has a key that is not a scalar".into()),
    }
}

fn scalar(text: String, style: TScalarStyle, tag: Option<&str>) -> Value {
    let typed = match (style, tag) {
        (_, Some("str")) => return Value::String(text),
        (TScalarStyle::Plain, _) | (_, Some("int" | "float" | "bool" | "null")) => Yaml::from_str(&text),
        _ => return Value::String(text),
    };
    match typed {
        Yaml::Integer(i) => Value::from(i),
        Yaml::Real(r) => match r.parse::<f64>().ok().and_then(Number::from_f64) {
            Some(n) => Value::Number(n),
            None => Value::String(text),
        },
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Null => Value::Null,
        _ => Value::String(text),
    }
}

/// Equal as JSON values, numbers compared by value (`1` equals `1.0`).
pub(crate) fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
                return x == y;
            }
            if let (Some(x), Some(y)) = (x.as_u64(), y.as_u64()) {
                return x == y;
            }
            x.as_f64() == y.as_f64()
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, a)| y.get(k).is_some_and(|b| same(a, b)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn split_finds_the_block_and_the_body() {
        let text = "---\nname: a\n---\nbody\n";
        let (yaml, body) = split(text).unwrap();
        assert_eq!(yaml, "name: a\n");
        assert_eq!(&text[body..], "body\n");
        assert_eq!(split("---\r\nname: a\r\n...\r\n").unwrap().0, "name: a\r\n");
        assert_eq!(split("\u{feff}---\nname: a\n---").unwrap().0, "name: a\n");
        assert!(split("name: a\n---\n").is_none());
        assert!(split("---\nname: a\n").is_none());
    }

    #[test]
    fn yaml_becomes_json() {
        let map = parse(
            "name: pdf\ndescription: \"Work: with PDFs\"\nversion: 2\nratio: 1.5\nbeta: true\nnone: ~\n\
             quoted: '42'\nmetadata:\n  tags: [a, b]\n  nested: {k: v}\nfolded: >\n  one\n  two\n",
        )
        .unwrap();
        assert_eq!(
            Value::Object(map),
            json!({"name": "pdf", "description": "Work: with PDFs", "version": 2, "ratio": 1.5,
                   "beta": true, "none": null, "quoted": "42",
                   "metadata": {"tags": ["a", "b"], "nested": {"k": "v"}}, "folded": "one two\n"})
        );
    }

    #[test]
    fn aliases_expand_within_bounds() {
        let map = parse("base: &b {x: 1}\ncopy: *b\n").unwrap();
        assert_eq!(map["copy"], json!({"x": 1}));
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(parse(&bomb).unwrap_err().contains("nodes"));
    }

    #[test]
    fn hostile_or_odd_documents_fail_cleanly() {
        let deep = format!("k: {}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse(&deep).is_err());
        let block: String = (0..200).map(|i| format!("{}k:\n", "  ".repeat(i))).collect();
        let e = parse(&block).unwrap_err();
        assert!(e.contains("deeper"), "{e}");
        assert!(parse("a: 1\na: 2\n").unwrap_err().contains("twice"));
        assert!(parse("- a\n- b\n").is_err());
        assert!(parse("").is_err());
        assert!(parse("a: 1\n---\nb: 2\n").is_err());
        assert!(parse("? [a]\n: 1\n").is_err());
        for garbage in ["a: [", "{a: b", "a: *nope", "\t- x: :", "a: |\n\tb", "&a a: *a"] {
            let _ = parse(garbage);
        }
    }

    #[test]
    fn numbers_compare_by_value() {
        assert!(same(&json!({"v": 1, "l": [1.0]}), &json!({"v": 1.0, "l": [1]})));
        assert!(!same(&json!({"v": 1}), &json!({"v": "1"})));
        assert!(!same(&json!([1, 2]), &json!([1])));
    }
}
