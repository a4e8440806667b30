//! The upcoming fires of every valid SOP's cron triggers, soonest first, each read in its
//! trigger's zone (else `SOP_TIMEZONE`): what a scheduler would start next.

use super::Service;
use crate::catalog::Catalog;
use crate::scope::settings;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

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
            for trigger in super::schedule::cron_triggers(sop, zone) {
                for next in trigger.upcoming(now, per_trigger) {
                    out.push(UpcomingFire {
                        sop: trigger.sop.clone(),
                        expression: trigger.expression.clone(),
                        timezone: trigger.zone.name().to_string(),
                        at: next.with_timezone(&Utc),
                    });
                }
            }
        }
        out.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.sop.cmp(&b.sop)));
        Ok(out)
    }
}
