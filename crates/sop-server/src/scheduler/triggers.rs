//! The cron triggers of the SOPs served, kept per served version: a trigger's expression is
//! parsed again only when its SOP's version (or the default zone) changes, not on every wake.

use sop_engine::catalog::GoodVersion;
use sop_engine::ops::{CronTrigger, cron_triggers};
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Default)]
pub struct TriggerCache {
    by_sop: HashMap<String, Entry>,
}

struct Entry {
    version: Arc<GoodVersion>,
    zone: chrono_tz::Tz,
    triggers: Arc<[CronTrigger]>,
}

impl TriggerCache {
    /// Every cron trigger of `serving`, in `zone` where a trigger names none.
    pub fn triggers(
        &mut self,
        serving: &[Arc<GoodVersion>],
        zone: chrono_tz::Tz,
    ) -> Vec<Arc<[CronTrigger]>> {
        let mut out = Vec::with_capacity(serving.len());
        let mut next = HashMap::with_capacity(serving.len());
        for version in serving {
            let name = version.sop.name().to_string();
            let entry = match self.by_sop.remove(&name) {
                Some(e) if Arc::ptr_eq(&e.version, version) && e.zone == zone => e,
                _ => Entry {
                    version: version.clone(),
                    zone,
                    triggers: cron_triggers(&version.sop, zone).into(),
                },
            };
            if !entry.triggers.is_empty() {
                out.push(entry.triggers.clone());
            }
            next.insert(name, entry);
        }
        // SOPs no longer served are forgotten with their versions.
        self.by_sop = next;
        out
    }
}
