//! The cron triggers of the SOPs and what `sop schedule` shows of them: the next fire times in
//! each trigger's zone and the last decision the scheduler recorded. Reading needs the store
//! only for the last decision, so it works with or without a server.

use super::Service;
use crate::catalog::Catalog;
use crate::documents::{LastFireDocument, ScheduleEntryDocument, SchedulesDocument};
use crate::{Error, scope};
use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use sop_core::definition::{CatchUp, CronSchedule, Overlap, Sop, Trigger, parse_timezone};
use sop_store::{ScheduleFire, ScheduleFireFilter};

/// At most this many upcoming fire times per trigger.
pub const MAX_NEXT: usize = 1000;

/// One cron trigger of one SOP, ready to compute ticks.
#[derive(Debug, Clone)]
pub struct CronTrigger {
    pub sop: String,
    /// Position among the SOP's triggers, from 1.
    pub position: usize,
    /// The fire key's trigger part: expression and zone.
    pub key: String,
    pub expression: String,
    pub schedule: CronSchedule,
    pub zone: Tz,
    pub overlap: Overlap,
    pub catch_up: CatchUp,
}

/// The cron triggers of `sop`, each in its zone (`default_zone` when it names none).
pub fn cron_triggers(sop: &Sop, default_zone: Tz) -> Vec<CronTrigger> {
    let mut out = Vec::new();
    for (i, trigger) in sop.triggers.iter().enumerate() {
        let Trigger::Cron {
            expression,
            timezone,
            overlap,
            catch_up,
        } = trigger
        else {
            continue;
        };
        // The definition parser validated both; an SOP that parsed cannot fail here.
        let Ok(schedule) = CronSchedule::parse(expression) else {
            continue;
        };
        let zone = timezone
            .as_deref()
            .and_then(|z| parse_timezone(z).ok())
            .unwrap_or(default_zone);
        out.push(CronTrigger {
            sop: sop.name().to_string(),
            position: i + 1,
            key: format!("{expression} {}", zone.name()),
            expression: expression.clone(),
            schedule,
            zone,
            overlap: *overlap,
            catch_up: *catch_up,
        });
    }
    out
}

impl CronTrigger {
    /// The next `n` fire times strictly after `after`.
    pub fn upcoming(&self, after: DateTime<Utc>, n: usize) -> Vec<DateTime<Tz>> {
        let mut out = Vec::with_capacity(n);
        let mut cursor = after;
        while out.len() < n {
            let Some(next) = self.schedule.next_after(cursor, self.zone) else {
                break;
            };
            cursor = next.with_timezone(&Utc);
            out.push(next);
        }
        out
    }
}

impl Service {
    /// The zone cron triggers without a `timezone` are read in.
    pub fn schedule_zone(&self) -> crate::Result<Tz> {
        scope::settings::zone(self.settings())
    }

    /// The latest decision recorded for `trigger`.
    pub fn last_fire(&self, trigger: &CronTrigger) -> crate::Result<Option<ScheduleFire>> {
        Ok(self
            .store()
            .schedule_fires(&ScheduleFireFilter {
                sop_name: Some(trigger.sop.clone()),
                trigger_key: Some(trigger.key.clone()),
                decision: None,
                limit: 1,
            })?
            .pop())
    }

    /// `sop schedule`: every cron trigger of the valid SOPs (or of `name`), its next `next`
    /// fire times after `from` (default now) and its last decision.
    pub fn schedules(
        &self,
        name: Option<&str>,
        next: usize,
        from: Option<DateTime<Utc>>,
    ) -> crate::Result<SchedulesDocument> {
        if next > MAX_NEXT {
            return Err(Error::invalid(format!(
                "--next {next} is more than {MAX_NEXT}; ask for fewer fire times"
            )));
        }
        let catalog = Catalog::open(self.settings().sop_dir())?;
        let sops: Vec<&Sop> = match name {
            Some(n) => vec![catalog.sop(n)?],
            None => catalog.sops().collect(),
        };
        let zone = self.schedule_zone()?;
        let from = from.unwrap_or_else(|| self.clock().now());
        let mut schedules = Vec::new();
        for sop in sops {
            for trigger in cron_triggers(sop, zone) {
                let upcoming = trigger.upcoming(from, next);
                let last = match self.last_fire(&trigger)? {
                    Some(fire) => Some(self.last_fire_document(fire)?),
                    None => None,
                };
                schedules.push(ScheduleEntryDocument {
                    sop: trigger.sop.clone(),
                    trigger: trigger.position,
                    expression: trigger.expression.clone(),
                    timezone: trigger.zone.name().to_string(),
                    overlap: trigger.overlap.to_string(),
                    catch_up: trigger.catch_up.to_string(),
                    next: upcoming
                        .iter()
                        .map(|t| utc_text(t.with_timezone(&Utc)))
                        .collect(),
                    next_local: upcoming
                        .iter()
                        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, false))
                        .collect(),
                    last,
                });
            }
        }
        Ok(SchedulesDocument { schedules })
    }

    fn last_fire_document(&self, fire: ScheduleFire) -> crate::Result<LastFireDocument> {
        let run_status = match &fire.run_id {
            Some(id) => match self.store().run(id) {
                Ok(run) => Some(run.status.to_string()),
                Err(sop_store::StoreError::NotFound { .. }) => None,
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        Ok(LastFireDocument {
            scheduled_at: utc_text(fire.scheduled_at),
            decision: fire.decision.to_string(),
            run: fire.run_id,
            run_status,
            recorded_at: utc_text(fire.recorded_at),
            detail: fire.detail,
        })
    }
}

fn utc_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}
