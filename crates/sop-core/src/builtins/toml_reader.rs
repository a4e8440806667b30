//! Reading a calendar file's TOML with spans, collecting every problem as a located `Diagnostic`.

use crate::builtins::local_time::{parse_instant, parse_zone};
use crate::definition::{article, whole_seconds};
use crate::{Diagnostic, Duration};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One table of the document together with where it is, for "missing key" errors.
pub(crate) struct Table<'t, 'i> {
    pub table: &'t DeTable<'i>,
    pub span: Range<usize>,
}

impl<'t, 'i> Table<'t, 'i> {
    /// The whole document as a table.
    pub fn root(doc: &'t Spanned<DeTable<'i>>) -> Self {
        Table {
            table: doc.get_ref(),
            span: doc.span(),
        }
    }
}

/// A string-like value and the bytes it came from.
pub(crate) struct Located<T> {
    pub value: T,
    pub span: Range<usize>,
}

/// Collects diagnostics against one file while the caller walks its tables.
pub(crate) struct TomlReader<'a> {
    pub file: &'a str,
    pub text: &'a str,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> TomlReader<'a> {
    pub fn new(file: &'a str, text: &'a str) -> Self {
        TomlReader {
            file,
            text,
            diagnostics: Vec::new(),
        }
    }

    /// Parses the whole document, recording syntax errors; what could be read is returned.
    pub fn parse(&mut self) -> Spanned<DeTable<'a>> {
        let (doc, errors) = DeTable::parse_recoverable(self.text);
        for e in errors {
            let span = e.span().unwrap_or(0..0);
            self.error(span, format!("invalid TOML: {}", e.message()), None);
        }
        doc
    }

    pub fn error(&mut self, span: Range<usize>, message: impl Into<String>, help: Option<&str>) {
        let start = span.start.min(self.text.len());
        let end = span.end.clamp(start, self.text.len());
        let mut d = Diagnostic::at(self.file, self.text, start..end, message);
        if let Some(h) = help {
            d = d.with_help(h);
        }
        self.diagnostics.push(d);
    }

    /// Reports the `name` of `t` when an earlier entry of the same `kind` has it, returning
    /// true; otherwise remembers it in `seen`. Runs before an entry's other checks, so a
    /// duplicate is reported even when the entry has problems of its own.
    pub fn duplicate_name(
        &mut self,
        t: &Table<'_, '_>,
        seen: &mut Vec<String>,
        kind: &str,
    ) -> bool {
        let Some(value) = t.table.get("name") else {
            return false;
        };
        let Some(name) = value.get_ref().as_str() else {
            return false;
        };
        if seen.iter().any(|n| n == name) {
            self.error(
                value.span(),
                format!("a {kind} named `{name}` is already defined"),
                Some(&format!("give every {kind} its own name")),
            );
            return true;
        }
        seen.push(name.to_string());
        false
    }

    /// Reads every `[[kind]]` entry in `tables` with `read` (given the entry's label, such as
    /// `[[window]] #2`), keeping those read without problems whose name no earlier entry has.
    pub fn named_entries<T>(
        &mut self,
        tables: &[Table<'_, '_>],
        kind: &str,
        mut read: impl FnMut(&mut Self, &Table<'_, '_>, &str) -> Option<T>,
    ) -> Vec<T> {
        let mut names: Vec<String> = Vec::new();
        let mut out = Vec::new();
        for (i, t) in tables.iter().enumerate() {
            let what = format!("[[{kind}]] #{}", i + 1);
            let duplicate = self.duplicate_name(t, &mut names, kind);
            if let Some(entry) = read(self, t, &what)
                && !duplicate
            {
                out.push(entry);
            }
        }
        out
    }

    /// Diagnostics in file order, as a person reads the file.
    pub fn finish(mut self) -> Vec<Diagnostic> {
        self.diagnostics
            .sort_by_key(|d| (d.line, d.col, d.message.clone()));
        self.diagnostics
    }

    /// Reports keys of `table` that are not in `allowed`, suggesting a near miss.
    pub fn check_keys(&mut self, table: &Table<'_, '_>, allowed: &[&str], what: &str) {
        for key in table.table.keys() {
            let name = key.get_ref().as_ref();
            if allowed.contains(&name) {
                continue;
            }
            let help = crate::suggest::closest(name, allowed.iter().copied()).map_or_else(
                || format!("known keys: {}", allowed.join(", ")),
                |s| format!("did you mean `{s}`?"),
            );
            self.error(
                key.span(),
                format!("unknown key `{name}` in {what}"),
                Some(&help),
            );
        }
    }

    /// The elements of an array of tables such as `[[window]]`; none when the key is absent.
    pub fn tables<'t, 'i>(&mut self, root: &'t DeTable<'i>, key: &str) -> Vec<Table<'t, 'i>> {
        let Some(value) = root.get(key) else {
            return Vec::new();
        };
        let help = format!("write each entry as a [[{key}]] table");
        let mut out = Vec::new();
        match value.get_ref() {
            DeValue::Array(items) => {
                for item in items.iter() {
                    match item.get_ref() {
                        DeValue::Table(t) => out.push(Table {
                            table: t,
                            span: item.span(),
                        }),
                        other => self.error(
                            item.span(),
                            format!(
                                "`{key}` must hold tables, found {}",
                                article(other.type_str())
                            ),
                            Some(&help),
                        ),
                    }
                }
            }
            other => self.error(
                value.span(),
                format!(
                    "`{key}` must be an array of tables, found {}",
                    article(other.type_str())
                ),
                Some(&help),
            ),
        }
        out
    }

    /// A string value; `None` (with a diagnostic if `required`) when missing or not a string.
    pub fn string(
        &mut self,
        table: &Table<'_, '_>,
        key: &str,
        what: &str,
        required: bool,
    ) -> Option<Located<String>> {
        let value = self.value(table, key, what, required)?;
        self.text_of(value, key, what, "a string", None, |v| match v {
            DeValue::String(s) => Some(s.to_string()),
            _ => None,
        })
    }

    /// A required string that is not blank; a blank one is reported and still returned.
    pub fn non_empty_string(
        &mut self,
        table: &Table<'_, '_>,
        key: &str,
        what: &str,
    ) -> Option<Located<String>> {
        let value = self.string(table, key, what, true);
        if let Some(v) = &value
            && v.value.trim().is_empty()
        {
            self.error(v.span.clone(), format!("`{key}` in {what} is empty"), None);
        }
        value
    }

    /// A date-time given either as a TOML date-time or as a string; returned as text.
    pub fn datetime_text(
        &mut self,
        table: &Table<'_, '_>,
        key: &str,
        what: &str,
        required: bool,
    ) -> Option<Located<String>> {
        let value = self.value(table, key, what, required)?;
        self.text_of(
            value,
            key,
            what,
            "a date-time",
            Some("write e.g. \"2026-03-01T22:00:00Z\" or \"2026-03-01T23:00:00\""),
            |v| match v {
                DeValue::String(s) => Some(s.to_string()),
                DeValue::Datetime(d) => Some(d.to_string()),
                _ => None,
            },
        )
    }

    /// The entry's `timezone`, or `default` when absent (also when invalid, after reporting it).
    pub fn zone(&mut self, table: &Table<'_, '_>, what: &str, default: Tz) -> Tz {
        match self.string(table, "timezone", what, false) {
            None => default,
            Some(z) => parse_zone(&z.value).unwrap_or_else(|e| {
                self.error(z.span, e, None);
                default
            }),
        }
    }

    /// The instant `v` names, local times read in `zone`; a bad one is reported.
    pub fn instant(&mut self, v: Option<Located<String>>, zone: Tz) -> Option<DateTime<Utc>> {
        let v = v?;
        parse_instant(&v.value, zone)
            .map_err(|e| self.error(v.span, e, None))
            .ok()
    }

    /// The required `from` and `to` instants of an entry; `to` must be after `from`. `covers`
    /// is the help text that says what the two bound.
    pub fn interval(
        &mut self,
        table: &Table<'_, '_>,
        what: &str,
        zone: Tz,
        covers: &str,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let from_text = self.datetime_text(table, "from", what, true);
        let from = self.instant(from_text, zone);
        let to_text = self.datetime_text(table, "to", what, true);
        let to_span = to_text.as_ref().map(|v| v.span.clone());
        let to = self.instant(to_text, zone);
        if let (Some(f), Some(t), Some(span)) = (from, to, to_span)
            && t <= f
        {
            self.error(
                span,
                format!("`to` in {what} is not after `from`"),
                Some(covers),
            );
            return None;
        }
        Some((from?, to?))
    }

    /// A required duration longer than 0s; `example` is the help shown with a bad one.
    pub fn positive_duration(
        &mut self,
        table: &Table<'_, '_>,
        key: &str,
        what: &str,
        example: &str,
    ) -> Option<Duration> {
        let text = self.string(table, key, what, true)?;
        match whole_seconds(&text.value) {
            Ok(d) if d.as_secs() > 0 => Some(d),
            Ok(_) => {
                self.error(
                    text.span,
                    format!("`{key}` must be longer than 0s"),
                    Some(example),
                );
                None
            }
            Err(e) => {
                self.error(text.span, e.to_string(), Some(example));
                None
            }
        }
    }

    /// A list of strings; each non-string element is reported and skipped.
    pub fn string_list(
        &mut self,
        table: &Table<'_, '_>,
        key: &str,
        what: &str,
        required: bool,
    ) -> Option<Located<Vec<Located<String>>>> {
        let value = self.value(table, key, what, required)?;
        let DeValue::Array(items) = value.get_ref() else {
            self.error(
                value.span(),
                format!(
                    "`{key}` in {what} must be a list of strings, found {}",
                    article(value.get_ref().type_str())
                ),
                None,
            );
            return None;
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push(Located {
                    value: s.to_string(),
                    span: item.span(),
                }),
                other => self.error(
                    item.span(),
                    format!(
                        "`{key}` in {what} must list strings, found {}",
                        article(other.type_str())
                    ),
                    None,
                ),
            }
        }
        Some(Located {
            value: out,
            span: value.span(),
        })
    }

    /// `value` as the text `read` makes of it; `None`, reported, when it is not `expected`.
    fn text_of(
        &mut self,
        value: &Spanned<DeValue<'_>>,
        key: &str,
        what: &str,
        expected: &str,
        help: Option<&str>,
        read: impl Fn(&DeValue<'_>) -> Option<String>,
    ) -> Option<Located<String>> {
        match read(value.get_ref()) {
            Some(text) => Some(Located {
                value: text,
                span: value.span(),
            }),
            None => {
                self.error(
                    value.span(),
                    format!(
                        "`{key}` in {what} must be {expected}, found {}",
                        article(value.get_ref().type_str())
                    ),
                    help,
                );
                None
            }
        }
    }

    fn value<'t, 'i>(
        &mut self,
        table: &Table<'t, 'i>,
        key: &str,
        what: &str,
        required: bool,
    ) -> Option<&'t Spanned<DeValue<'i>>> {
        let found = table.table.get(key);
        if found.is_none() && required {
            // A table's span is its `[[...]]` header.
            self.error(
                table.span.clone(),
                format!("{what} has no `{key}`"),
                Some(&format!("add `{key} = ...` to it")),
            );
        }
        found
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn suggests_near_misses_only() {
        use crate::suggest::closest;
        assert_eq!(closest("peeple", ["people", "name"]), Some("people"));
        assert_eq!(closest("windows", ["window"]), Some("window"));
        assert_eq!(closest("colour", ["people", "name"]), None);
    }
}
