//! The one integration-test binary: runs the real `sop` binary against throwaway SOP dirs.

mod support;

mod approvals;
mod audit;
mod audit_evidence;
mod check;
mod check_at;
mod cleanup;
mod eval;
mod execute;
mod fact;
mod hardening;
mod json_contract;
mod json_schemas;
mod list;
mod live;
mod mcp;
mod mcp_client;
mod orphans;
mod overlap;
mod parameters;
mod postgres;
mod recovery;
mod run_control;
mod run_support;
mod show;
mod skill;
mod smoke;
mod spec_use_cases;
mod step_conditions;
mod template_guard;
