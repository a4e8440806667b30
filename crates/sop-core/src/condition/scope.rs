//! Where names get their values: the `Scope` trait every evaluation reads through.

use super::value::Value;

/// A source of values for names. `name` is always the first path segment, lower-cased (names are
/// case-insensitive); the evaluator walks `.key` and `[index]` inside the returned value.
///
/// Values share their data (`Arc`), so returning one is cheap even for large JSON payloads.
pub trait Scope {
    /// The value of `name`, or `None` when this scope does not know it.
    fn lookup(&self, name: &str) -> Option<Value>;

    /// Context shown next to the value in explanations, e.g. `19:04 Europe/Berlin` for
    /// `business_hours`.
    fn note(&self, name: &str) -> Option<String> {
        let _ = name;
        None
    }

    /// Why `name` has no value because its source failed (a broken `oncall.toml`, an unknown
    /// `SOP_TIMEZONE`), as opposed to simply being unset. Reading such a name is an evaluation
    /// error, so the condition fails closed with this reason instead of seeing `null`.
    fn unavailable(&self, name: &str) -> Option<String> {
        let _ = name;
        None
    }

    /// The names this scope has a value for, to suggest one when a condition reads a name it
    /// lacks (a typo reads as `null`).
    fn names(&self) -> Vec<String> {
        Vec::new()
    }
}

/// A scope that knows no names: every name is missing (`null`).
#[derive(Debug, Clone, Copy, Default)]
pub struct EmptyScope;

impl Scope for EmptyScope {
    fn lookup(&self, _name: &str) -> Option<Value> {
        None
    }
}

impl<S: Scope + ?Sized> Scope for &S {
    fn lookup(&self, name: &str) -> Option<Value> {
        (**self).lookup(name)
    }
    fn note(&self, name: &str) -> Option<String> {
        (**self).note(name)
    }
    fn unavailable(&self, name: &str) -> Option<String> {
        (**self).unavailable(name)
    }
    fn names(&self) -> Vec<String> {
        (**self).names()
    }
}

impl<S: Scope + ?Sized> Scope for Box<S> {
    fn lookup(&self, name: &str) -> Option<Value> {
        (**self).lookup(name)
    }
    fn note(&self, name: &str) -> Option<String> {
        (**self).note(name)
    }
    fn unavailable(&self, name: &str) -> Option<String> {
        (**self).unavailable(name)
    }
    fn names(&self) -> Vec<String> {
        (**self).names()
    }
}

impl<S: Scope + ?Sized> Scope for std::sync::Arc<S> {
    fn lookup(&self, name: &str) -> Option<Value> {
        (**self).lookup(name)
    }
    fn note(&self, name: &str) -> Option<String> {
        (**self).note(name)
    }
    fn unavailable(&self, name: &str) -> Option<String> {
        (**self).unavailable(name)
    }
    fn names(&self) -> Vec<String> {
        (**self).names()
    }
}
