//! Small text helpers of the pages: times, durations, percent-encoding for links.

use chrono::{DateTime, Utc};

/// `2026-12-06 02:33:18Z`: readable, sortable, unambiguous.
pub fn time(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%SZ").to_string()
}

/// A time from a JSON document (RFC 3339), shown as [`time`]; empty when absent.
pub fn json_time(v: &serde_json::Value) -> String {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| time(&t.with_timezone(&Utc)))
        .unwrap_or_default()
}

/// `850 ms`, `12.3 s`, `4 min 5 s`.
pub fn duration_ms(ms: i64) -> String {
    match ms {
        ms if ms < 1000 => format!("{ms} ms"),
        ms if ms < 60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        ms => format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1000),
    }
}

/// Percent-encodes `s` for a query value or a path segment.
pub fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A JSON value as a person reads it: strings without quotes.
pub fn plain(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A trigger in a few words: `manual`, `cron 0 9 * * 1-5 (Europe/Berlin)`, `webhook /hr/x`.
pub fn trigger(t: &sop_core::definition::Trigger) -> String {
    use sop_core::definition::Trigger;
    match t {
        Trigger::Manual => "manual".into(),
        Trigger::Cron {
            expression,
            timezone,
            ..
        } => match timezone {
            Some(z) => format!("cron {expression} ({z})"),
            None => format!("cron {expression}"),
        },
        Trigger::Webhook { path, .. } => format!("webhook {path}"),
        Trigger::Event { event, .. } => format!("event {event}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_keeps_unreserved_characters_only() {
        assert_eq!(enc("a b/é?&=x"), "a%20b%2F%C3%A9%3F%26%3Dx");
        assert_eq!(duration_ms(850), "850 ms");
        assert_eq!(duration_ms(12_300), "12.3 s");
        assert_eq!(duration_ms(245_000), "4 min 5 s");
    }
}
