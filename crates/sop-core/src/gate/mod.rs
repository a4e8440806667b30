//! Approval gates: execution-mode resolution, the gate plan, who may decide, quorum, expiry and
//! the pure rules of approval tokens.
//!
//! Everything here is a function of values: the SOP's metadata, who is on call and which groups
//! exist at the instant of the question, the gate's recorded decisions and `now`. The binary
//! gathers those values, calls in, and persists what comes out.

mod gate_status;

pub use gate_status::{GateStatus, Verdict, gate_label};
