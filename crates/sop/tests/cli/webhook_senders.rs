//! Webhooks as real senders post them, beyond GitHub and Alertmanager: GitLab's secret token,
//! headers sent twice, other services' signature headers, a body with a byte order mark, a
//! resolved alert while a run holds the SOP's only place, a delivery the SOP cannot take, and
//! the challenge a 401 carries for clients that send credentials only when asked.

use crate::serving::{Server, eventually, token};
use crate::support::Sandbox;
use serde_json::{Value, json};
use std::io::{Read, Write};

const SECRET: &str = "gl-secret-123";

fn sandbox() -> Sandbox {
    let mut sb = Sandbox::new();
    sb.env("GL_SECRET", SECRET);
    sb.sop(
        "pipeline",
        "[sop]\nname = \"pipeline\"\ndescription = \"A pipeline event\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"webhook\"\npath = \"/gitlab\"\nsecret_env = \"GL_SECRET\"\n",
        "# Pipeline\n\n## Step 1: Say\n```sh\necho \"{{ object_kind }}\"\n```\n",
    );
    let go = sb.root().join("go");
    sb.sop(
        "alert",
        "[sop]\nname = \"alert\"\ndescription = \"One at a time\"\nexecution_mode = \"auto\"\nconcurrency = 1\n\n[[triggers]]\ntype = \"webhook\"\npath = \"/alert\"\n\n[conditions]\nexpression = \"status == 'firing'\"\n",
        &format!(
            "# Alert\n\n## Step 1: Hold\n```sh\nwhile [ ! -f '{}' ]; do sleep 0.02; done\necho done\n```\n",
            go.display()
        ),
    );
    sb
}

/// One request over a fresh connection, exactly as written (headers sent twice stay two).
fn raw(server: &Server, request: &str) -> (u16, String) {
    let addr = server.url("").trim_start_matches("http://").to_string();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_string();
    (status, body)
}

#[test]
fn gitlabs_secret_token_authorises_its_delivery() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    let body = json!({"object_kind": "pipeline"}).to_string();
    let post = |token: &str| {
        server.request(
            "POST",
            "/gitlab",
            &[
                ("content-type", "application/json"),
                ("x-gitlab-token", token),
            ],
            body.as_bytes(),
        )
    };
    let wrong = post("nope");
    assert_eq!(wrong.status, 401, "{}", wrong.text);
    assert!(
        wrong
            .text
            .contains("X-Gitlab-Token is not this webhook's secret"),
        "{}",
        wrong.text
    );
    let ok = post(SECRET);
    assert_eq!(ok.status, 202, "{}", ok.text);
    let run = &ok.json()["run"];
    assert!(
        run["variables"]["headers"].get("x-gitlab-token").is_none(),
        "the secret is not kept: {run}"
    );
    let done = server.wait_status(run["id"].as_str().unwrap(), "succeeded");
    assert_eq!(done["steps"][0]["output_tail"], "pipeline\n");
}

