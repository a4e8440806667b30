//! Connections at the socket: a client sending its request head or body too slowly, or sending
//! nothing, is cut off after its limit (set short here through the settings), and a server asked
//! to stop answers the requests that arrive on connections already open with `503` `draining`
//! and `Connection: close` instead of resetting them.

use crate::api::sandbox;
use crate::serving::{DEADLINE, Server, eventually};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A connection to `server` that gives up reading after [`DEADLINE`].
fn connect(server: &Server) -> TcpStream {
    let s = TcpStream::connect(&server.addr).unwrap();
    s.set_read_timeout(Some(DEADLINE)).unwrap();
    s
}

/// One answer read off a kept-alive connection: its head (lower-case) and its body.
fn answer(s: &mut TcpStream) -> (String, String) {
    let mut reader = BufReader::new(s);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        assert_ne!(
            reader.read_line(&mut line).unwrap(),
            0,
            "closed after {head:?}"
        );
        if line == "\r\n" {
            break;
        }
        head.push_str(&line.to_ascii_lowercase());
    }
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .map(|n| n.trim().parse().unwrap())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (head, String::from_utf8(body).unwrap())
}

/// Whether the server closed `s`: a read ends (or is reset) instead of timing out.
fn closed_by_server(s: &mut TcpStream) -> bool {
    let mut rest = Vec::new();
    match s.read_to_end(&mut rest) {
        Ok(_) => true,
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    }
}

#[test]
fn a_request_head_trickled_in_is_cut_off_at_its_limit() {
    let mut sb = sandbox();
    sb.env("SOP_HTTP_HEADER_TIMEOUT", "300ms");
    let server = Server::start(&sb, &[]);
    let mut s = connect(&server);
    let started = Instant::now();
    s.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n")
        .unwrap();
    // A byte every 50 ms, as a slowloris client sends: each one is progress, none moves the
    // limit, which counts from the head's first byte.
    let stop = Arc::new(AtomicBool::new(false));
    let trickle = {
        let (mut s, stop) = (s.try_clone().unwrap(), Arc::clone(&stop));
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) && s.write_all(b"x").is_ok() {
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };
    assert!(closed_by_server(&mut s), "the connection stayed open");
    let took = started.elapsed();
    stop.store(true, Ordering::SeqCst);
    trickle.join().unwrap();
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(took < Duration::from_secs(10), "{took:?}");
    // A request whose head comes at once is served as ever.
    let mut fine = connect(&server);
    fine.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .unwrap();
    let (head, body) = answer(&mut fine);
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert_eq!(body, r#"{"status":"ok"}"#);
}

#[test]
fn a_connection_that_sends_nothing_is_closed_after_the_idle_limit() {
    let mut sb = sandbox();
    sb.env("SOP_HTTP_IDLE_TIMEOUT", "300ms");
    let server = Server::start(&sb, &[]);
    let started = Instant::now();
    assert!(closed_by_server(&mut connect(&server)));
    // Idle after an answer, too.
    let mut s = connect(&server);
    s.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .unwrap();
    assert!(answer(&mut s).0.starts_with("http/1.1 200"));
    assert!(closed_by_server(&mut s));
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_silent_live_stream_outlasts_the_idle_limit() {
    let mut sb = sandbox();
    sb.env("SOP_HTTP_IDLE_TIMEOUT", "300ms");
    let server = Server::start(&sb, &[]);
    // A run waiting for approval: its live stream sends the page once, then nothing new.
    let reply = server.post("/api/sop/deploy/trigger", &serde_json::json!({}));
    let run = reply.json()["run"]["id"].as_str().unwrap().to_string();
    server.wait_status(&run, "awaiting_approval");
    let mut s = connect(&server);
    s.set_read_timeout(Some(Duration::from_millis(1500)))
        .unwrap();
    write!(s, "GET /ui/runs/{run}/live HTTP/1.1\r\nhost: x\r\n\r\n").unwrap();
    let started = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0; 4096];
    // The stream is still open well past the idle limit: the read times out, the connection is
    // neither ended nor reset.
    let end = loop {
        match s.read(&mut buf) {
            Ok(0) => break "closed",
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break "reset",
            Err(_) => break "open",
        }
    };
    let text = String::from_utf8_lossy(&got);
    assert_eq!(end, "open", "after {:?}: {text}", started.elapsed());
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "{:?}",
        started.elapsed()
    );
    assert!(text.contains("event: progress"), "{text}");
}

