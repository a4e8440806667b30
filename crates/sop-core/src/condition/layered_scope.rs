//! `LayeredScope`: several scopes searched in order, first match wins.

use super::scope::Scope;
use super::value::Value;

/// Scopes consulted in order: the run's variables, then facts, then built-ins. A name's note
/// comes from the layer that supplied its value, so an overridden built-in loses its note.
#[derive(Default)]
pub struct LayeredScope<'a> {
    layers: Vec<&'a dyn Scope>,
}

impl<'a> LayeredScope<'a> {
    pub fn new() -> Self {
        LayeredScope { layers: Vec::new() }
    }

    /// Adds a layer searched after the ones already added.
    pub fn then(mut self, layer: &'a dyn Scope) -> Self {
        self.layers.push(layer);
        self
    }

    pub fn push(&mut self, layer: &'a dyn Scope) {
        self.layers.push(layer);
    }
}

impl Scope for LayeredScope<'_> {
    fn lookup(&self, name: &str) -> Option<Value> {
        self.layers.iter().find_map(|l| l.lookup(name))
    }

    fn names(&self) -> Vec<String> {
        self.layers.iter().flat_map(|l| l.names()).collect()
    }

    fn note(&self, name: &str) -> Option<String> {
        self.layers
            .iter()
            .find(|l| l.lookup(name).is_some())
            .and_then(|l| l.note(name))
    }

    /// Unavailable in the first layer that either has a value for `name` (then `None`) or says
    /// it is unavailable: a variable still overrides a built-in whose source failed.
    fn unavailable(&self, name: &str) -> Option<String> {
        for layer in &self.layers {
            if layer.lookup(name).is_some() {
                return None;
            }
            if let Some(reason) = layer.unavailable(name) {
                return Some(reason);
            }
        }
        None
    }
}

impl std::fmt::Debug for LayeredScope<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LayeredScope({} layers)", self.layers.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::condition::MapScope;

    #[test]
    fn first_layer_wins_and_notes_follow_the_value() {
        let vars = MapScope::new().with("business_hours", false);
        let builtins = MapScope::new()
            .with("business_hours", true)
            .with_note("business_hours", "10:00 UTC")
            .with("weekday", true)
            .with_note("weekday", "Monday");
        let scope = LayeredScope::new().then(&vars).then(&builtins);
        assert_eq!(scope.lookup("business_hours"), Some(Value::Bool(false)));
        assert_eq!(scope.note("business_hours"), None);
        assert_eq!(scope.lookup("weekday"), Some(Value::Bool(true)));
        assert_eq!(scope.note("weekday").as_deref(), Some("Monday"));
        assert_eq!(scope.lookup("missing"), None);
    }

    #[test]
    fn a_variable_overrides_an_unavailable_built_in() {
        let vars = MapScope::new().with("on_call", "alice");
        let mut builtins = MapScope::new();
        builtins
            .set_unavailable("on_call", "broken")
            .set_unavailable("maintenance_window", "broken too");
        let scope = LayeredScope::new().then(&vars).then(&builtins);
        assert_eq!(scope.unavailable("on_call"), None);
        assert_eq!(
            scope.unavailable("maintenance_window").as_deref(),
            Some("broken too")
        );
    }
}
