//! A real `sop serve` on a random loopback port for the server tests, and a small HTTP client
//! over it. Every wait polls with a deadline; nothing sleeps for a fixed time.

#![allow(dead_code)]

use crate::support::Sandbox;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long anything a test waits for may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// A running server; killed when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
    log: Arc<Mutex<Vec<String>>>,
    agent: ureq::Agent,
    /// Sent as `Authorization: Bearer` unless a request names another.
    pub token: Option<String>,
    /// The server's OpenAPI document; every answer to an `/api` or `/healthz` request is
    /// checked against it.
    openapi: std::cell::OnceCell<Value>,
}

/// One answer: status, headers and the body (as JSON when it is JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The error document's code, checking its shape.
    pub fn error_code(&self) -> String {
        let v = self.json();
        assert!(v["error"]["message"].is_string(), "{v}");
        v["error"]["code"].as_str().unwrap().to_string()
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(DEADLINE))
        .allow_non_standard_methods(true)
        .build()
        .into()
}

impl Server {
    /// Starts `sop serve --listen 127.0.0.1:0 ARGS` in `sb` and waits for its address.
    pub fn start(sb: &Sandbox, args: &[&str]) -> Server {
        let mut full = vec!["serve", "--listen", "127.0.0.1:0", "--log-format", "json"];
        full.extend_from_slice(args);
        let mut cmd = sb.command(&full);
        cmd.stdout(Stdio::null()).stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if let Some(addr) = line.strip_prefix("listening on http://") {
                        let _ = tx.send(addr.to_string());
                    }
                    log.lock().unwrap().push(line);
                }
            });
        }
        let addr = match rx.recv_timeout(DEADLINE) {
            Ok(a) => a,
            Err(_) => {
                let _ = child.kill();
                panic!("the server did not start: {:?}", log.lock().unwrap());
            }
        };
        Server {
            child,
            addr,
            log,
            agent: agent(),
            token: None,
            openapi: std::cell::OnceCell::new(),
        }
    }

    pub fn with_token(mut self, token: &str) -> Self {
        self.token = Some(token.to_string());
        self
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the server logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    /// Any request; `headers` are added to the default token (`("authorization", "")` drops it).
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        self.send(method, path, headers, body, false)
    }

    /// [`Server::request`] for a request that may be repeated whatever its method (a probe of
    /// the routes): a kept-alive connection the server closed meanwhile is tried once more.
    pub fn probe(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        self.send(method, path, headers, body, true)
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        repeatable: bool,
    ) -> Reply {
        let mut builder = ureq::http::Request::builder()
            .method(method)
            .uri(self.url(path));
        let drops_auth = headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("authorization"));
        if let (Some(t), false) = (&self.token, drops_auth) {
            builder = builder.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            if !(k.eq_ignore_ascii_case("authorization") && v.is_empty()) {
                builder = builder.header(*k, *v);
            }
        }
        let request = builder.body(body.to_vec()).unwrap();
        // A connection the machine dropped under load is tried once more, for methods that
        // may be repeated safely.
        let idempotent = repeatable || matches!(method, "GET" | "HEAD" | "PUT" | "DELETE");
        let mut response = match self.agent.run(request.clone()) {
            Ok(r) => r,
            Err(ureq::Error::Io(_)) if idempotent => self
                .agent
                .run(request)
                .unwrap_or_else(|e| panic!("{method} {path}: {e}\n{}", self.log())),
            Err(e) => panic!("{method} {path}: {e}\n{}", self.log()),
        };
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .read_to_string()
            .unwrap_or_else(|e| panic!("{method} {path}: {status} then {e}\n{}", self.log()));
        let reply = Reply {
            status,
            headers,
            text,
        };
        assert!(
            status < 500,
            "{method} {path} answered {status}: {}",
            reply.text
        );
        if path.starts_with("/api/") || path == "/healthz" {
            let problems =
                crate::openapi_check::problems(self.openapi(), method, path, status, &reply.text);
            assert!(
                problems.is_empty(),
                "the answer does not fit the OpenAPI document:\n{}",
                problems.join("\n")
            );
        }
        reply
    }

    /// The server's OpenAPI document (fetched once).
    pub fn openapi(&self) -> &Value {
        self.openapi.get_or_init(|| {
            let mut response = self
                .agent
                .get(self.url("/api/openapi.json"))
                .call()
                .unwrap();
            assert_eq!(response.status().as_u16(), 200);
            serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap()
        })
    }

    pub fn get(&self, path: &str) -> Reply {
        self.request("GET", path, &[], b"")
    }

    pub fn post(&self, path: &str, body: &Value) -> Reply {
        self.request(
            "POST",
            path,
            &[("content-type", "application/json")],
            body.to_string().as_bytes(),
        )
    }

    /// Polls `GET /api/runs/{id}` until `done` holds for the run, or fails after [`DEADLINE`].
    pub fn wait_run(&self, id: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let started = Instant::now();
        loop {
            let reply = self.get(&format!("/api/runs/{id}"));
            if reply.status == 200 {
                let run = reply.json()["run"].clone();
                if done(&run) {
                    return run;
                }
                if started.elapsed() > DEADLINE {
                    panic!(
                        "run {id} never became {what}: {run}\nserver log:\n{}",
                        self.log()
                    );
                }
            } else if started.elapsed() > DEADLINE {
                panic!("run {id}: {reply:?}");
            }
            std::thread::yield_now();
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until the run has `status`.
    /// Waits for an audit entry of run `id` that `found` accepts, without reading the run
    /// itself (a read applies deadlines that are due, as its caller).
    pub fn wait_audit(&self, id: &str, found: impl Fn(&Value) -> bool) -> Value {
        let started = Instant::now();
        loop {
            let audit = self.get(&format!("/api/runs/{id}/audit")).json();
            let entries = audit["entries"].as_array().cloned().unwrap_or_default();
            if let Some(entry) = entries.into_iter().find(&found) {
                return entry;
            }
            if started.elapsed() > DEADLINE {
                panic!(
                    "run {id}: no such audit entry in {audit}
server log:
{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn wait_status(&self, id: &str, status: &str) -> Value {
        self.wait_run(id, status, |r| r["status"] == status)
    }

    /// SIGKILL, and waits until the process is gone.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM; returns the exit code once it stopped.
    pub fn terminate(mut self) -> Option<i32> {
        // SAFETY: signalling a child we started; its pid is still ours until waited for.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(started.elapsed() < DEADLINE, "the server did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Creates an API token in `sb` and returns its secret.
pub fn token(sb: &Sandbox, user: &str, scopes: &str) -> String {
    let out = sb.run(&["token", "create", user, "--scopes", scopes]);
    assert_eq!(out.code, 0, "{out}");
    out.stdout.trim().to_string()
}

/// Waits until `f` holds, polling, or fails after [`DEADLINE`] with `what`.
pub fn eventually(what: &str, f: impl Fn() -> bool) {
    let started = Instant::now();
    while !f() {
        assert!(started.elapsed() < DEADLINE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
