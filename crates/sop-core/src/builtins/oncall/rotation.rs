//! One `[[rotation]]`: people taking turns in shifts of a fixed wall-clock length.

use crate::Duration;
use crate::builtins::hours_range::HoursRange;
use crate::builtins::local_time::resolve_local;
use chrono::{DateTime, Datelike, NaiveDateTime, Utc, Weekday};
use chrono_tz::Tz;

#[derive(Debug, Clone, PartialEq)]
pub struct Rotation {
    pub name: String,
    /// In turn order; never empty.
    pub people: Vec<String>,
    /// Wall-clock time of the first handoff, in `zone`.
    pub start: NaiveDateTime,
    /// Length of one person's turn; never zero.
    pub shift: Duration,
    /// Covered days (local); `None` = every day.
    pub days: Option<Vec<Weekday>>,
    /// Covered local hours; `None` = all day.
    pub hours: Option<HoursRange>,
    pub zone: Tz,
}

impl Rotation {
    /// The person whose turn covers `at`, if the rotation has started and covers that moment.
    ///
    /// Turns are counted on the wall clock of the rotation's zone: handoff `k` is at
    /// `start + k * shift` local time, so a weekly 09:00 handoff stays at 09:00 across DST.
    /// The handoff instant itself belongs to the next person.
    pub fn person_at(&self, at: DateTime<Utc>) -> Option<&str> {
        if !self.covers(at) {
            return None;
        }
        let turn = self.turn_at(at)?;
        let index = turn.rem_euclid(self.people.len() as i64) as usize;
        self.people.get(index).map(String::as_str)
    }

    /// Index of the turn in progress at `at`; `None` before the first handoff.
    pub fn turn_at(&self, at: DateTime<Utc>) -> Option<i64> {
        let shift = self.shift.as_secs() as i64;
        if shift == 0 {
            return None;
        }
        let elapsed = (at.with_timezone(&self.zone).naive_local() - self.start).num_seconds();
        // The wall-clock estimate is off by at most one turn around a DST change; the loops
        // settle it against the real handoff instants.
        let mut k = elapsed.div_euclid(shift);
        for _ in 0..4 {
            match self.handoff(k + 1) {
                Some(next) if next <= at => k += 1,
                _ => break,
            }
        }
        for _ in 0..4 {
            match self.handoff(k) {
                Some(this) if this > at => k -= 1,
                _ => break,
            }
        }
        (k >= 0 && self.handoff(k).is_some_and(|h| h <= at)).then_some(k)
    }

    /// The instant turn `k` begins.
    pub fn handoff(&self, k: i64) -> Option<DateTime<Utc>> {
        let offset = (self.shift.as_secs() as i64).checked_mul(k)?;
        let local = self
            .start
            .checked_add_signed(chrono::Duration::try_seconds(offset)?)?;
        Some(resolve_local(self.zone, local))
    }

    /// Whether `days` and `hours` include `at`. The after-midnight part of an overnight range
    /// (`18:00-09:00`) belongs to the day it started, so `days = ["fri"]` covers Friday night
    /// into Saturday morning.
    pub fn covers(&self, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&self.zone);
        let mut day = local.weekday();
        if let Some(hours) = &self.hours {
            if !hours.contains(local.time()) {
                return false;
            }
            if hours.in_tail(local.time()) {
                day = day.pred();
            }
        }
        self.days.as_ref().is_none_or(|days| days.contains(&day))
    }
}
