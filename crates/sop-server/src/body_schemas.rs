//! The request bodies' schemas of the OpenAPI document, compiled once and checked before a
//! body is read: the server refuses exactly the bodies the document refuses, with the same
//! words, and a client that fits the document is never refused for a body's form.

use crate::error::{ApiError, ApiResult};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::LazyLock;

/// A body read by a route: the name of its schema in `components.schemas`.
pub trait ApiBody: serde::de::DeserializeOwned {
    const SCHEMA: &'static str;
}

/// The compiled schema of every request body, by name; built from constants, never changed.
static BODIES: LazyLock<HashMap<&'static str, (Value, jsonschema::Validator)>> =
    LazyLock::new(|| {
        let all = crate::openapi_schemas::schemas();
        crate::openapi_schemas::BODIES
            .iter()
            .map(|name| {
                let schema = all[*name].clone();
                let validator = jsonschema::draft202012::new(&schema)
                    .unwrap_or_else(|e| panic!("the schema of {name} does not compile: {e}"));
                (*name, (schema, validator))
            })
            .collect()
    });

/// Refuses `value` unless it fits the body schema `name`, saying where and why.
pub fn check(name: &str, value: &Value) -> ApiResult<()> {
    let Some((schema, validator)) = BODIES.get(name) else {
        return Ok(());
    };
    let Some(error) = validator.iter_errors(value).next() else {
        return Ok(());
    };
    let field = error.instance_path().to_string();
    // The schema node whose keyword failed says in its description what it wants.
    let keyword = error.schema_path().to_string();
    let described = keyword
        .rsplit_once('/')
        .and_then(|(node, _)| schema.pointer(node))
        .and_then(|node| node.get("description"))
        .and_then(Value::as_str);
    let place = if field.is_empty() {
        "the request body".to_string()
    } else {
        format!("`{}`", field.trim_start_matches('/').replace('/', "."))
    };
    let message = match described {
        Some(what) => format!("{place} does not fit: {what}"),
        None => format!("{place} does not fit: {error}"),
    };
    Err(ApiError::invalid(format!(
        "{message} (see components.schemas.{name} in /api/openapi.json)"
    )))
}

/// A whole number for a `u32` field, also when written `3.0` (JSON Schema's integers include
/// those).
pub fn whole_u32<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    use serde::Deserialize;
    use serde::de::Error;
    let n = serde_json::Number::deserialize(d)?;
    let whole = n.as_u64().or_else(|| {
        n.as_f64()
            .filter(|f| *f >= 0.0 && f.fract() == 0.0 && *f <= f64::from(u32::MAX))
            .map(|f| f as u64)
    });
    whole.and_then(|w| u32::try_from(w).ok()).ok_or_else(|| {
        D::Error::custom(format!("`{n}` is not a whole number from 0 to 4294967295"))
    })
}

/// [`whole_u32`] for an optional field.
pub fn whole_u32_opt<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    whole_u32(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn refused(name: &str, body: Value) -> String {
        check(name, &body)
            .err()
            .map(|e| e.message)
            .unwrap_or_default()
    }

    #[test]
    fn every_body_schema_compiles_and_names_no_other() {
        for name in crate::openapi_schemas::BODIES {
            let (schema, _) = &BODIES[name];
            assert!(
                !schema.to_string().contains("$ref"),
                "{name} refers elsewhere"
            );
        }
    }

    #[test]
    fn a_body_that_does_not_fit_is_refused_with_the_field_and_its_rule() {
        assert!(check("SkipBody", &json!({"step": 2, "reason": "flaky"})).is_ok());
        let blank = refused("SkipBody", json!({"step": 2, "reason": " \u{85}\t"}));
        assert!(blank.contains("`reason` does not fit"), "{blank}");
        assert!(blank.contains("SkipBody"), "{blank}");
        assert!(!refused("SkipBody", json!({"step": 2})).is_empty());
        assert!(!refused("SkipBody", json!({"step": 2, "reason": null})).is_empty());
        let reject = refused("ApproveBody", json!({"approved": false}));
        assert!(reject.contains("comment"), "{reject}");
        assert!(check("ApproveBody", &json!({"approved": false, "comment": "no"})).is_ok());
        assert!(check("ApproveBody", &json!({"approved": true})).is_ok());
        let failed = refused(
            "CompleteBody",
            json!({"failed": true, "outputs": {"a": "1"}}),
        );
        assert!(failed.contains("note"), "{failed}");
        assert!(check("CompleteBody", &json!({"failed": true, "note": "broke"})).is_ok());
        assert!(!refused("CompleteBody", json!({"outputs": {"a b": "1"}})).is_empty());
    }

    #[test]
    fn durations_that_fit_parse_to_at_least_a_second_and_others_are_refused() {
        for ok in [
            "1s",
            "90s",
            "2h",
            "1d12h",
            "4w",
            "0001m",
            "9999d9999d999w",
            "0s1m",
        ] {
            assert!(
                check("FactBody", &json!({"value": 1, "ttl": ok})).is_ok(),
                "{ok}"
            );
            let d: sop_core::Duration = ok.parse().unwrap();
            assert!(d.as_secs() >= 1, "{ok}");
        }
        for bad in [
            "", "0s", "0m0h", "10", "10 m", " 10m", "500ms", "10000d", "1h1h1h1h", "1.5h", "1.0h",
        ] {
            assert!(
                check("FactBody", &json!({"value": 1, "ttl": bad})).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn user_names_fit_exactly_what_the_server_trims_and_accepts() {
        let fits = |u: &str| check("TokenBody", &json!({"user": u})).is_ok();
        assert!(fits("alice"));
        assert!(fits("  Alice Smith\t"));
        assert!(fits(&"x".repeat(128)));
        assert!(fits(&format!(" {} ", "x".repeat(128))));
        assert!(!fits(&"x".repeat(129)));
        assert!(!fits(""));
        assert!(!fits(" \u{3000} "));
        assert!(!fits("al\u{7}ice"));
        assert!(!fits("al\u{85}ice"));
    }

    #[test]
    fn whole_numbers_written_with_a_fraction_of_zero_are_read() {
        #[derive(serde::Deserialize)]
        struct B {
            #[serde(deserialize_with = "whole_u32")]
            step: u32,
        }
        let b: B = serde_json::from_value(json!({"step": 3.0})).unwrap();
        assert_eq!(b.step, 3);
        assert!(serde_json::from_value::<B>(json!({"step": 3.5})).is_err());
        assert!(serde_json::from_value::<B>(json!({"step": -1})).is_err());
        assert!(serde_json::from_value::<B>(json!({"step": 4294967296u64})).is_err());
    }
}
