//! The facts layer: values recorded with `sop fact set`, as a scope layer.

use chrono::SecondsFormat;
use sop_core::condition::MapScope;
use sop_store::Fact;

/// Facts as names. A dotted fact such as `deploy.ok` is also reachable as a path: it becomes the
/// key `ok` of an object named `deploy` (unless a fact named `deploy` exists, which wins).
pub fn layer(facts: &[Fact]) -> MapScope {
    let mut scope = MapScope::new();
    let mut nested: serde_json::Map<String, serde_json::Value> = serde_json::Map::new();
    for fact in facts {
        scope.insert(&fact.name, fact.value.clone());
        scope.set_note(&fact.name, note(fact));
        let mut parts = fact.name.split('.');
        let Some(root) = parts.next() else { continue };
        let rest: Vec<&str> = parts.collect();
        if rest.is_empty() {
            continue;
        }
        let mut slot = nested
            .entry(root.to_string())
            .or_insert_with(|| serde_json::Value::Object(Default::default()));
        for (i, key) in rest.iter().enumerate() {
            let serde_json::Value::Object(map) = slot else {
                break;
            };
            slot = if i + 1 == rest.len() {
                map.insert(key.to_string(), fact.value.clone());
                break;
            } else {
                map.entry(key.to_string())
                    .or_insert_with(|| serde_json::Value::Object(Default::default()))
            };
        }
    }
    for (root, value) in nested {
        if scope.get(&root).is_none() {
            scope.insert(&root, value);
            scope.set_note(&root, "facts");
        }
    }
    scope
}

fn note(fact: &Fact) -> String {
    let at = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut note = format!("fact set by {} at {}", fact.set_by, at(fact.set_at));
    if let Some(exp) = fact.expires_at {
        note.push_str(&format!(", expires {}", at(exp)));
    }
    note
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use serde_json::json;
    use sop_core::condition::{Scope, Value};

    fn fact(name: &str, value: serde_json::Value) -> Fact {
        Fact {
            name: name.to_string(),
            value,
            set_at: Utc.with_ymd_and_hms(2026, 1, 31, 9, 30, 0).unwrap(),
            expires_at: None,
            set_by: "ci".to_string(),
        }
    }

    #[test]
    fn plain_and_dotted_facts_are_reachable() {
        let scope = layer(&[
            fact("tests_passed", json!(true)),
            fact("deploy.ok", json!(true)),
            fact("deploy.env.name", json!("prod")),
        ]);
        assert_eq!(scope.lookup("tests_passed"), Some(Value::Bool(true)));
        assert_eq!(
            scope.lookup("deploy").map(|v| v.to_json()),
            Some(json!({"ok": true, "env": {"name": "prod"}}))
        );
        assert_eq!(
            scope.note("tests_passed").as_deref(),
            Some("fact set by ci at 2026-01-31T09:30:00Z")
        );
    }

    #[test]
    fn a_plain_fact_wins_over_a_dotted_one() {
        let scope = layer(&[fact("deploy", json!(1)), fact("deploy.ok", json!(true))]);
        assert_eq!(scope.lookup("deploy").map(|v| v.to_json()), Some(json!(1)));
    }
}
