//! Property tests: calendar files never panic whatever their text, and rotations hand over at
//! exactly their handoff instants in every zone.

use super::oncall::Rotation;
use super::{MaintenanceCalendar, OnCallSchedule};
use crate::Duration;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;

const ZONES: &[Tz] = &[
    Tz::UTC,
    Tz::Europe__Berlin,
    Tz::America__New_York,
    Tz::Australia__Lord_Howe,
    Tz::Asia__Kathmandu,
];

/// Text that looks like a calendar file often enough to reach the checks past the TOML parser.
fn calendar_text() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "name", "people", "start", "shift", "days", "hours", "timezone", "person", "from", "to",
        "rotation", "duration", "colour",
    ]);
    let value = prop::sample::select(vec![
        "\"x\"",
        "[\"a\", \"b\"]",
        "[]",
        "\"2026-03-29T02:30:00\"",
        "2026-01-01T00:00:00Z",
        "\"7d\"",
        "\"0s\"",
        "\"0 23 * * *\"",
        "\"0 0 31 2 *\"",
        "\"22:00-06:00\"",
        "\"Europe/Berlin\"",
        "[\"mon\", 3]",
        "1",
        "{ a = 1 }",
    ]);
    let header = prop::sample::select(vec!["[[rotation]]", "[[override]]", "[[window]]", "[x]"]);
    prop::collection::vec((header, prop::collection::vec((key, value), 0..6)), 0..4).prop_map(
        |tables| {
            let mut text = String::new();
            for (h, pairs) in tables {
                text.push_str(h);
                text.push('\n');
                for (k, v) in pairs {
                    text.push_str(&format!("{k} = {v}\n"));
                }
            }
            text
        },
    )
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..4_102_444_800).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap_or_default())
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in ".{0,300}", at in instant()) {
        let (oncall, _) = OnCallSchedule::parse("oncall.toml", &text, Tz::UTC);
        let _ = oncall.at(at);
        let (maintenance, _) = MaintenanceCalendar::parse("maintenance.toml", &text, Tz::UTC);
        let _ = maintenance.at(at);
    }

    #[test]
    fn calendar_like_text_never_panics_and_problems_are_located(
        text in calendar_text(),
        at in instant(),
    ) {
        let (oncall, diags) = OnCallSchedule::parse("oncall.toml", &text, Tz::Europe__Berlin);
        let _ = oncall.at(at);
        prop_assert!(diags.iter().all(|d| d.line >= 1 && d.col >= 1), "{:?}", diags);
        let (maintenance, diags) =
            MaintenanceCalendar::parse("maintenance.toml", &text, Tz::Europe__Berlin);
        let _ = maintenance.at(at);
        prop_assert!(diags.iter().all(|d| d.line >= 1 && d.col >= 1), "{:?}", diags);
    }

    #[test]
    fn each_handoff_instant_starts_its_turn(
        zone in prop::sample::select(ZONES),
        day in 0i64..20_000,
        minute in 0u32..1440,
        shift_minutes in 120u64..20_000,
        k in 0i64..500,
    ) {
        let start = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap()
            .and_hms_opt(minute / 60, minute % 60, 0).unwrap()
            + chrono::Duration::days(day);
        let rotation = Rotation {
            name: "r".into(),
            people: vec!["a".into(), "b".into(), "c".into()],
            start,
            shift: Duration::from_secs(shift_minutes * 60),
            days: None,
            hours: None,
            zone,
        };
        let handoff = rotation.handoff(k).unwrap();
        prop_assert_eq!(rotation.turn_at(handoff), Some(k));
        let just_before = handoff - chrono::Duration::seconds(1);
        prop_assert_eq!(rotation.turn_at(just_before), if k == 0 { None } else { Some(k - 1) });
    }
}
