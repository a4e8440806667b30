//! What every handler shares: the operations, the token check, the pool driving runs, the
//! metrics, and whether the server is draining.

use crate::config::ServerConfig;
use crate::dispatcher::Dispatcher;
use crate::error::{ApiError, ApiResult};
use crate::live_output::LiveOutput;
use crate::metrics::Metrics;
use sop_engine::Service;
use sop_engine::api_tokens::ApiAuth;
use sop_engine::ops::ServerIdentity;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub struct App {
    pub service: Service,
    pub auth: ApiAuth,
    pub dispatcher: Dispatcher,
    pub metrics: Arc<Metrics>,
    /// What steps running here print, for the console.
    pub live: Arc<LiveOutput>,
    pub config: ServerConfig,
    pub server: ServerIdentity,
    /// This process's random key for the approval page's anti-forgery field.
    pub page_key: Vec<u8>,
    draining: AtomicBool,
}

pub type Shared = Arc<App>;

impl App {
    pub fn new(
        service: Service,
        auth: ApiAuth,
        dispatcher: Dispatcher,
        metrics: Arc<Metrics>,
        live: Arc<LiveOutput>,
        config: ServerConfig,
        server: ServerIdentity,
    ) -> Self {
        App {
            service,
            auth,
            dispatcher,
            metrics,
            live,
            config,
            server,
            // Without randomness the page still works: its forms are then refused, never forged.
            page_key: sop_engine::approval::token::generate()
                .map(String::into_bytes)
                .unwrap_or_default(),
            draining: AtomicBool::new(false),
        }
    }

    pub fn draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    /// Runs `f` on a blocking thread: every operation reads the store and some spawn
    /// processes, which must never hold up the threads serving connections. A panic in `f`
    /// is a logged 500.
    pub async fn blocking<T, F>(self: &Arc<Self>, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&App) -> ApiResult<T> + Send + 'static,
    {
        let app = Arc::clone(self);
        match tokio::task::spawn_blocking(move || f(&app)).await {
            Ok(result) => result,
            Err(e) => {
                tracing::error!(error = %e, "a request handler panicked");
                Err(ApiError::internal(
                    "the request failed unexpectedly; it was logged",
                ))
            }
        }
    }
}
