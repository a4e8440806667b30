//! Which ticks of a schedule are due between the last one handled and now, and what becomes of
//! each: the latest tick, if only just passed, runs on time; older ones passed while no server
//! ran (or while it could not keep up), and the trigger's `catch_up` decides whether they run
//! late or are recorded as missed.

use crate::definition::{CatchUp, CronSchedule};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// The latest due tick, this recent, still runs as an on-time fire: a server that was busy or
/// restarted at once has not missed it. Older ticks are the business of `catch_up`.
pub const ON_TIME_WINDOW: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// Missed ticks are counted up to this many; a finer count of a longer gap says nothing more.
pub const MISSED_COUNT_LIMIT: usize = 10_000;

/// Ticks that passed while no server ran and will not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missed {
    pub first: DateTime<Utc>,
    /// The most recent missed tick: the one the decision is recorded at.
    pub last: DateTime<Utc>,
    pub count: usize,
    /// True when there were more than [`MISSED_COUNT_LIMIT`] (`count` is then a lower bound).
    pub more: bool,
}

/// What to do with the due ticks of one trigger, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickPlan {
    pub caught_up: Vec<DateTime<Utc>>,
    /// The latest due tick, when it only just passed.
    pub on_time: Vec<DateTime<Utc>>,
    pub missed: Option<Missed>,
}

impl TickPlan {
    /// The last tick this plan handles, from which the next search starts.
    pub fn last(&self) -> Option<DateTime<Utc>> {
        [
            self.on_time.last(),
            self.caught_up.last(),
            self.missed.as_ref().map(|m| &m.last),
        ]
        .into_iter()
        .flatten()
        .max()
        .copied()
    }
}

/// Decides the ticks of `schedule` in `(after, now]`, read in `tz`. Walks back from `now`, so a
/// long gap costs only the ticks that run plus a bounded count of the missed ones.
pub fn plan_ticks(
    schedule: &CronSchedule,
    tz: Tz,
    after: DateTime<Utc>,
    now: DateTime<Utc>,
    catch_up: CatchUp,
) -> TickPlan {
    let keep = match catch_up {
        CatchUp::None => 0,
        CatchUp::Latest => 1,
        CatchUp::All => CatchUp::ALL_CAP,
    };
    let mut plan = TickPlan::default();
    let mut newest_missed = None;
    let mut cursor = schedule.previous_before(now, tz, true);
    while let Some(tick) = cursor.filter(|t| *t > after) {
        if plan.on_time.is_empty() && plan.caught_up.is_empty() && now - tick <= ON_TIME_WINDOW {
            plan.on_time.push(tick);
        } else if plan.caught_up.len() < keep {
            plan.caught_up.push(tick);
        } else {
            newest_missed = Some(tick);
            break;
        }
        cursor = schedule.previous_before(tick, tz, false);
    }
    plan.on_time.reverse();
    plan.caught_up.reverse();
    plan.missed = newest_missed.map(|last| {
        let (older, more) = schedule.fires_between(after, last, tz, MISSED_COUNT_LIMIT);
        Missed {
            first: older.first().copied().unwrap_or(last),
            last,
            count: older.len().max(1),
            more,
        }
    });
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn hourly() -> CronSchedule {
        CronSchedule::parse("0 * * * *").unwrap()
    }

    #[test]
    fn a_tick_just_passed_runs_on_time() {
        let plan = plan_ticks(
            &hourly(),
            Tz::UTC,
            at("2026-03-01T09:00:00Z"),
            at("2026-03-01T10:00:00.002Z"),
            CatchUp::None,
        );
        assert_eq!(plan.on_time, [at("2026-03-01T10:00:00Z")]);
        assert!(plan.caught_up.is_empty() && plan.missed.is_none());
        assert_eq!(plan.last(), Some(at("2026-03-01T10:00:00Z")));
    }

    #[test]
    fn a_server_that_fell_behind_runs_only_the_latest_tick_on_time() {
        let every_second = CronSchedule::parse("* * * * * *").unwrap();
        let plan = plan_ticks(
            &every_second,
            Tz::UTC,
            at("2026-03-01T10:00:00Z"),
            at("2026-03-01T10:00:03.5Z"),
            CatchUp::None,
        );
        assert_eq!(plan.on_time, [at("2026-03-01T10:00:03Z")]);
        let missed = plan.missed.unwrap();
        assert_eq!((missed.count, missed.last), (2, at("2026-03-01T10:00:02Z")));
    }

    #[test]
    fn nothing_is_due_before_the_next_tick() {
        let plan = plan_ticks(
            &hourly(),
            Tz::UTC,
            at("2026-03-01T10:00:00Z"),
            at("2026-03-01T10:59:59Z"),
            CatchUp::All,
        );
        assert_eq!(plan, TickPlan::default());
        assert_eq!(plan.last(), None);
    }

    #[test]
    fn a_gap_is_missed_caught_up_latest_or_all() {
        let after = at("2026-03-01T05:00:00Z");
        let now = at("2026-03-01T10:30:00Z");
        let none = plan_ticks(&hourly(), Tz::UTC, after, now, CatchUp::None);
        let missed = none.missed.unwrap();
        assert_eq!(
            (missed.first, missed.last, missed.count, missed.more),
            (
                at("2026-03-01T06:00:00Z"),
                at("2026-03-01T10:00:00Z"),
                5,
                false
            )
        );
        let latest = plan_ticks(&hourly(), Tz::UTC, after, now, CatchUp::Latest);
        assert_eq!(latest.caught_up, [at("2026-03-01T10:00:00Z")]);
        assert_eq!(latest.missed.unwrap().count, 4);
        let all = plan_ticks(&hourly(), Tz::UTC, after, now, CatchUp::All);
        assert_eq!(all.caught_up.len(), 5);
        assert!(all.missed.is_none());
    }

    #[test]
    fn all_is_capped_and_long_gaps_are_counted_to_a_limit() {
        let every_second = CronSchedule::parse("* * * * * *").unwrap();
        let after = at("2026-03-01T00:00:00Z");
        let now = at("2026-03-02T00:00:00Z");
        let all = plan_ticks(&every_second, Tz::UTC, after, now, CatchUp::All);
        assert_eq!(all.caught_up.len(), CatchUp::ALL_CAP);
        assert!(all.missed.as_ref().unwrap().more);
        // The latest tick runs on time; the caught-up ones are those just before it.
        assert_eq!(all.on_time, [now]);
        assert_eq!(all.caught_up.last(), Some(&at("2026-03-01T23:59:59Z")));
    }
}
