//! The binary on PostgreSQL (`SOP_DATABASE_URL=postgres://…`): a gated run from start to
//! approval, its status and its audit trail, verified, and tampering behind sop's back caught.

use crate::run_support::{normalize, vars};
use crate::support::Sandbox;

fn sandbox() -> Sandbox {
    let mut sb = Sandbox::with_fixture("approvals");
    sb.env("SOP_NOW", "2026-01-31T09:00:00Z");
    let outbox = sb.root().join("outbox").display().to_string();
    sb.env("SOP_APPROVAL_OUTBOX", &outbox);
    sb
}

fn run_id(stdout: &str) -> String {
    stdout
        .strip_prefix("run ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no run id in:\n{stdout}"))
        .to_string()
}

#[test]
fn a_gated_run_waits_is_approved_finishes_and_verifies() {
    let mut sb = sandbox();
    sb.on_postgres();
    let out = sb.run(&["execute", "supervised", "--vars", &vars(&sb, &[])]);
    assert_eq!(out.code, 4, "{out}");
    let id = run_id(&out.stdout);
    let status = sb.run(&["status", &id, "--json"]).json();
    assert_eq!(status["status"], "awaiting_approval");
    assert_eq!(status["gates"][0]["status"], "open");

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
    let trace = std::fs::read_to_string(sb.root().join("trace")).unwrap();
    assert_eq!(trace.lines().collect::<Vec<_>>(), ["step 1", "step 2"]);
    let status = sb.run(&["status", &id, "--json"]).json();
    assert_eq!(status["status"], "succeeded");
    assert_eq!(status["gates"][0]["decisions"][0]["actor"], "alice");

    let verify = sb.run(&["audit", "verify"]);
    assert_eq!(verify.code, 0, "{verify}");
    assert!(
        verify.stdout.starts_with("✓ the audit trail is intact: "),
        "{verify}"
    );
    let kinds = sb.run(&["audit", &id, "--json"]).json();
    let kinds: Vec<&str> = kinds
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"gate.decision"), "{kinds:?}");
    assert!(!sb.db_path().exists(), "nothing was written to SQLite");
}

#[test]
fn an_audit_entry_edited_in_the_database_is_caught() {
    let mut sb = sandbox();
    let schema = sb.on_postgres();
    let mut client = schema.client();
    let out = sb.run(&["execute", "supervised", "--vars", &vars(&sb, &[])]);
    assert_eq!(out.code, 4, "{out}");
    let seq: i64 = client
        .query_one("SELECT max(seq) FROM audit", &[])
        .unwrap()
        .get(0);
    // The same JSON, one space added: the hashed text is what is stored, byte for byte.
    client
        .execute(
            "UPDATE audit SET detail = replace(detail, ':', ': ') WHERE seq = $1",
            &[&seq],
        )
        .unwrap();
    let verify = sb.run(&["audit", "verify"]);
    assert_eq!(verify.code, 1, "{verify}");
    assert!(
        verify
            .stdout
            .contains(&format!("audit entry {seq} was altered")),
        "{verify}"
    );
}

#[test]
fn a_postgres_url_without_a_user_is_refused_before_connecting() {
    let mut sb = sandbox();
    sb.env("SOP_DATABASE_URL", "postgres://127.0.0.1:1/sop");
    let out = sb.run(&["status"]);
    assert_eq!(out.code, 2, "bad input: {out}");
    assert!(out.stderr.contains("name the user"), "{out}");
}

#[test]
fn approvals_racing_on_postgres_count_once_and_every_refusal_is_audited() {
    let mut sb = sandbox();
    sb.on_postgres();
    let out = sb.run(&["execute", "supervised", "--vars", &vars(&sb, &[])]);
    assert_eq!(out.code, 4, "{out}");
    let id = run_id(&out.stdout);
    // Six processes decide the one gate at once, each with its own connection.
    let outs: Vec<_> = std::thread::scope(|s| {
        let racers: Vec<_> = (0..6)
            .map(|_| s.spawn(|| sb.run(&["approve", &id, "--as", "alice", "--detach"])))
            .collect();
        racers.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let won = outs.iter().filter(|o| o.code == 0).count();
    assert_eq!(won, 1, "{outs:#?}");
    for lost in outs.iter().filter(|o| o.code != 0) {
        assert!(
            lost.stderr.contains("already"),
            "a lost race is refused as a decision already made: {lost}"
        );
    }
    let entries = sb.run(&["audit", &id, "--json"]).json();
    let count = |kind: &str| {
        entries
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == kind)
            .count()
    };
    assert_eq!(count("gate.decision"), 1, "{entries}");
    assert_eq!(count("gate.refused"), 5, "{entries}");
}
