//! `sop` as a Model Context Protocol server: each tool is a thin call of one
//! [`sop_engine::Service`] operation returning the same document `--json` prints; each SOP's
//! SOP.md and each run's document are resources; a prompt walks an agent through a run.
//!
//! Operations block (SQLite, steps running), so every one runs on a blocking thread; the
//! protocol's async workers only parse, dispatch and reply.

mod args;
mod bounded;
mod errors;
mod identity;
mod prompt;
mod resources;
mod server;
mod tools;

pub use identity::Identity;
pub use server::SopServer;
pub use tools::{tool_names, tools};

use rmcp::ServiceExt as _;
use sop_engine::{Service, StopSignal};

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[from] std::io::Error),
    #[error("the MCP handshake failed: {0}")]
    Handshake(Box<rmcp::service::ServerInitializeError>),
    #[error("the MCP session ended abnormally: {0}")]
    Session(#[from] tokio::task::JoinError),
}

/// Serves MCP on this process's stdin and stdout until the client closes them, acting for
/// `actor`. Runs still being driven when the client leaves, or when `stop` is requested (a
/// signal), are asked to let go (their step is stopped and the run left resumable); this
/// returns once they have.
pub fn serve_stdio(service: Service, actor: String, stop: StopSignal) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let served = runtime.block_on(async move {
        let watched = stop.clone();
        let server = SopServer::new(service, actor, stop);
        let shutdown = server.clone();
        let running = server
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| ServeError::Handshake(Box::new(e)))?;
        // A client ends a stdio server by closing its stdin, then with SIGTERM: the signal ends
        // the session too, not only the runs it drives.
        let session = running.cancellation_token();
        let watcher = tokio::spawn(async move {
            while watched.requested().is_none() {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            session.cancel();
        });
        running.waiting().await?;
        watcher.abort();
        shutdown.let_go().await;
        Ok(())
    });
    // The transport's read of stdin blocks a thread until a line or EOF comes; a session that
    // a signal ended has neither, and must not wait for it.
    runtime.shutdown_background();
    served
}
