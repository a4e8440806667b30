//! The prompt `run_sop`: walks an agent through one run — start, then next, do, complete —
//! and says what to do at a gate.

use rmcp::ErrorData as McpError;
use rmcp::model::{
    GetPromptRequestParams, GetPromptResult, Prompt, PromptArgument, PromptMessage, Role,
};

pub const NAME: &str = "run_sop";

pub fn run_sop() -> Prompt {
    Prompt::new(
        NAME,
        Some("Run one SOP step by step: start it, then read the next step, do it, report it."),
        Some(vec![
            PromptArgument::new("sop")
                .with_description("The SOP to run (list_sops lists them).")
                .with_required(true),
            PromptArgument::new("variables")
                .with_description(
                    "The run's variables as a JSON object, e.g. {\"service\": \"api\"}.",
                )
                .with_required(false),
        ]),
    )
}

pub fn get(request: &GetPromptRequestParams) -> Result<GetPromptResult, McpError> {
    if request.name != NAME {
        return Err(McpError::invalid_params(
            format!("no prompt named `{}`; the prompt is `{NAME}`", request.name),
            None,
        ));
    }
    let arg = |key: &str| {
        request
            .arguments
            .as_ref()
            .and_then(|a| a.get(key))
            .and_then(|v| {
                v.as_str()
                    .map(str::to_string)
                    .or_else(|| Some(v.to_string()))
            })
    };
    let Some(sop) = arg("sop").filter(|s| !s.trim().is_empty()) else {
        return Err(McpError::invalid_params(
            "the argument `sop` is required",
            None,
        ));
    };
    let variables = arg("variables").unwrap_or_else(|| "{}".to_string());
    // Copied into calls the agent makes: what is not an object would only fail there, later.
    if !serde_json::from_str::<serde_json::Value>(&variables).is_ok_and(|v| v.is_object()) {
        return Err(McpError::invalid_params(
            format!(
                "the argument `variables` must be a JSON object, e.g. {{\"service\": \"api\"}}; got {variables}"
            ),
            None,
        ));
    }
    Ok(GetPromptResult::new(vec![PromptMessage::new_text(
        Role::User,
        instructions(&sop, &variables),
    )])
    .with_description(format!("Run the SOP `{sop}`")))
}

fn instructions(sop: &str, variables: &str) -> String {
    format!(
        "Run the standard operating procedure `{sop}` with the sop tools.\n\
         \n\
         1. Call show_sop with name \"{sop}\" and read its steps. Call plan_run with sop \"{sop}\" \
         and variables {variables}: if would_start is false, report missing_variables or the \
         conditions that do not hold, and stop.\n\
         2. Call start_run with the same arguments. It returns the run document once the run \
         finishes, waits, or 30 seconds pass; note its id.\n\
         3. Loop: call next_step with the run id, and act on waiting_for:\n\
            - \"person\": do what step.description and step.checklist say (commands are there \
         to read, not to run blindly). Then call complete_step with a note saying what you did \
         and any outputs; if it cannot be done, call complete_step with failed true and a note \
         saying why.\n\
            - \"approval\": a person must decide the gate. Tell your user what gate.waiting_for \
         says and who may approve. Call decide_gate yourself only when your user asked you to \
         and may decide it; the server refuses what the user may not (four-eyes: whoever \
         started a high or critical run cannot approve it).\n\
            - \"engine\": steps are running; call run_status after a while.\n\
            - \"decision\": a step failed; report the step's output_tail and exit_code to your \
         user, who decides: call retry_step to run it again or skip_step (with the reason) to \
         go on without it, as they say.\n\
            - \"resume\": the run is paused; tell your user, and call resume_run when they \
         say so.\n\
            - null: the run is finished; report its status.\n\
         4. Never invent outputs or claim a step done that was not done: the audit trail \
         records everything you report, under your user's name."
    )
}
