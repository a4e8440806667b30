//! What a path or query parameter takes, read from the OpenAPI document's description of the
//! route, so that a refusal says what to give in the words the document uses, and cannot come
//! to disagree with it.

use axum::http::Method;
use serde_json::Value;

/// Where a refused value was: `"path"` or `"query"`, by name, on the route the request matched
/// (`/api/runs/{id}`), if it matched one.
pub struct Place<'a> {
    pub method: &'a Method,
    pub route: Option<&'a str>,
    pub location: &'static str,
    pub name: &'a str,
}

/// The smallest and largest whole number the parameter takes, when the document says it takes
/// a whole number.
pub fn integer_range(place: &Place) -> Option<(i128, i128)> {
    let schema = schema(place)?;
    if schema["type"] != "integer" {
        return None;
    }
    let bound = |key: &str, default: i128| -> i128 {
        schema[key]
            .as_i64()
            .map(i128::from)
            .or_else(|| schema[key].as_u64().map(i128::from))
            .unwrap_or(default)
    };
    Some((
        bound("minimum", i128::from(i64::MIN)),
        bound("maximum", i128::from(u64::MAX)),
    ))
}

/// The parameter's schema in the document.
fn schema(place: &Place) -> Option<Value> {
    let route = place.route?;
    let method = place.method.as_str().to_ascii_lowercase();
    crate::openapi::operations()
        .into_iter()
        .find(|(m, p, _)| *m == method && *p == route)
        .and_then(|(_, _, operation)| {
            operation["parameters"]
                .as_array()?
                .iter()
                .find(|p| p["in"] == place.location && p["name"] == place.name)
                .map(|p| p["schema"].clone())
        })
}

/// The names of a route's path parameters, in order (`/api/runs/{id}/steps/{n}` → `id`, `n`).
pub fn path_names(route: &str) -> Vec<&str> {
    route
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place<'a>(
        method: &'a Method,
        route: &'a str,
        location: &'static str,
        name: &'a str,
    ) -> Place<'a> {
        Place {
            method,
            route: Some(route),
            location,
            name,
        }
    }

    #[test]
    fn ranges_come_from_the_document() {
        let get = Method::GET;
        let post = Method::POST;
        assert_eq!(
            integer_range(&place(&get, "/api/runs", "query", "limit")),
            Some((1, 1000))
        );
        assert_eq!(
            integer_range(&place(&get, "/api/runs/{id}/logs", "query", "step")),
            Some((0, 4_294_967_295))
        );
        assert_eq!(
            integer_range(&place(
                &post,
                "/api/runs/{id}/steps/{n}/complete",
                "path",
                "n"
            )),
            Some((0, 4_294_967_295))
        );
        assert_eq!(
            integer_range(&place(&get, "/api/runs", "query", "sop")),
            None
        );
        assert_eq!(
            integer_range(&place(&get, "/ui/runs", "query", "limit")),
            None
        );
    }

    #[test]
    fn path_names_in_order() {
        assert_eq!(path_names("/api/runs/{id}/steps/{n}/complete"), ["id", "n"]);
        assert!(path_names("/api/runs").is_empty());
    }
}
