//! A minimal MCP client written from the protocol's specification, independent of the server's
//! SDK: newline-delimited JSON-RPC 2.0 over the child's stdin and stdout.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

/// Longest a response may take before the test fails (a hung server, not pacing).
const RESPONSE_LIMIT: Duration = Duration::from_secs(60);

pub struct McpClient {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    next_id: u64,
}

impl McpClient {
    /// Starts `cmd` (a `sop mcp` command) and performs the handshake as client `name`.
    pub fn start(cmd: std::process::Command, name: &str) -> (Self, Value) {
        let mut client = Self::spawn(cmd);
        let init = client.request(
            "initialize",
            json!({
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": name, "version": "1.0.0"}
            }),
        );
        client.notify("notifications/initialized", json!({}));
        (client, init)
    }

    /// Starts `cmd` without a handshake, for the revisions where each request carries it.
    pub fn spawn(mut cmd: std::process::Command) -> Self {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        McpClient {
            child,
            stdin,
            lines,
            next_id: 1,
        }
    }

    fn send(&mut self, message: &Value) {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{message}").unwrap();
        stdin.flush().unwrap();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The whole JSON-RPC response to one request (`result` or `error`).
    pub fn exchange(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let line = self
                .lines
                .recv_timeout(RESPONSE_LIMIT)
                .unwrap_or_else(|e| panic!("no response to {method}: {e}"));
            let message: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("stdout holds a line that is not JSON ({e}): {line}"));
            assert_eq!(message["jsonrpc"], "2.0", "{message}");
            if message["id"] == json!(id) {
                return message;
            }
            // A notification or a request from the server: this client declares no
            // capabilities, so none may ask anything of it.
            assert!(
                message.get("method").is_some(),
                "unexpected message: {message}"
            );
            assert!(
                message.get("id").is_none(),
                "the server asked the client: {message}"
            );
        }
    }

    /// The `result` of a request that must succeed.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.exchange(method, params);
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
    }

    /// `tools/call`: the tool's result (`content`, `structuredContent`, `isError`).
    pub fn call(&mut self, tool: &str, arguments: Value) -> Value {
        self.request("tools/call", json!({"name": tool, "arguments": arguments}))
    }

    /// Sends SIGTERM with stdin still open, as a client whose server did not leave on the close
    /// does next; the server's exit status, or `None` when it was still running after
    /// [`RESPONSE_LIMIT`] (then it is killed).
    pub fn terminate(mut self) -> Option<std::process::ExitStatus> {
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let started = std::time::Instant::now();
        while started.elapsed() < RESPONSE_LIMIT {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        None
    }

    /// Closes stdin, as a client that leaves does, and waits for the server to exit.
    pub fn close(mut self) -> std::process::ExitStatus {
        drop(self.stdin.take());
        self.child.wait().unwrap()
    }
}
