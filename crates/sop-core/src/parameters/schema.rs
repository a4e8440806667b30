//! The declared parameters as a JSON Schema (draft 2020-12), for forms and API clients.

use super::model::{Bounded, ParamType, Parameter, Parameters};
use super::validate::StartOrigin;
use serde_json::{Map, Value, json};

pub const SCHEMA_DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

impl Parameters {
    /// The schema of the variables object a start with `origin` accepts: one property per
    /// parameter, `required` for those without a default that must be given, and
    /// `additionalProperties: false` where undeclared variables are refused (manual starts of an
    /// SOP that declares parameters).
    /// `title` names the SOP. Secret parameters are marked `writeOnly`.
    pub fn json_schema(&self, title: &str, origin: StartOrigin) -> Value {
        let properties: Map<String, Value> =
            self.iter().map(|p| (p.name.clone(), property(p))).collect();
        let required: Vec<&str> = self
            .iter()
            .filter(|p| p.required && p.default.is_none())
            .map(|p| p.name.as_str())
            .collect();
        json!({
            "$schema": SCHEMA_DIALECT,
            "title": title,
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": self.is_empty() || !origin.refuses_undeclared(),
        })
    }
}

fn property(p: &Parameter) -> Value {
    let mut out = Map::new();
    let kind = match p.kind {
        ParamType::List => "array",
        other => other.name(),
    };
    out.insert("type".into(), json!(kind));
    if let Some(d) = &p.description {
        out.insert("description".into(), json!(d));
    }
    if let Some(default) = &p.default {
        out.insert("default".into(), default.clone());
    }
    if let Some(allowed) = &p.allowed {
        out.insert("enum".into(), json!(allowed));
    }
    if let Some(pattern) = &p.pattern {
        out.insert("pattern".into(), json!(pattern.anchored()));
    }
    let (min, max) = match p.kind.bounded() {
        Some(Bounded::Value) => ("minimum", "maximum"),
        Some(Bounded::Length) => ("minLength", "maxLength"),
        Some(Bounded::Items) => ("minItems", "maxItems"),
        None => ("", ""),
    };
    let bound = |n: f64| {
        if p.kind == ParamType::Number {
            json!(n)
        } else {
            json!(n as i64)
        }
    };
    if let Some(n) = p.bounds.min.filter(|_| !min.is_empty()) {
        out.insert(min.into(), bound(n));
    }
    if let Some(n) = p.bounds.max.filter(|_| !max.is_empty()) {
        out.insert(max.into(), bound(n));
    }
    if p.secret {
        out.insert("writeOnly".into(), json!(true));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parameters::{Bounds, Pattern};

    #[test]
    fn a_schema_per_origin() {
        let params = Parameters::new(vec![
            Parameter {
                required: true,
                description: Some("Where to deploy".into()),
                allowed: Some(vec![json!("staging"), json!("production")]),
                ..Parameter::new("environment", ParamType::String)
            },
            Parameter {
                default: Some(json!(2)),
                bounds: Bounds {
                    min: Some(1.0),
                    max: Some(10.0),
                },
                ..Parameter::new("replicas", ParamType::Integer)
            },
            Parameter {
                pattern: Some(Pattern::new("[a-z]+").unwrap()),
                bounds: Bounds {
                    min: None,
                    max: Some(64.0),
                },
                secret: true,
                ..Parameter::new("token", ParamType::String)
            },
            Parameter::new("hosts", ParamType::List),
        ]);
        let schema = params.json_schema("deploy", StartOrigin::Manual);
        assert_eq!(
            schema,
            json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "title": "deploy",
                "type": "object",
                "properties": {
                    "environment": {
                        "type": "string",
                        "description": "Where to deploy",
                        "enum": ["staging", "production"]
                    },
                    "replicas": {"type": "integer", "default": 2, "minimum": 1, "maximum": 10},
                    "token": {
                        "type": "string",
                        "pattern": "^(?:[a-z]+)$",
                        "maxLength": 64,
                        "writeOnly": true
                    },
                    "hosts": {"type": "array"}
                },
                "required": ["environment"],
                "additionalProperties": false
            })
        );
        let webhook = params.json_schema("deploy", StartOrigin::Webhook);
        assert_eq!(webhook["additionalProperties"], json!(true));
        let none = Parameters::default().json_schema("x", StartOrigin::Manual);
        assert_eq!(none["additionalProperties"], json!(true));
    }
}
