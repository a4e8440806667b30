//! A small HTTP/1.1 server on a loopback port that plays a chat API or a webhook receiver:
//! it records every request exactly (method, path, headers, body) and answers as the test's
//! script says — or holds the connection open without answering, like a notifier that hangs.

#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request as received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub at: Instant,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// An answer: status, extra headers, JSON body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Answer {
    pub fn json(status: u16, body: Value) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: body.to_string(),
        }
    }

    pub fn with_header(mut self, name: &'static str, value: &str) -> Answer {
        self.headers.push((name, value.to_string()));
        self
    }
}

type Script = dyn Fn(&Recorded, &[Recorded]) -> Answer + Send + Sync;

pub struct Fake {
    pub addr: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    hang: Arc<AtomicBool>,
}

impl Fake {
    /// Serves on a fresh port; `script` gets the request and every earlier one.
    pub fn start(
        script: impl Fn(&Recorded, &[Recorded]) -> Answer + Send + Sync + 'static,
    ) -> Fake {
        Fake::on(TcpListener::bind("127.0.0.1:0").unwrap(), script)
    }

    pub fn on(
        listener: TcpListener,
        script: impl Fn(&Recorded, &[Recorded]) -> Answer + Send + Sync + 'static,
    ) -> Fake {
        let addr = listener.local_addr().unwrap().to_string();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let hang = Arc::new(AtomicBool::new(false));
        let script: Arc<Script> = Arc::new(script);
        {
            let (requests, hang) = (requests.clone(), hang.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { continue };
                    let (requests, hang, script) = (requests.clone(), hang.clone(), script.clone());
                    std::thread::spawn(move || serve(stream, &requests, &hang, &*script));
                }
            });
        }
        Fake {
            addr,
            requests,
            hang,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// While on, connections are accepted and read, and never answered.
    pub fn hang(&self, on: bool) {
        self.hang.store(on, Ordering::SeqCst);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    /// The requests to `path` (exact), once at least `n` arrived; fails after the deadline.
    pub fn wait_for(&self, path: &str, n: usize) -> Vec<Recorded> {
        let started = Instant::now();
        loop {
            let got: Vec<Recorded> = self
                .requests()
                .into_iter()
                .filter(|r| r.path == path)
                .collect();
            if got.len() >= n {
                return got;
            }
            assert!(
                started.elapsed() < crate::serving::DEADLINE,
                "{n} request(s) to {path} never arrived; got {:?}",
                self.requests().iter().map(|r| &r.path).collect::<Vec<_>>()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn serve(stream: TcpStream, requests: &Mutex<Vec<Recorded>>, hang: &AtomicBool, script: &Script) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    // One request per connection (`connection: close`).
    {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (Some(method), Some(path)) = (parts.next(), parts.next()) else {
            return;
        };
        let (method, path) = (method.to_string(), path.to_string());
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        let len = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse::<usize>().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let req = Recorded {
            method,
            path,
            headers,
            body,
            at: Instant::now(),
        };
        if hang.load(Ordering::SeqCst) {
            // Read, never answered: the client's timeout ends it.
            let mut rest = Vec::new();
            let _ = reader.read_to_end(&mut rest);
            return;
        }
        let answer = {
            let mut all = requests.lock().unwrap();
            let answer = script(&req, &all);
            all.push(req);
            answer
        };
        let mut head = format!(
            "HTTP/1.1 {} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
            answer.status,
            answer.body.len()
        );
        for (k, v) in &answer.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let _ = writer.write_all(head.as_bytes());
        let _ = writer.write_all(answer.body.as_bytes());
        let _ = writer.flush();
    }
}
