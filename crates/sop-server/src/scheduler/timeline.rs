//! Where the scheduler is with each trigger: the last tick it handled, from which the next due
//! ticks are searched. A trigger first seen starts from the latest decision the store holds
//! (so ticks missed while no server ran are found), or from now when it never fired.

use chrono::{DateTime, Utc};
use std::collections::HashMap;

#[derive(Default)]
pub struct Timeline {
    cursors: HashMap<(String, String), DateTime<Utc>>,
}

impl Timeline {
    /// The last tick handled of the trigger `key` of `sop`, from `first` when it is new.
    pub fn cursor(
        &mut self,
        sop: &str,
        key: &str,
        first: impl FnOnce() -> DateTime<Utc>,
    ) -> DateTime<Utc> {
        *self
            .cursors
            .entry((sop.to_string(), key.to_string()))
            .or_insert_with(first)
    }

    pub fn advance(&mut self, sop: &str, key: &str, to: DateTime<Utc>) {
        let cursor = self
            .cursors
            .entry((sop.to_string(), key.to_string()))
            .or_insert(to);
        if to > *cursor {
            *cursor = to;
        }
    }

    /// Forgets triggers no longer served, so one that comes back starts again from the store.
    pub fn keep_only(&mut self, live: &[(String, String)]) {
        self.cursors.retain(|k, _| live.contains(k));
    }
}
