//! How deeply JSON given to sop may nest: variables, bodies and facts are stored inside records
//! that add levels of their own, and every record must read back (serde_json stops at 128).

use serde_json::Value;

/// The most levels of arrays and objects a value given to sop may nest, the value itself
/// counted: `{"a": [1]}` is 2. Half of what can be read back, leaving room for the records that
/// hold it.
pub const MAX_JSON_DEPTH: usize = 64;

/// The levels of arrays and objects in `value` (0 for a string, number, boolean or null).
pub fn json_depth(value: &Value) -> usize {
    // Iterative, so a value of any depth is measured without growing the stack.
    let mut deepest = 0;
    let mut pending = vec![(value, 1)];
    while let Some((v, level)) = pending.pop() {
        let children: Box<dyn Iterator<Item = &Value>> = match v {
            Value::Array(items) => Box::new(items.iter()),
            Value::Object(map) => Box::new(map.values()),
            _ => continue,
        };
        deepest = deepest.max(level);
        pending.extend(children.map(|c| (c, level + 1)));
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn counts_levels_of_arrays_and_objects() {
        assert_eq!(json_depth(&json!("text")), 0);
        assert_eq!(json_depth(&json!({})), 1);
        assert_eq!(json_depth(&json!({"a": [1, {"b": []}], "c": 2})), 4);
        let deep: Value =
            serde_json::from_str(&format!("{}{}", "[".repeat(100), "]".repeat(100))).unwrap();
        assert_eq!(json_depth(&deep), 100);
    }
}
