//! The one [`crate::Queries`] implementation, shared by the store (reading through a pooled
//! connection) and a transaction (reading through its own).

/// Implements [`crate::Queries`] for a type with a `with(|conn| ...)` method.
macro_rules! impl_queries {
    ($ty:ty) => {
        impl $crate::store::Queries for $ty {
            fn run(&self, id: &str) -> Result<Run> {
                self.with(|c| super::run_sql::get(c, id))
            }
            fn find_run(&self, prefix: &str) -> Result<Run> {
                self.with(|c| super::run_sql::find(c, prefix))
            }
            fn list_runs(&self, filter: &RunFilter) -> Result<Vec<RunSummary>> {
                self.with(|c| super::run_sql::list(c, filter))
            }
            fn list_runs_before(
                &self,
                filter: &RunFilter,
                before: &str,
            ) -> Result<Vec<RunSummary>> {
                self.with(|c| super::run_sql::list_page(c, filter, Some(before)))
            }
            fn api_token_by_hash(&self, hash: &str) -> Result<Option<ApiToken>> {
                self.with(|c| super::api_token_sql::by_hash(c, hash))
            }
            fn api_tokens(&self) -> Result<Vec<ApiToken>> {
                self.with(super::api_token_sql::list)
            }
            fn console_session(&self, hash: &str) -> Result<Option<ConsoleSession>> {
                self.with(|c| super::console_session_sql::by_hash(c, hash))
            }
            fn live_servers(
                &self,
                since: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<ServerBeat>> {
                self.with(|c| super::server_sql::live(c, since))
            }
            fn schedule_fires(&self, filter: &ScheduleFireFilter) -> Result<Vec<ScheduleFire>> {
                self.with(|c| super::schedule_sql::list(c, filter))
            }
            fn delivery(
                &self,
                key: &str,
                since: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<Delivery>> {
                self.with(|c| super::delivery_sql::get(c, key, since))
            }
            fn due_notifications(
                &self,
                now: chrono::DateTime<chrono::Utc>,
                limit: u32,
            ) -> Result<Vec<Notification>> {
                self.with(|c| super::notification_sql::due(c, now, limit))
            }
            fn notifications(&self, run_id: Option<&str>) -> Result<Vec<Notification>> {
                self.with(|c| super::notification_sql::of_run(c, run_id))
            }
            fn notification_attempts(&self, id: i64) -> Result<Vec<NotificationAttempt>> {
                self.with(|c| super::notification_sql::attempts(c, id))
            }
            fn notification_counts(&self) -> Result<NotificationCounts> {
                self.with(super::notification_sql::counts)
            }
            fn run_counts(&self) -> Result<Vec<(String, sop_core::run::RunStatus, u64)>> {
                self.with(super::pickup_sql::counts)
            }
            fn pickup_candidates(&self, limit: u32) -> Result<Vec<PickupCandidate>> {
                self.with(|c| super::pickup_sql::candidates(c, limit))
            }
            fn run_deadlines(&self, limit: u32) -> Result<Vec<RunDeadline>> {
                self.with(|c| super::deadline_sql::soonest(c, limit))
            }
            fn count_active_runs(&self, sop_name: &str) -> Result<u64> {
                self.with(|c| super::run_sql::count_active(c, sop_name))
            }
            fn steps(&self, run_id: &str) -> Result<Vec<StepRun>> {
                self.with(|c| super::step_sql::list(c, run_id))
            }
            fn step(&self, run_id: &str, number: u32) -> Result<StepRun> {
                self.with(|c| super::step_sql::get(c, run_id, number))
            }
            fn gate(&self, gate_id: &str) -> Result<Gate> {
                self.with(|c| super::gate_sql::get(c, gate_id))
            }
            fn gates(&self, run_id: &str) -> Result<Vec<Gate>> {
                self.with(|c| super::gate_sql::of_run(c, run_id))
            }
            fn open_gates(&self) -> Result<Vec<Gate>> {
                self.with(super::gate_sql::open)
            }
            fn soonest_gate_expiry(&self) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
                self.with(super::gate_sql::soonest_expiry)
            }
            fn decisions(&self, gate_id: &str) -> Result<Vec<GateDecision>> {
                self.with(|c| super::gate_sql::decisions(c, gate_id))
            }
            fn run_decisions(&self, run_id: &str) -> Result<Vec<GateDecision>> {
                self.with(|c| super::gate_sql::run_decisions(c, run_id))
            }
            fn tokens(&self, gate_id: &str) -> Result<Vec<ApprovalToken>> {
                self.with(|c| super::gate_sql::tokens(c, gate_id))
            }
            fn token_by_hash(&self, hash: &str) -> Result<Option<ApprovalToken>> {
                self.with(|c| super::gate_sql::token_by_hash(c, hash))
            }
            fn fact(&self, name: &str, now: chrono::DateTime<chrono::Utc>) -> Result<Option<Fact>> {
                self.with(|c| super::fact_sql::get(c, name, now))
            }
            fn facts(&self, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<Fact>> {
                self.with(|c| super::fact_sql::list(c, now))
            }
            fn events(&self, filter: &EventFilter) -> Result<Vec<Event>> {
                self.with(|c| super::event_sql::list(c, filter))
            }
            fn event_outcomes(&self, event_ids: &[u64]) -> Result<Vec<EventOutcome>> {
                self.with(|c| super::event_sql::outcomes(c, event_ids))
            }
            fn last_event_start(&self, sop: &str, trigger: u32) -> Result<Option<EventOutcome>> {
                self.with(|c| super::event_sql::last_start(c, sop, trigger))
            }
            fn audit_entries(&self, run_id: Option<&str>) -> Result<Vec<AuditEntry>> {
                self.with(|c| super::audit_sql::entries(c, run_id))
            }
            fn audit_head(&self) -> Result<Option<AuditCheckpoint>> {
                self.with(super::audit_sql::head_checkpoint)
            }
        }
    };
}
pub(crate) use impl_queries;
