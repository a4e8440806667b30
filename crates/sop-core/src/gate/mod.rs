//! Approval gates: execution-mode resolution, the gate plan, who may decide, quorum, expiry and
//! the pure rules of approval tokens.
//!
//! Everything here is a function of values: the SOP's metadata, who is on call and which groups
//! exist at the instant of the question, the gate's recorded decisions and `now`. The binary
//! gathers those values, calls in, and persists what comes out.
//!
//! - [`GatePlan::for_sop`] — the resolved mode and which steps are gated (step 0 = before the
//!   run starts, the supervised gate).
//! - [`GatePolicy::from_meta`] + [`Authority::new`] — who may decide at an instant.
//! - [`open_gate`] — deadline, quorum and tokens of a gate being opened.
//! - [`decide`] — a decision on a recorded gate at `now` → [`GateOutcome`] or a [`GateError`].
//! - [`GateView::expiry`] — whether an open gate has failed closed at `now`.
//! - [`check_token`] — whether a presented token may decide a gate, and as whom.
//! - [`parse_groups_file`], [`parse_groups_env`] — the approver groups' two sources, as text.

mod approver;
mod authority;
mod choice;
mod gate_error;
mod gate_plan;
mod gate_status;
mod gate_view;
mod groups;
mod groups_env;
mod groups_file;
mod open;
mod policy;
mod priority_modes;
mod resolution;
mod token;
mod vote;

pub use approver::{Approver, ApproverError, ON_CALL, is_valid_name};
pub use authority::{Authority, Roster};
pub use choice::Choice;
pub use gate_error::GateError;
pub use gate_plan::{GatePlan, GateReason, PlannedGate};
pub use gate_status::{GateStatus, gate_label};
pub use gate_view::{DecisionRecord, GateView};
pub use groups::Groups;
pub use groups_env::parse_groups_env;
pub use groups_file::parse_groups_file;
pub use open::{NewGate, open_gate};
pub use policy::GatePolicy;
pub use priority_modes::{PriorityModes, PriorityModesError, ResolvedMode};
pub use resolution::ModeResolution;
pub use token::{TokenHolder, TokenView, check_token, token_grants};
pub use vote::{GateOutcome, Vote, count_vote, select_gate};
