//! Facts as operations: read one, set one, list them — named values with an optional expiry
//! that conditions can require.

use super::{Caller, Service};
use crate::Error;
use sop_core::Duration;
use sop_core::condition::is_bare_name;
use sop_store::{Fact, StoreExt};

impl Service {
    /// The live fact `name` (case-insensitive); not found when unset or expired.
    pub fn get_fact(&self, name: &str) -> crate::Result<Fact> {
        let name = checked_name(name)?;
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
        Ok(self.store().transaction(|tx| tx.set_fact(&fact))?)
    }

    /// The facts that are set and live now.
    pub fn list_facts(&self) -> crate::Result<Vec<Fact>> {
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
