//! The one integration-test binary: runs the real `sop` binary against throwaway SOP dirs.

mod support;

mod approvals;
mod audit;
mod audit_evidence;
mod check;
mod check_at;
mod eval;
mod execute;
mod fact;
mod hardening;
mod json_contract;
mod list;
mod live;
mod postgres;
mod recovery;
mod run_control;
mod run_support;
mod show;
mod smoke;
mod step_conditions;
