//! The one integration-test binary: runs the real `sop` binary against throwaway SOP dirs.

mod support;

mod approvals;
mod check;
mod check_at;
mod eval;
mod fact;
mod list;
mod show;
mod smoke;
mod execute;
mod run_support;
mod audit;
mod recovery;
mod run_control;
