//! Typed, strict access to one TOML table: wrong types, missing and unknown keys become
//! diagnostics, and every key that was not read is reported as unknown.

use super::{Located, Reporter, article};
use crate::suggest;
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One table and the rules for its keys. Getters return `None` when the key is absent or its
/// value is broken; a wrong type is reported, an absent key is the caller's to judge.
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

    /// The whole document as a table; "missing key" errors point at its start.
    pub fn root(
        doc: &'t Spanned<DeTable<'i>>,
        what: impl Into<String>,
        known: &'static [&'static str],
    ) -> Self {
        TableReader::new(doc.get_ref(), 0..0, what, known)
    }

    pub fn table(&self) -> &'t DeTable<'i> {
        self.table
    }

    /// The table header (or inline table).
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// How the table is named in messages.
    pub fn what(&self) -> &str {
        &self.what
    }

    /// The value of `key` and its span; `None` when absent or already reported as broken.
    pub fn value(&self, r: &Reporter, key: &str) -> Option<(&'t DeValue<'i>, Range<usize>)> {
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

    /// Reports that `key` holds `v` where `want` (e.g. "a string") belongs; `help` replaces
    /// the usual hint for that type.
    pub fn wrong_type(
        &self,
        r: &mut Reporter,
        key: &str,
        v: &DeValue,
        span: Range<usize>,
        want: &str,
        help: Option<&str>,
    ) {
        let help = help.map_or_else(
            || match want {
                "a string" => format!("put the value in double quotes: {key} = \"...\""),
                "a boolean" => format!("write {key} = true or {key} = false, without quotes"),
                "an integer" => format!("write a whole number without quotes, e.g. {key} = 2"),
                "a list of strings" => format!("write {key} = [\"...\", \"...\"]"),
                _ => format!("`{key}` takes {want}"),
            },
            str::to_string,
        );
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

    pub fn string(&self, r: &mut Reporter, key: &str) -> Option<Located<&'t str>> {
        let (v, span) = self.value(r, key)?;
        match v {
            DeValue::String(s) => Some(Located {
                value: s.as_ref(),
                span,
            }),
            other => {
                self.wrong_type(r, key, other, span, "a string", None);
                None
            }
        }
    }

    pub fn boolean(&self, r: &mut Reporter, key: &str) -> Option<Located<bool>> {
        let (v, span) = self.value(r, key)?;
        match v {
            DeValue::Boolean(b) => Some(Located { value: *b, span }),
            other => {
                self.wrong_type(r, key, other, span, "a boolean", None);
                None
            }
        }
    }

    /// An integer within `min..=max`.
    pub fn integer(&self, r: &mut Reporter, key: &str, min: i64, max: i64) -> Option<Located<i64>> {
        let (v, span) = self.value(r, key)?;
        let DeValue::Integer(i) = v else {
            self.wrong_type(r, key, v, span, "an integer", None);
            return None;
        };
        match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) if (min..=max).contains(&n) => Some(Located { value: n, span }),
            _ => {
                r.push(
                    r.at(span, format!("`{key}` must be between {min} and {max}"))
                        .with_help(format!("e.g. {key} = {min}")),
                );
                None
            }
        }
    }

    /// A list of strings; non-string items are reported one by one.
    pub fn string_list(
        &self,
        r: &mut Reporter,
        key: &str,
    ) -> Option<Located<Vec<Located<&'t str>>>> {
        let (v, span) = self.value(r, key)?;
        let DeValue::Array(items) = v else {
            self.wrong_type(r, key, v, span, "a list of strings", None);
            return None;
        };
        let mut out = Vec::new();
        for item in items.iter() {
            let item_span = item.span();
            if r.is_damaged(&item_span) {
                continue;
            }
            match item.get_ref() {
                DeValue::String(s) => out.push(Located {
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
        Some(Located { value: out, span })
    }

    /// Reports every key that is not one of `known`, with a hint when it looks like a typo.
    pub fn reject_unknown(&self, r: &mut Reporter) {
        self.reject_unknown_else(r, |what, known| {
            if known.len() <= 1 {
                format!("{what} takes no other keys")
            } else {
                format!("{what} accepts {}", suggest::list(known))
            }
        });
    }

    /// [`reject_unknown`](Self::reject_unknown), with `otherwise(what, known)` as the help
    /// when an unknown key is no typo of a known one.
    pub fn reject_unknown_else(
        &self,
        r: &mut Reporter,
        otherwise: impl Fn(&str, &[&str]) -> String,
    ) {
        for (key, _) in self.table.iter() {
            let name = key.get_ref().as_ref();
            if self.known.contains(&name) || r.is_damaged(&key.span()) {
                continue;
            }
            let help = match suggest::closest(name, self.known.iter().copied()) {
                Some(c) => format!("did you mean `{c}`?"),
                None => otherwise(&self.what, self.known),
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
