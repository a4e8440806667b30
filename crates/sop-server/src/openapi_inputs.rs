//! The schemas of the strings and maps the API reads (fact names, durations, user names,
//! variables), written to say exactly what the server accepts: a request that fits the
//! document is never refused for its form, and [`crate::body_schemas`] refuses every body that
//! does not fit.
//!
//! Patterns use only what ECMA-262, Python's `re` and Rust's `regex` read alike (`\uXXXX`
//! escapes, classes, ranges), since clients generate and check strings with all three.

use serde_json::{Value, json};

/// What `char::is_whitespace` (and so `str::trim`) takes as white space, as a class body.
const SPACE: &str = r"\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// What `char::is_control` takes as a control character, as a class body.
const CONTROL: &str = r"\u0000-\u001f\u007f-\u009f";

/// A string with something besides white space in it (what `trim().is_empty()` refuses).
pub fn nonblank(description: &str) -> Value {
    json!({"type": "string", "pattern": format!("[^{SPACE}]"), "description": description})
}

/// A duration of at most three parts, each a number and a unit (`90s`, `2h`, `1d12h`, `4w`),
/// longer than nothing: every such text parses (`sop_core::Duration`), is at least a second,
/// and stays far below its hundred-year bound (three parts of at most 9,999 days).
pub fn duration(description: &str) -> Value {
    json!({
        "type": "string",
        "pattern": "^(0*[0-9]{1,4}[smhd]|0*[0-9]{1,3}w){1,3}$",
        "not": {"pattern": "^(0+[smhdw])+$"},
        "description": description,
    })
}

/// A user name as the server reads it: trimmed, not empty, no control characters, at most 128
/// characters.
pub fn user_name() -> Value {
    let edge = format!("[^{SPACE}{CONTROL}]");
    json!({
        "type": "string",
        "pattern": format!("^[{SPACE}]*{edge}([^{CONTROL}]{{0,126}}{edge})?[{SPACE}]*$"),
        "description": "Who the token is for: at most 128 printable characters.",
    })
}

/// A fact's name: a condition name (ASCII letters, digits and `_`, not starting with a digit,
/// not a keyword), optionally followed by `.part`s of the same letters; case-insensitive.
pub fn fact_name() -> Value {
    // A fact's name is a condition name, so no keyword of the language, in any case.
    let keyword = sop_core::condition::keywords()
        .map(|k| {
            k.chars()
                .map(|c| format!("[{}{}]", c.to_ascii_uppercase(), c))
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("|");
    json!({
        "type": "string",
        "maxLength": 128,
        "pattern": r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$",
        "not": {"pattern": format!("^({keyword})(\\.|$)")},
    })
}

/// An emitted event's name: dot-separated lowercase words (`deploy.failed`).
pub fn event_name() -> Value {
    json!({
        "type": "string",
        "pattern": r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*$",
        "description": "Dot-separated lowercase words, e.g. `deploy.failed`.",
    })
}

/// Variables handed to steps: names that are not empty and, like string values, hold no NUL
/// (neither can reach a process's environment).
pub fn variables(description: &str) -> Value {
    json!({
        "type": "object",
        "propertyNames": {"pattern": "^[^\\u0000]+$"},
        "additionalProperties": {"pattern": "^[^\\u0000]*$"},
        "description": description,
    })
}

/// A manual step's outputs: keys of letters, digits, `_` and `-`.
pub fn outputs() -> Value {
    json!({
        "type": "object",
        "propertyNames": {"pattern": "^[A-Za-z0-9_-]+$"},
        "description": "What the step produced, by key (letters, digits, `_` and `-`).",
    })
}

/// The statuses `GET /api/runs?status=` takes: a comma-separated list, items trimmed.
pub fn status_list(statuses: &[&str]) -> Value {
    let item = format!("[{SPACE}]*({})[{SPACE}]*", statuses.join("|"));
    json!({"type": "string", "pattern": format!("^({item})?(,({item})?)*$")})
}
