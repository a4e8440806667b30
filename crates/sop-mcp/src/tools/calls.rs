//! One call of one tool: read the arguments against its type, call the operation, return its
//! document as structured content (and as JSON text, for clients that only read text).

use super::{PendingList, RunList};
use crate::args::*;
use crate::bounded::{self, Background};
use crate::errors::{bad_arguments, tool_error};
use crate::identity::Identity;
use rmcp::model::{CallToolResult, JsonObject};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sop_engine::Service;
use sop_engine::documents::{
    EventDocument, FactDocument, NextStepDocument, PlanDocument, RunDocument,
};
use sop_engine::engine::Tracked;
use sop_engine::ops::{
    EmitRequest, GateDecision, GateRequest, LeavePending, RunRecord, StartRequest, StepCompletion,
};
use sop_store::RunFilter;

/// The default number of runs `list_runs` gives.
const DEFAULT_RUN_LIMIT: u32 = 20;

/// Calls the tool `name`; `None` when there is no such tool.
pub async fn call(
    service: &Service,
    who: &Identity,
    background: &Background,
    name: &str,
    args: Option<JsonObject>,
) -> Option<CallToolResult> {
    let args = serde_json::Value::Object(args.unwrap_or_default());
    let s = service;
    Some(match name {
        "list_sops" => {
            with::<NoArgs, _, _>(name, args, async |_| {
                bounded::blocking(s, who, |s, _| s.list_sops()).await
            })
            .await
        }
        "show_sop" => {
            with(name, args, async |a: SopName| {
                bounded::blocking(s, who, move |s, _| s.show_sop(&a.name)).await
            })
            .await
        }
        "check_sops" => {
            with(name, args, async |a: CheckArgs| {
                bounded::blocking(s, who, move |s, _| Ok(s.check_sops(&a.names)?.document)).await
            })
            .await
        }
        "plan_run" => {
            with(name, args, async |a: StartArgs| {
                bounded::blocking(s, who, move |s, _| {
                    let plan = s.plan_run(&start_request(&a))?;
                    Ok(PlanDocument::new(&plan))
                })
                .await
            })
            .await
        }
        "start_run" => {
            with(name, args, async |a: StartArgs| {
                let wait = a.wait_seconds;
                bounded::drive(s, who, background, wait, move |s, caller, report| {
                    let req = start_request(&a);
                    let plan = s.plan_run(&req)?;
                    let started = s.start_run(caller, &req, plan)?;
                    let mut t = started.tracked;
                    report(t.id());
                    if let Some(action) = started.action {
                        s.drive(caller, &mut t, action)?;
                    }
                    Ok(t)
                })
                .await
            })
            .await
        }
        "run_status" => {
            with(name, args, async |a: RunArg| {
                bounded::blocking(s, who, move |s, caller| {
                    match s.run_record(caller, &a.run)? {
                        RunRecord::Whole(t) => s.run_document(&t),
                        RunRecord::Pruned { run, .. } => {
                            Err(sop_engine::Error::not_found(format!(
                                "run {} was pruned: only its summary and audit trail are kept",
                                run.id
                            )))
                        }
                    }
                })
                .await
            })
            .await
        }
        "list_runs" => {
            with(name, args, async |a: ListRunsArgs| {
                bounded::blocking(s, who, move |s, caller| {
                    let filter = RunFilter {
                        sop_name: a.sop,
                        statuses: a.status.into_iter().collect(),
                        limit: a.limit.unwrap_or(DEFAULT_RUN_LIMIT).max(1),
                    };
                    let now = s.clock().now();
                    let runs = s.list_runs(caller, &filter)?.runs;
                    Ok(RunList {
                        runs: runs
                            .iter()
                            .map(|r| sop_engine::documents::RunSummaryDocument::new(r, now))
                            .collect(),
                    })
                })
                .await
            })
            .await
        }
        "next_step" => {
            with(name, args, async |a: RunArg| {
                bounded::blocking(
                    s,
                    who,
                    move |s, caller| -> sop_engine::Result<NextStepDocument> {
                        Ok(s.next_step(caller, &a.run)?.1)
                    },
                )
                .await
            })
            .await
        }
        "complete_step" => {
            with(name, args, async |a: CompleteArgs| {
                let wait = a.wait_seconds;
                bounded::drive(s, who, background, wait, move |s, caller, report| {
                    report(&a.run);
                    let done = StepCompletion {
                        step: a.step,
                        note: a.note,
                        outputs: a.outputs,
                        failed: a.failed,
                    };
                    Ok(s.complete_step(caller, &a.run, &done, true)?.1)
                })
                .await
            })
            .await
        }
        "cancel_run" => {
            with(name, args, async |a: CancelArgs| {
                bounded::blocking(
                    s,
                    who,
                    move |s, caller| -> sop_engine::Result<RunDocument> {
                        let cancelled = s.cancel(caller, &a.run, a.reason.as_deref())?;
                        s.run_document(&cancelled.tracked)
                    },
                )
                .await
            })
            .await
        }
        "retry_step" => {
            with(name, args, async |a: RetryArgs| {
                let wait = a.wait_seconds;
                bounded::drive(s, who, background, wait, move |s, caller, report| {
                    report(&a.run);
                    s.retry(caller, &a.run, a.step, true)
                })
                .await
            })
            .await
        }
        "skip_step" => {
            with(name, args, async |a: SkipArgs| {
                let wait = a.wait_seconds;
                bounded::drive(s, who, background, wait, move |s, caller, report| {
                    report(&a.run);
                    s.skip(caller, &a.run, a.step, &a.reason, true)
                })
                .await
            })
            .await
        }
        "resume_run" => {
            with(name, args, async |a: ResumeArgs| {
                let wait = a.wait_seconds;
                bounded::drive(s, who, background, wait, move |s, caller, report| {
                    report(&a.run);
                    s.resume(caller, &a.run, true)
                })
                .await
            })
            .await
        }
        "pending_approvals" => {
            with(name, args, async |a: PendingArgs| {
                bounded::blocking(s, who, move |s, caller| {
                    let person = a.mine.then_some(caller.actor.as_str());
                    Ok(PendingList {
                        gates: s.pending_gates(caller, person)?,
                    })
                })
                .await
            })
            .await
        }
        "decide_gate" => {
            with(name, args, async |a: DecideArgs| {
                let wait = a.wait_seconds;
                bounded::drive(s, who, background, wait, move |s, caller, report| {
                    report(&a.run);
                    let req = GateRequest {
                        step: a.step,
                        choice: a.decision,
                        comment: a.comment,
                        claimed: None,
                        token: a.token,
                        detach: false,
                        // An MCP client's actor is claimed, not authenticated: SOPs with
                        // `approval_auth = "token"` need the gate's token from it.
                        authenticated: false,
                        channel: "mcp",
                        sender: None,
                    };
                    Ok(into_tracked(s.decide_gate(caller, &a.run, &req, true)?))
                })
                .await
            })
            .await
        }
        "get_fact" => {
            with(name, args, async |a: FactName| {
                bounded::blocking(s, who, move |s, _| {
                    Ok(FactDocument::new(&s.get_fact(&a.name)?))
                })
                .await
            })
            .await
        }
        "set_fact" => {
            with(name, args, async |a: SetFactArgs| {
                bounded::blocking(s, who, move |s, caller| {
                    let fact = s.set_fact(caller, &a.name, a.value, a.ttl.as_deref())?;
                    Ok(FactDocument::new(&fact))
                })
                .await
            })
            .await
        }
        "emit_event" => {
            with(name, args, async |a: EmitArgs| {
                bounded::blocking(s, who, move |s, caller| {
                    let req = EmitRequest {
                        event: a.event,
                        data: a.data,
                        source: caller.client.clone().unwrap_or_else(|| "mcp".into()),
                    };
                    let record = s.emit_event(caller, &req, &mut LeavePending)?;
                    Ok(EventDocument::new(&record))
                })
                .await
            })
            .await
        }
        _ => return None,
    })
}

