//! Facts through the operations surface: read, list, set and unset, each change audited with
//! its actor (values of secret-named facts redacted).

use super::{Caller, Service};
use crate::Error;
use crate::engine::redact;
use serde_json::{Value, json};
use sop_core::condition::is_bare_name;
use sop_store::{AuditEvent, Fact, StoreExt};

impl Service {
    /// The fact, unless it is not set or has expired.
    pub fn fact(&self, name: &str) -> crate::Result<Option<Fact>> {
        let name = checked_fact_name(name)?;
        Ok(self.store().fact(&name, self.clock().now())?)
    }

    pub fn facts(&self) -> crate::Result<Vec<Fact>> {
        Ok(self.store().facts(self.clock().now())?)
    }

    /// Sets (or replaces) a fact, for `ttl` when given.
    pub fn set_fact(
        &self,
        caller: &Caller,
        name: &str,
        value: Value,
        ttl: Option<sop_core::Duration>,
    ) -> crate::Result<Fact> {
        let name = checked_fact_name(name)?;
        if ttl.is_some_and(|d| d.as_std().is_zero()) {
            return Err(Error::invalid(
                "a fact's ttl must be longer than 0s, e.g. 2h",
            ));
        }
        let now = self.clock().now();
        let fact = Fact {
            name,
            value,
            set_at: now,
            expires_at: ttl.map(|d| now + d.as_chrono()),
            set_by: caller.actor.clone(),
        };
        Ok(self.store().transaction(|tx| {
            let old = tx.fact(&fact.name, now)?;
            let saved = tx.set_fact(&fact)?;
            tx.audit(&AuditEvent::new(
                now,
                None,
                caller.actor.as_str(),
                "fact.set",
                json!({
                    "name": saved.name,
                    "old": old.as_ref().map(shown),
                    "new": shown(&saved),
                    "expires_at": saved.expires_at,
                }),
            ))?;
            Ok(saved)
        })?)
    }

    /// Removes a fact; false when it was not set.
    pub fn unset_fact(&self, caller: &Caller, name: &str) -> crate::Result<bool> {
        let name = checked_fact_name(name)?;
        let now = self.clock().now();
        Ok(self.store().transaction(|tx| {
            let old = tx.fact(&name, now)?;
            let removed = tx.unset_fact(&name)?;
            if removed {
                tx.audit(&AuditEvent::new(
                    now,
                    None,
                    caller.actor.as_str(),
                    "fact.unset",
                    json!({"name": name, "old": old.as_ref().map(shown)}),
                ))?;
            }
            Ok(removed)
        })?)
    }
}

/// A fact's value as listings and the audit trail show it.
pub fn shown(fact: &Fact) -> Value {
    if redact::is_secret_name(&fact.name) {
        Value::String(redact::REDACTED.into())
    } else {
        redact::redact(&fact.value)
    }
}

/// Lower-cased. A fact is only useful if a condition can read it, so its name is a condition
/// name, optionally followed by `.key` parts of the same form (`deploy.ok`).
pub fn checked_fact_name(name: &str) -> crate::Result<String> {
    let is_word = |part: &str| {
        part.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let mut parts = name.split('.');
    let ok = name.len() <= 128 && parts.next().is_some_and(is_bare_name) && parts.all(is_word);
    if ok {
        Ok(Fact::normalize_name(name))
    } else {
        Err(Error::invalid(format!(
            "invalid fact name `{}`: use letters, digits and `_`, not starting with a digit, \
             optionally in dot-separated parts (e.g. tests_passed, deploy.ok); at most 128 \
             characters; not a keyword such as `and` or `true`",
            name.escape_debug()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fact_names_are_checked_and_lower_cased() {
        assert_eq!(checked_fact_name("Deploy.OK").unwrap(), "deploy.ok");
        for bad in ["", "a b", "..", "%2e%2e", "x;drop", "1x", "and"] {
            assert!(checked_fact_name(bad).is_err(), "{bad}");
        }
    }
}
