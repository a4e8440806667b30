//! Webhook triggers on a live server: GitHub signatures, tokens for unsigned hooks, body and
//! headers as variables, conditions that skip with `200`, replayed deliveries, and a bounded
//! load of 1,000 posts from 50 clients on loopback.

use crate::serving::{Server, agent};
use crate::support::Sandbox;
use serde_json::Value;
use std::collections::HashSet;
use std::time::Instant;

/// The load test stops by itself after this long, failing.
const LOAD_DEADLINE: std::time::Duration = std::time::Duration::from_secs(120);

const SECRET: &str = "it's a secret to everybody";

fn sandbox() -> Sandbox {
    let mut sb = Sandbox::new();
    sb.env("HR_WEBHOOK_SECRET", SECRET);
    sb.sop(
        "new-employee",
        r#"[sop]
name = "new-employee"
description = "Onboard a new employee"
execution_mode = "auto"

[[triggers]]
type = "webhook"
path = "/hr/new-employee"
secret_env = "HR_WEBHOOK_SECRET"

[conditions]
expression = "trigger.type == 'webhook' && trigger.path == '/hr/new-employee' && employee.team != 'nobody'"
"#,
        "# Onboard\n\n## Step 1: Greet\n```sh\necho \"welcome {{ employee.name }} to {{ employee.team }} via {{ headers.x-source }}\"\n```\n",
    );
    sb.sop(
        "incident",
        r#"[sop]
name = "incident"
description = "Unsigned hook: needs a token"

[[triggers]]
type = "webhook"
path = "/webhook/incident"
"#,
        "# Incident\n\n## Step 1: Note\n```sh\ntrue\n```\n",
    );
    sb
}

fn sign(body: &[u8]) -> String {
    sop_server::signature::sign(SECRET.as_bytes(), body)
}

#[test]
fn signed_hooks_start_runs_from_their_body_and_headers() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    let body = br#"{"employee": {"name": "Ada", "team": "ops"}}"#;
    let sig = sign(body);
    let json_type = ("content-type", "application/json");
    let unsigned = server.request("POST", "/hr/new-employee", &[json_type], body);
    assert_eq!(unsigned.status, 401, "{}", unsigned.text);
    let forged = server.request(
        "POST",
        "/hr/new-employee",
        &[json_type, ("x-hub-signature-256", &sign(b"{}"))],
        body,
    );
    assert_eq!(forged.status, 401);
    let garbage = server.request(
        "POST",
        "/hr/new-employee",
        &[json_type, ("x-hub-signature-256", "sha256=zz")],
        body,
    );
    assert_eq!(garbage.status, 401);

    let headers = [
        json_type,
        ("x-hub-signature-256", sig.as_str()),
        ("x-github-delivery", "d-1"),
        ("x-source", "workday"),
    ];
    let started = server.request("POST", "/hr/new-employee", &headers, body);
    assert_eq!(started.status, 202, "{}", started.text);
    let run = started.json()["run"].clone();
    let id = run["id"].as_str().unwrap().to_string();
    assert_eq!(run["trigger_type"], "webhook");
    assert_eq!(run["variables"]["headers"]["x-source"], "workday");
    assert!(
        run["variables"]["headers"]
            .get("x-hub-signature-256")
            .is_none()
    );
    let done = server.wait_status(&id, "succeeded");
    assert_eq!(
        done["steps"][0]["output_tail"],
        "welcome Ada to ops via workday\n"
    );

    let replay = server.request("POST", "/hr/new-employee", &headers, body);
    assert_eq!(replay.status, 200, "{}", replay.text);
    assert_eq!(replay.json()["run"]["id"], id.as_str());
    assert_eq!(replay.json()["duplicate"], true);

    let nobody = br#"{"employee": {"name": "Bob", "team": "nobody"}}"#;
    let skipped = server.request(
        "POST",
        "/hr/new-employee",
        &[
            json_type,
            ("x-hub-signature-256", &sign(nobody)),
            ("x-source", "workday"),
        ],
        nobody,
    );
    assert_eq!(skipped.status, 200, "{}", skipped.text);
    assert_eq!(skipped.json()["run"]["status"], "skipped");
    assert!(
        skipped.json()["explanation"]
            .as_str()
            .unwrap()
            .contains("nobody"),
        "{}",
        skipped.text
    );
    let overriding = br#"{"employee": {"name": "Eve", "team": "ops"}, "trigger": {"type": "manual", "path": "/x"}}"#;
    let kept = server.request(
        "POST",
        "/hr/new-employee",
        &[
            json_type,
            ("x-hub-signature-256", &sign(overriding)),
            ("x-source", "workday"),
        ],
        overriding,
    );
    assert_eq!(
        kept.status, 202,
        "a body cannot replace trigger.*: {}",
        kept.text
    );
    assert_eq!(
        kept.json()["run"]["variables"]["trigger"]["path"],
        "/hr/new-employee"
    );

    assert_eq!(
        server.request("GET", "/hr/new-employee", &[], b"").status,
        405
    );
    assert_eq!(
        server
            .request("POST", "/hr/other", &[json_type], b"{}")
            .status,
        404
    );
    let metrics = server.get("/metrics").text;
    assert!(
        metrics.contains("sop_webhooks_total{outcome=\"started\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("sop_webhooks_total{outcome=\"duplicate\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("sop_webhooks_total{outcome=\"refused\"} 3"),
        "{metrics}"
    );
}

#[test]
fn githubs_ping_is_answered_once_authorised_and_starts_nothing() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    let body = br#"{"zen": "Keep it logically awesome.", "hook_id": 1}"#;
    let sig = sign(body);
    let ping = [
        ("content-type", "application/json"),
        ("x-github-event", "ping"),
        ("x-github-delivery", "p-1"),
    ];
    let forged = server.request("POST", "/hr/new-employee", &ping, body);
    assert_eq!(forged.status, 401, "a ping is authorised as any delivery");
    let signed = [
        ping[0],
        ping[1],
        ping[2],
        ("x-hub-signature-256", sig.as_str()),
    ];
    let pong = server.request("POST", "/hr/new-employee", &signed, body);
    assert_eq!(pong.status, 200, "{}", pong.text);
    assert_eq!(
        pong.json(),
        serde_json::json!({"ping": true, "sop": "new-employee"})
    );
    let runs = server.get("/api/runs").json();
    assert_eq!(runs["runs"], serde_json::json!([]), "{runs}");
    let metrics = server.get("/metrics").text;
    assert!(
        metrics.contains("sop_webhooks_total{outcome=\"ping\"} 1"),
        "{metrics}"
    );
}