#[test]
fn a_body_trickled_in_is_answered_408_once_its_deadline_passes() {
    let mut sb = sandbox();
    sb.env("SOP_HTTP_BODY_TIMEOUT", "300ms");
    let server = Server::start(&sb, &[]);
    // An API route and a webhook read their bodies differently; the deadline is the same.
    for (path, body_start) in [
        ("PUT /api/facts/slow", r#"{"value": "#),
        ("POST /incident", r#"{"severity": "#),
    ] {
        let mut s = connect(&server);
        let started = Instant::now();
        write!(
            s,
            "{path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{body_start}"
        )
        .unwrap();
        let (head, body) = answer(&mut s);
        assert!(head.starts_with("http/1.1 408"), "{path}: {head}{body}");
        assert!(head.contains("connection: close"), "{path}: {head}");
        let error: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(error["error"]["code"], "request_timeout", "{body}");
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap()
                .contains("within 300ms"),
            "{body}"
        );
        assert!(started.elapsed() >= Duration::from_millis(300));
        assert!(closed_by_server(&mut s), "{path}");
    }
    assert_eq!(server.get("/api/facts/slow").status, 404);
    assert_eq!(
        server.get("/api/runs").json()["runs"],
        serde_json::json!([])
    );
}

/// Sends SIGTERM and waits until the server refuses new connections.
fn stop_accepting(server: &Server) {
    // SAFETY: signalling the server this test started, which is still running.
    unsafe { libc::kill(server.pid() as i32, libc::SIGTERM) };
    eventually("the server to refuse new connections", || {
        TcpStream::connect(&server.addr).is_err()
    });
}

#[test]
fn requests_on_open_connections_while_draining_get_503_draining_and_close() {
    let mut sb = sandbox();
    // Long enough that nothing here races it: the window must end as the connections do.
    sb.env("SOP_HTTP_DRAIN_WINDOW", "20s");
    let server = Server::start(&sb, &[]);
    let mut open = connect(&server);
    let mut health = connect(&server);
    let mut under_way = connect(&server);
    for s in [&mut open, &mut health] {
        s.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
            .unwrap();
        assert!(answer(s).0.starts_with("http/1.1 200"));
    }
    // A request whose body is still coming when the drain begins: its handler is reading the
    // body once the server asks for it (`100 Continue`).
    under_way
        .write_all(b"PUT /api/facts/late HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 15\r\nexpect: 100-continue\r\n\r\n")
        .unwrap();
    let (head, _) = answer(&mut under_way);
    assert!(head.starts_with("http/1.1 100"), "{head}");
    under_way.write_all(b"{\"value\":").unwrap();
    let started = Instant::now();
    stop_accepting(&server);

    open.write_all(b"GET /api/runs HTTP/1.1\r\nhost: x\r\n\r\n")
        .unwrap();
    let (head, body) = answer(&mut open);
    assert!(head.starts_with("http/1.1 503"), "{head}{body}");
    assert!(head.contains("connection: close"), "{head}");
    assert!(head.contains("retry-after: 1"), "{head}");
    let error: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error["error"]["code"], "draining", "{body}");
    assert!(closed_by_server(&mut open));

    health
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .unwrap();
    let (head, body) = answer(&mut health);
    assert!(head.starts_with("http/1.1 503"), "{head}");
    assert!(head.contains("connection: close"), "{head}");
    assert_eq!(body, r#"{"status":"draining"}"#);
    assert!(closed_by_server(&mut health));

    // What was under way is answered as usual, and closed.
    under_way.write_all(b"\"yes\"}").unwrap();
    let (head, body) = answer(&mut under_way);
    assert!(head.starts_with("http/1.1 200"), "{head}{body}");
    assert!(head.contains("connection: close"), "{head}");
    assert!(closed_by_server(&mut under_way));

    // No connection is left, so the server does not wait out its window.
    assert_eq!(server.terminate(), Some(0));
    assert!(started.elapsed() < Duration::from_secs(15));
    let fact = sb.run(&["fact", "get", "late", "--json"]);
    assert_eq!(fact.code, 0, "{fact}");
}

#[test]
fn idle_connections_are_closed_when_the_drain_window_ends() {
    let mut sb = sandbox();
    sb.env("SOP_HTTP_DRAIN_WINDOW", "300ms");
    let server = Server::start(&sb, &[]);
    let mut idle = connect(&server);
    idle.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .unwrap();
    assert!(answer(&mut idle).0.starts_with("http/1.1 200"));
    stop_accepting(&server);
    assert!(closed_by_server(&mut idle));
    assert_eq!(server.terminate(), Some(0));
}
