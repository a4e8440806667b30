//! Cron schedules of cron triggers: the classic five fields or six with a leading seconds field,
//! parsed by croner, and the next fire time after a given instant in a given zone.

use chrono::{DateTime, NaiveDateTime, SubsecRound, TimeZone, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};
use std::str::FromStr;

mod dst;
mod error;
mod syntax;

pub use error::{CronError, CronProblem};

/// A parsed cron expression (`minute hour day-of-month month day-of-week`, the same with a
/// leading `second` field, or `@daily` and the other nicknames).
#[derive(Debug, Clone)]
pub struct CronSchedule {
    cron: Cron,
    /// The day-of-month field allows every month to fire (`*`, `?`, a day up to 28, or a
    /// nickname), so the schedule surely fires and [`CronSchedule::ever_fires`] need not search.
    every_month: bool,
    /// The minute or hour field has a `*` (or it is `@hourly`): across DST changes the schedule
    /// keeps its pace in real time, as crontab's wildcard jobs do; any other is kept to its set
    /// times (see [`dst`]).
    keeps_pace: bool,
}

impl CronSchedule {
    /// Parses a five-field expression, or a six-field one whose first field is the second.
    /// Years are refused so that every expression means what it means to a reader used to
    /// crontab. A refusal lists every wrong field, each with the bytes of `expression` at fault.
    pub fn parse(expression: &str) -> Result<CronSchedule, CronError> {
        let trimmed = expression.trim();
        if trimmed.is_empty() {
            return Err(CronError::whole("the cron expression is empty"));
        }
        if let Some(nickname) = trimmed.strip_prefix('@')
            && !NICKNAMES.contains(&nickname.to_ascii_lowercase().as_str())
        {
            return Err(CronError::whole(format!(
                "unknown cron nickname `{trimmed}`; use @yearly, @annually, @monthly, @weekly, @daily or @hourly"
            )));
        }
        let nickname = trimmed.starts_with('@');
        let located = syntax::split(expression);
        let parts: Vec<&str> = located.iter().map(|(_, part)| *part).collect();
        let fields = parts.len();
        if !nickname && fields != 5 && fields != 6 {
            return Err(CronError::whole(format!(
                "a cron expression has 5 fields (minute hour day-of-month month day-of-week), or 6 with a leading second field; this one has {fields}"
            )));
        }
        let mut numbered = trimmed.to_string();
        if !nickname && let Some(names) = fields_of(fields) {
            let problems = syntax::check(&located, names);
            if !problems.is_empty() {
                let hint = year_hint(&parts);
                let problems = problems
                    .into_iter()
                    .map(|p| CronProblem {
                        // The year hint explains the last field only.
                        message: format!(
                            "invalid cron expression: {}{}",
                            p.message,
                            if p.field + 1 == fields { hint } else { "" }
                        ),
                        span: Some(p.span),
                    })
                    .collect();
                return Err(CronError { problems });
            }
            numbered = syntax::numbered(&parts, names);
        }
        // Where the minute, hour, day-of-month and day-of-week fields are (none in a nickname).
        let (minute, dom) = if fields == 6 { (1, 3) } else { (0, 2) };
        let field = |i: usize| parts.get(i).filter(|_| !nickname);
        // Crontab's day rule: a day matches either day field when both are restricted, and
        // both when either starts with `*` (`*/2` included). croner reads only a bare `*` so.
        let starred = |i: usize| field(i).is_some_and(|f| f.starts_with(['*', '?']));
        let parser = CronParser::builder()
            .seconds(if fields == 6 {
                Seconds::Required
            } else {
                Seconds::Disallowed
            })
            .year(Year::Disallowed)
            .dom_and_dow(starred(dom) || starred(dom + 2))
            .build();
        let every_month = nickname
            || field(dom).is_some_and(|d| {
                *d == "*" || *d == "?" || d.parse::<u8>().is_ok_and(|d| (1..=28).contains(&d))
            });
        let keeps_pace = trimmed.eq_ignore_ascii_case("@hourly")
            || (minute..minute + 2).any(|i| field(i).is_some_and(|f| f.contains('*')));
        match parser.parse(&numbered) {
            Ok(cron) => Ok(CronSchedule {
                cron,
                every_month,
                keeps_pace,
            }),
            // The fields passed `syntax::check`, so croner should not refuse them; if it does,
            // the field it choked on is named, else the expression as a whole.
            Err(e) => {
                let (span, why) = match bad_field(&parser, &numbered) {
                    Some((i, why)) => (located.get(i).map(|(at, part)| *at..at + part.len()), why),
                    None => (None, e.to_string()),
                };
                Err(CronError {
                    problems: vec![CronProblem {
                        message: format!("invalid cron expression: {why}{}", year_hint(&parts)),
                        span,
                    }],
                })
            }
        }
    }

