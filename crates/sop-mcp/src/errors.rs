//! An operation's error as an MCP tool error (`isError: true`): its kind, message and hint, and
//! what to do about it in terms of this server's tools. Never a protocol error: the agent
//! reads it and can correct itself.

use rmcp::model::{CallToolResult, ContentBlock};
use sop_engine::{Error, Remedy};

pub fn tool_error(e: &Error) -> CallToolResult {
    let mut text = format!("{}: {}", e.kind.as_str(), e.message);
    if let Some(hint) = &e.hint {
        text.push_str(&format!("\nhint: {hint}"));
    }
    if let Some(remedy) = &e.remedy {
        text.push_str(&format!("\nhint: {}", remedy_text(remedy)));
    }
    CallToolResult::error(vec![ContentBlock::text(text)])
}

/// Arguments that do not match the tool's input schema.
pub fn bad_arguments(tool: &str, why: &str) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(format!(
        "invalid: the arguments do not match the input schema of `{tool}`: {why}"
    ))])
}

fn remedy_text(r: &Remedy) -> String {
    match r {
        Remedy::ListSops => "call list_sops to see the available SOPs".into(),
        Remedy::ListRuns => "call list_runs to see recent runs".into(),
        Remedy::CheckSop { name } => {
            format!("fix the SOP's files, then call check_sops with names [\"{name}\"]")
        }
        Remedy::WaitOrCancel => {
            "wait for the active run to finish, or stop it with cancel_run".into()
        }
    }
}
