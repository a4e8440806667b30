//! The words of a refused path or query value: what is wrong, where, and what to give instead.

/// What Rust's integer parsing says of text that is not a number of the field's type, as
/// `serde_urlencoded` and axum's path reader pass it on.
const INTEGER_PROBLEMS: &[&str] = &[
    "invalid digit found in string",
    "number too large to fit in target type",
    "number too small to fit in target type",
    "cannot parse integer from empty string",
];

/// Most characters of a refused value that a message repeats.
const SHOWN: usize = 64;

/// `value` as a message shows it: escaped (no control characters reach a log or a terminal)
/// and cut short.
pub fn shown(value: &str) -> String {
    let mut out: String = value
        .chars()
        .take(SHOWN)
        .flat_map(char::escape_debug)
        .collect();
    if value.chars().count() > SHOWN {
        out.push('…');
    }
    out
}

/// The refusal of `value` given for `what` (``query parameter `limit` ``): `range` is what the
/// document says the parameter takes, when it takes a whole number; `problem` is the reader's
/// own words, used when neither says more.
pub fn not_of_type(what: &str, value: &str, range: Option<(i128, i128)>, problem: &str) -> String {
    let integer = range.is_some() || INTEGER_PROBLEMS.contains(&problem);
    if !integer {
        return format!("{what}: `{}` cannot be read: {problem}", shown(value));
    }
    let give = match range {
        Some((low, high)) => format!("; give {low} to {high}"),
        None => String::new(),
    };
    if value.trim().is_empty() {
        let give = match range {
            Some((low, high)) => format!("give {low} to {high}"),
            None => "give a whole number".to_string(),
        };
        return format!("{what} is empty; {give}, or leave it out");
    }
    if value.parse::<i128>().is_ok() {
        return format!("{what}: `{}` is out of range{give}", shown(value));
    }
    format!("{what}: `{}` is not a whole number{give}", shown(value))
}

/// The refusal of text that is not UTF-8 once its `%XX` escapes are decoded; `part` names the
/// parameter it was read for, when that is not already said.
pub fn not_utf8(where_: &str, raw: &str, part: Option<&str>) -> String {
    let part = part
        .map(|p| format!(" (the `{}` part)", shown(p)))
        .unwrap_or_default();
    format!(
        "{where_} is not valid UTF-8 after percent-decoding: `{}`{part}; percent-encode text as \
         UTF-8 (`é` is `%C3%A9`)",
        shown(raw)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_are_explained_with_the_range_to_give() {
        let limit = "query parameter `limit`";
        let range = Some((1, 1000));
        assert_eq!(
            not_of_type(limit, "abc", range, "invalid digit found in string"),
            "query parameter `limit`: `abc` is not a whole number; give 1 to 1000"
        );
        assert_eq!(
            not_of_type(limit, "-1", range, "invalid digit found in string"),
            "query parameter `limit`: `-1` is out of range; give 1 to 1000"
        );
        assert_eq!(
            not_of_type(limit, "", range, "cannot parse integer from empty string"),
            "query parameter `limit` is empty; give 1 to 1000, or leave it out"
        );
        assert_eq!(
            not_of_type(
                "path parameter `n`",
                "1.5",
                None,
                "invalid digit found in string"
            ),
            "path parameter `n`: `1.5` is not a whole number"
        );
        assert_eq!(
            not_of_type("query parameter `x`", "y", None, "expected a boolean"),
            "query parameter `x`: `y` cannot be read: expected a boolean"
        );
    }

    #[test]
    fn values_are_shown_escaped_and_short() {
        assert_eq!(shown("a\nb\u{1b}"), "a\\nb\\u{1b}");
        let long = "x".repeat(100);
        assert_eq!(shown(&long).chars().count(), SHOWN + 1);
        assert_eq!(
            not_utf8("the path", "%FF", Some("name")),
            "the path is not valid UTF-8 after percent-decoding: `%FF` (the `name` part); \
             percent-encode text as UTF-8 (`é` is `%C3%A9`)"
        );
    }
}
