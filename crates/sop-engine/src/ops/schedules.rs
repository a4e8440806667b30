//! The upcoming fires of every valid SOP's cron triggers, soonest first, each read in its
//! trigger's zone (else `SOP_TIMEZONE`): what a scheduler would start next.

use super::Service;
use crate::catalog::Catalog;
use crate::scope::settings;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sop_core::definition::{CronSchedule, Trigger, parse_timezone};

/// One future fire of one cron trigger.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct UpcomingFire {
    pub sop: String,
    pub expression: String,
    pub timezone: String,
    pub at: DateTime<Utc>,
}

impl Service {
    /// The next `per_trigger` fires of each cron trigger after now, soonest first.
    pub fn upcoming_fires(&self, per_trigger: usize) -> crate::Result<Vec<UpcomingFire>> {
        let catalog = Catalog::open(self.settings().sop_dir())?;
        let zone = settings::zone(self.settings()).unwrap_or(Tz::UTC);
        let now = self.clock().now();
        let mut out = Vec::new();
        for sop in catalog.sops() {
            for trigger in &sop.triggers {
                let Trigger::Cron {
                    expression,
                    timezone,
                } = trigger
                else {
                    continue;
                };
                let tz = timezone
                    .as_deref()
                    .map_or(Ok(zone), parse_timezone)
                    .unwrap_or(zone);
                let Ok(schedule) = CronSchedule::parse(expression) else {
                    continue;
                };
                let mut after = now;
                for _ in 0..per_trigger {
                    let Some(next) = schedule.next_after(after, tz) else {
                        break;
                    };
                    let at = next.with_timezone(&Utc);
                    out.push(UpcomingFire {
                        sop: sop.name().to_string(),
                        expression: expression.clone(),
                        timezone: tz.name().to_string(),
                        at,
                    });
                    after = at;
                }
            }
        }
        out.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.sop.cmp(&b.sop)));
        Ok(out)
    }
}