#[test]
fn githubs_form_encoded_deliveries_are_read_from_their_payload_field() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    // `payload={"employee":{"name":"Ada Lovelace","team":"ops & dev"}}`, form-encoded.
    let body = b"payload=%7B%22employee%22%3A%7B%22name%22%3A%22Ada+Lovelace%22%2C%22team%22%3A%22ops+%26+dev%22%7D%7D";
    let form = ("content-type", "application/x-www-form-urlencoded");
    let signed = [
        form,
        ("x-hub-signature-256", &sign(body)),
        ("x-source", "github"),
    ];
    let started = server.request("POST", "/hr/new-employee", &signed, body);
    assert_eq!(started.status, 202, "{}", started.text);
    let run = started.json()["run"].clone();
    assert_eq!(run["variables"]["employee"]["team"], "ops & dev");
    let done = server.wait_status(run["id"].as_str().unwrap(), "succeeded");
    assert_eq!(
        done["steps"][0]["output_tail"],
        "welcome Ada Lovelace to ops & dev via github\n"
    );
    let other = b"name=Ada";
    let refused = server.request(
        "POST",
        "/hr/new-employee",
        &[form, ("x-hub-signature-256", &sign(other))],
        other,
    );
    assert_eq!(refused.status, 415, "{}", refused.text);
    assert!(refused.text.contains("`payload` field"), "{}", refused.text);
}

