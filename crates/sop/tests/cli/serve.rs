//! The server's life: runs left pending by the CLI picked up, the CLI leaving runs to a live
//! server (and `--foreground`), a kill -9 mid-step recovered by a restart, and a graceful stop.

use crate::serving::Server;
use crate::support::Sandbox;
use serde_json::json;

fn sandbox() -> Sandbox {
    let sb = Sandbox::new();
    sb.sop(
        "quick",
        "[sop]\nname = \"quick\"\ndescription = \"Two quick steps\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Quick\n\n## Step 1: One\n```sh\necho one\n```\n\n## Step 2: Two\n```sh\necho two\n```\n",
    );
    sb.sop(
        "gated",
        "[sop]\nname = \"gated\"\ndescription = \"Approve first\"\nexecution_mode = \"supervised\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Gated\n\n## Step 1: Go\n```sh\necho went\n```\n",
    );
    // Step 1 blocks until the marker exists the second time it runs, so a kill -9 finds it
    // mid-step; it is idempotent, so a recovery runs it again.
    sb.sop(
        "slow",
        "[sop]\nname = \"slow\"\ndescription = \"A step that takes its time\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Slow\n\n## Step 1: Wait\n\n<!-- sop: idempotent = true -->\n\n```sh\nif [ -f \"$MARK\" ]; then echo second; exit 0; fi\ntouch \"$MARK\"\nsleep 60\n```\n\n## Step 2: After\n```sh\necho after\n```\n",
    );
    // Step 1 waits for `$GO`; step 2 leaves `$SECOND` behind, so a step that started shows.
    sb.sop(
        "boundary",
        "[sop]\nname = \"boundary\"\ndescription = \"A step that ends during a stop\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Boundary\n\n## Step 1: Wait for go\n```sh\nwhile [ ! -e \"$GO\" ]; do sleep 0.02; done\necho went\n```\n\n## Step 2: Side effect\n```sh\ntouch \"$SECOND\"\n```\n",
    );
    sb
}

fn run_id(text: &str) -> String {
    text.split_whitespace()
        .nth(1)
        .unwrap_or_else(|| panic!("no run id in {text}"))
        .to_string()
}

#[test]
fn detach_says_whether_a_server_is_alive_and_the_server_picks_the_run_up() {
    let sb = sandbox();
    let alone = sb.run(&["execute", "quick", "--detach"]);
    assert_eq!(alone.code, 0, "{alone}");
    assert!(
        alone
            .stdout
            .contains("no server is running on this database"),
        "{alone}"
    );
    let first = run_id(&alone.stdout);

    let server = Server::start(&sb, &[]);
    server.wait_status(&first, "succeeded");
    let out = sb.run(&["execute", "quick", "--detach"]);
    assert!(
        out.stdout
            .contains(&format!("the server at {} will execute it", server.addr)),
        "{out}"
    );
    let run = server.wait_status(&run_id(&out.stdout), "succeeded");
    assert_eq!(run["steps"][1]["output_tail"], "two\n");

    // With a second node on the database, either may pick the run up: neither is named as the
    // one.
    let second = Server::start(&sb, &[]);
    let out = sb.run(&["execute", "quick", "--detach"]);
    assert!(
        out.stdout
            .contains("one of the 2 servers on this database (")
            && out.stdout.contains(&server.addr)
            && out.stdout.contains(&second.addr),
        "{out}"
    );
    second.wait_status(&run_id(&out.stdout), "succeeded");
}

