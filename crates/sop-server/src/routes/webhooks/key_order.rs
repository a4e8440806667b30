//! The order in which a webhook body names its top-level keys. The parsed body keeps its keys
//! in name order, but which of two keys that give one environment variable (`msg`, `MSG`) a
//! run keeps is decided by the order the sender wrote them in, which only the text still holds.

use axum::http::HeaderMap;
use serde::Deserializer;
use serde::de::{IgnoredAny, MapAccess, Visitor};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// Where each of the body's top-level keys comes in the order sent (a key sent twice, where it
/// first appears), read
/// as [`crate::body::webhook_value`] reads the body: decompressed, a byte order mark ignored,
/// the JSON itself or a form's `payload`. Empty when the text cannot be read so (the parsed body
/// came from it, so that does not happen): the caller's ties are then broken by name.
pub fn key_positions(headers: &HeaderMap, bytes: &[u8]) -> HashMap<String, usize> {
    top_level_keys(headers, bytes)
        .into_iter()
        .enumerate()
        .map(|(i, key)| (key, i))
        .collect()
}

fn top_level_keys(headers: &HeaderMap, bytes: &[u8]) -> Vec<String> {
    let Ok(bytes) = crate::content_encoding::decode(headers, bytes) else {
        return Vec::new();
    };
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    if let Some(keys) = object_keys(text) {
        return keys;
    }
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(text)
        .ok()
        .and_then(|fields| {
            let (_, payload) = fields.into_iter().find(|(name, _)| name == "payload")?;
            object_keys(payload.as_bytes())
        })
        .unwrap_or_default()
}

/// The keys of the JSON object `text`, in order; `None` when it is not one.
fn object_keys(text: &[u8]) -> Option<Vec<String>> {
    let mut de = serde_json::Deserializer::from_slice(text);
    let keys = (&mut de).deserialize_map(KeysInOrder).ok()?;
    de.end().ok()?;
    Some(keys)
}

/// Reads an object's keys and skips its values.
struct KeysInOrder;

impl<'de> Visitor<'de> for KeysInOrder {
    type Value = Vec<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<String>, A::Error> {
        let mut keys: Vec<String> = Vec::new();
        // A body may hold many thousands of keys: no scan of `keys` per key.
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            map.next_value::<IgnoredAny>()?;
            if seen.insert(key.clone()) {
                keys.push(key);
            }
        }
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_in_the_order_sent() {
        let json = HeaderMap::new();
        assert_eq!(
            top_level_keys(
                &json,
                br#"{"msg": 1, "MSG": {"z": 1, "a": 2}, "b": [], "msg": 3}"#
            ),
            ["msg", "MSG", "b"]
        );
        assert_eq!(
            top_level_keys(&json, b"\xEF\xBB\xBF{\"z\": 1, \"a\": 2}"),
            ["z", "a"]
        );
        let form = "payload=%7B%22z%22%3A1%2C%22a%22%3A2%7D";
        assert_eq!(top_level_keys(&json, form.as_bytes()), ["z", "a"]);
        assert!(top_level_keys(&json, b"[1, 2]").is_empty());
        assert_eq!(key_positions(&json, br#"{"b": 1, "a": 2}"#)["a"], 1);
    }
}
