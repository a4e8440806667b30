//! Approval gates through the real binary: every execution mode, quorum, who may decide,
//! deadlines on an injected clock, tokens, and approvals racing from several processes.

use crate::run_support::{audit_kinds, finish, normalize, run_json, spawn, vars};
use crate::support::{Output, Sandbox};
use serde_json::Value;

const T0: &str = "2026-01-31T09:00:00Z";

/// The approval fixtures, a pinned clock, and an outbox the issued tokens land in.
fn sandbox() -> Sandbox {
    let mut sb = Sandbox::with_fixture("approvals");
    sb.env("SOP_NOW", T0);
    let outbox = sb.root().join("outbox").display().to_string();
    sb.env("SOP_APPROVAL_OUTBOX", &outbox);
    sb
}

/// Starts `sop` (its steps append to `<root>/trace`) and returns what it printed and its id.
fn start(sb: &Sandbox, sop: &str) -> (Output, String) {
    let out = sb.run(&["execute", sop, "--vars", &vars(sb, &[])]);
    let id = run_id(&out);
    (out, id)
}

/// The id in the first line a run prints, `run ID of SOP (N steps)`. Runs created at one pinned
/// instant cannot be told apart by age.
fn run_id(out: &Output) -> String {
    out.stdout
        .strip_prefix("run ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no run id in:\n{out}"))
        .to_string()
}

/// The lines the steps wrote so far.
fn trace(sb: &Sandbox) -> Vec<String> {
    std::fs::read_to_string(sb.root().join("trace"))
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}

/// `sop ARGS` at another instant.
fn at(sb: &Sandbox, now: &str, args: &[&str]) -> Output {
    let mut cmd = sb.cmd(args);
    cmd.env("SOP_NOW", now);
    sb.output(cmd)
}