#[test]
fn cli_decisions_leave_the_run_to_a_live_server_unless_foreground() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    let id = server.post("/api/sop/gated/trigger", &json!({})).json()["run"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    server.wait_status(&id, "awaiting_approval");
    let approved = sb.run(&["approve", &id]);
    assert_eq!(approved.code, 0, "{approved}");
    assert!(
        approved
            .stdout
            .contains(&format!("the server at {}", server.addr)),
        "{approved}"
    );
    let run = server.wait_status(&id, "succeeded");
    assert_eq!(run["steps"][0]["output_tail"], "went\n");

    let other = server.post("/api/sop/gated/trigger", &json!({})).json()["run"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    server.wait_status(&other, "awaiting_approval");
    let here = sb.run(&["approve", &other, "--foreground"]);
    assert_eq!(here.code, 0, "{here}");
    assert!(here.stdout.contains("went"), "ran here: {here}");
}

#[test]
fn a_server_killed_mid_step_is_recovered_by_the_next_one() {
    let mut sb = sandbox();
    let mark = sb.root().join("mark").display().to_string();
    sb.env("MARK", &mark);
    let server = Server::start(&sb, &[]);
    let id = server.post("/api/sop/slow/trigger", &json!({})).json()["run"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    server.wait_run(&id, "with its step's process recorded", |r| {
        r["steps"][0]["process_group"].is_i64()
    });
    crate::serving::eventually("the step to start", || std::path::Path::new(&mark).exists());
    let pid = server.pid();
    server.kill9();

    let next = Server::start(&sb, &[]);
    let run = next.wait_status(&id, "succeeded");
    assert_eq!(run["steps"][0]["output_tail"], "second\n");
    assert_eq!(run["steps"][1]["output_tail"], "after\n");
    let audit = next.get(&format!("/api/runs/{id}/audit")).json();
    let lapsed = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["detail"]["previous_owner"].is_string())
        .unwrap_or_else(|| panic!("no recovery entry: {audit}"));
    assert!(
        lapsed["detail"]["previous_owner"]
            .as_str()
            .unwrap()
            .contains(&format!("/{pid}/")),
        "{lapsed}"
    );
}

#[test]
fn sigterm_waits_for_running_steps_then_leaves_the_rest_resumable() {
    let mut sb = sandbox();
    let mark = sb.root().join("mark").display().to_string();
    sb.env("MARK", &mark);
    let server = Server::start(&sb, &["--shutdown-grace", "1s"]);
    let id = server.post("/api/sop/slow/trigger", &json!({})).json()["run"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    server.wait_run(&id, "running its step", |r| {
        r["steps"][0]["process_group"].is_i64()
    });
    assert_eq!(server.terminate(), Some(0));
    let status = sb.run(&["status", &id, "--json"]);
    let run = status.json();
    assert_eq!(
        run["status"], "pending",
        "the idempotent step runs again: {run}"
    );
    assert_eq!(run["lease_owner"], serde_json::Value::Null);
    let next = Server::start(&sb, &[]);
    next.wait_status(&id, "succeeded");
}

#[test]
fn a_stopping_server_starts_no_new_step_and_leaves_the_run_pending_at_it() {
    let mut sb = sandbox();
    let go = sb.root().join("go");
    let second = sb.root().join("second");
    sb.env("GO", &go.display().to_string());
    sb.env("SECOND", &second.display().to_string());
    let server = Server::start(&sb, &["--shutdown-grace", "60s"]);
    let id = server.post("/api/sop/boundary/trigger", &json!({})).json()["run"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    server.wait_run(&id, "running its first step", |r| {
        r["steps"][0]["process_group"].is_i64()
    });
    // SAFETY: signalling the server this test started, which is still running.
    unsafe { libc::kill(server.pid() as i32, libc::SIGTERM) };
    crate::serving::eventually("the server to start stopping", || {
        server.log().contains("stopping")
    });
    // Step 1 ends well inside the grace period; step 2 must not start.
    std::fs::write(&go, "").unwrap();
    assert_eq!(server.terminate(), Some(0));
    assert!(!second.exists(), "step 2 started while the server stopped");
    let run = sb.run(&["status", &id, "--json"]).json();
    assert_eq!(run["status"], "pending", "{run}");
    assert_eq!(run["steps"][0]["status"], "succeeded", "{run}");
    assert_eq!(run["steps"][1]["status"], "pending", "{run}");
    assert_eq!(run["lease_owner"], serde_json::Value::Null);
    // The next server goes on from step 2.
    let next = Server::start(&sb, &[]);
    next.wait_status(&id, "succeeded");
    assert!(second.exists());
}

#[test]
fn a_server_hands_a_finished_runs_empty_dirs_to_later_runs_under_new_names_and_removes_them_on_stop()
 {
    let sb = sandbox();
    let tmp = sb.root().join("tmp");
    let server = Server::start(&sb, &[]);
    let mut workdirs = Vec::new();
    for _ in 0..3 {
        let id = server.post("/api/sop/quick/trigger", &json!({})).json()["run"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let run = server.wait_status(&id, "succeeded");
        assert_eq!(run["steps"][1]["output_tail"], "two\n");
        workdirs.push(run["workdir"].as_str().unwrap().to_string());
    }
    for (i, dir) in workdirs.iter().enumerate() {
        assert!(dir.contains("/tmp/sop-run-"), "{dir}");
        assert!(
            !workdirs[i + 1..].contains(dir),
            "each run records a name no other run had: {workdirs:?}"
        );
        assert!(
            !std::path::Path::new(dir).exists(),
            "a finished run's recorded workdir is gone: {dir}"
        );
    }
    let left = || {
        std::fs::read_dir(&tmp)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("sop-run-") || n.starts_with("sop-output-"))
            .count()
    };
    assert!(left() >= 1, "the server keeps what later runs can use");
    assert_eq!(server.terminate(), Some(0));
    assert_eq!(left(), 0, "a stopped server leaves nothing in TMPDIR");
}
