//! The one integration-test binary: runs the real `sop` binary against throwaway SOP dirs.

mod openapi_check;
mod serving;
mod support;

mod api;
mod api_auth;
mod approvals;
mod audit;
mod bad_input;
mod check;
mod check_at;
mod eval;
mod execute;
mod fact;
mod json_contract;
mod list;
mod live;
mod recovery;
mod run_control;
mod run_support;
mod serve;
mod show;
mod smoke;
mod step_conditions;
mod webhooks;
