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

/// Why a server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(
        "refusing to listen on {0}: no API token is configured, so anyone who can reach it could start and approve runs\n  = help: set SOP_API_TOKEN (or SOP_API_TOKEN_FILE), create one with `sop token create USER`, listen on 127.0.0.1, or pass --insecure"
    )]
    Unprotected(SocketAddr),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("--workers must be at least 1")]
    NoWorkers,
    #[error(transparent)]
    Engine(#[from] sop_engine::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}
