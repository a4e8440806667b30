//! Prometheus Alertmanager's webhook receiver on a live server, with the bodies and headers a
//! real Alertmanager (0.25, payload version 4) sent to `sop serve`: a firing group starts the
//! run its conditions ask for, the resolved one is recorded skipped with a `200` (even when a
//! command names a value it lacks), so the sender does not retry it, and a bearer token from
//! `http_config.authorization` names the actor.

use crate::serving::{Server, token};
use crate::support::Sandbox;
use serde_json::{Value, json};

fn sandbox() -> Sandbox {
    let sb = Sandbox::new();
    sb.sop(
        "disk-full",
        r#"[sop]
name = "disk-full"
description = "Free space on a full disk"
execution_mode = "auto"

[[triggers]]
type = "webhook"
path = "/alertmanager"

[conditions]
expression = "status == 'firing' && commonLabels.severity == 'critical' && alerts[0].labels.alertname == 'DiskFull'"
"#,
        "# Disk full\n\n## Step 1: Name the alert\n```sh\necho \"{{ commonLabels.alertname }} on {{ commonLabels.instance }} for {{ receiver }}, {{ truncatedAlerts }} left out: {{ alerts[0].annotations.summary }}\"\n```\n",
    );
    sb
}

/// A notification as Alertmanager 0.25 posts it for one alert of the group `DiskFull`.
fn notification(status: &str, ends_at: &str) -> Value {
    let labels = json!({"alertname": "DiskFull", "instance": "db-1", "severity": "critical"});
    json!({
        "receiver": "sop",
        "status": status,
        "alerts": [{
            "status": status,
            "labels": labels,
            "annotations": {"summary": "disk 95%"},
            "startsAt": "2026-12-07T09:57:24.750256966Z",
            "endsAt": ends_at,
            "generatorURL": "",
            "fingerprint": "9556f853bb27ef8b"
        }],
        "groupLabels": {"alertname": "DiskFull"},
        "commonLabels": labels,
        "commonAnnotations": {"summary": "disk 95%"},
        "externalURL": "http://vm:19093",
        "version": "4",
        "groupKey": "{}:{alertname=\"DiskFull\"}",
        "truncatedAlerts": 0
    })
}

#[test]
fn a_firing_alert_starts_the_run_and_its_resolution_is_skipped_with_200() {
    let sb = sandbox();
    let secret = token(&sb, "alertmanager", "run");
    let reader = token(&sb, "oncall", "read");
    let server = Server::start(&sb, &[]).with_token(&reader);
    let bearer = format!("Bearer {secret}");
    // Alertmanager's own headers, `Content-Length` aside (the client sets it).
    let headers = [
        ("content-type", "application/json"),
        ("user-agent", "Alertmanager/0.25.0"),
        ("authorization", bearer.as_str()),
    ];
    let post = |body: &Value| {
        server.request(
            "POST",
            "/alertmanager",
            &headers,
            body.to_string().as_bytes(),
        )
    };

    let firing = post(&notification("firing", "0001-01-01T00:00:00Z"));
    assert_eq!(firing.status, 202, "{}", firing.text);
    let run = &firing.json()["run"];
    assert_eq!(run["started_by"], "alertmanager");
    assert_eq!(
        run["variables"]["headers"]["user-agent"],
        "Alertmanager/0.25.0"
    );
    assert!(
        run["variables"]["headers"].get("authorization").is_none(),
        "the token is not kept: {run}"
    );
    let done = server.wait_status(run["id"].as_str().unwrap(), "succeeded");
    assert_eq!(
        done["steps"][0]["output_tail"],
        "DiskFull on db-1 for sop, 0 left out: disk 95%\n"
    );

    let resolved = post(&notification("resolved", "2026-12-07T09:57:31Z"));
    assert_eq!(resolved.status, 200, "{}", resolved.text);
    assert_eq!(resolved.json()["run"]["status"], "skipped");
    let why = resolved.json()["explanation"].as_str().unwrap().to_string();
    assert!(why.contains("status = 'resolved'"), "{why}");

    // An alert without annotations: the step's `alerts[0].annotations.summary` is missing,
    // which does not matter to a run its conditions skip.
    let mut bare = notification("resolved", "2026-12-07T09:57:31Z");
    bare["alerts"][0]["annotations"] = json!({});
    let skipped = post(&bare);
    assert_eq!(skipped.status, 200, "{}", skipped.text);
    assert_eq!(skipped.json()["run"]["status"], "skipped");
    let mut unexplained = notification("firing", "0001-01-01T00:00:00Z");
    unexplained["alerts"][0]["annotations"] = json!({});
    let refused = post(&unexplained);
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert!(
        refused.text.contains("alerts[0].annotations.summary"),
        "{}",
        refused.text
    );

    let wrong = server.request(
        "POST",
        "/alertmanager",
        &[
            headers[0],
            headers[1],
            ("authorization", "Bearer sopapi_wrong"),
        ],
        notification("firing", "0001-01-01T00:00:00Z")
            .to_string()
            .as_bytes(),
    );
    assert_eq!(wrong.status, 401, "{}", wrong.text);
}

