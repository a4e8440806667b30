//! A PostgreSQL write transaction seen through the [`Tx`] trait.
//!
//! Fact changes lock the audit chain's head before they read the fact, so two nodes changing
//! one fact are serialised like SQLite's writers and each entry names the value it replaced.

use super::conn::Conn;
use super::{
    api_token_sql, audit_sql, claim_sql, console_session_sql, delivery_sql, event_sql, fact_sql,
    gate_sql, lease_sql, notification_sql, pickup_sql, prune_sql, queue_sql, run_sql, schedule_sql,
    server_sql, step_sql,
};
use crate::audit_chain::append::{AuditSettings, ChainHead};
use crate::error::Result;
use crate::records::fact_change;
use crate::records::*;
use crate::store::Tx;
use chrono::{DateTime, Utc};
use std::cell::RefCell;

/// Borrowed from an open transaction on one pooled connection.
pub struct PostgresTx<'a> {
    /// In a cell because reads take `&self` and a PostgreSQL client needs `&mut` for any query.
    conn: RefCell<&'a mut Conn>,
    audit: &'a AuditSettings,
    /// The audit chain's head, locked and read at the first append and written back by
    /// [`PostgresTx::finish`].
    head: Option<ChainHead>,
}

impl<'a> PostgresTx<'a> {
    pub(super) fn new(conn: &'a mut Conn, audit: &'a AuditSettings) -> Self {
        PostgresTx {
            conn: RefCell::new(conn),
            audit,
            head: None,
        }
    }

    pub(super) fn with<T>(&self, f: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
        f(&mut self.conn.borrow_mut())
    }

    fn conn(&mut self) -> &mut Conn {
        self.conn.get_mut()
    }

    /// Writes what the body left pending (the audit head); call before committing.
    pub(super) fn finish(mut self) -> Result<()> {
        match self.head.take() {
            Some(head) => audit_sql::store_head(self.conn(), &head),
            None => Ok(()),
        }
    }

    /// Locks the chain's head for the rest of the transaction.
    fn lock_head(&mut self) -> Result<()> {
        if self.head.is_none() {
            self.head = Some(audit_sql::load_head(self.conn.get_mut())?);
        }
        Ok(())
    }

    fn append(&mut self, event: &AuditEvent) -> Result<AuditEntry> {
        self.lock_head()?;
        let head = self.head.as_mut().expect("locked above");
        audit_sql::append(self.conn.get_mut(), head, self.audit, event)
    }

    /// The fact if live at `now`; an expired one is removed here with its `fact.expired` entry.
    fn live_fact(
        &mut self,
        name: &str,
        now: DateTime<Utc>,
        values: FactValues,
    ) -> Result<Option<Fact>> {
        self.lock_head()?;
        match fact_sql::get_any(self.conn(), name)? {
            Some(fact) if !fact.is_live(now) => {
                fact_sql::unset(self.conn(), name)?;
                self.append(&fact_change::expired_event(&fact, now, values))?;
                Ok(None)
            }
            other => Ok(other),
        }
    }
}

