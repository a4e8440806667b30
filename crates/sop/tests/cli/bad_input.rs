//! Bad input against a live server: malformed JSON, oversized bodies, wrong content types,
//! unknown SOPs and paths, hostile ids, a client sending one byte a second, and one that
//! disconnects mid-request. None gets a 5xx; none stops others being served.

use crate::api::sandbox;
use crate::serving::Server;
use serde_json::json;
use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

#[test]
fn malformed_oversized_and_mistyped_bodies_are_refused_with_their_status() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    let json_type = [("content-type", "application/json")];
    let broken = server.request(
        "POST",
        "/api/sop/deploy/trigger",
        &json_type,
        b"{\"variables\": ",
    );
    assert_eq!(
        (broken.status, broken.error_code().as_str()),
        (400, "bad_request")
    );
    // The answer comes before the body is sent: a client writing it all would hit a closed
    // connection, so this one sends the headers and reads.
    let mut s = TcpStream::connect(&server.addr).unwrap();
    s.write_all(b"POST /api/sop/deploy/trigger HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1048577\r\n\r\n{")
        .unwrap();
    let mut answer = String::new();
    let _ = std::io::Read::read_to_string(&mut s, &mut answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("payload_too_large"), "{answer}");
    let chunked = vec![b' '; 1024 * 1024 + 1];
    let over = server.request(
        "PUT",
        "/api/facts/x",
        &[
            ("content-type", "application/json"),
            ("transfer-encoding", "chunked"),
        ],
        &chunked[..1024],
    );
    assert_ne!(over.status, 413, "a small body passes");
    let text = server.request(
        "POST",
        "/api/sop/deploy/trigger",
        &[("content-type", "text/plain")],
        b"{}",
    );
    assert_eq!(text.status, 415);
    // An empty body labelled JSON is no body, as an unlabelled one is: the route decides.
    let empty = server.request("POST", "/api/runs/zzzzzzzzzzzz/cancel", &json_type, b"");
    assert_eq!(
        (empty.status, empty.error_code().as_str()),
        (404, "not_found")
    );
    let not_object = server.request("POST", "/api/sop/deploy/trigger", &json_type, b"[1, 2]");
    assert_eq!(not_object.status, 422);
    let wrong_type = server.post(
        "/api/sop/run/zzzzzzzzzzzz/approve",
        &json!({"approved": "yes"}),
    );
    assert_eq!(wrong_type.status, 422);
    let big_step = server.post("/api/runs/zzzzzzzzzzzz/retry", &json!({"step": 1u64 << 40}));
    assert_eq!(big_step.status, 422);
    let webhook_text = server.request(
        "POST",
        "/incident",
        &[("content-type", "text/plain")],
        b"hi",
    );
    assert_eq!(webhook_text.status, 415);
    // `curl -X POST -d ''` labels its empty body a form: no body, no variables.
    let empty_form = server.request(
        "POST",
        "/incident",
        &[("content-type", "application/x-www-form-urlencoded")],
        b"",
    );
    assert!(
        [200, 202].contains(&empty_form.status),
        "{}",
        empty_form.text
    );
}

#[test]
fn unknown_names_and_hostile_ids_are_not_found() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    for path in [
        "/api/runs/..",
        "/api/runs/%2e%2e",
        "/api/runs/%2e%2e%2fetc",
        "/api/runs/1'%20OR%20'1'='1",
        "/api/runs/x;DROP%20TABLE%20runs",
        "/api/runs/%00",
        "/api/runs/zzzzzzzzzzzz/logs",
        "/api/sops/..",
        "/api/sops/%2e%2e",
        "/api/sop/'%3B--/status",
        "/nowhere",
        "/api/sop/run",
    ] {
        let reply = server.get(path);
        assert_eq!(reply.status, 404, "{path}: {}", reply.text);
        assert_eq!(reply.error_code(), "not_found");
    }
    let bad_utf8 = server.get("/api/runs/%ff%fe");
    assert!(
        bad_utf8.status == 400 || bad_utf8.status == 404,
        "{bad_utf8:?}"
    );
    let wrong_method = server.request("DELETE", "/api/sops", &[], b"");
    assert_eq!(wrong_method.status, 405, "{}", wrong_method.text);
    assert_eq!(wrong_method.header("allow"), Some("GET,HEAD"));
    assert_eq!(
        wrong_method.json()["error"]["message"],
        "DELETE is not served at /api/sops; the `Allow` header names the methods that are"
    );
    let facts = server.get("/api/facts/..%2f..");
    assert_eq!(facts.status, 422, "{}", facts.text);
    assert_eq!(server.get("/api/audit/verify").json()["intact"], true);
}

