//! Top-level keys of a webhook body that cannot become variables (an empty name, a NUL byte,
//! two names for one environment variable) cost the sender nothing: the run starts without
//! them and records which were left out, and why.

use crate::serving::{Server, eventually};
use crate::support::Sandbox;
use serde_json::{Value, json};

fn sandbox() -> Sandbox {
    let sb = Sandbox::new();
    sb.sop(
        "stray",
        "[sop]\nname = \"stray\"\ndescription = \"Takes what the sender sends\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"webhook\"\npath = \"/stray\"\n\n[conditions]\nexpression = \"status == 'firing'\"\n",
        "# Stray\n\n## Step 1: Say\n```sh\necho \"msg=$SOP_VAR_MSG nested=$SOP_VAR_NESTED\"\n```\n",
    );
    sb.sop(
        "declared",
        "[sop]\nname = \"declared\"\ndescription = \"Declares host\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"webhook\"\npath = \"/declared\"\n\n[variables.host]\ntype = \"string\"\nrequired = true\n",
        "# Declared\n\n## Step 1: Say\n```sh\necho \"host={{ host }}\"\n```\n",
    );
    sb
}

fn post(server: &Server, path: &str, body: &str) -> crate::serving::Reply {
    server.request(
        "POST",
        path,
        &[("content-type", "application/json")],
        body.as_bytes(),
    )
}

#[test]
fn keys_that_cannot_be_variables_are_left_out_and_recorded_and_the_run_starts() {
    stray_keys_are_left_out(&sandbox());
}

#[test]
fn keys_left_out_are_recorded_on_postgres_too() {
    let mut sb = sandbox();
    sb.on_postgres();
    stray_keys_are_left_out(&sb);
}

fn stray_keys_are_left_out(sb: &Sandbox) {
    let server = Server::start(sb, &[]);
    // `msg` comes before `MSG` as sent; in name order `MSG` sorts first.
    let body = r#"{"status": "firing", "msg": "first", "MSG": "second", "": "empty",
        "a\u0000b": "nul in name", "note": "x\u0000y", "Headers": "h",
        "nested": {"": 1, "k\u0000": 2}}"#;
    let started = post(&server, "/stray", body);
    assert_eq!(started.status, 202, "{}", started.text);
    let run = started.json()["run"].clone();
    let id = run["id"].as_str().unwrap().to_string();
    let mut names: Vec<&str> = run["variables"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["headers", "msg", "nested", "status", "trigger"],
        "{run}"
    );
    assert_eq!(run["variables"]["msg"], "first");
    assert_eq!(run["variables"]["nested"], json!({"": 1, "k\u{0}": 2}));
    assert!(
        run["variables"]["headers"].is_object(),
        "the request's headers are kept: {run}"
    );

    let skipped = json!([
        {"key": "", "reason": "its name is empty"},
        {"key": "Headers", "reason": "it becomes the environment variable SOP_VAR_HEADERS, as `headers` does, which was kept"},
        {"key": "MSG", "reason": "it becomes the environment variable SOP_VAR_MSG, as `msg` does, which was kept"},
        {"key": "a\\0b", "reason": "its name contains a NUL byte, which an environment variable cannot carry"},
        {"key": "note", "reason": "its value contains a NUL byte, which an environment variable cannot carry"},
    ]);
    assert_eq!(run["trigger_detail"]["skipped_keys"], skipped, "{run}");
    let done = server.wait_status(&id, "succeeded");
    assert_eq!(
        done["steps"][0]["output_tail"],
        "msg=first nested={\"\":1,\"k\\u0000\":2}\n"
    );
    let created = server.wait_audit(&id, |e| e["kind"] == "run.created");
    assert_eq!(
        created["detail"]["trigger"]["detail"]["skipped_keys"], skipped,
        "{created}"
    );
    eventually(
        "the keys left out in the server's log, as a warning",
        || {
            server.log().lines().any(|l| {
                l.contains("webhook body keys left out")
                    && l.contains("WARN")
                    && l.contains(&id)
                    && l.contains("`MSG`")
            })
        },
    );
    let metrics = server.get("/metrics").text;
    assert!(
        metrics.contains("sop_webhooks_total{outcome=\"started\"} 1"),
        "{metrics}"
    );
    assert!(!metrics.contains("outcome=\"invalid\""), "{metrics}");

    // A body without such keys records none.
    let clean = post(&server, "/stray", r#"{"status": "firing", "msg": "m"}"#);
    assert_eq!(clean.status, 202, "{}", clean.text);
    assert!(
        clean.json()["run"]["trigger_detail"]
            .get("skipped_keys")
            .is_none(),
        "{}",
        clean.text
    );
}

#[test]
fn of_two_keys_for_one_variable_the_declared_name_is_kept() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    let started = post(
        &server,
        "/declared",
        r#"{"HOST": "sent first", "host": "declared"}"#,
    );
    assert_eq!(started.status, 202, "{}", started.text);
    let run: Value = started.json()["run"].clone();
    assert_eq!(run["variables"]["host"], "declared");
    assert!(run["variables"].get("HOST").is_none(), "{run}");
    assert_eq!(
        run["trigger_detail"]["skipped_keys"][0]["key"], "HOST",
        "{run}"
    );
    let done = server.wait_status(run["id"].as_str().unwrap(), "succeeded");
    assert_eq!(done["steps"][0]["output_tail"], "host=declared\n");
}
