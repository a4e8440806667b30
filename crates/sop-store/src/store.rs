//! The store's interface: [`Queries`] to read, [`Tx`] to change state in one atomic transaction,
//! and [`Store`], which a backend implements.
//!
//! Every change of a run, step or gate is written inside [`Store::write`] together with its audit
//! entry, so both land or neither does. Concurrent writers are serialised by the backend, and
//! conditional updates ([`Expect`]) make a lost race an explicit [`StoreError::Conflict`]:
//! a transaction that changes a run's steps or gates should also update the run with an
//! [`Expect`] (an empty [`RunPatch`] just bumps its version), so two processes can never both
//! advance it from the same state.
//!
//! Time is always a parameter; the store never reads the clock.

use crate::error::{Result, StoreError};
use crate::ready::ReadyListener;
use crate::records::*;
use chrono::{DateTime, Utc};
use sop_core::run::RunStatus;

/// Reads, available both on the store and inside a transaction.
pub trait Queries {
    /// The run with exactly this id.
    fn run(&self, id: &str) -> Result<Run>;
    /// The run whose id is `prefix` or starts with it (case-insensitive).
    /// [`StoreError::AmbiguousPrefix`] lists the candidates when several match.
    fn find_run(&self, prefix: &str) -> Result<Run>;
    /// Runs, newest first, without their big columns.
    fn list_runs(&self, filter: &RunFilter) -> Result<Vec<RunSummary>>;
    /// [`Queries::list_runs`] after the run `before` (a page cursor: the last id of the
    /// previous page); an unknown `before` gives an empty page.
    fn list_runs_before(&self, filter: &RunFilter, before: &str) -> Result<Vec<RunSummary>>;
    /// Runs of `sop_name` not yet finished (for `concurrency`).
    fn count_active_runs(&self, sop_name: &str) -> Result<u64>;

    /// The run's steps in order.
    fn steps(&self, run_id: &str) -> Result<Vec<StepRun>>;
    fn step(&self, run_id: &str, number: u32) -> Result<StepRun>;

    fn gate(&self, gate_id: &str) -> Result<Gate>;
    /// The run's gates, by step then opening time.
    fn gates(&self, run_id: &str) -> Result<Vec<Gate>>;
    /// Every open gate of every run, soonest deadline first (for `sop pending` and expiry).
    fn open_gates(&self) -> Result<Vec<Gate>>;
    /// The soonest deadline of any open gate, read from the index alone (what a server's
    /// deadline timer sleeps until, looked up each time a run lets go of its thread).
    fn soonest_gate_expiry(&self) -> Result<Option<DateTime<Utc>>>;
    /// Decisions on one gate, oldest first.
    fn decisions(&self, gate_id: &str) -> Result<Vec<GateDecision>>;
    /// Decisions on all of a run's gates, oldest first.
    fn run_decisions(&self, run_id: &str) -> Result<Vec<GateDecision>>;
    fn tokens(&self, gate_id: &str) -> Result<Vec<ApprovalToken>>;
    /// The token stored under `hash` ([`ApprovalToken::hash_token`]), whatever its state.
    fn token_by_hash(&self, hash: &str) -> Result<Option<ApprovalToken>>;

    /// The fact, unless missing or expired at `now`. Names are case-insensitive.
    fn fact(&self, name: &str, now: DateTime<Utc>) -> Result<Option<Fact>>;
    /// Facts live at `now`, by name.
    fn facts(&self, now: DateTime<Utc>) -> Result<Vec<Fact>>;

    fn events(&self, filter: &EventFilter) -> Result<Vec<Event>>;
    /// What became of these events, by event id, then SOP name, then trigger.
    fn event_outcomes(&self, event_ids: &[u64]) -> Result<Vec<EventOutcome>>;
    /// The newest `started` outcome of this SOP's trigger (for its `cooldown`).
    fn last_event_start(&self, sop: &str, trigger: u32) -> Result<Option<EventOutcome>>;

