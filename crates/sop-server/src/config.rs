//! How a server is set up: where it listens, how many runs it drives at once, how long it
//! waits for running steps when stopping, and its security switches.

use std::net::SocketAddr;
use std::time::Duration;

/// `--log-format`: human lines on a terminal, JSON lines for log collectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    /// Runs driven at once; more wait as `pending`, in creation order.
    pub workers: usize,
    /// How long running steps get to finish on SIGTERM/SIGINT before they are stopped.
    pub shutdown_grace: Duration,
    /// Listen on a non-loopback address although no API token is configured.
    pub insecure: bool,
    /// Serve `/metrics` without a token.
    pub metrics_public: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            workers: 32,
            shutdown_grace: Duration::from_secs(30),
            insecure: false,
            metrics_public: false,
        }
    }
}

/// How to fix a failed bind, by its cause.
fn bind_help(error: &std::io::Error) -> &'static str {
    match error.kind() {
        std::io::ErrorKind::AddrInUse => {
            "another process listens there (another `sop serve`?): stop it, or pass another --listen (port 0 picks a free one)"
        }
        std::io::ErrorKind::AddrNotAvailable => {
            "this machine has no such address: listen on 127.0.0.1, 0.0.0.0, or one of its own addresses"
        }
        std::io::ErrorKind::PermissionDenied => {
            "ports below 1024 need privileges: use a higher port, or put a reverse proxy in front"
        }
        _ => "pass another --listen (or SOP_LISTEN)",
    }
}

/// Why a server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(
        "refusing to listen on {0}: no API token is configured, so anyone who can reach it could start and approve runs\n  = help: set SOP_API_TOKEN (or SOP_API_TOKEN_FILE), create one with `sop token create USER`, listen on 127.0.0.1, or pass --insecure"
    )]
    Unprotected(SocketAddr),
    /// The cause is part of the message, not a `source`: printed as a chain, it came twice.
    #[error("cannot listen on {addr}: {error}\n  = help: {}", bind_help(error))]
    Bind {
        addr: SocketAddr,
        error: std::io::Error,
    },
    /// A server with no SOP directory would serve nothing, silently: most likely a typo.
    #[error("{dir}\n  = help: {help}", dir = .0, help = .0.help())]
    SopDir(sop_engine::catalog::CatalogError),
    #[error("--workers must be at least 1")]
    NoWorkers,
    #[error(
        "the notification settings are wrong, so no approval request could be sent:\n{}\n  = help: fix them, or set SOP_NOTIFICATION_ENABLED=false to serve without notifications",
        .0.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n")
    )]
    Notifications(Vec<String>),
    #[error(transparent)]
    Engine(#[from] sop_engine::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}
