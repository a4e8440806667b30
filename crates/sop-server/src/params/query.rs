//! `Query<T>`: the query string read into `T`, or a `400` in the API's own words naming the
//! parameter, the value given and what to give instead. Values that are not UTF-8 once decoded
//! are refused, not replaced.

use super::expected::{Place, integer_range};
use super::percent::decode_utf8;
use super::wording::{not_of_type, not_utf8, shown};
use crate::error::ApiError;
use axum::extract::{FromRequestParts, MatchedPath};
use axum::http::Method;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// The query string as `T` (a struct of optional fields, or a map).
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        read(parts.uri.query().unwrap_or(""))
            .map(Query)
            .map_err(|problem| {
                let route = parts
                    .extensions
                    .get::<MatchedPath>()
                    .map(MatchedPath::as_str);
                ApiError::bad_request(problem.words(&parts.method, route))
            })
    }
}

/// Why a query string was refused.
#[derive(Debug, PartialEq)]
enum Problem {
    /// A name or value that is not UTF-8 (`name`, when the name itself is).
    NotUtf8 {
        name: Option<String>,
        raw: String,
    },
    Repeated {
        name: String,
        values: Vec<String>,
    },
    Missing {
        name: String,
    },
    /// A value not of its field's type; `problem` is the reader's words.
    Value {
        name: String,
        value: String,
        problem: String,
    },
    Other(String),
}

impl Problem {
    fn words(&self, method: &Method, route: Option<&str>) -> String {
        match self {
            Problem::NotUtf8 {
                name: Some(name),
                raw,
            } => not_utf8(&format!("query parameter `{}`", shown(name)), raw, None),
            Problem::NotUtf8 { name: None, raw } => not_utf8("the query string", raw, None),
            Problem::Repeated { name, values } => {
                let given: Vec<String> = values.iter().map(|v| format!("`{}`", shown(v))).collect();
                format!(
                    "query parameter `{}` is given {} times ({}); give it once",
                    shown(name),
                    values.len(),
                    given.join(", ")
                )
            }
            Problem::Missing { name } => {
                format!(
                    "query parameter `{}` is missing; it is required",
                    shown(name)
                )
            }
            Problem::Value {
                name,
                value,
                problem,
            } => {
                let place = Place {
                    method,
                    route,
                    location: "query",
                    name,
                };
                let what = format!("query parameter `{}`", shown(name));
                not_of_type(&what, value, integer_range(&place), problem)
            }
            Problem::Other(text) => format!("the query string cannot be read: {text}"),
        }
    }
}

/// `raw` (the query string, without `?`) read into `T`.
fn read<T: DeserializeOwned>(raw: &str) -> Result<T, Problem> {
    let pairs = pairs(raw)?;
    let first = match serde_urlencoded::from_str::<T>(raw) {
        Ok(value) => return Ok(value),
        Err(e) => e.to_string(),
    };
    let values_of = |name: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    };
    if let Some(name) = quoted_after(&first, "duplicate field `") {
        return Err(Problem::Repeated {
            values: values_of(name),
            name: name.to_string(),
        });
    }
    if let Some(name) = quoted_after(&first, "missing field `") {
        return Err(Problem::Missing {
            name: name.to_string(),
        });
    }
    // The reader stops at the first value it cannot take without saying whose it was: that is
    // the parameter without which the query reads, or fails otherwise.
    let mut names: Vec<&str> = Vec::new();
    for (name, _) in &pairs {
        if !names.contains(&name.as_str()) {
            names.push(name);
        }
    }
    for name in names {
        let others: Vec<&(String, String)> = pairs.iter().filter(|(n, _)| n != name).collect();
        let Ok(rest) = serde_urlencoded::to_string(&others) else {
            continue;
        };
        let changed = match serde_urlencoded::from_str::<T>(&rest) {
            Ok(_) => true,
            Err(e) => e.to_string() != first,
        };
        if changed {
            return Err(Problem::Value {
                name: name.to_string(),
                value: values_of(name).into_iter().next().unwrap_or_default(),
                problem: first,
            });
        }
    }
    Err(Problem::Other(first))
}

/// The decoded `(name, value)` pairs of `raw`, or the first one that is not UTF-8.
fn pairs(raw: &str) -> Result<Vec<(String, String)>, Problem> {
    let mut out = Vec::new();
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let Some(name) = decode_utf8(name, true) else {
            return Err(Problem::NotUtf8 {
                name: None,
                raw: pair.to_string(),
            });
        };
        let Some(value) = decode_utf8(value, true) else {
            return Err(Problem::NotUtf8 {
                name: Some(name),
                raw: value.to_string(),
            });
        };
        out.push((name, value));
    }
    Ok(out)
}

/// The text between `prefix` and the next backtick, when `text` starts with `prefix` (serde's
/// ``duplicate field `limit` ``).
fn quoted_after<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    text.strip_prefix(prefix)?.split('`').next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct List {
        sop: Option<String>,
        limit: Option<u32>,
    }

    fn words(raw: &str) -> String {
        read::<List>(raw)
            .unwrap_err()
            .words(&Method::GET, Some("/api/runs"))
    }

    #[test]
    fn good_queries_read_as_before() {
        let q: List = read("sop=deploy%20prod&limit=5&other=x&other=y").unwrap();
        assert_eq!(
            q,
            List {
                sop: Some("deploy prod".into()),
                limit: Some(5)
            }
        );
        let q: List = read("").unwrap();
        assert_eq!(q.limit, None);
        let map: HashMap<String, String> = read("a=1&b=x+y").unwrap();
        assert_eq!(map["b"], "x y");
    }

    #[test]
    fn each_refusal_names_the_parameter_the_value_and_what_to_give() {
        assert_eq!(
            words("limit=abc"),
            "query parameter `limit`: `abc` is not a whole number; give 1 to 1000"
        );
        assert_eq!(
            words("sop=x&limit=99999999999"),
            "query parameter `limit`: `99999999999` is out of range; give 1 to 1000"
        );
        assert_eq!(
            words("limit="),
            "query parameter `limit` is empty; give 1 to 1000, or leave it out"
        );
        assert_eq!(
            words("limit=1&limit=2"),
            "query parameter `limit` is given 2 times (`1`, `2`); give it once"
        );
        assert!(
            words("sop=%FF").starts_with(
                "query parameter `sop` is not valid UTF-8 after percent-decoding: `%FF`"
            ),
            "{}",
            words("sop=%FF")
        );
        assert!(words("%FF=1").starts_with("the query string is not valid UTF-8"));
        for raw in ["limit=abc", "limit=1&limit=2", "sop=%FF", "limit=-1"] {
            let text = words(raw);
            assert!(!text.contains("deserialize"), "{text}");
        }
    }
}