    /// The API token stored under `hash` (SHA-256 hex of the token), whatever its state.
    fn api_token_by_hash(&self, hash: &str) -> Result<Option<ApiToken>>;
    /// Every API token, oldest first.
    fn api_tokens(&self) -> Result<Vec<ApiToken>>;
    /// The console session whose cookie hashes to `hash`, expired or not.
    fn console_session(&self, hash: &str) -> Result<Option<ConsoleSession>>;
    /// Servers not stopped whose last heartbeat is at or after `since`.
    fn live_servers(&self, since: DateTime<Utc>) -> Result<Vec<ServerBeat>>;
    /// The scheduler's decisions matching `filter`, latest tick first.
    fn schedule_fires(&self, filter: &ScheduleFireFilter) -> Result<Vec<ScheduleFire>>;
    /// The delivery recorded under `key` at or after `since`.
    fn delivery(&self, key: &str, since: DateTime<Utc>) -> Result<Option<Delivery>>;
    /// How many runs each SOP has in each status, by SOP then status.
    fn run_counts(&self) -> Result<Vec<(String, RunStatus, u64)>>;
    /// Runs a server may have to drive (pending, or active and leased), oldest first.
    fn pickup_candidates(&self, limit: u32) -> Result<Vec<PickupCandidate>>;
    /// Active runs with a deadline (their `timeout`), soonest first, at most `limit`.
    fn run_deadlines(&self, limit: u32) -> Result<Vec<RunDeadline>>;

    /// Notifications not yet sent nor given up whose due time is at or before `now`, soonest
    /// first, at most `limit`.
    fn due_notifications(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<Notification>>;
    /// Every notification of one run, or all of them, oldest first.
    fn notifications(&self, run_id: Option<&str>) -> Result<Vec<Notification>>;
    /// The attempts to send one notification, oldest first.
    fn notification_attempts(&self, id: i64) -> Result<Vec<NotificationAttempt>>;
    /// How many notifications are pending, sent and given up on.
    fn notification_counts(&self) -> Result<NotificationCounts>;

    /// The audit trail, oldest first: all of it, or one run's entries.
    fn audit_entries(&self, run_id: Option<&str>) -> Result<Vec<AuditEntry>>;
    /// The newest audit entry's sequence number, hash and time (to keep elsewhere as a
    /// checkpoint); `None` while the trail is empty.
    fn audit_head(&self) -> Result<Option<AuditCheckpoint>>;
}

/// One write transaction. Nothing is visible to others until the body returns `Ok`; an `Err`
/// rolls everything back.
pub trait Tx: Queries {
    /// Holds run `id` for this transaction before it reads to decide, so transactions that
    /// decide on the same run (people approving one gate on several nodes) take turns and each
    /// reads what the one before it committed. A store whose write transactions exclude each
    /// other already (SQLite) does nothing; an unknown id is found missing by the reads after.
    fn lock_run(&mut self, id: &str) -> Result<()>;
    /// Creates a run and its `pending` steps; the store assigns the id.
    fn insert_run(&mut self, new: &NewRun) -> Result<Run>;
    /// Applies `patch` if the run satisfies `expect`, bumping its version; otherwise
    /// [`StoreError::Conflict`] with the state found.
    fn update_run(&mut self, id: &str, expect: &Expect, patch: &RunPatch) -> Result<Run>;
    /// [`Tx::update_run`], returning only what an update can change: what a driver that holds
    /// the rest applies with [`Run::apply_state`].
    fn update_run_state(&mut self, id: &str, expect: &Expect, patch: &RunPatch)
    -> Result<RunState>;
    fn update_step(&mut self, run_id: &str, number: u32, patch: &StepPatch) -> Result<StepRun>;

