//! Facts as operations: read one, set one, list them — named values with an optional expiry
//! that conditions can require.

use super::{Caller, Service};
use crate::Error;
use crate::engine::redact;
use sop_core::Duration;
use sop_core::condition::is_bare_name;
use sop_store::{Fact, FactValues, StoreExt};

/// A fact's value as a person types it: JSON when it is JSON (`True` and `FALSE` too: the
/// boolean is meant), otherwise the text itself.
pub fn typed_fact_value(text: &str) -> serde_json::Value {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" => serde_json::Value::Bool(true),
        "false" => serde_json::Value::Bool(false),
        _ => serde_json::from_str(text)
            .unwrap_or_else(|_| serde_json::Value::String(text.to_string())),
    }
}

/// How a fact's values appear in the audit entries of its changes: not at all for a
/// secret-named fact, else with secret-named keys inside them redacted.
fn audited_values(name: &str) -> FactValues {
    if redact::is_secret_name(name) {
        FactValues::Redacted
    } else {
        FactValues::Filtered(redact::redact)
    }
}

impl Service {
    /// Records the expiry of facts that lapsed since they were last touched (audited). A
    /// transaction that finds none writes nothing, so it costs no durable commit.
    fn expire_facts(&self) -> crate::Result<()> {
        let now = self.clock().now();
        self.store()
            .transaction(|tx| tx.expire_facts(now, &audited_values))?;
        Ok(())
    }

    /// The live fact `name` (case-insensitive); not found when unset or expired.
    pub fn get_fact(&self, name: &str) -> crate::Result<Fact> {
        let name = checked_name(name)?;
        self.expire_facts()?;
        self.store()
            .fact(&name, self.clock().now())?
            .ok_or_else(|| {
                Error::not_found(format!("fact `{name}` is not set (or has expired)"))
                    .with_hint("list the facts that are set to see their names")
            })
    }

    /// Sets (or replaces) the fact `name` for `caller`, forgotten after `ttl` when given.
    pub fn set_fact(
        &self,
        caller: &Caller,
        name: &str,
        value: serde_json::Value,
        ttl: Option<&str>,
    ) -> crate::Result<Fact> {
        let name = checked_name(name)?;
        let now = self.clock().now();
        let expires_at = ttl
            .map(|t| -> crate::Result<_> {
                let d: Duration = t.parse().map_err(|e| Error::invalid(format!("ttl: {e}")))?;
                if d.as_secs() == 0 {
                    return Err(Error::invalid("ttl must be longer than 0s, e.g. 2h"));
                }
                Ok(now + d.as_chrono())
            })
            .transpose()?;
        let fact = Fact {
            name,
            value,
            set_at: now,
            expires_at,
            set_by: caller.actor.clone(),
        };
        Ok(self.store().transaction(|tx| {
            tx.expire_facts(now, &audited_values)?;
            tx.set_fact(&fact, audited_values(&fact.name))
        })?)
    }

    /// Removes the fact `name` (audited); not found when it was not set.
    pub fn unset_fact(&self, caller: &Caller, name: &str) -> crate::Result<()> {
        let name = checked_name(name)?;
        let now = self.clock().now();
        let unset = self.store().transaction(|tx| {
            tx.expire_facts(now, &audited_values)?;
            tx.unset_fact(&name, &caller.actor, now, audited_values(&name))
        })?;
        if unset {
            Ok(())
        } else {
            Err(Error::not_found(format!("fact `{name}` is not set")))
        }
    }

    /// The facts that are set and live now.
    pub fn list_facts(&self) -> crate::Result<Vec<Fact>> {
        self.expire_facts()?;
        Ok(self.store().facts(self.clock().now())?)
    }
}

/// Lower-cased. A fact is only useful if a condition can read it, so its name is a condition
/// name (ASCII letters, digits and `_`, not starting with a digit, not a keyword such as `and`),
/// optionally followed by `.key` parts of the same form (`deploy.ok`).
pub fn checked_name(name: &str) -> crate::Result<String> {
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
            "invalid fact name `{name}`: a condition could not read it"
        ))
        .with_hint(
            "use letters, digits and `_`, not starting with a digit, optionally in dot-separated \
             parts (e.g. tests_passed, deploy.ok); at most 128 characters; not a keyword such as \
             `and` or `true`",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_lower_cased_and_checked() {
        assert_eq!(checked_name("Tests_Passed").unwrap(), "tests_passed");
        assert_eq!(checked_name("deploy.ok").unwrap(), "deploy.ok");
        assert_eq!(checked_name("_x.y_1").unwrap(), "_x.y_1");
        assert_eq!(checked_name("deploy.in").unwrap(), "deploy.in");
        for bad in [
            "", "a b", "x-y", ".x", "x.", "a..b", "rm;", "1abc", "deploy.2", "and", "TRUE", "é",
        ] {
            assert!(checked_name(bad).is_err(), "{bad}");
        }
    }
}