/// The token the gate before `step` of run `id` issued to `holder` (`anyone` for the gate's).
fn token(sb: &Sandbox, id: &str, step: u32, holder: &str) -> String {
    let path = sb.root().join(format!("outbox/{id}-{step}-{holder}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("no token at {}: {e}", path.display()));
    let v: Value = serde_json::from_str(&text).unwrap();
    v["token"].as_str().unwrap().to_string()
}

fn status(sb: &Sandbox, id: &str) -> String {
    run_json(sb, id)["status"].as_str().unwrap().to_string()
}

fn gates(sb: &Sandbox, id: &str) -> Vec<(u64, String)> {
    run_json(sb, id)["gates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["step"].as_u64().unwrap(),
                g["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Audit entries of a run whose kind is `kind`.
fn audit_of(sb: &Sandbox, id: &str, kind: &str) -> Vec<Value> {
    let out = sb.run(&["audit", id, "--json"]);
    assert_eq!(out.code, 0, "{out}");
    out.json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == kind)
        .cloned()
        .collect()
}

#[test]
fn supervised_waits_before_step_1_until_someone_approves() {
    let sb = sandbox();
    let (out, id) = start(&sb, "supervised");
    assert_eq!(out.code, 4, "{out}");
    insta::assert_snapshot!(normalize(&out.stdout, &[&id]), @r"
    run [RUN] of supervised (2 steps)
    ⏸ run [RUN] awaits approval: the gate before the run starts
      needs 1 approval from anyone by 2026-02-01T09:00:00Z
      sop approve [RUN] --step 0    approves it
      sop reject [RUN] --step 0 --comment TEXT    rejects it
    ");
    assert!(trace(&sb).is_empty(), "nothing runs before the approval");
    assert_eq!(status(&sb, &id), "awaiting_approval");
    // The run started at its first gate, as its deadline does.
    let waiting = run_json(&sb, &id);
    assert!(waiting["started_at"].is_string(), "{waiting}");
    assert_eq!(
        waiting["started_at"], waiting["gates"][0]["opened_at"],
        "{waiting}"
    );
    assert_eq!(gates(&sb, &id), vec![(0, "open".to_string())]);
    let next = sb.run(&["next", &id, "--json"]).json();
    assert_eq!(next["waiting_for"], "approval");
    assert_eq!(
        next["commands"],
        serde_json::json!([
            format!("sop approve {id}"),
            format!("sop reject {id} --comment TEXT")
        ])
    );

    let out = sb.run(&["approve", &id, "--as", "alice", "--comment", "go"]);
    assert_eq!(out.code, 0, "{out}");
    insta::assert_snapshot!(normalize(&out.stdout, &[&id]), @r"
    ✓ the gate before the run starts of run [RUN] passed: approved by alice
    ▶ step 1/2: First
    ✓ step 1 succeeded ([DUR])
    ▶ step 2/2: Second
    ✓ step 2 succeeded ([DUR])
    ✓ run [RUN] succeeded (2 steps, [DUR])
    ");
    assert_eq!(trace(&sb), vec!["step 1", "step 2"]);
    assert_eq!(gates(&sb, &id), vec![(0, "approved".to_string())]);
    let shown = sb.run(&["status", &id]);
    assert!(
        shown.stdout.contains(
            "  the gate before the run starts · approved · opened 2026-01-31 09:00:00Z · expires 2026-02-01 09:00:00Z\n      ✓ approved by alice at 2026-01-31 09:00:00Z: go\n"
        ),
        "{shown}"
    );
    assert_eq!(
        run_json(&sb, &id)["gates"][0]["decisions"],
        serde_json::json!([{"actor": "alice", "decision": "approve", "comment": "go", "at": "2026-01-31T09:00:00Z"}])
    );
    let decision = &audit_of(&sb, &id, "gate.decision")[0];
    assert_eq!(decision["actor"], "alice");
    assert_eq!(decision["detail"]["comment"], "go");
    assert_eq!(decision["detail"]["verdict"], "approve");
}

#[test]
fn step_by_step_gates_every_step_and_a_rejection_stops_the_run() {
    let sb = sandbox();
    let (out, id) = start(&sb, "stepwise");
    assert_eq!(out.code, 4, "{out}");
    assert!(out.stdout.contains("the gate before step 1"), "{out}");
    assert!(trace(&sb).is_empty());
    let early = sb.run(&["approve", &id, "--step", "2", "--as", "alice"]);
    assert_eq!(early.code, 1, "{early}");
    insta::assert_snapshot!(normalize(&early.stderr, &[&id]), @"error: cannot approve run [RUN]: the gate before step 2 has not opened yet: the run has not reached it; its open gate is before step 1");
    let never = sb.run(&["approve", &id, "--step", "7", "--as", "alice"]);
    assert!(
        never
            .stderr
            .contains("the run has no gate before step 7; its open gate is before step 1"),
        "{never}"
    );

    let out = sb.run(&["approve", &id, "--step", "1", "--as", "alice"]);
    assert_eq!(out.code, 4, "step 2 waits for its own gate: {out}");
    assert!(
        out.stdout
            .contains("awaits approval: the gate before step 2"),
        "{out}"
    );
    assert_eq!(trace(&sb), vec!["step 1"]);

    let no_comment = sb.run(&["approve", &id, "--reject", "--as", "bob"]);
    assert_eq!(no_comment.code, 2, "{no_comment}");
    assert!(
        no_comment
            .stderr
            .contains("a rejection needs --comment TEXT"),
        "{no_comment}"
    );

    let out = sb.run(&["reject", &id, "--as", "bob", "--comment", "not today"]);
    assert_eq!(out.code, 5, "{out}");
    insta::assert_snapshot!(normalize(&out.stdout, &[&id]), @r"
    ✗ the gate before step 2 of run [RUN] rejected by bob
    ■ run [RUN] rejected: rejected by bob: not today
    ");
    assert_eq!(trace(&sb), vec!["step 1"], "nothing after the gate runs");
    let run = run_json(&sb, &id);
    assert_eq!(run["status"], "rejected");
    assert_eq!(run["steps"][1]["status"], "pending");
    assert_eq!(
        gates(&sb, &id),
        vec![(1, "approved".to_string()), (2, "rejected".to_string())]
    );

    let late = sb.run(&["approve", &id, "--as", "carol"]);
    assert_eq!(late.code, 1, "{late}");
    assert!(
        late.stderr.contains(
            "the gate before step 2 is already rejected; only an open gate takes decisions"
        ),
        "{late}"
    );
}

#[test]
fn approve_with_reject_is_a_rejection() {
    let sb = sandbox();
    let (_, id) = start(&sb, "supervised");
    let out = sb.run(&["approve", &id, "--step", "0", "--reject", "--comment", "no"]);
    assert_eq!(out.code, 5, "{out}");
    assert_eq!(status(&sb, &id), "rejected");
    assert!(trace(&sb).is_empty());
}

#[test]
fn priority_based_follows_the_priority_and_a_custom_mapping() {
    let sb = sandbox();
    let (out, _) = start(&sb, "prio-high");
    assert_eq!(out.code, 0, "high runs unattended by default: {out}");
    let (out, low) = start(&sb, "prio-low");
    assert_eq!(out.code, 4, "low is supervised by default: {out}");
    assert_eq!(gates(&sb, &low), vec![(0, "open".to_string())]);

    let mut custom = sandbox();
    custom.env("SOP_PRIORITY_MODES", "high=step_by_step,low=auto");
    let (out, high) = start(&custom, "prio-high");
    assert_eq!(out.code, 4, "{out}");
    assert_eq!(gates(&custom, &high), vec![(1, "open".to_string())]);
    let (out, _) = start(&custom, "prio-low");
    assert_eq!(out.code, 0, "{out}");

    let shown = custom.run(&["show", "prio-high"]);
    assert!(
        shown
            .stdout
            .contains("Mode:         step_by_step (priority_based: high → step_by_step)"),
        "{shown}"
    );
    let dry = custom.run(&["execute", "prio-high", "--dry-run"]);
    assert!(
        dry.stdout
            .contains("mode: step_by_step (priority_based: high → step_by_step)\ngates: before step 1 (step_by_step)"),
        "{dry}"
    );

    let mut broken = sandbox();
    broken.env("SOP_PRIORITY_MODES", "hgh=auto");
    let out = broken.run(&["execute", "prio-high"]);
    assert_eq!(out.code, 2, "{out}");
    assert!(
        out.stderr
            .contains("SOP_PRIORITY_MODES: invalid priority mapping `hgh=auto`: `hgh=auto`: unknown priority `hgh`"),
        "{out}"
    );
}

#[test]
fn a_run_keeps_the_mode_it_was_started_in_when_the_mapping_changes() {
    let mut sb = sandbox();
    sb.env("SOP_PRIORITY_MODES", "high=step_by_step");
    let (out, id) = start(&sb, "prio-high");
    assert_eq!(out.code, 4, "{out}");
    assert_eq!(gates(&sb, &id), vec![(1, "open".to_string())]);

    // The mapping changes while the run waits: its gates stay those it started with.
    let mut cmd = sb.cmd(&["approve", &id, "--as", "alice"]);
    cmd.env("SOP_PRIORITY_MODES", "high=auto");
    let out = sb.output(cmd);
    assert_eq!(out.code, 0, "{out}");
    assert_eq!(trace(&sb), vec!["step 1"]);
    let run = run_json(&sb, &id);
    assert_eq!(run["execution_mode"], "step_by_step");
    let created = &audit_of(&sb, &id, "run.created")[0];
    assert_eq!(
        created["detail"]["mode"],
        serde_json::json!({
            "declared": "priority_based",
            "resolved": "step_by_step",
            "priority_modes": "critical=auto,high=step_by_step,normal=supervised,low=supervised",
        })
    );

    // A broken mapping only matters to runs being started, not to deciding existing ones.
    let (_, low) = start(&sb, "prio-low");
    let mut cmd = sb.cmd(&["approve", &low, "--as", "alice"]);
    cmd.env("SOP_PRIORITY_MODES", "hgh=auto");
    let out = sb.output(cmd);
    assert_eq!(out.code, 0, "{out}");
    assert_eq!(run_json(&sb, &low)["execution_mode"], "supervised");
}

#[test]
fn a_required_step_is_gated_even_in_auto_mode() {
    let sb = sandbox();
    let (out, id) = start(&sb, "auto-required");
    assert_eq!(out.code, 4, "{out}");
    assert!(
        out.stdout
            .contains("awaits approval: the gate before step 2"),
        "{out}"
    );
    assert_eq!(trace(&sb), vec!["step 1"], "step 1 is not gated");
    let out = sb.run(&["approve", &id]);
    assert_eq!(out.code, 0, "{out}");
    assert_eq!(trace(&sb), vec!["step 1", "step 2"]);
}

#[test]
fn a_quorum_needs_distinct_approvers() {
    let sb = sandbox();
    let (_, id) = start(&sb, "quorum");
    let out = sb.run(&["approve", &id, "--as", "alice"]);
    assert_eq!(out.code, 4, "{out}");
    insta::assert_snapshot!(normalize(&out.stdout, &[&id]), @"✓ alice approved the gate before the run starts of run [RUN]; it waits for 1 more approval from bob or carol");

    let again = sb.run(&["approve", &id, "--as", "alice"]);
    assert_eq!(again.code, 1, "{again}");
    insta::assert_snapshot!(normalize(&again.stderr, &[&id]), @"error: cannot approve run [RUN]: alice already approved the gate before the run starts at 2026-01-31T09:00:00Z; an approver counts once, so it still needs 1 more approval from someone else");
    assert!(trace(&sb).is_empty());

    let pending = sb.run(&["pending", "--json"]);
    assert_eq!(pending.code, 0, "{pending}");
    let p = &pending.json()[0];
    assert_eq!(p["run_id"], id.as_str());
    assert_eq!(p["approvals"], serde_json::json!(["alice"]));
    assert_eq!(p["remaining"], 1);
    assert_eq!(p["waiting_for"], "1 more approval from bob or carol");

    let out = sb.run(&["approve", &id, "--as", "carol"]);
    assert_eq!(out.code, 0, "{out}");
    assert!(
        out.stdout.contains("passed: approved by alice, carol"),
        "{out}"
    );
    assert_eq!(trace(&sb), vec!["step 1"]);
}

#[test]
fn the_starter_of_a_critical_run_cannot_approve_it() {
    let sb = sandbox();
    let out = sb.run(&[
        "execute",
        "critical",
        "--as",
        "alice",
        "--vars",
        &vars(&sb, &[]),
    ]);
    assert_eq!(out.code, 4, "{out}");
    assert!(
        out.stdout
            .contains("  needs 1 approval from bob (not alice, who started the run) by "),
        "{out}"
    );
    let id = run_id(&out);
    let out = sb.run(&["approve", &id, "--as", "alice"]);
    assert_eq!(out.code, 1, "{out}");
    insta::assert_snapshot!(normalize(&out.stderr, &[&id]), @"error: cannot approve run [RUN]: alice started this run and critical (critical) does not allow self-approval");
    assert!(trace(&sb).is_empty());
    let refused = &audit_of(&sb, &id, "gate.refused")[0];
    assert_eq!(refused["actor"], "alice");
    assert_eq!(refused["detail"]["reason"], "self_approval");

    assert_eq!(sb.run(&["approve", &id, "--as", "bob"]).code, 0);
    assert_eq!(trace(&sb), vec!["step 1"]);
}

#[test]
fn someone_who_is_not_an_approver_is_refused_and_audited() {
    let sb = sandbox();
    let (_, id) = start(&sb, "critical");
    let out = sb.run(&["reject", &id, "--as", "mallory", "--comment", "ha"]);
    assert_eq!(out.code, 1, "{out}");
    insta::assert_snapshot!(normalize(&out.stderr, &[&id]), @"error: cannot reject run [RUN]: mallory is not an approver of critical (approvers: alice, bob)");
    assert_eq!(status(&sb, &id), "awaiting_approval");
    let refused = &audit_of(&sb, &id, "gate.refused")[0];
    assert_eq!(refused["actor"], "mallory");
    assert_eq!(refused["detail"]["reason"], "not_an_approver");
    assert_eq!(refused["detail"]["comment"], "ha");
}

#[test]
fn on_call_and_groups_are_resolved_at_the_instant_of_the_decision() {
    let mut sb = sandbox();
    sb.env("SOP_GROUPS", "ops=quinn");
    let (_, id) = start(&sb, "oncall");
    // Twelve-hour shifts from 03:00: olga until 15:00, then pete.
    let out = sb.run(&["approve", &id, "--as", "pete"]);
    assert_eq!(out.code, 1, "{out}");
    assert!(
        out.stderr.contains(
            "pete is not an approver of oncall (approvers: @oncall (now olga), @ops (quinn))"
        ),
        "{out}"
    );
    let pending = sb.run(&["pending", "--as", "olga"]);
    assert!(
        pending.stdout.contains("1 gate waits for approval"),
        "{pending}"
    );
    let none = sb.run(&["pending", "--as", "pete"]);
    assert_eq!(none.stdout, "no gate waits for a decision pete may take\n");
    assert_eq!(sb.run(&["approve", &id, "--as", "quinn"]).code, 0);

    let (_, second) = start(&sb, "oncall");
    let out = at(
        &sb,
        "2026-01-31T15:00:00Z",
        &["approve", &second, "--as", "pete"],
    );
    assert_eq!(out.code, 0, "after the handoff pete is on call: {out}");
}

#[test]
fn an_unanswered_gate_expires_at_its_deadline_and_nothing_runs() {
    let sb = sandbox();
    let (_, id) = start(&sb, "expiring");
    let before = at(&sb, "2026-01-31T09:59:59Z", &["pending"]);
    assert!(
        before
            .stdout
            .contains("expires:   2026-01-31T10:00:00Z (in 1s)"),
        "{before}"
    );
    assert_eq!(status(&sb, &id), "awaiting_approval");

    let shown = at(&sb, "2026-01-31T10:00:00Z", &["status", &id, "--json"]);
    assert_eq!(shown.code, 0, "{shown}");
    let run = shown.json();
    assert_eq!(run["status"], "expired");
    assert_eq!(
        run["reason"],
        "the gate before the run starts was not decided by its deadline 2026-01-31T10:00:00Z"
    );
    assert_eq!(gates(&sb, &id), vec![(0, "expired".to_string())]);

    let late = at(&sb, "2026-01-31T10:00:01Z", &["approve", &id]);
    assert_eq!(late.code, 1, "{late}");
    assert!(late.stderr.contains("is already expired"), "{late}");
    assert!(trace(&sb).is_empty(), "an expired gate never approves");
    let kinds = audit_kinds(&sb, &id);
    assert!(kinds.contains(&"gate.expired".to_string()), "{kinds:?}");
    let closed = &audit_of(&sb, &id, "gate.closed")[0];
    assert_eq!(closed["detail"]["status"], "expired");
    assert_eq!(closed["detail"]["tokens_revoked"], 1);
}

#[test]
fn on_timeout_cancel_cancels_the_run_and_pending_applies_deadlines() {
    let sb = sandbox();
    let (_, id) = start(&sb, "expiring-cancel");
    let out = at(&sb, "2026-01-31T11:00:00Z", &["pending"]);
    assert_eq!(out.stdout, "no gate waits for approval\n", "{out}");
    assert_eq!(status(&sb, &id), "cancelled");
    assert_eq!(gates(&sb, &id), vec![(0, "cancelled".to_string())]);
}

#[test]
fn a_token_decides_its_gate_once() {
    let sb = sandbox();
    let (_, id) = start(&sb, "critical");
    let alice = token(&sb, &id, 0, "alice");
    assert!(alice.starts_with("sopat_"), "{alice}");
    let out = sb.run(&["approve", &id, "--token", &alice]);
    assert_eq!(out.code, 0, "{out}");
    assert!(
        out.stdout.contains("approved by alice"),
        "the token speaks for alice: {out}"
    );

    let replay = sb.run(&["approve", &id, "--token", &alice]);
    assert_eq!(replay.code, 1, "{replay}");
    assert!(
        replay
            .stderr
            .contains("the token was already used at 2026-01-31T09:00:00Z"),
        "{replay}"
    );
    let kinds = audit_kinds(&sb, &id);
    assert!(kinds.contains(&"token.used".to_string()), "{kinds:?}");
    assert!(kinds.contains(&"token.refused".to_string()), "{kinds:?}");
    // Only the hash is stored; the token appears nowhere in the audit trail.
    let audit = sb.run(&["audit", &id, "--json"]);
    assert!(!audit.stdout.contains(&alice), "{audit}");
}

#[test]
fn tokens_are_bound_to_their_gate_and_their_holder() {
    let sb = sandbox();
    let (_, first) = start(&sb, "critical");
    let (_, second) = start(&sb, "critical");
    let foreign = token(&sb, &first, 0, "alice");
    let out = sb.run(&["approve", &second, "--token", &foreign]);
    assert_eq!(out.code, 1, "{out}");
    assert!(
        out.stderr
            .contains("the token belongs to another gate, not the gate before the run starts"),
        "{out}"
    );
    let bobs = token(&sb, &second, 0, "bob");
    let out = sb.run(&["approve", &second, "--token", &bobs, "--as", "alice"]);
    assert!(
        out.stderr
            .contains("the token was issued to bob; alice cannot use it"),
        "{out}"
    );
    let out = sb.run(&[
        "approve",
        &second,
        "--token",
        "sopat_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ]);
    assert!(out.stderr.contains("no gate issued this token"), "{out}");
    assert_eq!(status(&sb, &second), "awaiting_approval");

    // A run cancelled while waiting revokes its tokens.
    assert_eq!(sb.run(&["cancel", &first]).code, 0);
    let out = sb.run(&["approve", &first, "--token", &foreign]);
    assert_eq!(out.code, 1, "{out}");
    assert!(
        out.stderr
            .contains("the token was revoked: the gate before the run starts is cancelled"),
        "{out}"
    );
}

#[test]
fn a_gate_anyone_may_approve_issues_one_token() {
    let sb = sandbox();
    let (_, id) = start(&sb, "supervised");
    let files: Vec<_> = std::fs::read_dir(sb.root().join("outbox"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(files, vec![format!("{id}-0-anyone.json")]);
    let tok = token(&sb, &id, 0, "anyone");
    let out = sb.run(&["approve", &id, "--token", &tok, "--as", "zoe", "--detach"]);
    assert_eq!(out.code, 0, "{out}");
    assert!(out.stdout.contains("zoe approved"), "{out}");
    assert!(trace(&sb).is_empty(), "--detach leaves the run to a server");
    assert_eq!(status(&sb, &id), "pending");
    let out = sb.run(&["resume", &id]);
    assert_eq!(out.code, 0, "{out}");
    assert_eq!(trace(&sb), vec!["step 1", "step 2"]);
}

#[test]
fn approvals_racing_from_several_processes_pass_the_gate_once() {
    let sb = sandbox();
    let (_, id) = start(&sb, "crowd");
    let people = ["ann", "ben", "cat", "dan", "ann", "ben"];
    let children: Vec<_> = people
        .iter()
        .map(|p| spawn(&sb, &["approve", &id, "--as", p], &[("SOP_NOW", T0)]))
        .collect();
    let outs: Vec<Output> = children.into_iter().map(|c| finish(&sb, c)).collect();
    let passed = outs.iter().filter(|o| o.stdout.contains("passed")).count();
    assert_eq!(passed, 1, "{outs:#?}");
    for o in &outs {
        assert!(matches!(o.code, 0 | 1 | 4), "{o}");
        assert!(!o.stderr.contains("database is locked"), "{o}");
    }
    assert_eq!(trace(&sb), vec!["step 1"], "the step ran exactly once");
    assert_eq!(status(&sb, &id), "succeeded");
    let decisions = audit_of(&sb, &id, "gate.decision");
    let mut actors: Vec<&str> = decisions
        .iter()
        .map(|d| d["actor"].as_str().unwrap())
        .collect();
    assert_eq!(
        actors.len(),
        2,
        "quorum is two and nobody counts after it: {decisions:#?}"
    );
    actors.sort_unstable();
    actors.dedup();
    assert_eq!(actors.len(), 2, "{decisions:#?}");
    assert_eq!(audit_of(&sb, &id, "gate.passed").len(), 1);
    let verify = sb.run(&["audit", "verify"]);
    assert_eq!(verify.code, 0, "{verify}");
}

#[test]
fn the_list_of_runs_shows_a_gate_past_its_deadline_as_expired() {
    let sb = sandbox();
    let (_, id) = start(&sb, "expiring");
    let out = at(&sb, "2026-01-31T12:00:00Z", &["status", "--json"]);
    assert_eq!(out.code, 0, "{out}");
    let runs = out.json();
    assert_eq!(runs[0]["id"], id.as_str());
    assert_eq!(runs[0]["status"], "expired");
}
