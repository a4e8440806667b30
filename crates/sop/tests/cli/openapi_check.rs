//! Checks answers against the server's own `GET /api/openapi.json`: the status must be
//! declared for the route and method, and a JSON body must fit the declared schema. A small
//! validator for the parts of JSON Schema the document uses (`type`, `required`,
//! `properties`, `additionalProperties: false`, `items`, `enum`, `$ref`).

use serde_json::Value;

/// The operation of `method` on the documented path `path` matches, if any.
pub fn operation<'a>(doc: &'a Value, method: &str, path: &str) -> Option<&'a Value> {
    let path = path.split('?').next().unwrap_or(path);
    let segments: Vec<&str> = path.split('/').collect();
    doc["paths"]
        .as_object()?
        .iter()
        .find_map(|(template, item)| {
            let parts: Vec<&str> = template.split('/').collect();
            let fits = parts.len() == segments.len()
                && parts
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| (t.starts_with('{') && !s.is_empty()) || t == s);
            fits.then(|| item.get(method.to_ascii_lowercase()))
                .flatten()
        })
}

/// Every problem of the answer `status`/`body` to `method path`; empty when it fits.
pub fn problems(doc: &Value, method: &str, path: &str, status: u16, body: &str) -> Vec<String> {
    let Some(op) = operation(doc, method, path) else {
        // A method or path the document does not name must be refused as such.
        if status == 404 || status == 405 {
            return Vec::new();
        }
        return vec![format!(
            "{method} {path} is not in the document, yet answered {status}"
        )];
    };
    let Some(response) = op["responses"].get(status.to_string()) else {
        return vec![format!("{method} {path}: status {status} is not declared")];
    };
    let Some(schema) = response["content"]["application/json"].get("schema") else {
        return Vec::new();
    };
    let value: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => return vec![format!("{method} {path} {status}: body is not JSON: {e}")],
    };
    let mut out = Vec::new();
    check(doc, schema, &value, "$", &mut out);
    out.into_iter()
        .map(|p| format!("{method} {path} {status}: {p}"))
        .collect()
}

fn check(doc: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/components/schemas/");
        return check(doc, &doc["components"]["schemas"][name], value, at, out);
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        if !types.iter().any(|t| is_type(value, t)) {
            out.push(format!("{at}: {value} is not {types:?}"));
            return;
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        out.push(format!("{at}: {value} is not one of {allowed:?}"));
    }
    if let Some(obj) = value.as_object() {
        for name in schema["required"].as_array().into_iter().flatten() {
            let name = name.as_str().unwrap_or_default();
            if !obj.contains_key(name) {
                out.push(format!("{at}: `{name}` is missing"));
            }
        }
        let props = schema["properties"].as_object();
        for (k, v) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(s) => check(doc, s, v, &format!("{at}.{k}"), out),
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    out.push(format!("{at}: `{k}` is not allowed"))
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), value.as_array()) {
        for (i, v) in arr.iter().enumerate() {
            check(doc, items, v, &format!("{at}[{i}]"), out);
        }
    }
}

fn is_type(v: &Value, t: &str) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        _ => false,
    }
}