    /// The first fire time strictly after `after`, in `tz`; `None` when the schedule never fires
    /// (e.g. `0 0 30 2 *`, the 30th of February). Across DST changes (see [`dst`]): a local time
    /// the clocks skip fires at the jump, one they repeat in the first pass only; with a `*` in
    /// the minute or hour field, the schedule keeps its pace in real time instead.
    pub fn next_after(&self, after: DateTime<Utc>, tz: Tz) -> Option<DateTime<Tz>> {
        // Ticks are whole seconds.
        dst::next_after(self, after.trunc_subsecs(0), tz).map(|t| t.with_timezone(&tz))
    }

    /// The first local wall time after `from` (or at it, when `inclusive`) that the expression
    /// names, with no zone: croner reads it in UTC, which has no DST changes.
    fn next_wall(&self, from: NaiveDateTime, inclusive: bool) -> Option<NaiveDateTime> {
        self.cron
            .find_next_occurrence(&Utc.from_utc_datetime(&from), inclusive)
            .ok()
            .map(|t| t.naive_utc())
    }

    /// The last local wall time before `from` (or at it, when `inclusive`) that it names.
    fn previous_wall(&self, from: NaiveDateTime, inclusive: bool) -> Option<NaiveDateTime> {
        self.cron
            .find_previous_occurrence(&Utc.from_utc_datetime(&from), inclusive)
            .ok()
            .map(|t| t.naive_utc())
    }

    /// False for expressions no calendar date satisfies, such as `0 0 30 2 *`. Checked from a
    /// fixed instant so that the answer never depends on the clock.
    pub fn ever_fires(&self) -> bool {
        if self.every_month {
            return true;
        }
        let start = DateTime::<Utc>::from_timestamp(946_684_800, 0).unwrap_or_default();
        self.next_after(start, Tz::UTC).is_some()
    }

    /// The last fire time before `before` (or at it, when `inclusive`), in `tz`, by the same
    /// rules as [`CronSchedule::next_after`].
    pub fn previous_before(
        &self,
        before: DateTime<Utc>,
        tz: Tz,
        inclusive: bool,
    ) -> Option<DateTime<Utc>> {
        // Ticks are whole seconds: a fractional `before` is answered as if it were inclusive.
        let whole = before.trunc_subsecs(0);
        dst::previous_before(self, whole, tz, inclusive || whole != before)
    }

    /// Every fire time in `(after, until]`, oldest first, at most `limit` of them; the bool
    /// says whether more were left out.
    pub fn fires_between(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
        tz: Tz,
        limit: usize,
    ) -> (Vec<DateTime<Utc>>, bool) {
        let mut out = Vec::new();
        let mut cursor = after;
        while let Some(next) = self.next_after(cursor, tz) {
            let next = next.with_timezone(&Utc);
            if next > until {
                return (out, false);
            }
            if out.len() == limit {
                return (out, true);
            }
            out.push(next);
            cursor = next;
        }
        (out, false)
    }
}

/// The `@` forms croner understands, without the `@`.
const NICKNAMES: [&str; 6] = ["yearly", "annually", "monthly", "weekly", "daily", "hourly"];

/// The fields of a six-field expression, with what each accepts; a five-field one lacks the
/// first.
const FIELDS: [(&str, &str); 6] = [
    ("second", "0-59"),
    ("minute", "0-59"),
    ("hour", "0-23"),
    ("day-of-month", "1-31"),
    ("month", "1-12 or JAN-DEC"),
    ("day-of-week", "0-7 or SUN-SAT"),
];