    /// Takes the run's lease for `owner` until `until` if it is free, already `owner`'s, or lapsed
    /// at `now`; otherwise [`StoreError::LeaseHeld`]. Leases do not change the run's version.
    fn acquire_lease(
        &mut self,
        run_id: &str,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<LeaseGrant>;
    /// Extends `owner`'s lease; [`StoreError::LeaseHeld`] if someone else took it meanwhile,
    /// [`StoreError::Conflict`] if the lease was released.
    fn renew_lease(&mut self, run_id: &str, owner: &str, until: DateTime<Utc>) -> Result<()>;
    /// Gives the lease up; false if `owner` did not hold it.
    fn release_lease(&mut self, run_id: &str, owner: &str) -> Result<bool>;
    /// Claims the oldest `pending` run nobody holds: takes its lease for `owner` until `until`
    /// and returns its id; `None` when no run waits. Processes claiming at once each get a
    /// different run (PostgreSQL skips rows another claim has locked), never the same one.
    fn claim_pending_run(&mut self, owner: &str, until: DateTime<Utc>) -> Result<Option<String>>;
    /// Orders this transaction's decisions about `sop_name`'s active runs (a `concurrency`
    /// check, a queued run moved up) after every other writer's until it ends, so two writers
    /// never both see the same free place. Call it before counting.
    fn lock_concurrency(&mut self, sop_name: &str) -> Result<()>;
    /// The oldest `queued` run of `sop_name` (creation time, then id), locked for this
    /// transaction. On PostgreSQL a queued run another transaction is changing (cancelling) is
    /// passed over rather than waited for.
    fn next_queued_run(&mut self, sop_name: &str) -> Result<Option<Run>>;

    /// Opens a gate (status `open`); the store assigns the id.
    fn insert_gate(&mut self, new: &NewGate) -> Result<Gate>;
    /// Moves a gate from `from` to `to` (e.g. open → approved), or [`StoreError::Conflict`].
    fn update_gate_status(
        &mut self,
        gate_id: &str,
        from: GateStatus,
        to: GateStatus,
        at: DateTime<Utc>,
    ) -> Result<Gate>;
    /// Records a decision; [`StoreError::AlreadyExists`] if this actor already decided this gate.
    fn insert_decision(&mut self, decision: &GateDecision) -> Result<()>;
    fn insert_token(&mut self, token: &NewApprovalToken) -> Result<ApprovalToken>;
    /// Marks the token used at `now` if usable: [`StoreError::NotFound`] for an unknown hash,
    /// [`StoreError::Conflict`] for a used or revoked one.
    fn use_token(&mut self, hash: &str, now: DateTime<Utc>) -> Result<ApprovalToken>;
    /// Revokes the gate's unused tokens; returns how many.
    fn revoke_tokens(&mut self, gate_id: &str) -> Result<u64>;

    /// Sets (or replaces) a fact; its name is stored lower-cased. Appends `fact.set` (by
    /// `fact.set_by`, at `fact.set_at`, with the old and new value as `values` says), and
    /// `fact.expired` first if the fact it replaces had expired.
    fn set_fact(&mut self, fact: &Fact, values: FactValues) -> Result<Fact>;
    /// Removes a live fact, appending `fact.unset` by `by` at `at`; false if there was none
    /// (an expired one is removed with its `fact.expired` entry).
    fn unset_fact(
        &mut self,
        name: &str,
        by: &str,
        at: DateTime<Utc>,
        values: FactValues,
    ) -> Result<bool>;
    /// Removes the facts expired at `now`, appending `fact.expired` for each (values as
    /// `values(name)` says), and returns them.
    fn expire_facts(
        &mut self,
        now: DateTime<Utc>,
        values: &dyn Fn(&str) -> FactValues,
    ) -> Result<Vec<Fact>>;

    fn insert_event(&mut self, event: &NewEvent) -> Result<Event>;
    /// Records what became of an event for one SOP trigger; [`StoreError::AlreadyExists`] if
    /// that (event, SOP, trigger) was decided already.
    fn insert_event_outcome(&mut self, outcome: &EventOutcome) -> Result<()>;

    /// Stores a new API token; [`StoreError::AlreadyExists`] if its id or hash is taken.
    fn insert_api_token(&mut self, token: &NewApiToken) -> Result<ApiToken>;
    /// Revokes the token (kept, for the record); [`StoreError::NotFound`] for an unknown id.
    fn revoke_api_token(&mut self, id: &str, at: DateTime<Utc>) -> Result<ApiToken>;
    /// Records when the token was last used.
    fn touch_api_token(&mut self, id: &str, at: DateTime<Utc>) -> Result<()>;
    /// Stores a console session; [`StoreError::AlreadyExists`] if its hash is taken.
    fn insert_console_session(&mut self, session: &ConsoleSession) -> Result<()>;
    /// Ends the session whose cookie hashes to `hash`; whether there was one.
    fn delete_console_session(&mut self, hash: &str) -> Result<bool>;
    /// Ends the sessions expired at `now` and those signed in with the token `token_id`
    /// (`None`: only the expired); returns how many.
    fn forget_console_sessions(
        &mut self,
        now: DateTime<Utc>,
        token_id: Option<&str>,
    ) -> Result<u64>;
    /// Records (or refreshes) a server's heartbeat.
    fn server_beat(&mut self, beat: &ServerBeat) -> Result<()>;
    /// Removes the heartbeats older than `before`; returns how many.
    fn forget_servers(&mut self, before: DateTime<Utc>) -> Result<u64>;
    /// Takes the claim `name` for `owner` until `until` if nobody holds it, `owner` does (then
    /// it is renewed), or its holder's time ran out at `now`; false when another owner holds
    /// it. A claim is a duty one process of several sharing the database performs at a time
    /// (the Telegram poller); its owner renews it while it works, so one that dies lets it lapse.
    fn take_claim(
        &mut self,
        name: &str,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool>;
    /// Gives the claim `name` up, so another process may take it at once; false if `owner`
    /// did not hold it.
    fn release_claim(&mut self, name: &str, owner: &str) -> Result<bool>;
    /// Records the decision for one tick unless its fire key (SOP, trigger, scheduled time) is
    /// taken; false when another writer decided that tick already.
    fn insert_schedule_fire(&mut self, fire: &ScheduleFire) -> Result<bool>;
    /// Moves a `queued` tick, keyed by (SOP, trigger, scheduled time), to `decision`; false
    /// when the tick is not queued (another writer settled it).
    fn settle_schedule_fire(
        &mut self,
        key: (&str, &str, DateTime<Utc>),
        decision: sop_core::schedule::FireDecision,
        run_id: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<bool>;
    /// Records a delivery key and its run, replacing an older delivery of that key.
    fn insert_delivery(&mut self, delivery: &Delivery) -> Result<()>;
    /// Removes the delivery keys received before `before`; returns how many.
    fn forget_deliveries(&mut self, before: DateTime<Utc>) -> Result<u64>;

    /// Puts a message in the notification outbox; the store assigns the id.
    fn insert_notification(&mut self, new: &NewNotification) -> Result<Notification>;
    /// Takes notification `id` for one sender until `until`, if it is still due at `seen_due`
    /// (as the sender read it): its due time moves to `until`, so another sender (another
    /// node) does not take it meanwhile, and a sender that dies mid-send leaves it due again
    /// then. `false` when another sender took it first or it is no longer due as seen.
    fn claim_notification(
        &mut self,
        id: i64,
        seen_due: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool>;
    /// Records one attempt to send a notification and what it leaves: sent, due again at
    /// `next_at`, or given up. [`StoreError::NotFound`] for an unknown id.
    fn record_notification_attempt(
        &mut self,
        attempt: &NotificationAttempt,
    ) -> Result<Notification>;

    /// Appends to the audit chain, recording the store's [`AuditOrigin`] beside the actor.
    /// `event.detail` must already be redacted. An event dated before the newest entry is
    /// [`StoreError::AuditTimeReversed`]; a keyed chain written without its key is
    /// [`StoreError::AuditKeyRequired`].
    fn audit(&mut self, event: &AuditEvent) -> Result<AuditEntry>;

    /// Removes the details of runs finished before `older_than` (snapshot, variables, trigger
    /// detail, step output) and events received before it, marking runs pruned at `now`.
    /// Audit entries are kept, so the chain stays verifiable.
    fn prune(&mut self, older_than: DateTime<Utc>, now: DateTime<Utc>) -> Result<PruneReport>;
}

/// A transaction body for [`Store::write`].
pub type TxBody<'a> = dyn FnMut(&mut dyn Tx) -> Result<()> + 'a;

/// Durable state. Object-safe: the binary holds a `Box<dyn Store>`.
pub trait Store: Queries + Send + Sync {
    /// Runs `body` in one write transaction, committed durably when it returns `Ok`.
    /// Prefer [`StoreExt::transaction`], which returns a value. Inside the body, read and write
    /// through the [`Tx`] it is given: using the store itself there is an error.
    fn write(&self, body: &mut TxBody<'_>) -> Result<()>;

    /// Checks the whole audit chain, and the storage's own consistency where the backend has
    /// such a check. A broken chain is a report, not an error.
    fn verify_audit(&self) -> Result<VerifyReport> {
        self.verify_audit_with(&[])
    }

    /// [`Store::verify_audit`], also comparing the trail with checkpoints taken earlier
    /// ([`Queries::audit_head`]): a checkpointed entry that is gone or differs is a problem,
    /// which catches a trail rewritten, truncated or replaced consistently.
    fn verify_audit_with(&self, checkpoints: &[AuditCheckpoint]) -> Result<VerifyReport>;

    /// Where the data lives, for messages (`sqlite:/path/sop.db`).
    fn describe(&self) -> String;

    /// A listener that wakes when a run may have become ready to pick up (`pending` with no
    /// lease), for a server that waits for work; see [`ReadyListener`].
    fn ready_listener(&self) -> Result<Box<dyn ReadyListener>>;

    /// Takes the upkeep of the write-ahead log off the commits of this handle: they no longer
    /// copy the log into the database themselves (unless it grows far beyond its usual size),
    /// and the caller runs [`Store::checkpoint`] from a thread of its own. For a long-lived
    /// process (the server), whose requests and ticks must not wait for that copy and its
    /// flush. Nothing to do where the backend keeps no such log.
    fn defer_checkpoints(&self) -> Result<()> {
        Ok(())
    }

    /// Copies what the write-ahead log holds into the database, without holding up writers
    /// (see [`Store::defer_checkpoints`]). Nothing to do where the backend keeps no such log.
    fn checkpoint(&self) -> Result<()> {
        Ok(())
    }

    /// How many write transactions this handle has committed: a caller running
    /// [`Store::checkpoint`] itself waits for a pause in them. Always 0 where the backend keeps
    /// no such log.
    fn commits(&self) -> u64 {
        0
    }
}

/// Conveniences over any [`Store`].
pub trait StoreExt: Store {
    /// Runs `body` in one write transaction and returns its value.
    fn transaction<T>(&self, mut body: impl FnMut(&mut dyn Tx) -> Result<T>) -> Result<T> {
        let mut out = None;
        self.write(&mut |tx| {
            out = Some(body(tx)?);
            Ok(())
        })?;
        out.ok_or_else(|| StoreError::corrupt("a committed transaction returned no value"))
    }

    /// Appends one audit entry on its own (for events that change no state).
    fn append_audit(&self, event: &AuditEvent) -> Result<AuditEntry> {
        self.transaction(|tx| tx.audit(event))
    }
}

impl<S: Store + ?Sized> StoreExt for S {}
