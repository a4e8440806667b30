//! Who may do what through the API: tokens missing, wrong, revoked or expired (401), a token
//! without the scope (403), the admin token naming the actor, `approval_auth = "token"`, gate
//! tokens without an API token, and the refusal to listen unprotected off loopback.

use crate::api::sandbox;
use crate::serving::{Server, eventually, token};
use serde_json::json;

#[test]
fn tokens_are_checked_for_presence_validity_life_and_scope() {
    let sb = sandbox();
    let reader = token(&sb, "dave", "read");
    let runner = token(&sb, "carol", "run");
    let server = Server::start(&sb, &[]);
    let none = server.request("GET", "/api/runs", &[("authorization", "")], b"");
    assert_eq!(
        none.status, 401,
        "a token exists, so one is required: {}",
        none.text
    );
    assert_eq!(none.error_code(), "unauthorized");
    let wrong = server.request(
        "GET",
        "/api/runs",
        &[(
            "authorization",
            "Bearer sopapi_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        )],
        b"",
    );
    assert_eq!(wrong.status, 401);
    let basic = server.request(
        "GET",
        "/api/runs",
        &[("authorization", "Basic Zm9vOmJhcg==")],
        b"",
    );
    assert_eq!(basic.status, 401);
    let bearer = format!("Bearer {reader}");
    assert_eq!(
        server
            .request("GET", "/api/runs", &[("authorization", &bearer)], b"")
            .status,
        200
    );
    let denied = server.request(
        "POST",
        "/api/sop/deploy/trigger",
        &[
            ("authorization", &bearer),
            ("content-type", "application/json"),
        ],
        b"{}",
    );
    assert_eq!(denied.status, 403, "{}", denied.text);
    let runner_auth = format!("Bearer {runner}");
    assert_eq!(
        server
            .request("GET", "/api/runs", &[("authorization", &runner_auth)], b"")
            .status,
        403
    );
    let actor = server.request(
        "GET",
        "/api/runs",
        &[("authorization", &bearer), ("x-sop-actor", "mallory")],
        b"",
    );
    assert_eq!(
        actor.status, 403,
        "only the admin token names actors: {}",
        actor.text
    );

    let listed = sb.run(&["token", "list", "--json"]);
    assert_eq!(listed.code, 0, "{listed}");
    assert!(
        !listed.stdout.contains(&reader),
        "a token is never shown again"
    );
    let id = listed.json()[0]["id"].as_str().unwrap().to_string();
    assert_eq!(sb.run(&["token", "revoke", &id]).code, 0);
    assert_eq!(
        server
            .request("GET", "/api/runs", &[("authorization", &bearer)], b"")
            .status,
        401
    );

    let short = sb.run(&[
        "token",
        "create",
        "erin",
        "--scopes",
        "read",
        "--expires",
        "1s",
    ]);
    assert_eq!(short.code, 0, "{short}");
    let expiring = format!("Bearer {}", short.stdout.trim());
    eventually("the token to expire", || {
        server
            .request("GET", "/api/runs", &[("authorization", &expiring)], b"")
            .status
            == 401
    });
    assert!(
        !server.log().contains(&reader),
        "tokens never reach the log"
    );
    let audit = sb.run(&["audit", "--json"]).stdout;
    assert!(audit.contains("api_token.created") && !audit.contains(&reader));
    assert_eq!(
        sb.run(&["token", "create", "x", "--scopes", "write"]).code,
        2
    );
}

#[test]
fn the_admin_token_names_actors_and_manages_tokens() {
    let mut sb = sandbox();
    sb.env("SOP_API_TOKEN", "an-admin-token-of-some-length");
    let server = Server::start(&sb, &[]).with_token("an-admin-token-of-some-length");
    let started = server.request(
        "POST",
        "/api/sop/deploy/trigger",
        &[
            ("content-type", "application/json"),
            ("x-sop-actor", "frank"),
        ],
        b"{}",
    );
    assert_eq!(started.status, 202, "{}", started.text);
    assert_eq!(started.json()["run"]["started_by"], "frank");
    // A name is UTF-8, as token users may be; one that is not a name is refused, saying which
    // header.
    let named = |actor: &str| {
        server.request(
            "POST",
            "/api/sop/deploy/trigger",
            &[("content-type", "application/json"), ("x-sop-actor", actor)],
            b"{}",
        )
    };
    let jose = named("José");
    assert_eq!(jose.status, 202, "{}", jose.text);
    assert_eq!(jose.json()["run"]["started_by"], "José");
    let long = named(&"x".repeat(129));
    assert_eq!(long.status, 422, "{}", long.text);
    assert!(long.text.contains("X-SOP-Actor"), "{}", long.text);
    let created = server.post(
        "/api/tokens",
        &json!({"user": "gina", "scopes": ["read"], "expires": "90d"}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let secret = created.json()["secret"].as_str().unwrap().to_string();
    let id = created.json()["token"]["id"].as_str().unwrap().to_string();
    assert!(created.json()["token"].get("hash").is_none());
    let listed = server.get("/api/tokens");
    assert!(!listed.text.contains(&secret));
    let gina = format!("Bearer {secret}");
    assert_eq!(
        server
            .request("GET", "/api/sops", &[("authorization", &gina)], b"")
            .status,
        200
    );
    assert_eq!(
        server
            .request("GET", "/api/tokens", &[("authorization", &gina)], b"")
            .status,
        403
    );
    assert_eq!(
        server
            .request("DELETE", &format!("/api/tokens/{id}"), &[], b"")
            .status,
        200
    );
    assert_eq!(
        server
            .request("DELETE", "/api/tokens/nope", &[], b"")
            .status,
        404
    );
    assert_eq!(
        server
            .request("GET", "/api/sops", &[("authorization", &gina)], b"")
            .status,
        401
    );
    let none = server.request("GET", "/api/sops", &[("authorization", "")], b"");
    assert_eq!(
        none.status, 401,
        "an admin token is configured: {}",
        none.text
    );
}

#[test]
fn approval_rules_hold_for_the_tokens_user_and_approval_auth_token_refuses_claims() {
    let mut sb = sandbox();
    let outbox = sb.root().join("outbox").display().to_string();
    sb.env("SOP_APPROVAL_OUTBOX", &outbox);
    sb.sop(
        "guarded",
        "[sop]\nname = \"guarded\"\ndescription = \"Decided with tokens only\"\nexecution_mode = \"supervised\"\npriority = \"high\"\napprovers = [\"alice\", \"bob\"]\napproval_auth = \"token\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Guarded\n\n## Step 1: Go\n```sh\necho went\n```\n",
    );
    let alice = token(&sb, "alice", "run,read,approve");
    let mallory = token(&sb, "mallory", "approve,read");
    let server = Server::start(&sb, &[]).with_token(&alice);
    let id = server.post("/api/sop/guarded/trigger", &json!({})).json()["run"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    server.wait_status(&id, "awaiting_approval");

    let claimed = sb.run(&["approve", &id, "--as", "bob"]);
    assert_ne!(claimed.code, 0, "a claimed identity is refused: {claimed}");
    assert!(claimed.stderr.contains("approval_auth"), "{claimed}");
    let own = server.post(
        &format!("/api/sop/run/{id}/approve"),
        &json!({"approved": true}),
    );
    assert_eq!(
        own.status, 403,
        "alice started it and it is high priority: {}",
        own.text
    );
    let stranger = server.request(
        "POST",
        &format!("/api/sop/run/{id}/approve"),
        &[
            ("authorization", &format!("Bearer {mallory}")),
            ("content-type", "application/json"),
        ],
        br#"{"approved": true}"#,
    );
    assert_eq!(stranger.status, 403, "{}", stranger.text);
    let reject_without_comment = server.post(
        &format!("/api/sop/run/{id}/approve"),
        &json!({"approved": false}),
    );
    assert_eq!(reject_without_comment.status, 422);

    let path = sb.root().join(format!("outbox/{id}-0-bob.json"));
    let gate_token: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let body = json!({"approved": true, "comment": "ok", "token": gate_token["token"]});
    let by_token = server.request(
        "POST",
        &format!("/api/sop/run/{id}/approve"),
        &[("authorization", ""), ("content-type", "application/json")],
        body.to_string().as_bytes(),
    );
    assert_eq!(by_token.status, 200, "{}", by_token.text);
    assert_eq!(by_token.json()["gate"]["decisions"][0]["actor"], "bob");
    let run = server.wait_status(&id, "succeeded");
    assert_eq!(run["steps"][0]["output_tail"], "went\n");
    // The trail says how each decider was known and where the decision came from: the
    // refusals came with API tokens (named by id, never by secret), the decision with the
    // gate's token.
    let audit = server.get(&format!("/api/runs/{id}/audit")).json();
    let entries = audit["entries"].as_array().unwrap();
    let of = |kind: &'static str| entries.iter().filter(move |e| e["kind"] == kind);
    let decided = of("gate.decision").next().unwrap();
    assert_eq!(decided["detail"]["via"], "token", "{decided}");
    assert_eq!(decided["detail"]["channel"], "api", "{decided}");
    let (cli, api): (Vec<_>, Vec<_>) =
        of("gate.refused").partition(|e| e["detail"]["channel"] == "cli");
    assert_eq!(cli.len(), 1, "{audit}");
    assert_eq!(cli[0]["detail"]["via"], "identity", "bob's claim: {audit}");
    assert!(!api.is_empty(), "{audit}");
    for refused in api {
        assert_eq!(refused["detail"]["via"], "authenticated", "{refused}");
        assert_eq!(refused["detail"]["channel"], "api", "{refused}");
        let sender = refused["detail"]["sender"].as_str().unwrap_or("");
        assert!(!sender.is_empty(), "{refused}");
        assert!(
            !alice.contains(sender) && !mallory.contains(sender),
            "{refused}"
        );
    }
}

#[test]
fn a_non_loopback_address_needs_a_token_or_insecure() {
    let sb = sandbox();
    let out = sb.run(&["serve", "--listen", "0.0.0.0:0"]);
    assert_eq!(out.code, 1, "{out}");
    assert!(
        out.stderr.contains("refusing to listen on 0.0.0.0:0"),
        "{out}"
    );
    let bad = sb.run(&["serve", "--listen", "nowhere"]);
    assert_eq!(bad.code, 2, "{bad}");
}

#[test]
fn a_server_that_cannot_start_says_why_once_and_how_to_fix_it() {
    let sb = sandbox();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = sb.run(&["serve", "--listen", &addr]);
    assert_eq!(out.code, 1, "{out}");
    assert_eq!(
        out.stderr.matches("Address already in use").count(),
        1,
        "{out}"
    );
    assert!(
        out.stderr.contains("= help: another process listens there"),
        "{out}"
    );
    let missing = sb.run(&["--dir", "no-such-dir", "serve", "--listen", "127.0.0.1:0"]);
    assert_eq!(missing.code, 2, "{missing}");
    assert!(
        missing
            .stderr
            .contains("the SOP directory no-such-dir does not exist"),
        "{missing}"
    );
    assert!(
        missing.stderr.contains("= help: point --dir or SOP_DIR"),
        "{missing}"
    );
    let one = sb.sops_dir().join("incident-response");
    let single = sb.run(&[
        "--dir",
        one.to_str().unwrap(),
        "serve",
        "--listen",
        "127.0.0.1:0",
    ]);
    assert_eq!(single.code, 2, "{single}");
    assert!(single.stderr.contains("is one SOP's folder"), "{single}");
}
