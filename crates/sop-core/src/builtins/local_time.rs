//! Turning wall-clock times in a named zone into instants, with one rule for DST gaps and folds.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The instant a local wall-clock time names in `zone`.
///
/// DST has one rule everywhere: a wall time that happens twice (clocks go back) means its first
/// occurrence; a wall time that never happens (clocks go forward) means the moment the clocks
/// jumped, so 02:30 on a spring-forward night in Europe/Berlin is 03:00 CEST. Both keep the
/// mapping monotonic, which rotations rely on to order their handoffs.
pub fn resolve_local(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => first_instant_at_or_after(zone, local),
    }
}

/// The earliest instant whose wall time in `zone` is at or after `local` (binary search over
/// UTC seconds; real offsets stay within a day of UTC).
fn first_instant_at_or_after(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let wall =
        |secs: i64| DateTime::from_timestamp(secs, 0).map(|u| u.with_timezone(&zone).naive_local());
    let guess = local.and_utc().timestamp();
    let (mut lo, mut hi) = (guess - 2 * 86_400, guess + 2 * 86_400);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match wall(mid) {
            Some(w) if w >= local => hi = mid,
            Some(_) => lo = mid + 1,
            None => break,
        }
    }
    DateTime::from_timestamp(lo, 0).unwrap_or_else(|| local.and_utc())
}

/// Parses an instant written in a calendar file: RFC 3339 with an offset
/// (`2026-03-01T22:00:00Z`, `2026-03-01T23:00:00+01:00`), or a local date-time in `zone`
/// (`2026-03-01T23:00:00`, `2026-03-01 23:00`), or a date meaning its local midnight.
pub fn parse_instant(text: &str, zone: Tz) -> Result<DateTime<Utc>, String> {
    let s = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(local) = NaiveDateTime::parse_from_str(s, format) {
            return Ok(resolve_local(zone, local));
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(resolve_local(zone, date.and_time(NaiveTime::MIN)));
    }
    Err(format!(
        "`{s}` is not a date-time; write RFC 3339 like \"2026-03-01T22:00:00Z\" or a local time \
         like \"2026-03-01T23:00:00\" (read in {zone})"
    ))
}

/// Parses an IANA zone name such as `Europe/Berlin`.
pub fn parse_zone(name: &str) -> Result<Tz, String> {
    name.trim().parse::<Tz>().map_err(|_| {
        format!("unknown time zone `{name}`; use an IANA name such as \"Europe/Berlin\" or \"UTC\"")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn offsets_win_over_the_zone() {
        let t = parse_instant("2026-03-01T23:00:00+01:00", Tz::America__New_York).unwrap();
        assert_eq!(t, utc("2026-03-01T22:00:00Z"));
    }

    #[test]
    fn local_times_are_read_in_the_zone() {
        let berlin = Tz::Europe__Berlin;
        assert_eq!(
            parse_instant("2026-01-15T09:00:00", berlin).unwrap(),
            utc("2026-01-15T08:00:00Z")
        );
        assert_eq!(
            parse_instant("2026-07-15 09:00", berlin).unwrap(),
            utc("2026-07-15T07:00:00Z")
        );
        assert_eq!(
            parse_instant("2026-07-15", berlin).unwrap(),
            utc("2026-07-14T22:00:00Z")
        );
    }

    #[test]
    fn a_repeated_hour_means_its_first_occurrence() {
        // 2026-10-25 02:30 happens twice in Berlin: first at CEST (+02:00).
        let t = parse_instant("2026-10-25T02:30:00", Tz::Europe__Berlin).unwrap();
        assert_eq!(t, utc("2026-10-25T00:30:00Z"));
    }

    #[test]
    fn a_skipped_hour_means_the_moment_the_clocks_jumped() {
        // 2026-03-29 02:30 does not exist in Berlin: clocks jump 02:00 CET -> 03:00 CEST at 01:00Z.
        let t = parse_instant("2026-03-29T02:30:00", Tz::Europe__Berlin).unwrap();
        assert_eq!(t, utc("2026-03-29T01:00:00Z"));
        // New York skips 02:00-03:00 on 2026-03-08 (07:00Z).
        let t = parse_instant("2026-03-08T02:15:00", Tz::America__New_York).unwrap();
        assert_eq!(t, utc("2026-03-08T07:00:00Z"));
    }

    #[test]
    fn garbage_is_an_error_naming_the_forms() {
        let e = parse_instant("next tuesday", Tz::UTC).unwrap_err();
        assert!(e.contains("RFC 3339"), "{e}");
        assert!(parse_zone("Mars/Olympus").unwrap_err().contains("IANA"));
        assert_eq!(parse_zone("Europe/Berlin").unwrap(), Tz::Europe__Berlin);
    }
}
