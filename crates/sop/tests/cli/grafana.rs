//! Grafana Alerting's webhook contact point as it sends: the body of its default template
//! signed with its "HMAC Signature" option (with and without a signed timestamp, a stale one
//! refused), and its HTTP method option set to `PUT`.

use crate::serving::{Server, token};
use crate::support::Sandbox;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};

const SECRET: &str = "grafana-hmac-secret-0123";
const SIGNATURE: &str = "X-Grafana-Alerting-Signature";
const TIMESTAMP: &str = "X-Grafana-Alerting-Signature-Timestamp";

fn sandbox() -> Sandbox {
    let mut sb = Sandbox::new();
    sb.env("GRAFANA_SECRET", SECRET);
    sb.sop(
        "disk",
        "[sop]\nname = \"disk\"\ndescription = \"Disk alerts from Grafana\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"webhook\"\npath = \"/grafana\"\nsecret_env = \"GRAFANA_SECRET\"\n\n[conditions]\nexpression = \"status == 'firing'\"\n",
        "# Disk\n\n## Step 1: Say\n```sh\necho \"{{ alerts[0].labels.alertname }} on {{ commonLabels.instance }}\"\n```\n",
    );
    sb.sop(
        "open",
        "[sop]\nname = \"open\"\ndescription = \"An unsigned hook\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"webhook\"\npath = \"/grafana/open\"\n",
        "# Open\n\n## Step 1: Say\n```sh\necho \"{{ title }}\"\n```\n",
    );
    sb
}

/// A notification as Grafana 12's webhook contact point sends it (payload version 1).
fn grafana_body(instance: &str) -> Vec<u8> {
    json!({
        "receiver": "sop",
        "status": "firing",
        "orgId": 1,
        "alerts": [{
            "status": "firing",
            "labels": {"alertname": "DiskFull", "grafana_folder": "infra", "instance": instance},
            "annotations": {"summary": "Disk almost full"},
            "startsAt": "2026-01-01T00:00:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://grafana.local/alerting/grafana/abc/view?orgId=1",
            "fingerprint": "57c6d9296de2ad39",
            "silenceURL": "http://grafana.local/alerting/silence/new",
            "dashboardURL": "",
            "panelURL": "",
            "values": {"B": 92.5, "C": 1},
            "valueString": format!("[ var='B' labels={{instance={instance}}} value=92.5 ]"),
        }],
        "groupLabels": {"alertname": "DiskFull", "grafana_folder": "infra"},
        "commonLabels": {"alertname": "DiskFull", "grafana_folder": "infra", "instance": instance},
        "commonAnnotations": {"summary": "Disk almost full"},
        "externalURL": "http://grafana.local/",
        "version": "1",
        "groupKey": "{}/{}:{alertname=\"DiskFull\"}",
        "truncatedAlerts": 0,
        "title": "[FIRING:1] DiskFull infra",
        "state": "alerting",
        "message": "**Firing**\n\nValue: B=92.5\n",
    })
    .to_string()
    .into_bytes()
}