/// For a five-field pattern croner refused, which field is wrong and what it takes, e.g. ``the
/// minute field `61` is not valid (minute takes 0-59, ...)``; `None` for other shapes. Shared
/// with the maintenance windows' `start` patterns.
pub fn explain_bad_field(expression: &str) -> Option<String> {
    let parser = CronParser::builder()
        .seconds(Seconds::Disallowed)
        .year(Year::Disallowed)
        .build();
    bad_field(&parser, expression.trim()).map(|(_, why)| why)
}

/// The names and ranges of an expression's fields, by how many it has.
fn fields_of(count: usize) -> Option<&'static [(&'static str, &'static str)]> {
    match count {
        5 => Some(&FIELDS[1..]),
        6 => Some(&FIELDS[..]),
        _ => None,
    }
}

/// Names the first field that is wrong on its own, with its position, by parsing it with every
/// other field `*`; croner's own message does not say which field it choked on.
fn bad_field(parser: &CronParser, expression: &str) -> Option<(usize, String)> {
    let fields: Vec<&str> = expression.split_whitespace().collect();
    let names = fields_of(fields.len())?;
    (0..names.len()).find_map(|i| {
        let alone: Vec<&str> = (0..names.len())
            .map(|j| if i == j { fields[j] } else { "*" })
            .collect();
        parser.parse(&alone.join(" ")).err().map(|_| {
            let (name, range) = names[i];
            let why = format!(
                "the {name} field `{}` is not valid ({name} takes {range}, `*`, lists `a,b`, ranges `a-b` and steps `*/n`)",
                fields[i]
            );
            (i, why)
        })
    })
}

/// Said when the last of six fields reads as a year: six fields start with the second here.
fn year_hint(parts: &[&str]) -> &'static str {
    let year =
        parts.len() == 6 && parts[5].len() == 4 && parts[5].parse::<u32>().is_ok_and(|y| y >= 1970);
    if year {
        "; the last field looks like a year, which cron expressions here do not take (six fields are second minute hour day-of-month month day-of-week)"
    } else {
        ""
    }
}