#[test]
fn headers_sent_twice_are_joined_signatures_are_dropped_and_a_bom_is_ignored() {
    let sb = sandbox();
    std::fs::write(sb.root().join("go"), "").unwrap();
    let server = Server::start(&sb, &[]);
    let body = "\u{feff}{\"status\": \"firing\"}";
    let (status, text) = raw(
        &server,
        &format!(
            "POST /alert HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nX-Tag: a\r\nX-Tag: b\r\nX-PagerDuty-Signature: v1=abc\r\nStripe-Signature: t=1\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    );
    assert_eq!(status, 202, "{text}");
    let run: Value = serde_json::from_str(&text).unwrap();
    let headers = &run["run"]["variables"]["headers"];
    assert_eq!(headers["x-tag"], "a, b", "{headers}");
    assert!(headers.get("x-pagerduty-signature").is_none(), "{headers}");
    assert!(headers.get("stripe-signature").is_none(), "{headers}");
    // No token anywhere: the sender, not the local user, started it.
    assert_eq!(run["run"]["started_by"], "webhook:/alert");
    let done = server.wait_status(run["run"]["id"].as_str().unwrap(), "succeeded");
    assert_eq!(done["steps"][0]["output_tail"], "done\n");
}

#[test]
fn a_resolved_alert_is_skipped_with_200_while_a_run_holds_the_only_place() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    let post = |status: &str| {
        server.request(
            "POST",
            "/alert",
            &[("content-type", "application/json")],
            json!({"status": status}).to_string().as_bytes(),
        )
    };
    let firing = post("firing");
    assert_eq!(firing.status, 202, "{}", firing.text);
    let resolved = post("resolved");
    assert_eq!(resolved.status, 200, "{}", resolved.text);
    assert_eq!(resolved.json()["run"]["status"], "skipped");
    let again = post("firing");
    assert_eq!(again.status, 409, "the place is taken: {}", again.text);
    // No token anywhere (open mode): the document says none is needed.
    let document = server.get("/api/openapi.json").json();
    assert_eq!(
        document["paths"]["/api/sops"]["get"]["security"],
        json!([{"bearer": []}, {"basic": []}, {}])
    );
    std::fs::write(sb.root().join("go"), "").unwrap();
    server.wait_status(firing.json()["run"]["id"].as_str().unwrap(), "succeeded");
}

#[test]
fn a_delivery_the_sop_cannot_take_conflicts_and_a_401_names_its_schemes() {
    let sb = sandbox();
    let user = token(&sb, "ci", "read,run");
    let server = Server::start(&sb, &[]).with_token(&user);
    let firing = || {
        server.request(
            "POST",
            "/alert",
            &[("content-type", "application/json")],
            br#"{"status": "firing"}"#,
        )
    };
    let first = firing();
    assert_eq!(first.status, 202, "{}", first.text);
    // `concurrency = 1`, and the first run holds the place.
    let clash = firing();
    assert_eq!(clash.status, 409, "{}", clash.text);
    assert_eq!(clash.error_code(), "conflict");
    eventually(
        "the lost delivery in the server's log, as a warning",
        || {
            server
                .log()
                .lines()
                .any(|l| l.contains("webhook delivery could not start a run") && l.contains("WARN"))
        },
    );

    let anonymous = server.request(
        "POST",
        "/alert",
        &[("content-type", "application/json"), ("authorization", "")],
        br#"{"status": "firing"}"#,
    );
    assert_eq!(anonymous.status, 401, "{}", anonymous.text);
    assert_eq!(
        anonymous.header("www-authenticate"),
        Some("Bearer realm=\"sop\", Basic realm=\"sop\"")
    );
    // With no credentials, an API request is refused before its body is read: the caller
    // learns nothing of what the route takes.
    for (method, path, body) in [
        ("PUT", "/api/facts/A", &b"{}"[..]),
        ("POST", "/api/tokens", &b"x"[..]),
        ("GET", "/api/runs?limit=abc", &b""[..]),
    ] {
        let r = server.request(
            method,
            path,
            &[("content-type", "application/json"), ("authorization", "")],
            body,
        );
        assert_eq!(r.status, 401, "{method} {path}: {}", r.text);
    }
    let document = server.get("/api/openapi.json").json();
    assert_eq!(
        document["paths"]["/api/sops"]["get"]["security"],
        json!([{"bearer": []}, {"basic": []}]),
        "tokens are configured: one is needed"
    );
    std::fs::write(sb.root().join("go"), "").unwrap();
    server.wait_status(first.json()["run"]["id"].as_str().unwrap(), "succeeded");
}

#[test]
fn steps_are_not_given_the_servers_credentials_and_inherited_secrets_are_hidden() {
    let mut sb = sandbox();
    sb.env("SOP_API_TOKEN", "admin-token-0123456789abcdef");
    sb.env("OTHER_HOOK_KEY", "other-hmac-key-0123456789");
    sb.env("DEPLOY_TOKEN", "deploy-token-0123456789");
    sb.sop(
        "other",
        "[sop]\nname = \"other\"\ndescription = \"Another sender\"\n\n[[triggers]]\ntype = \"webhook\"\npath = \"/other\"\nsecret_env = \"OTHER_HOOK_KEY\"\n",
        "# Other\n\n## Step 1: Say\n```sh\necho other\n```\n",
    );
    sb.sop(
        "dump",
        "[sop]\nname = \"dump\"\ndescription = \"Prints what it inherited\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"webhook\"\npath = \"/dump\"\n",
        "# Dump\n\n## Step 1: Print\n```sh\necho \"api=${SOP_API_TOKEN:-unset} gl=${GL_SECRET:-unset} other=${OTHER_HOOK_KEY:-unset} deploy=${DEPLOY_TOKEN:-unset}\"\necho \"passed=$DEPLOY_TOKEN\" >> \"$SOP_OUTPUT\"\n```\n",
    );
    let server = Server::start(&sb, &[]).with_token("admin-token-0123456789abcdef");
    let started = server.post("/dump", &json!({}));
    assert_eq!(started.status, 202, "{}", started.text);
    let id = started.json()["run"]["id"].as_str().unwrap().to_string();
    server.wait_run(&id, "the dump to finish", |r| r["status"] == "succeeded");
    let logs = server.get(&format!("/api/runs/{id}/logs?step=1")).json();
    assert_eq!(
        logs["steps"][0]["output"], "api=unset gl=unset other=unset deploy=[redacted]\n",
        "{logs}"
    );
    // Passed on as an output, it is hidden there too.
    let run = server.get(&format!("/api/runs/{id}")).json();
    assert_eq!(
        run["run"]["steps"][0]["outputs"]["passed"], "[redacted]",
        "{run}"
    );
}

#[test]
fn a_body_nested_as_deep_as_accepted_reads_back_and_a_deeper_one_is_refused() {
    let sb = sandbox();
    std::fs::write(sb.root().join("go"), "").unwrap();
    let server = Server::start(&sb, &[]);
    // `{"status": …, "d": [[…]]}`: the body is one level, the list the rest.
    let body = |levels: usize| {
        format!(
            "{{\"status\":\"firing\",\"d\":{}{}}}",
            "[".repeat(levels - 1),
            "]".repeat(levels - 1)
        )
    };
    let post = |text: String| {
        server.request(
            "POST",
            "/alert",
            &[("content-type", "application/json")],
            text.as_bytes(),
        )
    };
    let deepest = post(body(64));
    assert_eq!(deepest.status, 202, "{}", deepest.text);
    let id = deepest.json()["run"]["id"].as_str().unwrap().to_string();
    let done = server.wait_status(&id, "succeeded");
    assert_eq!(done["status"], "succeeded");
    for path in ["logs", "audit"] {
        let read = server.get(&format!("/api/runs/{id}/{path}"));
        assert_eq!(read.status, 200, "{path}: {}", read.text);
    }
    let deeper = post(body(65));
    assert_eq!(deeper.status, 400, "{}", deeper.text);
    assert!(
        deeper.text.contains("more than 64 levels deep"),
        "{}",
        deeper.text
    );
}

#[test]
fn a_long_idempotency_key_still_recognises_its_retry() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    let key = format!(
        "ci/acme/pipeline-48213/job-build/{}",
        "0123456789abcdef".repeat(20)
    );
    let post = || {
        server.request(
            "POST",
            "/gitlab",
            &[
                ("content-type", "application/json"),
                ("x-gitlab-token", SECRET),
                ("idempotency-key", key.as_str()),
            ],
            br#"{"object_kind": "build"}"#,
        )
    };
    let first = post();
    assert_eq!(first.status, 202, "{}", first.text);
    let again = post();
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.json()["duplicate"], true);
    assert_eq!(again.json()["run"]["id"], first.json()["run"]["id"]);
}

#[test]
fn pagerduty_and_sentry_signatures_authorise_their_deliveries() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    let body = br#"{"object_kind": "incident"}"#;
    let hex = sop_server::signature::sign(SECRET.as_bytes(), body)
        .trim_start_matches("sha256=")
        .to_string();
    let post = |header: &str, value: &str| {
        server.request(
            "POST",
            "/gitlab",
            &[("content-type", "application/json"), (header, value)],
            body,
        )
    };
    // PagerDuty sends every signature it holds while a secret is rotated.
    let rotated = format!("v1=00ff, v1={hex}");
    assert_eq!(post("x-pagerduty-signature", &rotated).status, 202);
    assert_eq!(post("sentry-hook-signature", &hex).status, 202);
    let wrong = post("x-pagerduty-signature", "v1=00ff");
    assert_eq!(wrong.status, 401, "{}", wrong.text);
    assert!(
        wrong
            .text
            .contains("X-PagerDuty-Signature does not match the body"),
        "{}",
        wrong.text
    );
    let none = post("x-other", "1");
    assert_eq!(none.status, 401, "{}", none.text);
    assert!(none.text.contains("Sentry-Hook-Signature"), "{}", none.text);
}
