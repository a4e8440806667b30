//! The records the store keeps. They serialise with serde and are used as they are by `--json`.

mod api_token;
mod approval_token;
mod audit;
mod audit_checkpoint;
mod audit_origin;
mod audit_verify;
mod console_session;
mod delivery;
mod event;
mod event_outcome;
mod fact;
pub(crate) mod fact_change;
mod gate;
mod lease;
mod lossy_bytes;
mod notification;
mod pickup;
mod prune;
mod run;
mod run_change;
mod run_deadline;
mod run_state;
mod schedule_fire;
mod server_beat;
mod step_run;

pub use api_token::{ApiToken, NewApiToken};
pub use approval_token::{ApprovalToken, NewApprovalToken};
pub use audit::{AuditEntry, AuditEvent};
pub use audit_checkpoint::AuditCheckpoint;
pub use audit_origin::AuditOrigin;
pub use audit_verify::{AuditProblem, AuditProblemKind, VerifyReport};
pub use console_session::ConsoleSession;
pub use delivery::Delivery;
pub use event::{Event, EventFilter, NewEvent};
pub use event_outcome::{EventOutcome, EventOutcomeKind};
pub use fact::Fact;
pub use fact_change::{FactValues, REDACTED};
pub use gate::{Choice, Gate, GateDecision, GateStatus, GateTimeoutAction, NewGate};
pub use lease::LeaseGrant;
pub use notification::{
    AttemptOutcome, NewNotification, Notification, NotificationAttempt, NotificationCounts,
};
pub use pickup::PickupCandidate;
pub use prune::PruneReport;
pub use run::{NewRun, NewStep, Run, RunSummary};
pub use run_change::{Expect, RunFilter, RunPatch};
pub use run_deadline::RunDeadline;
pub use run_state::RunState;
pub use schedule_fire::{ScheduleFire, ScheduleFireFilter};
pub use server_beat::ServerBeat;
pub use step_run::{OUTPUT_TAIL_LIMIT, StepOutput, StepPatch, StepRun};