/// Parses an IANA time-zone name such as `Europe/Paris` or `UTC`.
pub fn parse_timezone(name: &str) -> Result<Tz, String> {
    Tz::from_str(name).map_err(|_| format!("`{name}` is not an IANA time zone"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// The fire times in `(from, to]` in Europe/Berlin, as `HH:MM` UTC, walking forward with
    /// `next_after` and back with `previous_before`, which must agree.
    fn berlin(expression: &str, from: &str, to: &str) -> Vec<String> {
        let s = CronSchedule::parse(expression).unwrap();
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let (forward, _) = s.fires_between(at(from), at(to), tz, 100);
        let mut back = Vec::new();
        let mut cursor = s.previous_before(at(to), tz, true);
        while let Some(t) = cursor.filter(|t| *t > at(from)) {
            back.push(t);
            cursor = s.previous_before(t, tz, false);
        }
        back.reverse();
        assert_eq!(forward, back, "{expression}: forward and back disagree");
        forward
            .iter()
            .map(|t| t.format("%H:%M").to_string())
            .collect()
    }

    #[test]
    fn a_wall_time_the_clocks_skip_fires_at_the_jump() {
        // 2026-03-29, 02:00 CET becomes 03:00 CEST (01:00 UTC).
        let spring = ("2026-03-28T20:00:00Z", "2026-03-29T06:00:00Z");
        assert_eq!(berlin("30 2 * * *", spring.0, spring.1), ["01:00"]);
        assert_eq!(
            berlin("23 0-20/2 * * *", spring.0, spring.1),
            ["23:23", "01:00", "02:23", "04:23"]
        );
        // Several skipped wall times fire once, at the jump.
        assert_eq!(
            berlin("*/20 2,3 * * *", spring.0, spring.1),
            ["01:00", "01:20", "01:40"]
        );
        // An hourly pace goes on from the jump, as in crontab.
        assert_eq!(
            berlin(
                "*/30 * * * *",
                "2026-03-29T00:00:00Z",
                "2026-03-29T02:00:00Z"
            ),
            ["00:30", "01:00", "01:30", "02:00"]
        );
        assert_eq!(
            berlin("5 * * * *", "2026-03-29T00:00:00Z", "2026-03-29T02:00:00Z"),
            ["00:05", "01:05"]
        );
        assert_eq!(
            berlin("*/30 2 * * *", spring.0, spring.1),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_repeated_hour_fires_once_unless_the_minute_or_hour_field_is_a_wildcard() {
        // 2026-10-25, 03:00 CEST becomes 02:00 CET: 02:00-02:59 happens at 00:xx and 01:xx UTC.
        let fall = ("2026-10-24T23:00:00Z", "2026-10-25T02:00:00Z");
        assert_eq!(berlin("30 2 * * *", fall.0, fall.1), ["00:30"]);
        assert_eq!(berlin("0 0-20/2 * * *", fall.0, fall.1), ["00:00"]);
        assert_eq!(
            berlin("*/30 * * * *", fall.0, fall.1),
            ["23:30", "00:00", "00:30", "01:00", "01:30", "02:00"]
        );
        assert_eq!(
            berlin("@hourly", fall.0, fall.1),
            ["00:00", "01:00", "02:00"]
        );
        assert_eq!(berlin("15 */2 * * *", fall.0, fall.1), ["00:15", "01:15"]);
        assert_eq!(
            berlin("*/30 2 * * *", fall.0, fall.1),
            ["00:00", "00:30", "01:00", "01:30"]
        );
    }

    #[test]
    fn both_day_fields_must_match_when_either_starts_with_a_star() {
        let next = |e: &str| {
            let s = CronSchedule::parse(e).unwrap();
            s.next_after(at("2026-01-01T00:00:00Z"), Tz::UTC)
                .unwrap()
                .format("%Y-%m-%d %a")
                .to_string()
        };
        // Both restricted: either (the 1st, a Thursday; or the first Friday).
        assert_eq!(next("0 18 1,17 * 5"), "2026-01-01 Thu");
        assert_eq!(next("0 18 20 * 5"), "2026-01-02 Fri");
        // `*/16` is 1 and 17 but starts with a star: a Friday that is the 1st or the 17th.
        assert_eq!(next("0 18 */16 * 5"), "2026-04-17 Fri");
        assert_eq!(next("0 18 1-31/16 * 5"), "2026-01-01 Thu");
        assert_eq!(next("0 18 20 * */7"), "2026-09-20 Sun");
        assert_eq!(next("0 18 * * 5"), "2026-01-02 Fri");
    }

    #[test]
    fn next_fire_time_in_utc_and_in_a_zone() {
        let daily = CronSchedule::parse("0 2 * * *").unwrap();
        let now = at("2026-01-31T09:30:00Z");
        assert_eq!(
            daily.next_after(now, Tz::UTC).unwrap(),
            Tz::UTC.with_ymd_and_hms(2026, 2, 1, 2, 0, 0).unwrap()
        );
        let paris = parse_timezone("Europe/Paris").unwrap();
        assert_eq!(
            daily.next_after(now, paris).unwrap().with_timezone(&Utc),
            at("2026-02-01T01:00:00Z")
        );
    }

    #[test]
    fn the_next_tick_is_a_whole_second_whatever_the_fraction_of_now() {
        let every_second = CronSchedule::parse("* * * * * *").unwrap();
        let next = every_second
            .next_after(at("2026-01-31T09:30:01.300Z"), Tz::UTC)
            .unwrap();
        assert_eq!(next.with_timezone(&Utc), at("2026-01-31T09:30:02Z"));
        let hourly = CronSchedule::parse("0 * * * *").unwrap();
        let next = hourly
            .next_after(at("2026-01-31T09:59:59.999Z"), Tz::UTC)
            .unwrap();
        assert_eq!(next.with_timezone(&Utc), at("2026-01-31T10:00:00Z"));
    }

    #[test]
    fn a_leading_seconds_field_fires_within_the_minute() {
        let every_two = CronSchedule::parse("*/2 * * * * *").unwrap();
        let next = every_two
            .next_after(at("2026-01-31T09:30:01Z"), Tz::UTC)
            .unwrap();
        assert_eq!(next.with_timezone(&Utc), at("2026-01-31T09:30:02Z"));
        let (ticks, more) = every_two.fires_between(
            at("2026-01-31T09:30:00Z"),
            at("2026-01-31T09:30:10Z"),
            Tz::UTC,
            3,
        );
        assert_eq!(ticks.len(), 3);
        assert!(more);
        assert_eq!(ticks[0], at("2026-01-31T09:30:02Z"));
        assert!(!CronSchedule::parse("0 0 0 30 2 *").unwrap().ever_fires());
    }

    #[test]
    fn nicknames_work() {
        let weekly = CronSchedule::parse("@weekly").unwrap();
        let next = weekly
            .next_after(at("2026-01-31T09:30:00Z"), Tz::UTC)
            .unwrap();
        assert_eq!(next.with_timezone(&Utc), at("2026-02-01T00:00:00Z"));
    }

    #[test]
    fn bad_expressions_say_why() {
        assert!(
            CronSchedule::parse("")
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        assert!(
            CronSchedule::parse("@midnight")
                .unwrap_err()
                .to_string()
                .contains("unknown cron nickname `@midnight`")
        );
        assert!(CronSchedule::parse("@Daily").is_ok());
        assert!(
            CronSchedule::parse("0 2 * *")
                .unwrap_err()
                .to_string()
                .contains("has 4")
        );
        assert!(
            CronSchedule::parse("0 0 2 * * * 2030")
                .unwrap_err()
                .to_string()
                .contains("has 7")
        );
        assert!(
            CronSchedule::parse("61 0 2 * * *")
                .unwrap_err()
                .to_string()
                .contains("the second field `61`")
        );
        assert!(
            CronSchedule::parse("0 61 2 * * *")
                .unwrap_err()
                .to_string()
                .contains("the minute field `61`")
        );
        assert!(
            CronSchedule::parse("61 2 * * *")
                .unwrap_err()
                .to_string()
                .contains("the minute field `61`")
        );
        assert!(
            CronSchedule::parse("0 25 * * *")
                .unwrap_err()
                .to_string()
                .contains("the hour field `25`")
        );
        assert!(CronSchedule::parse("0 2 * * funday").is_err());
    }

    #[test]
    fn every_bad_field_is_a_problem_at_its_bytes() {
        let e = CronSchedule::parse(" 61  25 * * *").unwrap_err();
        let spans: Vec<_> = e.problems.iter().map(|p| p.span.clone()).collect();
        assert_eq!(spans, [Some(1..3), Some(5..7)]);
        assert!(
            e.problems[1]
                .message
                .starts_with("invalid cron expression: the hour field")
        );
        assert_eq!(
            CronSchedule::parse("0 2 * *").unwrap_err().problems[0].span,
            None
        );
        // The year hint goes with the last field, which reads as one.
        let year = CronSchedule::parse("0 0 2 * * 2030").unwrap_err();
        assert_eq!(year.problems.len(), 1);
        assert_eq!(year.problems[0].span, Some(10..14));
        assert!(year.to_string().contains("looks like a year"));
    }

    #[test]
    fn impossible_dates_never_fire() {
        assert!(!CronSchedule::parse("0 0 30 2 *").unwrap().ever_fires());
        assert!(CronSchedule::parse("0 0 29 2 *").unwrap().ever_fires());
        assert!(!CronSchedule::parse("0 0 31 4,6 *").unwrap().ever_fires());
        assert!(CronSchedule::parse("0 0 31 * *").unwrap().ever_fires());
        assert!(CronSchedule::parse("0 0 * 2 *").unwrap().ever_fires());
    }

    #[test]
    fn timezones_must_be_iana_names() {
        assert!(parse_timezone("Europe/Paris").is_ok());
        assert!(parse_timezone("Mars/Olympus").unwrap_err().contains("IANA"));
    }
}