#[test]
fn compressed_bodies_are_read_decompressed_and_other_codings_refused() {
    use std::io::Write;
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    let json = br#"{"employee": {"name": "Ada", "team": "ops"}}"#;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(json).unwrap();
    let body = gz.finish().unwrap();
    // The signature covers the body as sent: compressed.
    let sig = sign(&body);
    let headers = [
        ("content-type", "application/json"),
        ("content-encoding", "gzip"),
        ("x-hub-signature-256", sig.as_str()),
        ("x-source", "gzip"),
    ];
    let started = server.request("POST", "/hr/new-employee", &headers, &body);
    assert_eq!(started.status, 202, "{}", started.text);
    let run = started.json()["run"].clone();
    assert_eq!(run["variables"]["employee"]["name"], "Ada");
    let signed_plain = [headers[0], headers[1], ("x-hub-signature-256", &sign(json))];
    let unsigned = server.request("POST", "/hr/new-employee", &signed_plain, &body);
    assert_eq!(unsigned.status, 401, "{}", unsigned.text);
    let br = [
        ("content-type", "application/json"),
        ("content-encoding", "br"),
        ("x-hub-signature-256", &sign(json)),
    ];
    let refused = server.request("POST", "/hr/new-employee", &br, json);
    assert_eq!(refused.status, 415, "{}", refused.text);
    assert!(
        refused.text.contains("`br` is not supported"),
        "{}",
        refused.text
    );
    assert_eq!(refused.header("accept-encoding"), Some("gzip, deflate"));
    let done = server.wait_status(run["id"].as_str().unwrap(), "succeeded");
    assert_eq!(
        done["steps"][0]["output_tail"],
        "welcome Ada to ops via gzip\n"
    );
}

#[test]
fn a_path_that_nearly_names_a_webhook_is_a_404_pointing_at_it() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    let json = [("content-type", "application/json")];
    for (sent, hint) in [
        ("/hr/new-employee/", Some("/hr/new-employee")),
        ("/HR/New-Employee", Some("/hr/new-employee")),
        ("/webhook/incident//", Some("/webhook/incident")),
        ("/hr/old-employee", None),
        ("/nothing/", None),
    ] {
        let reply = server.request("POST", sent, &json, b"{}");
        assert_eq!(reply.status, 404, "{sent}: {}", reply.text);
        let message = reply.json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_string();
        match hint {
            Some(p) => assert!(
                message.ends_with(&format!("; a webhook is served at {p}: send it there")),
                "{sent}: {message}"
            ),
            None => assert_eq!(message, format!("nothing is served at {sent}")),
        }
    }
    // Whoever runs the server sees them too: each is logged and counted, apart from the
    // deliveries that got in and started nothing (`invalid`, the outcome worth an alert).
    let metrics = server.get("/metrics").text;
    assert!(
        metrics.contains("sop_webhooks_total{outcome=\"not_found\"} 5"),
        "{metrics}"
    );
    assert!(!metrics.contains("outcome=\"invalid\""), "{metrics}");
    crate::serving::eventually("the 404s to be logged", || {
        server.log().matches("webhook delivery refused").count() == 5
    });
    assert!(server.log().contains("/HR/New-Employee"));
}

#[test]
fn unsigned_hooks_need_a_token_with_run() {
    let sb = sandbox();
    let runner = crate::serving::token(&sb, "pager", "run");
    let reader = crate::serving::token(&sb, "dave", "read");
    let server = Server::start(&sb, &[]);
    let json_type = ("content-type", "application/json");
    let none = server.request("POST", "/webhook/incident", &[json_type], b"{}");
    assert_eq!(none.status, 401);
    let read_only = server.request(
        "POST",
        "/webhook/incident",
        &[json_type, ("authorization", &format!("Bearer {reader}"))],
        b"{}",
    );
    assert_eq!(read_only.status, 403);
    let ok = server.request(
        "POST",
        "/webhook/incident",
        &[
            json_type,
            ("authorization", &format!("Bearer {runner}")),
            ("idempotency-key", "k1"),
        ],
        b"{\"severity\": \"high\"}",
    );
    assert_eq!(ok.status, 202, "{}", ok.text);
    assert_eq!(ok.json()["run"]["started_by"], "pager");
    let metrics_denied = server.request("GET", "/metrics", &[("authorization", "")], b"");
    assert_eq!(metrics_denied.status, 401);
    let public = Server::start(&sb, &["--metrics-public"]);
    assert_eq!(
        public
            .request("GET", "/metrics", &[("authorization", "")], b"")
            .status,
        200
    );
}

