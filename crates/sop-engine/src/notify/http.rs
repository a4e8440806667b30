//! The one HTTP client of notifications: a blocking `ureq` agent (rustls) used from the
//! sender's own thread, never from a run's thread or an async worker. Errors are described
//! without the URL, which may carry a bot token or a webhook key.

use std::time::Duration;

/// One POST to make.
pub struct Outgoing {
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

/// What came back.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    /// `Retry-After` in seconds, when the server sent one.
    pub retry_after: Option<Duration>,
    pub body: String,
}

/// An agent whose every request gives up after `timeout` (connecting included), so a receiver
/// that accepts and never answers holds the sender at most that long.
pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .user_agent("sop-notify")
        .build()
        .into()
}

/// Sends `out`; an error is a short description that never contains the URL.
pub fn post(agent: &ureq::Agent, out: &Outgoing) -> Result<Reply, String> {
    let mut req = agent.post(&out.url);
    for (name, value) in &out.headers {
        req = req.header(*name, value);
    }
    let mut resp = req.send(out.body.as_bytes()).map_err(describe)?;
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let body = resp
        .body_mut()
        .with_config()
        .limit(1 << 20)
        .read_to_string()
        .unwrap_or_default();
    Ok(Reply {
        status,
        retry_after,
        body,
    })
}

/// What went wrong, in words that cannot leak a secret.
pub fn describe(e: ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => "timed out".into(),
        ureq::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => "timed out".into(),
            kind => format!("connection error: {kind}"),
        },
        ureq::Error::HostNotFound => "host not found".into(),
        ureq::Error::ConnectionFailed => "connection failed".into(),
        ureq::Error::Tls(what) => format!("TLS error: {what}"),
        ureq::Error::Rustls(e) => format!("TLS error: {e}"),
        ureq::Error::BadUri(_) => "the address is not a valid URL".into(),
        ureq::Error::StatusCode(code) => format!("HTTP {code}"),
        _ => "the request failed".into(),
    }
}