/// Reads `args` as `A` (a mismatch is reported against the schema), runs `op`, and turns its
/// document or error into the call's result.
async fn with<A, T, F>(tool: &str, args: serde_json::Value, op: F) -> CallToolResult
where
    A: DeserializeOwned + schemars::JsonSchema,
    T: Serialize,
    F: AsyncFnOnce(A) -> sop_engine::Result<T>,
{
    // The arguments are held to the schema the tool lists (bounds such as `limit`'s included),
    // every problem named, before they are read.
    let schema = schemars::schema_for!(A).to_value();
    if let Ok(validator) = jsonschema::draft202012::new(&schema) {
        let problems: Vec<String> = validator
            .iter_errors(&args)
            .map(|e| match e.instance_path().to_string() {
                path if path.is_empty() => e.to_string(),
                path => format!("{path}: {e}"),
            })
            .collect();
        if !problems.is_empty() {
            return bad_arguments(tool, &problems.join("; "));
        }
    }
    let parsed: A = match serde_json::from_value(args) {
        Ok(a) => a,
        Err(e) => return bad_arguments(tool, &e.to_string()),
    };
    match op(parsed).await {
        Ok(doc) => match serde_json::to_value(&doc) {
            Ok(value) => CallToolResult::structured(value),
            Err(e) => tool_error(&sop_engine::Error::internal(e.to_string())),
        },
        Err(e) => tool_error(&e),
    }
}

fn start_request(a: &StartArgs) -> StartRequest {
    let mut req = StartRequest::manual(&a.sop, a.variables.clone());
    req.force = a.force;
    req
}

fn into_tracked(d: GateDecision) -> Tracked {
    match d {
        GateDecision::Counted { tracked, .. }
        | GateDecision::Detached { tracked, .. }
        | GateDecision::Settled { tracked, .. } => tracked,
    }
}
