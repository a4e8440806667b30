//! One `[[window]]`: a recurring cron start plus a duration, or one explicit span.

use crate::Duration;
use chrono::{DateTime, DurationRound, Utc};
use chrono_tz::Tz;
use croner::Cron;

#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub name: String,
    pub times: WindowTimes,
    /// Zone the cron pattern is read in (and times are shown in).
    pub zone: Tz,
}

#[derive(Debug, Clone, PartialEq)]
pub enum WindowTimes {
    /// Opens at every fire time of `cron` (in the window's zone) for `duration`.
    Recurring {
        cron: Box<Cron>,
        pattern: String,
        duration: Duration,
    },
    /// Open from `from` (inclusive) to `to` (exclusive).
    Fixed {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
}

impl Window {
    /// The occurrence of this window that contains `at`, as `(opened, closes)`.
    ///
    /// A recurring window is open when the cron fired in `(at - duration, at]`, so a window
    /// opening at 23:00 for 3h still holds at 01:00 the next day.
    pub fn occurrence_at(&self, at: DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        match &self.times {
            WindowTimes::Fixed { from, to } => (*from <= at && at < *to).then_some((*from, *to)),
            WindowTimes::Recurring { cron, duration, .. } => {
                let length = duration.as_chrono();
                let since = (at - length)
                    .duration_trunc(chrono::Duration::seconds(1))
                    .ok()?
                    .with_timezone(&self.zone);
                let mut fire = cron.find_next_occurrence(&since, true).ok()?;
                if fire.with_timezone(&Utc) + length <= at {
                    // Fired exactly `duration` ago: that occurrence has just closed.
                    fire = cron.find_next_occurrence(&fire, false).ok()?;
                }
                let opened = fire.with_timezone(&Utc);
                (opened <= at).then_some((opened, opened + length))
            }
        }
    }
}