#[test]
fn a_slow_client_and_a_dropped_one_do_not_hold_up_others() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    let addr = server.addr.clone();
    let slow = std::thread::spawn(move || {
        let mut s = TcpStream::connect(&addr).unwrap();
        for b in b"GET /healthz HTTP/1.1\r\n" {
            if s.write_all(&[*b]).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let mut dropped = TcpStream::connect(&server.addr).unwrap();
    dropped
        .write_all(b"POST /api/sop/deploy/trigger HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{\"vari")
        .unwrap();
    drop(dropped);
    let started = Instant::now();
    for _ in 0..10 {
        assert_eq!(server.get("/healthz").status, 200);
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "others waited for the slow client: {:?}",
        started.elapsed()
    );
    slow.join().unwrap();
    assert_eq!(
        server.get("/api/runs").json()["runs"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn path_and_query_values_that_do_not_read_are_refused_in_the_apis_own_words() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    let utf8_help = "percent-encode text as UTF-8 (`é` is `%C3%A9`)";
    for (method, path, message) in [
        (
            "GET",
            "/api/runs?limit=abc",
            "query parameter `limit`: `abc` is not a whole number; give 1 to 1000".to_string(),
        ),
        (
            "GET",
            "/api/runs?limit=-1",
            "query parameter `limit`: `-1` is out of range; give 1 to 1000".to_string(),
        ),
        (
            "GET",
            "/api/runs?limit=",
            "query parameter `limit` is empty; give 1 to 1000, or leave it out".to_string(),
        ),
        (
            "GET",
            "/api/runs?limit=1&limit=2",
            "query parameter `limit` is given 2 times (`1`, `2`); give it once".to_string(),
        ),
        (
            "GET",
            "/api/runs?sop=%FF",
            format!(
                "query parameter `sop` is not valid UTF-8 after percent-decoding: `%FF`; {utf8_help}"
            ),
        ),
        (
            "GET",
            "/api/runs/zzzzzzzzzzzz/logs?step=1.5",
            "query parameter `step`: `1.5` is not a whole number; give 0 to 4294967295".to_string(),
        ),
        (
            "GET",
            "/api/sops/%FF",
            format!(
                "the path is not valid UTF-8 after percent-decoding: `%FF` (the `name` part); {utf8_help}"
            ),
        ),
        (
            "POST",
            "/api/runs/zzzzzzzzzzzz/steps/abc/complete",
            "path parameter `n`: `abc` is not a whole number; give 0 to 4294967295".to_string(),
        ),
    ] {
        let reply = server.request(method, path, &[], b"");
        assert_eq!(
            (reply.status, reply.error_code().as_str()),
            (400, "bad_request"),
            "{path}: {}",
            reply.text
        );
        assert_eq!(reply.json()["error"]["message"], message, "{path}");
    }
    // The console's pages read their queries through the same reader.
    let page = server.get("/ui/runs?status=%FF");
    assert_eq!(page.status, 400, "{}", page.text);
    assert!(
        page.text.contains("query parameter `status`"),
        "{}",
        page.text
    );
    // Out of the document's range, but a whole number: the schema's `422`, in the same words.
    let zero = server.get("/api/runs?limit=0");
    assert_eq!(zero.status, 422);
    assert_eq!(
        zero.json()["error"]["message"],
        "query parameter `limit`: `0` is out of range; give 1 to 1000"
    );
}
