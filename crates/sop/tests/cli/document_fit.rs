//! Request bodies against the OpenAPI document: a request that fits it is never refused as
//! malformed (what the SOP as defined refuses is a `409`), and one that does not fit is a `422`
//! naming the field and its rule. Clients that generate requests from the document rely on both.

use crate::api::sandbox;
use crate::serving::Server;
use serde_json::{Value, json};

fn started(server: &Server, sop: &str) -> String {
    let reply = server.post(&format!("/api/sop/{sop}/trigger"), &json!({}));
    assert_eq!(reply.status, 202, "{}", reply.text);
    reply.json()["run"]["id"].as_str().unwrap().to_string()
}

#[test]
fn a_request_that_fits_the_document_is_never_refused_as_malformed() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    // The body fits; the SOP's commands need `severity` and `service` (forced past its
    // conditions, which would otherwise skip it whatever its commands lack).
    let unfit = server.post(
        "/api/sop/incident-response/trigger",
        &json!({"variables": {"note": "x"}, "force": true}),
    );
    assert_eq!(
        (unfit.status, unfit.error_code().as_str()),
        (409, "conflict"),
        "{}",
        unfit.text
    );
    assert!(unfit.text.contains("`severity`"), "{}", unfit.text);
    // Two names that meet in one environment variable.
    let clash = server.post(
        "/api/events",
        &json!({"event": "deploy.failed", "data": {"a-b": 1, "a_b": 2}}),
    );
    assert_eq!(clash.status, 409, "{}", clash.text);
    // JSON Schema's integers include `1.0`.
    let run = started(&server, "deploy");
    let retry = server.post(&format!("/api/runs/{run}/retry"), &json!({"step": 1.0}));
    assert_eq!(retry.status, 409, "{}", retry.text);
    assert!(!retry.text.contains("does not fit"), "{}", retry.text);
    let listed = server.get("/api/runs?limit=1000&status=failed,%20waiting,");
    assert_eq!(listed.status, 200, "{}", listed.text);
    for r in listed.json()["runs"].as_array().unwrap() {
        assert!(r["status"] == "failed" || r["status"] == "waiting", "{r}");
    }
    let fact = server.request(
        "PUT",
        "/api/facts/Deploy.ok",
        &[("content-type", "application/json")],
        json!({"value": true, "ttl": "1d12h"})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(fact.status, 200, "{}", fact.text);

    // A prefix shared by two runs fits the document; which run it names is the conflict.
    let mut ids = vec![run];
    let shared = loop {
        let id = started(&server, "deploy");
        if let Some(twin) = ids.iter().find(|o| o[..1] == id[..1]) {
            break twin[..1].to_string();
        }
        assert!(
            ids.len() < 60,
            "sixty runs and no two share a first character"
        );
        ids.push(id);
    };
    let ambiguous = server.get(&format!("/api/runs/{shared}"));
    assert_eq!(
        (ambiguous.status, ambiguous.error_code().as_str()),
        (409, "conflict"),
        "{}",
        ambiguous.text
    );
}

#[test]
fn a_request_that_does_not_fit_the_document_is_refused_naming_the_field() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    let run = started(&server, "deploy");
    let cases: [(&str, String, Value, &str); 8] = [
        (
            "POST",
            format!("/api/runs/{run}/skip"),
            json!({"step": 1, "reason": " \t"}),
            "`reason` does not fit: skipping a step needs a reason",
        ),
        (
            "POST",
            format!("/api/sop/run/{run}/approve"),
            json!({"approved": false, "comment": null}),
            "`comment`",
        ),
        (
            "POST",
            format!("/api/sop/run/{run}/approve"),
            json!({"approved": false}),
            "a rejection needs a comment",
        ),
        (
            "POST",
            format!("/api/runs/{run}/retry"),
            json!({"step": 1.5}),
            "`step`",
        ),
        (
            "POST",
            format!("/api/runs/{run}/steps/1/complete"),
            json!({"failed": true, "note": "broke", "outputs": {"k": "v"}}),
            "a failed step has no outputs",
        ),
        (
            "PUT",
            "/api/facts/ready".to_string(),
            json!({"value": true, "ttl": "500ms"}),
            "`ttl` does not fit",
        ),
        (
            "POST",
            "/api/tokens".to_string(),
            json!({"user": "bob", "scopes": []}),
            "`scopes`",
        ),
        (
            "POST",
            "/api/events".to_string(),
            json!({"event": "deploy.failed", "data": {"x": "a\u{0}b"}}),
            "`data.x`",
        ),
    ];
    for (method, path, body, said) in cases {
        let reply = server.request(
            method,
            &path,
            &[("content-type", "application/json")],
            body.to_string().as_bytes(),
        );
        assert_eq!(reply.status, 422, "{method} {path} {body}: {}", reply.text);
        assert!(
            reply.text.contains(said),
            "{method} {path} {body}: {}",
            reply.text
        );
    }
    for name in ["True", "deploy..ok", "1x", "and.ok"] {
        assert_eq!(
            server.get(&format!("/api/facts/{name}")).status,
            422,
            "{name}"
        );
    }
    assert_eq!(server.get("/api/runs?limit=1001").status, 422);
    assert_eq!(server.get("/api/runs?status=%20").status, 422);
}

/// The durations docs/api.md names, as it names them: those before "refused" are taken, those
/// after are not, by a live server (`PUT /api/facts/NAME` with a `ttl`).
#[test]
fn the_durations_the_api_guide_names_are_taken_or_refused_as_it_says() {
    let guide = std::fs::read_to_string(crate::support::repo_root().join("docs/api.md")).unwrap();
    let start = guide
        .find("Durations (")
        .expect("the guide describes durations");
    let text = &guide[start..];
    let text = &text[..text.find("Responses that name").unwrap_or(text.len())];
    let (taken, refused) = text.split_once("refused").unwrap_or((text, ""));
    let examples = |part: &str| -> Vec<String> {
        part.split('`')
            .skip(1)
            .step_by(2)
            .filter(|t| t.starts_with(|c: char| c.is_ascii_digit()))
            .map(str::to_string)
            .collect()
    };
    let (taken, refused) = (examples(taken), examples(refused));
    assert!(
        taken.len() >= 3 && !refused.is_empty(),
        "{taken:?} {refused:?}"
    );
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    let put = |ttl: &str| {
        server.request(
            "PUT",
            "/api/facts/lease",
            &[("content-type", "application/json")],
            json!({"value": true, "ttl": ttl}).to_string().as_bytes(),
        )
    };
    for ttl in &taken {
        let reply = put(ttl);
        assert_eq!(
            reply.status, 200,
            "`{ttl}` is documented as taken: {}",
            reply.text
        );
        assert!(ttl.parse::<sop_core::Duration>().is_ok(), "{ttl}");
    }
    for ttl in &refused {
        let reply = put(ttl);
        assert_eq!(
            reply.status, 422,
            "`{ttl}` is documented as refused: {}",
            reply.text
        );
    }
}
