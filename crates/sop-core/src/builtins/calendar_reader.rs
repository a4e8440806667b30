//! The values only calendar files (`oncall.toml`, `maintenance.toml`) hold, read through the
//! shared [`TableReader`]: required keys, date-times, zones, intervals and shift lengths.

use crate::Duration;
use crate::builtins::local_time::{parse_instant, parse_zone};
use crate::toml_read::{Located, Reporter, TableReader, whole_seconds};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use toml::de::DeValue;

/// A calendar's values on top of the shared typed getters.
pub(crate) trait CalendarValues<'t> {
    /// Reports keys that are not known, suggesting a near miss, else listing the known ones.
    fn check_keys(&self, r: &mut Reporter);

    /// A string that must be there.
    fn required_string(&self, r: &mut Reporter, key: &str) -> Option<Located<&'t str>>;

    /// A required string that is not blank; a blank one is reported and still returned.
    fn non_empty_string(&self, r: &mut Reporter, key: &str) -> Option<Located<&'t str>>;

    /// A list of strings that must be there.
    fn required_string_list(
        &self,
        r: &mut Reporter,
        key: &str,
    ) -> Option<Located<Vec<Located<&'t str>>>>;

    /// A required date-time, given either as a TOML date-time or as a string; returned as text.
    fn datetime_text(&self, r: &mut Reporter, key: &str) -> Option<Located<String>>;

    /// The entry's `timezone`, or `default` when absent (also when invalid, after reporting it).
    fn zone(&self, r: &mut Reporter, default: Tz) -> Tz;

    /// The required `from` and `to` instants of an entry; `to` must be after `from`. `covers`
    /// is the help text that says what the two bound.
    fn interval(
        &self,
        r: &mut Reporter,
        zone: Tz,
        covers: &str,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>)>;

    /// A required duration longer than 0s; `example` is the help shown with a bad one.
    fn positive_duration(&self, r: &mut Reporter, key: &str, example: &str) -> Option<Duration>;
}

impl<'t> CalendarValues<'t> for TableReader<'t, '_> {
    fn check_keys(&self, r: &mut Reporter) {
        self.reject_unknown_else(r, |_, known| format!("known keys: {}", known.join(", ")));
    }

    fn required_string(&self, r: &mut Reporter, key: &str) -> Option<Located<&'t str>> {
        require(self, r, key);
        self.string(r, key)
    }

    fn non_empty_string(&self, r: &mut Reporter, key: &str) -> Option<Located<&'t str>> {
        let value = self.required_string(r, key);
        if let Some(v) = &value
            && v.value.trim().is_empty()
        {
            r.error(
                v.span.clone(),
                format!("`{key}` in {} is empty", self.what()),
                None,
            );
        }
        value
    }

    fn required_string_list(
        &self,
        r: &mut Reporter,
        key: &str,
    ) -> Option<Located<Vec<Located<&'t str>>>> {
        require(self, r, key);
        self.string_list(r, key)
    }

    fn datetime_text(&self, r: &mut Reporter, key: &str) -> Option<Located<String>> {
        require(self, r, key);
        let (value, span) = self.value(r, key)?;
        match value {
            DeValue::String(s) => Some(Located {
                value: s.to_string(),
                span,
            }),
            DeValue::Datetime(d) => Some(Located {
                value: d.to_string(),
                span,
            }),
            other => {
                self.wrong_type(
                    r,
                    key,
                    other,
                    span,
                    "a date-time",
                    Some("write e.g. \"2026-03-01T22:00:00Z\" or \"2026-03-01T23:00:00\""),
                );
                None
            }
        }
    }

    fn zone(&self, r: &mut Reporter, default: Tz) -> Tz {
        match self.string(r, "timezone") {
            None => default,
            Some(z) => parse_zone(z.value).unwrap_or_else(|e| {
                r.error(z.span, e, None);
                default
            }),
        }
    }

    fn interval(
        &self,
        r: &mut Reporter,
        zone: Tz,
        covers: &str,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let from_text = self.datetime_text(r, "from");
        let from = instant(r, from_text, zone);
        let to_text = self.datetime_text(r, "to");
        let to_span = to_text.as_ref().map(|v| v.span.clone());
        let to = instant(r, to_text, zone);
        if let (Some(f), Some(t), Some(span)) = (from, to, to_span)
            && t <= f
        {
            r.error(
                span,
                format!("`to` in {} is not after `from`", self.what()),
                Some(covers),
            );
            return None;
        }
        Some((from?, to?))
    }

    fn positive_duration(&self, r: &mut Reporter, key: &str, example: &str) -> Option<Duration> {
        let text = self.required_string(r, key)?;
        match whole_seconds(text.value) {
            Ok(d) if d.as_secs() > 0 => Some(d),
            Ok(_) => {
                r.error(
                    text.span,
                    format!("`{key}` must be longer than 0s"),
                    Some(example),
                );
                None
            }
            Err(e) => {
                r.error(text.span, e.to_string(), Some(example));
                None
            }
        }
    }
}

/// Reports `key` when `t` lacks it, at the table's `[[...]]` header.
fn require(t: &TableReader<'_, '_>, r: &mut Reporter, key: &str) {
    if !t.has(key) {
        r.error(
            t.span(),
            format!("{} has no `{key}`", t.what()),
            Some(&format!("add `{key} = ...` to it")),
        );
    }
}

/// The instant `v` names, local times read in `zone`; a bad one is reported.
pub(crate) fn instant(
    r: &mut Reporter,
    v: Option<Located<String>>,
    zone: Tz,
) -> Option<DateTime<Utc>> {
    let v = v?;
    parse_instant(&v.value, zone)
        .map_err(|e| r.error(v.span, e, None))
        .ok()
}
