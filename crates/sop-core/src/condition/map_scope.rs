//! `MapScope`: names and values held in a map, e.g. a run's variables or the facts.

use super::scope::Scope;
use super::value::Value;
use std::collections::HashMap;

/// A scope backed by a map from lower-cased names to values, with optional explanation notes.
#[derive(Debug, Clone, Default)]
pub struct MapScope {
    values: HashMap<String, Value>,
    notes: HashMap<String, String>,
    /// Names whose source failed, with the reason (see [`Scope::unavailable`]).
    unavailable: HashMap<String, String>,
}

impl MapScope {
    pub fn new() -> Self {
        MapScope::default()
    }

    /// The top-level members of a JSON object (`--vars`, a webhook body) as names. Anything
    /// other than an object gives an empty scope; callers validate the shape they accept.
    pub fn from_json(json: serde_json::Value) -> Self {
        let mut scope = MapScope::new();
        if let serde_json::Value::Object(map) = json {
            for (k, v) in map {
                scope.insert(&k, v);
            }
        }
        scope
    }

    /// Sets `name` (case-insensitive; a later insert of the same name replaces the earlier).
    pub fn insert(&mut self, name: &str, value: impl Into<Value>) -> &mut Self {
        self.values.insert(name.to_lowercase(), value.into());
        self
    }

    /// Builder form of [`MapScope::insert`].
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.insert(name, value);
        self
    }

    /// Attaches an explanation note to `name`.
    pub fn set_note(&mut self, name: &str, note: impl Into<String>) -> &mut Self {
        self.notes.insert(name.to_lowercase(), note.into());
        self
    }

    /// Builder form of [`MapScope::set_note`].
    pub fn with_note(mut self, name: &str, note: impl Into<String>) -> Self {
        self.set_note(name, note);
        self
    }

    /// Marks `name` as unavailable: its source failed for `reason`. A value set for the same
    /// name wins.
    pub fn set_unavailable(&mut self, name: &str, reason: impl Into<String>) -> &mut Self {
        self.unavailable.insert(name.to_lowercase(), reason.into());
        self
    }

    /// Whether this scope knows `name`, by value or as unavailable.
    pub fn knows(&self, name: &str) -> bool {
        let name = name.to_lowercase();
        self.values.contains_key(&name) || self.unavailable.contains_key(&name)
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(&name.to_lowercase())
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Names and values, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl Scope for MapScope {
    fn lookup(&self, name: &str) -> Option<Value> {
        self.values.get(name).cloned()
    }

    fn names(&self) -> Vec<String> {
        self.values.keys().cloned().collect()
    }

    fn note(&self, name: &str) -> Option<String> {
        self.notes.get(name).cloned()
    }

    fn unavailable(&self, name: &str) -> Option<String> {
        if self.values.contains_key(name) {
            return None;
        }
        self.unavailable.get(name).cloned()
    }
}

impl<K: AsRef<str>, V: Into<Value>> FromIterator<(K, V)> for MapScope {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut scope = MapScope::new();
        for (k, v) in iter {
            scope.insert(k.as_ref(), v);
        }
        scope
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_are_stored_lower_cased() {
        let scope = MapScope::new()
            .with("PROD_DOWN", true)
            .with_note("Prod_Down", "since 10:00");
        assert_eq!(scope.lookup("prod_down"), Some(Value::Bool(true)));
        assert_eq!(scope.note("prod_down").as_deref(), Some("since 10:00"));
        assert_eq!(scope.get("Prod_Down"), Some(&Value::Bool(true)));
    }

    #[test]
    fn from_json_takes_top_level_members() {
        let scope = MapScope::from_json(json!({"Severity": "high", "n": 3}));
        assert_eq!(scope.len(), 2);
        assert_eq!(scope.lookup("severity"), Some(Value::from("high")));
        assert!(MapScope::from_json(json!([1, 2])).is_empty());
    }

    #[test]
    fn an_unavailable_name_has_a_reason_unless_a_value_is_set() {
        let mut scope = MapScope::new();
        scope.set_unavailable("On_Call", "oncall.toml is broken");
        assert_eq!(scope.lookup("on_call"), None);
        assert_eq!(
            scope.unavailable("on_call").as_deref(),
            Some("oncall.toml is broken")
        );
        assert!(scope.knows("ON_CALL"));
        scope.insert("on_call", "alice");
        assert_eq!(scope.unavailable("on_call"), None);
    }
}