#[test]
fn a_thousand_posts_from_fifty_clients_make_a_thousand_runs() {
    const CLIENTS: usize = 50;
    const EACH: usize = 20;
    let _alone = crate::support::thousand_runs();
    let sb = Sandbox::new();
    sb.sop(
        "load",
        "[sop]\nname = \"load\"\ndescription = \"Load\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"webhook\"\npath = \"/load\"\n",
        "# Load\n\n## Step 1: Run\n```sh\ntrue\n```\n",
    );
    let server = Server::start(&sb, &["--workers", "8"]);
    let url = server.url("/load");
    let started = Instant::now();
    let threads: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let url = url.clone();
            std::thread::spawn(move || {
                let agent = agent();
                let mut ids = Vec::new();
                for i in 0..EACH {
                    let key = format!("{c}-{i}");
                    let mut reply = agent
                        .post(&url)
                        .header("content-type", "application/json")
                        .header("idempotency-key", &key)
                        .send(format!("{{\"n\": {i}}}"))
                        .unwrap();
                    let status = reply.status().as_u16();
                    let text = reply.body_mut().read_to_string().unwrap();
                    assert_eq!(status, 202, "{text}");
                    let v: Value = serde_json::from_str(&text).unwrap();
                    ids.push(v["run"]["id"].as_str().unwrap().to_string());
                }
                ids
            })
        })
        .collect();
    let ids: Vec<String> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let distinct: HashSet<&String> = ids.iter().collect();
    assert_eq!(
        distinct.len(),
        CLIENTS * EACH,
        "every post made its own run"
    );
    let posted = started.elapsed();
    let finished = loop {
        let runs = server
            .get("/api/runs?sop=load&status=succeeded&limit=1000")
            .json();
        let n = runs["runs"].as_array().unwrap().len();
        if n == CLIENTS * EACH {
            break started.elapsed();
        }
        assert!(
            started.elapsed() < LOAD_DEADLINE,
            "{n} of {} runs finished in {:?}",
            CLIENTS * EACH,
            started.elapsed()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    eprintln!("1,000 webhook posts: all answered in {posted:?}, all runs finished in {finished:?}");
    let all = server.get("/api/runs?sop=load&limit=1000").json();
    assert_eq!(
        all["runs"].as_array().unwrap().len(),
        CLIENTS * EACH,
        "none doubled"
    );
    let metrics = server.get("/metrics").text;
    assert!(!metrics.contains("status=\"5"), "{metrics}");
    assert!(metrics.contains(&format!(
        "sop_runs{{sop=\"load\",status=\"succeeded\"}} {}",
        CLIENTS * EACH
    )));
}

/// The server reads the SOP's files on every delivery (and the whole directory when the path is
/// not one it knew); what it keeps between deliveries must never hide an edit, even one that
/// leaves the file's length unchanged.
#[test]
fn an_edited_sop_is_what_the_next_delivery_starts() {
    let sb = Sandbox::new();
    let toml = |path: &str| {
        format!(
            "[sop]\nname = \"edited\"\ndescription = \"d\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"webhook\"\npath = \"{path}\"\n"
        )
    };
    let md = |title: &str| format!("# Edited\n\n## Step 1: {title}\n```sh\ntrue\n```\n");
    sb.sop("edited", &toml("/hooks/first"), &md("Before"));
    let server = Server::start(&sb, &[]);
    let title_of_run = |path: &str| {
        let reply = server.post(path, &serde_json::json!({}));
        assert_eq!(reply.status, 202, "{}", reply.text);
        let id = reply.json()["run"]["id"].as_str().unwrap().to_string();
        let run = server.wait_status(&id, "succeeded");
        run["steps"][0]["title"].as_str().unwrap().to_string()
    };
    assert_eq!(title_of_run("/hooks/first"), "Before");
    sb.sop("edited", &toml("/hooks/first"), &md("Latter"));
    assert_eq!(title_of_run("/hooks/first"), "Latter");
    sb.sop("edited", &toml("/hooks/other"), &md("Latter"));
    let gone = server.post("/hooks/first", &serde_json::json!({}));
    assert_eq!(gone.status, 404, "{}", gone.text);
    assert_eq!(title_of_run("/hooks/other"), "Latter");
    // Another SOP takes the old path up: it serves it from the next delivery, whatever the
    // server last knew of who served it.
    sb.sop(
        "taker",
        &toml("/hooks/first").replace("\"edited\"", "\"taker\""),
        &md("Taken"),
    );
    assert_eq!(title_of_run("/hooks/first"), "Taken");
}
