//! TOML values as JSON values, for the parts of SOP.toml that describe variables (`default`,
//! `enum`), which are JSON at run time.

use serde_json::{Map, Number, Value};
use toml::de::DeValue;

/// `value` as JSON; `None` for a float JSON cannot hold (`nan`, `inf`) anywhere inside.
pub fn to_json(value: &DeValue) -> Option<Value> {
    Some(match value {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => {
            let n = i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok()?;
            Value::Number(n.into())
        }
        DeValue::Float(f) => {
            let n: f64 = f.as_str().replace('_', "").parse().ok()?;
            Value::Number(Number::from_f64(n)?)
        }
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::String(d.to_string()),
        DeValue::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| to_json(item.get_ref()))
                .collect::<Option<_>>()?,
        ),
        DeValue::Table(table) => Value::Object(
            table
                .iter()
                .map(|(k, v)| Some((k.get_ref().to_string(), to_json(v.get_ref())?)))
                .collect::<Option<Map<_, _>>>()?,
        ),
    })
}

/// A number as `f64`, for `min` and `max`.
pub fn to_f64(value: &DeValue) -> Option<f64> {
    match to_json(value)? {
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use toml::de::DeTable;

    #[test]
    fn every_toml_type_converts() {
        let doc = DeTable::parse(
            "a = 'x'\nb = 0x1F\nc = 1_000.5\nd = true\ne = [1, 'two']\nf = { g = 1 }\nh = nan\n",
        )
        .unwrap();
        let get = |k: &str| to_json(doc.get_ref().get(k).unwrap().get_ref());
        assert_eq!(get("a"), Some(json!("x")));
        assert_eq!(get("b"), Some(json!(31)));
        assert_eq!(get("c"), Some(json!(1000.5)));
        assert_eq!(get("d"), Some(json!(true)));
        assert_eq!(get("e"), Some(json!([1, "two"])));
        assert_eq!(get("f"), Some(json!({"g": 1})));
        assert_eq!(get("h"), None);
    }
}
