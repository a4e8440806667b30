//! The audit trail through the operations surface: entries (all, or one run's) with secret
//! values in their details hidden, and the verification of the chain.

use super::Service;
use crate::engine::redact;
use sop_store::{AuditEntry, VerifyReport};

impl Service {
    /// The audit trail, oldest first: all of it, or the entries of run `run_id`.
    pub fn audit_entries(&self, run_id: Option<&str>) -> crate::Result<Vec<AuditEntry>> {
        let mut entries = self.store().audit_entries(run_id)?;
        for e in &mut entries {
            e.detail = redact::redact(&e.detail);
        }
        Ok(entries)
    }

    /// Checks the whole chain; a broken chain is a report, not an error.
    pub fn verify_audit(&self) -> crate::Result<VerifyReport> {
        Ok(self.store().verify_audit()?)
    }
}