#[test]
fn basic_credentials_carry_the_token_as_their_password() {
    use base64::Engine as _;
    let sb = sandbox();
    let secret = token(&sb, "alertmanager", "run");
    let server = Server::start(&sb, &[]).with_token(&secret);
    let basic = |user: &str, password: &str| {
        let pair = format!("{user}:{password}");
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    };
    // `http_config.basic_auth` in Alertmanager's receiver: its user name is whatever the
    // configuration says; the token names the actor.
    let post = |authorization: &str| {
        server.request(
            "POST",
            "/alertmanager",
            &[
                ("content-type", "application/json"),
                ("user-agent", "Alertmanager/0.25.0"),
                ("authorization", authorization),
            ],
            notification("firing", "0001-01-01T00:00:00Z")
                .to_string()
                .as_bytes(),
        )
    };
    let firing = post(&basic("prometheus", &secret));
    assert_eq!(firing.status, 202, "{}", firing.text);
    let run = &firing.json()["run"];
    assert_eq!(run["started_by"], "alertmanager");
    assert!(
        run["variables"]["headers"].get("authorization").is_none(),
        "the credentials are not kept: {run}"
    );

    let wrong = post(&basic("alertmanager", "sopapi_wrong"));
    assert_eq!(wrong.status, 401, "{}", wrong.text);
    let no_password = post(&basic("alertmanager", ""));
    assert_eq!(no_password.status, 401, "{}", no_password.text);
    assert!(
        no_password
            .text
            .contains("`Basic` with the token as the password"),
        "{}",
        no_password.text
    );
}

#[test]
fn a_notification_too_large_for_the_environment_starts_its_run_with_the_alerts_in_a_file() {
    let sb = sandbox();
    sb.sop(
        "many",
        "[sop]\nname = \"many\"\ndescription = \"Many alerts at once\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"webhook\"\npath = \"/many\"\n",
        "# Many\n\n## Step 1: Count\n```sh\ntest -z \"${SOP_VAR_ALERTS:-}\" && test -z \"${SOP_VARS:-}\"\ngrep -o '\"fingerprint\"' \"$SOP_VAR_ALERTS_FILE\" | wc -l\nhead -c 9 \"$SOP_VARS_FILE\"; echo\necho \"{{ commonLabels.alertname }} $SOP_VAR_RECEIVER\"\n```\n",
    );
    let secret = token(&sb, "alertmanager", "read,run");
    let server = Server::start(&sb, &[]).with_token(&secret);
    // 1,000 alerts: about 260 KB, over the 128 KiB Linux passes in one environment variable.
    let mut body = notification("firing", "0001-01-01T00:00:00Z");
    let one = body["alerts"][0].clone();
    body["alerts"] = Value::Array(vec![one; 1000]);
    let text = body.to_string();
    assert!(text.len() > 200_000, "{}", text.len());
    let posted = server.request(
        "POST",
        "/many",
        &[("content-type", "application/json")],
        text.as_bytes(),
    );
    assert_eq!(posted.status, 202, "{}", posted.text);
    let id = posted.json()["run"]["id"].as_str().unwrap().to_string();
    let done = server.wait_status(&id, "succeeded");
    assert_eq!(
        done["steps"][0]["output_tail"],
        "1000\n{\"alerts\"\nDiskFull sop\n"
    );
}
