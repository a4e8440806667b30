//! The audit trail through the operations surface: entries (all, or one run's) with secret
//! values in their details hidden, the verification of the chain, and pruning old runs.

use super::{Caller, Service};
use crate::engine::redact;
use sop_store::{AuditCheckpoint, AuditEntry, StoreExt, VerifyReport};

impl Service {
    /// The audit trail, oldest first: all of it, or the entries of run `run_id`.
    pub fn audit_entries(&self, run_id: Option<&str>) -> crate::Result<Vec<AuditEntry>> {
        let mut entries = self.store().audit_entries(run_id)?;
        for e in &mut entries {
            e.detail = redact::redact_written(&e.detail);
        }
        Ok(entries)
    }

    /// Checks the whole chain; a broken chain is a report, not an error.
    pub fn verify_audit(&self) -> crate::Result<VerifyReport> {
        Ok(self.store().verify_audit()?)
    }

    /// Checks the whole chain and that each of `checkpoints` (heads recorded earlier, kept
    /// away from the database) still matches its entry.
    pub fn verify_audit_against(
        &self,
        checkpoints: &[AuditCheckpoint],
    ) -> crate::Result<VerifyReport> {
        Ok(self.store().verify_audit_with(checkpoints)?)
    }

    /// The newest entry's sequence number, hash and time; `None` while the trail is empty.
    pub fn audit_head(&self) -> crate::Result<Option<AuditCheckpoint>> {
        Ok(self.store().audit_head()?)
    }
}

impl Service {
    /// Removes the details of runs that finished more than `age` ago (their audit entries stay,
    /// so the trail remains verifiable), and records that it did. Returns the report and the
    /// cutoff instant.
    pub fn prune(
        &self,
        caller: &Caller,
        age: sop_core::Duration,
    ) -> crate::Result<(sop_store::PruneReport, chrono::DateTime<chrono::Utc>)> {
        let now = self.clock().now();
        let cutoff = now - age.as_chrono();
        let report = self.store().transaction(|tx| {
            let report = tx.prune(cutoff, now)?;
            tx.audit(&sop_store::AuditEvent::new(
                now,
                None,
                caller.actor.as_str(),
                "store.pruned",
                serde_json::json!({"older_than": age.to_string(), "cutoff": cutoff, "report": report}),
            ))?;
            Ok(report)
        })?;
        Ok((report, cutoff))
    }
}