super::queries::impl_queries!(PostgresTx<'_>);

impl Tx for PostgresTx<'_> {
    fn insert_run(&mut self, new: &NewRun) -> Result<Run> {
        run_sql::insert(self.conn(), new)
    }
    fn update_run(&mut self, id: &str, expect: &Expect, patch: &RunPatch) -> Result<Run> {
        run_sql::update(self.conn(), id, expect, patch)
    }
    fn update_run_state(
        &mut self,
        id: &str,
        expect: &Expect,
        patch: &RunPatch,
    ) -> Result<RunState> {
        run_sql::update_state(self.conn(), id, expect, patch)
    }
    fn update_step(&mut self, run_id: &str, number: u32, patch: &StepPatch) -> Result<StepRun> {
        step_sql::update(self.conn(), run_id, number, patch)
    }
    fn lock_run(&mut self, id: &str) -> Result<()> {
        lease_sql::lock_run(self.conn(), id)
    }
    fn acquire_lease(
        &mut self,
        run_id: &str,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<LeaseGrant> {
        lease_sql::acquire(self.conn(), run_id, owner, now, until)
    }
    fn renew_lease(&mut self, run_id: &str, owner: &str, until: DateTime<Utc>) -> Result<()> {
        lease_sql::renew(self.conn(), run_id, owner, until)
    }
    fn release_lease(&mut self, run_id: &str, owner: &str) -> Result<bool> {
        lease_sql::release(self.conn(), run_id, owner)
    }
    fn claim_pending_run(&mut self, owner: &str, until: DateTime<Utc>) -> Result<Option<String>> {
        pickup_sql::claim(self.conn(), owner, until)
    }
    fn lock_concurrency(&mut self, _sop_name: &str) -> Result<()> {
        // The audit head is the lock every transaction that changes a run takes before it
        // commits: taking it first orders this decision after every other writer's, and never
        // waits for it while holding a lock that writer wants (no deadlock with the chain).
        self.lock_head()
    }
    fn next_queued_run(&mut self, sop_name: &str) -> Result<Option<Run>> {
        queue_sql::next_queued(self.conn(), sop_name)
    }
    fn insert_gate(&mut self, new: &NewGate) -> Result<Gate> {
        gate_sql::insert(self.conn(), new)
    }
    fn update_gate_status(
        &mut self,
        gate_id: &str,
        from: GateStatus,
        to: GateStatus,
        at: DateTime<Utc>,
    ) -> Result<Gate> {
        gate_sql::update_status(self.conn(), gate_id, from, to, at)
    }
    fn insert_decision(&mut self, decision: &GateDecision) -> Result<()> {
        gate_sql::insert_decision(self.conn(), decision)
    }
    fn insert_token(&mut self, token: &NewApprovalToken) -> Result<ApprovalToken> {
        gate_sql::insert_token(self.conn(), token)
    }
    fn use_token(&mut self, hash: &str, now: DateTime<Utc>) -> Result<ApprovalToken> {
        gate_sql::use_token(self.conn(), hash, now)
    }
    fn revoke_tokens(&mut self, gate_id: &str) -> Result<u64> {
        gate_sql::revoke_tokens(self.conn(), gate_id)
    }
    fn insert_api_token(&mut self, token: &NewApiToken) -> Result<ApiToken> {
        api_token_sql::insert(self.conn(), token)
    }
    fn revoke_api_token(&mut self, id: &str, at: DateTime<Utc>) -> Result<ApiToken> {
        api_token_sql::revoke(self.conn(), id, at)
    }
    fn touch_api_token(&mut self, id: &str, at: DateTime<Utc>) -> Result<()> {
        api_token_sql::touch(self.conn(), id, at)
    }
    fn insert_notification(&mut self, new: &NewNotification) -> Result<Notification> {
        notification_sql::insert(self.conn(), new)
    }
    fn claim_notification(
        &mut self,
        id: i64,
        seen_due: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool> {
        notification_sql::claim(self.conn(), id, seen_due, until)
    }
    fn record_notification_attempt(
        &mut self,
        attempt: &NotificationAttempt,
    ) -> Result<Notification> {
        notification_sql::record(self.conn(), attempt)
    }
    fn insert_console_session(&mut self, session: &ConsoleSession) -> Result<()> {
        console_session_sql::insert(self.conn(), session)
    }
    fn delete_console_session(&mut self, hash: &str) -> Result<bool> {
        console_session_sql::delete(self.conn(), hash)
    }
    fn forget_console_sessions(
        &mut self,
        now: DateTime<Utc>,
        token_id: Option<&str>,
    ) -> Result<u64> {
        console_session_sql::forget(self.conn(), now, token_id)
    }
    fn server_beat(&mut self, beat: &ServerBeat) -> Result<()> {
        server_sql::beat(self.conn(), beat)
    }
    fn forget_servers(&mut self, before: DateTime<Utc>) -> Result<u64> {
        server_sql::forget(self.conn(), before)
    }
    fn take_claim(
        &mut self,
        name: &str,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool> {
        claim_sql::take(self.conn(), name, owner, now, until)
    }
    fn release_claim(&mut self, name: &str, owner: &str) -> Result<bool> {
        claim_sql::release(self.conn(), name, owner)
    }
    fn insert_schedule_fire(&mut self, fire: &ScheduleFire) -> Result<bool> {
        schedule_sql::insert(self.conn(), fire)
    }
    fn settle_schedule_fire(
        &mut self,
        key: (&str, &str, DateTime<Utc>),
        decision: sop_core::schedule::FireDecision,
        run_id: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        schedule_sql::settle(self.conn(), key, decision, run_id, at)
    }
    fn insert_delivery(&mut self, delivery: &Delivery) -> Result<()> {
        delivery_sql::put(self.conn(), delivery)
    }
    fn forget_deliveries(&mut self, before: DateTime<Utc>) -> Result<u64> {
        delivery_sql::forget(self.conn(), before)
    }
    fn set_fact(&mut self, fact: &Fact, values: FactValues) -> Result<Fact> {
        let old = self.live_fact(&fact.name, fact.set_at, values)?;
        let saved = fact_sql::set(self.conn(), fact)?;
        self.append(&fact_change::set_event(old.as_ref(), &saved, values))?;
        Ok(saved)
    }
    fn unset_fact(
        &mut self,
        name: &str,
        by: &str,
        at: DateTime<Utc>,
        values: FactValues,
    ) -> Result<bool> {
        let Some(old) = self.live_fact(name, at, values)? else {
            return Ok(false);
        };
        fact_sql::unset(self.conn(), name)?;
        self.append(&fact_change::unset_event(&old, by, at, values))?;
        Ok(true)
    }
    fn expire_facts(
        &mut self,
        now: DateTime<Utc>,
        values: &dyn Fn(&str) -> FactValues,
    ) -> Result<Vec<Fact>> {
        self.lock_head()?;
        let expired = fact_sql::take_expired(self.conn(), now)?;
        for fact in &expired {
            self.append(&fact_change::expired_event(fact, now, values(&fact.name)))?;
        }
        Ok(expired)
    }
    fn insert_event(&mut self, event: &NewEvent) -> Result<Event> {
        event_sql::insert(self.conn(), event)
    }
    fn insert_event_outcome(&mut self, outcome: &EventOutcome) -> Result<()> {
        event_sql::insert_outcome(self.conn(), outcome)
    }
    fn audit(&mut self, event: &AuditEvent) -> Result<AuditEntry> {
        self.append(event)
    }
    fn prune(&mut self, older_than: DateTime<Utc>, now: DateTime<Utc>) -> Result<PruneReport> {
        prune_sql::prune(self.conn(), older_than, now)
    }
}
