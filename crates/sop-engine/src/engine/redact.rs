//! Keeps secret variables out of the audit trail, logs and JSON output.
//!
//! A variable is secret when its name says so (`password`, `token`, `api_key`, ...). Its value
//! still reaches the steps (that is what it is for) and stays in the run's stored variables so a
//! resumed run can use it; everything sop prints or audits shows `[redacted]` instead.

use serde_json::{Map, Value};
use sop_core::definition::Sop;
use sop_core::secret::SecretMask;

pub use sop_core::secret::REDACTED;

/// Whether a variable, output or fact named `name` is secret by its name alone.
pub fn is_secret_name(name: &str) -> bool {
    sop_core::secret::is_secret_name(name)
}

/// The names `sop` declares secret (`[variables.NAME] secret = true`), whatever they are called.
pub fn declared_secrets(sop: &Sop) -> Vec<String> {
    sop.parameters.secret_names().map(str::to_string).collect()
}

/// A copy of `value` with the value of every secret-named key replaced, at any depth.
pub fn redact(value: &Value) -> Value {
    redact_declared(value, &[])
}

/// [`redact`], also replacing the top-level keys in `declared` (secret parameters).
pub fn redact_declared(value: &Value, declared: &[String]) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if is_secret_name(k) || declared.iter().any(|d| d == k) {
                        Value::String(REDACTED.into())
                    } else {
                        redact(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
        other => other.clone(),
    }
}

/// [`redact`] for text the engine wrote itself and already redacted (audit details): a
/// secret-named key keeps a number, boolean or null, since those are the engine's own counts and
/// flags (`tokens_revoked: 1`), and a secret written as text is still hidden.
pub fn redact_written(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let plain = v.is_number() || v.is_boolean() || v.is_null();
                    let v = if is_secret_name(k) && !plain {
                        Value::String(REDACTED.into())
                    } else {
                        redact_written(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact_written).collect()),
        other => other.clone(),
    }
}

pub fn redact_map(map: &Map<String, Value>) -> Map<String, Value> {
    match redact(&Value::Object(map.clone())) {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The secret values among `variables` (top level and nested), to hide from displayed text.
pub fn secret_values(variables: &Map<String, Value>) -> Vec<String> {
    secret_values_declared(variables, &[])
}

/// [`secret_values`], also counting the top-level variables in `declared` as secret.
pub fn secret_values_declared(variables: &Map<String, Value>, declared: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in variables {
        collect(
            v,
            is_secret_name(k) || declared.iter().any(|d| d == k),
            &mut out,
        );
    }
    out.retain(|v| !v.is_empty());
    out.sort_by_key(|v| std::cmp::Reverse(v.len()));
    out.dedup();
    out
}

fn collect(value: &Value, secret: bool, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                collect(v, secret || is_secret_name(k), out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect(v, secret, out)),
        Value::String(s) if secret => out.push(s.clone()),
        Value::Null => {}
        other if secret => out.push(other.to_string()),
        _ => {}
    }
}

/// `text` with every secret value replaced by [`REDACTED`] (values too short or too common to
/// be secrets, such as `true`, are left alone: see [`SecretMask`]).
pub fn hide(text: &str, secrets: &[String]) -> String {
    if secrets.is_empty() {
        return text.to_string();
    }
    SecretMask::new(secrets).mask(text).into_owned()
}

/// `bytes` with every secret value replaced by [`REDACTED`], the rest byte for byte (output
/// need not be UTF-8).
pub fn hide_bytes(bytes: &[u8], secrets: &[String]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    if secrets.is_empty() {
        return out;
    }
    // The same values as text masking hides (too short or too common ones are left alone).
    let mask = SecretMask::new(secrets);
    for s in mask
        .secrets()
        .iter()
        .map(|s| s.as_bytes())
        .filter(|s| !s.is_empty())
    {
        let mut next = Vec::with_capacity(out.len());
        let mut rest = out.as_slice();
        while let Some(at) = rest.windows(s.len()).position(|w| w == s) {
            next.extend_from_slice(&rest[..at]);
            next.extend_from_slice(REDACTED.as_bytes());
            rest = &rest[at + s.len()..];
        }
        next.extend_from_slice(rest);
        out = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_names_are_redacted_at_any_depth() {
        let vars = json!({
            "service": "api",
            "DB_PASSWORD": "hunter2",
            "deploy": {"github_token": "ghp_x", "region": "eu"},
        });
        assert_eq!(
            redact(&vars),
            json!({
                "service": "api",
                "DB_PASSWORD": "[redacted]",
                "deploy": {"github_token": "[redacted]", "region": "eu"},
            })
        );
    }

    #[test]
    fn written_details_keep_counts_under_secret_looking_names() {
        let detail = json!({"tokens_revoked": 2, "vars": {"api_token": "t-1", "auth": {"a": 1}}});
        assert_eq!(
            redact_written(&detail),
            json!({"tokens_revoked": 2, "vars": {"api_token": "[redacted]", "auth": "[redacted]"}})
        );
    }

    #[test]
    fn secret_values_are_hidden_in_text() {
        let vars = json!({"api_key": "k-123", "user": "bob", "auth": {"pin": 4711}});
        let secrets = secret_values(vars.as_object().unwrap());
        assert_eq!(
            hide("curl -H k-123 -u bob:4711", &secrets),
            "curl -H [redacted] -u bob:[redacted]"
        );
    }

    #[test]
    fn secret_values_are_hidden_in_bytes_that_are_not_text() {
        let secrets = vec!["k-123".to_string()];
        assert_eq!(
            hide_bytes(b"\xffk-123\xfe k-123", &secrets),
            b"\xff[redacted]\xfe [redacted]".to_vec()
        );
        assert_eq!(hide_bytes(b"\xff\n", &secrets), b"\xff\n".to_vec());
    }
}
