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

    fn note(&self, name: &str) -> Option<String> {
        self.layers
            .iter()
            .find(|l| l.lookup(name).is_some())
            .and_then(|l| l.note(name))
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
}
