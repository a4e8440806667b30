//! One line per parameter for people: `integer, default 2, 1 to 10 — How many replicas`.

use super::model::{Bounded, Parameter};

impl Parameter {
    /// The parameter's rules in words, then its description.
    pub fn summary(&self) -> String {
        let mut parts = vec![self.kind.name().to_string()];
        if self.required {
            parts.push("required".into());
        }
        if let Some(d) = &self.default {
            parts.push(format!("default {d}"));
        }
        if let Some(allowed) = &self.allowed {
            let values: Vec<String> = allowed.iter().map(ToString::to_string).collect();
            parts.push(format!("one of {}", values.join(", ")));
        }
        if let Some(p) = &self.pattern {
            parts.push(format!("matching `{}`", p.as_str()));
        }
        let unit = match self.kind.bounded() {
            Some(Bounded::Length) => " characters",
            Some(Bounded::Items) => " items",
            _ => "",
        };
        match (self.bounds.min, self.bounds.max) {
            (Some(lo), Some(hi)) => parts.push(format!("{lo} to {hi}{unit}")),
            (Some(lo), None) => parts.push(format!("at least {lo}{unit}")),
            (None, Some(hi)) => parts.push(format!("at most {hi}{unit}")),
            (None, None) => {}
        }
        if self.secret {
            parts.push("secret".into());
        }
        let mut out = parts.join(", ");
        if let Some(d) = &self.description {
            out.push_str(" — ");
            out.push_str(d);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::parameters::{Bounds, ParamType, Parameter};
    use serde_json::json;

    #[test]
    fn rules_in_words() {
        let p = Parameter {
            default: Some(json!(2)),
            bounds: Bounds {
                min: Some(1.0),
                max: Some(10.0),
            },
            description: Some("How many replicas".into()),
            ..Parameter::new("replicas", ParamType::Integer)
        };
        assert_eq!(
            p.summary(),
            "integer, default 2, 1 to 10 — How many replicas"
        );
        let p = Parameter {
            required: true,
            secret: true,
            allowed: Some(vec![json!("a"), json!("b")]),
            bounds: Bounds {
                min: None,
                max: Some(64.0),
            },
            ..Parameter::new("token", ParamType::String)
        };
        assert_eq!(
            p.summary(),
            "string, required, one of \"a\", \"b\", at most 64 characters, secret"
        );
    }
}
