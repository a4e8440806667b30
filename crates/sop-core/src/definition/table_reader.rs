//! Typed, strict access to one TOML table: wrong types, missing and unknown keys become
//! diagnostics, and every key that was not read is reported as unknown.

use super::reporter::Reporter;
use crate::Duration;
use crate::duration::DurationError;
use crate::suggest;
use std::ops::Range;
use toml::de::{DeTable, DeValue};

/// A value read from a table together with its span in the parsed fragment.
#[derive(Debug, Clone)]
pub struct Val<T> {
    pub value: T,
    pub span: Range<usize>,
}

/// One table and the rules for its keys.
pub struct TableReader<'t, 'i> {
    table: &'t DeTable<'i>,
    /// The table header (or inline table), where "missing key" errors point.
    span: Range<usize>,
    /// How the table is named in messages, e.g. "[sop]" or "a cron trigger".
    what: String,
    known: &'static [&'static str],
}

impl<'t, 'i> TableReader<'t, 'i> {
    pub fn new(
        table: &'t DeTable<'i>,
        span: Range<usize>,
        what: impl Into<String>,
        known: &'static [&'static str],
    ) -> Self {
        TableReader {
            table,
            span,
            what: what.into(),
            known,
        }
    }

    fn value(&self, r: &Reporter, key: &str) -> Option<(&'t DeValue<'i>, Range<usize>)> {
        let (_, v) = self.table.get_key_value(key)?;
        let span = v.span();
        if r.is_damaged(&span) {
            return None;
        }
        Some((v.get_ref(), span))
    }

    /// Whether the key is present at all (even with a broken value).
    pub fn has(&self, key: &str) -> bool {
        self.table.get_key_value(key).is_some()
    }

    fn wrong_type(&self, r: &mut Reporter, key: &str, v: &DeValue, span: Range<usize>, want: &str) {
        let help = match want {
            "a string" => format!("put the value in double quotes: {key} = \"...\""),
            "a boolean" => format!("write {key} = true or {key} = false, without quotes"),
            "an integer" => format!("write a whole number without quotes, e.g. {key} = 2"),
            "a list of strings" => format!("write {key} = [\"...\", \"...\"]"),
            _ => format!("`{key}` takes {want}"),
        };
        r.push(
            r.at(
                span,
                format!(
                    "`{key}` in {} must be {want}, found {}",
                    self.what,
                    article(v.type_str())
                ),
            )
            .with_help(help),
        );
    }

    /// Reports that a required key is absent.
    pub fn missing(&self, r: &mut Reporter, key: &str, example: &str) {
        r.push(
            r.at(
                self.span.clone(),
                format!("{} is missing the required key `{key}`", self.what),
            )
            .with_help(format!("add `{example}`")),
        );
    }

    pub fn string(&self, r: &mut Reporter, key: &str) -> Option<Val<&'t str>> {
        let (v, span) = self.value(r, key)?;
        match v {
            DeValue::String(s) => Some(Val {
                value: s.as_ref(),
                span,
            }),
            other => {
                self.wrong_type(r, key, other, span, "a string");
                None
            }
        }
    }

    pub fn boolean(&self, r: &mut Reporter, key: &str) -> Option<Val<bool>> {
        let (v, span) = self.value(r, key)?;
        match v {
            DeValue::Boolean(b) => Some(Val { value: *b, span }),
            other => {
                self.wrong_type(r, key, other, span, "a boolean");
                None
            }
        }
    }

    /// An integer within `min..=max`.
    pub fn integer(&self, r: &mut Reporter, key: &str, min: i64, max: i64) -> Option<Val<i64>> {
        let (v, span) = self.value(r, key)?;
        let DeValue::Integer(i) = v else {
            self.wrong_type(r, key, v, span, "an integer");
            return None;
        };
        match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) if (min..=max).contains(&n) => Some(Val { value: n, span }),
            _ => {
                r.push(
                    r.at(span, format!("`{key}` must be between {min} and {max}"))
                        .with_help(format!("e.g. {key} = {min}")),
                );
                None
            }
        }
    }

    /// A duration string such as "10m"; zero is refused because no timeout can be zero.
    pub fn duration(&self, r: &mut Reporter, key: &str) -> Option<Val<Duration>> {
        let s = self.string(r, key)?;
        match whole_seconds(s.value) {
            Ok(d) if d.as_secs() > 0 => Some(Val {
                value: d,
                span: s.span,
            }),
            Ok(_) => {
                r.push(
                    r.at(s.span, format!("`{key}` must be longer than zero"))
                        .with_help("write e.g. \"90s\", \"10m\", \"24h\" or \"7d\""),
                );
                None
            }
            Err(e) => {
                r.push(
                    r.at(s.span, format!("`{key}`: {e}"))
                        .with_help("write a number and a unit (s, m, h, d, w), e.g. \"90s\", \"10m\", \"24h\", \"7d\" or \"1h30m\""),
                );
                None
            }
        }
    }

    /// One of a fixed set of words; a near miss gets a "did you mean" hint.
    pub fn choice(&self, r: &mut Reporter, key: &str, words: &[&str]) -> Option<Val<&'t str>> {
        let s = self.string(r, key)?;
        if words.contains(&s.value) {
            return Some(s);
        }
        let help = suggest::hint(s.value, words);
        r.push(
            r.at(
                s.span,
                format!("`{}` is not a valid `{key}`", s.value.escape_debug()),
            )
            .with_help(help),
        );
        None
    }

    /// A list of strings; non-string items are reported one by one.
    pub fn string_list(&self, r: &mut Reporter, key: &str) -> Option<Val<Vec<Val<&'t str>>>> {
        let (v, span) = self.value(r, key)?;
        let DeValue::Array(items) = v else {
            self.wrong_type(r, key, v, span, "a list of strings");
            return None;
        };
        let mut out = Vec::new();
        for item in items.iter() {
            let item_span = item.span();
            if r.is_damaged(&item_span) {
                continue;
            }
            match item.get_ref() {
                DeValue::String(s) => out.push(Val {
                    value: s.as_ref(),
                    span: item_span,
                }),
                other => r.push(
                    r.at(
                        item_span,
                        format!(
                            "items of `{key}` must be strings, found {}",
                            article(other.type_str())
                        ),
                    )
                    .with_help("put each item in double quotes"),
                ),
            }
        }
        Some(Val { value: out, span })
    }

    /// Reports every key that is not one of `known`, with a hint when it looks like a typo.
    pub fn reject_unknown(&self, r: &mut Reporter) {
        for (key, _) in self.table.iter() {
            let name = key.get_ref().as_ref();
            if self.known.contains(&name) || r.is_damaged(&key.span()) {
                continue;
            }
            let help = match suggest::closest(name, self.known.iter().copied()) {
                Some(c) => format!("did you mean `{c}`?"),
                None if self.known.len() <= 1 => format!("{} takes no other keys", self.what),
                None => format!("{} accepts {}", self.what, suggest::list(self.known)),
            };
            r.push(
                r.at(
                    key.span(),
                    format!("unknown key `{}` in {}", name.escape_debug(), self.what),
                )
                .with_help(help),
            );
        }
    }
}

/// A duration as SOP files write it: whole seconds, so `ms`, which settings take, is not one of
/// their units.
pub(crate) fn whole_seconds(text: &str) -> Result<Duration, DurationError> {
    let d = text.parse::<Duration>()?;
    if d.is_whole_seconds() {
        Ok(d)
    } else {
        Err(DurationError {
            input: text.to_string(),
            reason: "unknown unit; use s, m, h, d or w, e.g. \"24h\"",
        })
    }
}

/// "a string", "an integer", "an array", ...
pub(crate) fn article(type_name: &str) -> String {
    match type_name.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {type_name}"),
        _ => format!("a {type_name}"),
    }
}