/// hex(HMAC-SHA256(secret, message)), as Grafana computes it.
fn hmac_hex(secret: &str, message: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

fn timestamped(ts: &str, body: &[u8]) -> Vec<u8> {
    [ts.as_bytes(), b":", body].concat()
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn post(
    server: &Server,
    method: &str,
    body: &[u8],
    headers: &[(&str, &str)],
) -> crate::serving::Reply {
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    server.request(method, "/grafana", &all, body)
}

#[test]
fn grafanas_hmac_signature_authorises_its_delivery_with_and_without_a_timestamp() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);

    // Without a timestamp header: the body alone is signed.
    let body = grafana_body("db-1");
    let signed = post(
        &server,
        "POST",
        &body,
        &[(SIGNATURE, &hmac_hex(SECRET, &body))],
    );
    assert_eq!(signed.status, 202, "{}", signed.text);
    let run = signed.json()["run"].clone();
    let headers = &run["variables"]["headers"];
    assert!(
        headers.get("x-grafana-alerting-signature").is_none(),
        "{headers}"
    );
    let done = server.wait_status(run["id"].as_str().unwrap(), "succeeded");
    assert_eq!(done["steps"][0]["output_tail"], "DiskFull on db-1\n");

    // With the timestamp header: `<timestamp>:<body>` is signed.
    let body = grafana_body("db-2");
    let now = unix_now().to_string();
    let sig = hmac_hex(SECRET, &timestamped(&now, &body));
    let fresh = post(
        &server,
        "POST",
        &body,
        &[(SIGNATURE, &sig), (TIMESTAMP, &now)],
    );
    assert_eq!(fresh.status, 202, "{}", fresh.text);

    // The body's signature does not stand for the timestamped one, nor the other way round.
    let untimed = post(
        &server,
        "POST",
        &body,
        &[(SIGNATURE, &hmac_hex(SECRET, &body)), (TIMESTAMP, &now)],
    );
    assert_eq!(untimed.status, 401, "{}", untimed.text);
    assert!(
        untimed
            .text
            .contains("X-Grafana-Alerting-Signature does not match the body"),
        "{}",
        untimed.text
    );
    let dropped = post(&server, "POST", &body, &[(SIGNATURE, &sig)]);
    assert_eq!(dropped.status, 401, "{}", dropped.text);
    let other_key = post(
        &server,
        "POST",
        &body,
        &[
            (
                SIGNATURE,
                &hmac_hex("another-secret", &timestamped(&now, &body)),
            ),
            (TIMESTAMP, &now),
        ],
    );
    assert_eq!(other_key.status, 401, "{}", other_key.text);

    // A correctly signed delivery from more than 5 minutes ago (or ahead) is a replay.
    for skew in [-600, 600] {
        let ts = (unix_now() + skew).to_string();
        let sig = hmac_hex(SECRET, &timestamped(&ts, &body));
        let stale = post(
            &server,
            "POST",
            &body,
            &[(SIGNATURE, &sig), (TIMESTAMP, &ts)],
        );
        assert_eq!(stale.status, 401, "{skew}: {}", stale.text);
        assert!(
            stale.text.contains("from the server's time"),
            "{}",
            stale.text
        );
    }
    let garbled = post(
        &server,
        "POST",
        &body,
        &[
            (SIGNATURE, &hmac_hex(SECRET, &timestamped("soon", &body))),
            (TIMESTAMP, "soon"),
        ],
    );
    assert_eq!(garbled.status, 401, "{}", garbled.text);
    assert!(
        garbled.text.contains("not a time in Unix seconds"),
        "{}",
        garbled.text
    );

    let log = server.log();
    assert!(!log.contains(SECRET), "the secret is never logged");
    let metrics = server.get("/metrics").text;
    assert!(
        metrics.contains("sop_webhooks_total{outcome=\"refused\"} 6"),
        "{metrics}"
    );
}

#[test]
fn put_is_served_like_post_and_other_methods_are_refused_with_allow() {
    let sb = sandbox();
    let user = token(&sb, "grafana", "read,run");
    let server = Server::start(&sb, &[]).with_token(&user);

    // Grafana's contact point with "HTTP Method: PUT" and its HMAC signature.
    let body = grafana_body("db-3");
    let now = unix_now().to_string();
    let sig = hmac_hex(SECRET, &timestamped(&now, &body));
    let put = post(
        &server,
        "PUT",
        &body,
        &[(SIGNATURE, &sig), (TIMESTAMP, &now), ("authorization", "")],
    );
    assert_eq!(put.status, 202, "{}", put.text);
    let done = server.wait_status(put.json()["run"]["id"].as_str().unwrap(), "succeeded");
    assert_eq!(done["steps"][0]["output_tail"], "DiskFull on db-3\n");
    let forged = post(
        &server,
        "PUT",
        &body,
        &[(SIGNATURE, "00"), ("authorization", "")],
    );
    assert_eq!(forged.status, 401, "{}", forged.text);

    // An unsigned hook: PUT needs the same token as POST, and one delivery key covers both.
    let open = |method: &str, headers: &[(&str, &str)]| {
        let mut all = vec![("content-type", "application/json")];
        all.extend_from_slice(headers);
        server.request(
            method,
            "/grafana/open",
            &all,
            br#"{"title": "[FIRING:1] Grafana"}"#,
        )
    };
    let anonymous = open("PUT", &[("authorization", "")]);
    assert_eq!(anonymous.status, 401, "{}", anonymous.text);
    let first = open("PUT", &[("idempotency-key", "grafana-1")]);
    assert_eq!(first.status, 202, "{}", first.text);
    let id = first.json()["run"]["id"].as_str().unwrap().to_string();
    let done = server.wait_status(&id, "succeeded");
    assert_eq!(done["steps"][0]["output_tail"], "[FIRING:1] Grafana\n");
    let retry = open("POST", &[("idempotency-key", "grafana-1")]);
    assert_eq!(retry.status, 200, "{}", retry.text);
    assert_eq!(retry.json()["duplicate"], true);
    assert_eq!(retry.json()["run"]["id"], id.as_str());

    for method in ["GET", "DELETE", "PATCH"] {
        let refused = open(method, &[]);
        assert_eq!(refused.status, 405, "{method}: {}", refused.text);
        assert_eq!(refused.header("allow"), Some("POST, PUT"), "{method}");
        let body: Value = refused.json();
        assert_eq!(body["error"]["code"], "method_not_allowed", "{body}");
    }
}
