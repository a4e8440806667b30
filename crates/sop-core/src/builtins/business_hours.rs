//! `business_hours`, `weekday`, `hour`, `day_of_week` and `now`: the calendar facts of an instant.

use super::hours_range::HoursRange;
use super::weekdays::{day_name, is_weekday};
use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};
use chrono_tz::Tz;

/// Where and when the working day is: `SOP_TIMEZONE` and `SOP_BUSINESS_HOURS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusinessHours {
    pub zone: Tz,
    pub hours: HoursRange,
}

/// The calendar facts of one instant, read on the local wall clock of the configured zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeFacts {
    /// The instant itself.
    pub instant: DateTime<Utc>,
    /// The instant on the zone's wall clock.
    pub local: DateTime<Tz>,
    /// The local time lies within the business hours (any day of the week; combine with
    /// `weekday` for working hours).
    pub business_hours: bool,
    /// Monday to Friday, local.
    pub weekday: bool,
    /// Local hour, 0..=23.
    pub hour: u32,
    /// Lower-case English day name, local: `"monday"` .. `"sunday"`.
    pub day_of_week: &'static str,
}

impl BusinessHours {
    /// The spec's default: 09:00-18:00 in `zone`.
    pub fn new(zone: Tz) -> Self {
        BusinessHours {
            zone,
            hours: HoursRange::BUSINESS,
        }
    }

    pub fn at(&self, instant: DateTime<Utc>) -> TimeFacts {
        let local = instant.with_timezone(&self.zone);
        TimeFacts {
            instant,
            local,
            business_hours: self.hours.contains(local.time()),
            weekday: is_weekday(local.weekday()),
            hour: local.hour(),
            day_of_week: day_name(local.weekday()),
        }
    }
}

impl TimeFacts {
    /// `now` as the condition language sees it: RFC 3339 in UTC to the second
    /// (`2026-03-29T07:30:00Z`), so string comparisons between instants order correctly.
    pub fn now_rfc3339(&self) -> String {
        self.instant.to_rfc3339_opts(SecondsFormat::Secs, true)
    }

    /// The explanation of a time-of-day fact: `19:04 Europe/Berlin`.
    pub fn clock_note(&self) -> String {
        format!("{} {}", self.local.format("%H:%M"), self.local.timezone())
    }

    /// The explanation of a day fact: `saturday 19:04 Europe/Berlin`.
    pub fn day_note(&self) -> String {
        format!("{} {}", self.day_of_week, self.clock_note())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn at(zone: Tz, s: &str) -> TimeFacts {
        BusinessHours::new(zone).at(utc(s))
    }

    #[test]
    fn bounds_are_start_inclusive_end_exclusive() {
        assert!(!at(Tz::UTC, "2026-01-14T08:59:59Z").business_hours);
        assert!(at(Tz::UTC, "2026-01-14T09:00:00Z").business_hours);
        assert!(at(Tz::UTC, "2026-01-14T17:59:59Z").business_hours);
        assert!(!at(Tz::UTC, "2026-01-14T18:00:00Z").business_hours);
    }

    #[test]
    fn berlin_spring_forward_moves_the_working_day_by_an_hour_of_utc() {
        let berlin = Tz::Europe__Berlin;
        // Saturday 2026-03-28 is still CET (+01:00): 07:00Z is 08:00 local.
        assert!(!at(berlin, "2026-03-28T07:00:00Z").business_hours);
        assert!(at(berlin, "2026-03-28T16:30:00Z").business_hours);
        // Sunday 2026-03-29 is CEST (+02:00) from 01:00Z: 07:00Z is 09:00 local.
        assert!(at(berlin, "2026-03-29T07:00:00Z").business_hours);
        assert!(!at(berlin, "2026-03-29T16:30:00Z").business_hours);
    }

    #[test]
    fn berlin_skipped_hour_never_happens() {
        let bh = BusinessHours {
            zone: Tz::Europe__Berlin,
            hours: "02:00-03:00".parse().unwrap(),
        };
        let before = bh.at(utc("2026-03-29T00:59:59Z"));
        let after = bh.at(utc("2026-03-29T01:00:00Z"));
        assert_eq!((before.hour, after.hour), (1, 3));
        assert!(!before.business_hours && !after.business_hours);
        assert_eq!(after.clock_note(), "03:00 Europe/Berlin");
    }

    #[test]
    fn berlin_repeated_hour_is_inside_both_times() {
        let bh = BusinessHours {
            zone: Tz::Europe__Berlin,
            hours: "02:00-03:00".parse().unwrap(),
        };
        let first = bh.at(utc("2026-10-25T00:30:00Z")); // 02:30 CEST
        let second = bh.at(utc("2026-10-25T01:30:00Z")); // 02:30 CET
        assert!(first.business_hours && second.business_hours);
        assert_eq!((first.hour, second.hour), (2, 2));
        assert!(!bh.at(utc("2026-10-25T02:00:00Z")).business_hours); // 03:00 CET
    }

    #[test]
    fn new_york_across_both_changes() {
        let ny = Tz::America__New_York;
        // Friday 2026-03-06, EST (-05:00): 13:30Z is 08:30 local.
        assert!(!at(ny, "2026-03-06T13:30:00Z").business_hours);
        // Monday 2026-03-09, EDT (-04:00): 13:30Z is 09:30 local.
        let monday = at(ny, "2026-03-09T13:30:00Z");
        assert!(monday.business_hours && monday.weekday);
        assert_eq!(monday.day_of_week, "monday");
        // 2026-03-08 02:00 EST jumps to 03:00 EDT.
        assert_eq!(at(ny, "2026-03-08T06:59:59Z").hour, 1);
        assert_eq!(at(ny, "2026-03-08T07:00:00Z").hour, 3);
        // 2026-11-01 01:30 happens twice.
        assert_eq!(
            at(ny, "2026-11-01T05:30:00Z").clock_note(),
            "01:30 America/New_York"
        );
        assert_eq!(
            at(ny, "2026-11-01T06:30:00Z").clock_note(),
            "01:30 America/New_York"
        );
        // After the change 17:30 EST is 22:30Z; 22:30Z the week before was 18:30 EDT.
        assert!(at(ny, "2026-11-02T22:30:00Z").business_hours);
        assert!(!at(ny, "2026-10-26T22:30:00Z").business_hours);
    }

    #[test]
    fn weekday_and_day_name_follow_the_local_date() {
        // 23:30Z on a Friday is already Saturday in Berlin.
        let f = at(Tz::Europe__Berlin, "2026-01-16T23:30:00Z");
        assert_eq!(f.day_of_week, "saturday");
        assert!(!f.weekday);
        assert_eq!(f.day_note(), "saturday 00:30 Europe/Berlin");
        assert!(at(Tz::UTC, "2026-01-16T23:30:00Z").weekday);
    }

    #[test]
    fn now_is_utc_rfc3339_to_the_second() {
        let f = at(Tz::Europe__Berlin, "2026-03-29T09:30:15.5+02:00");
        assert_eq!(f.now_rfc3339(), "2026-03-29T07:30:15Z");
    }
}
