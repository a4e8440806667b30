//! What every handler shares: the operations, the token check, the pool driving runs, the
//! metrics, and whether the server is draining.

use crate::config::ServerConfig;
use crate::connections::HttpTimeouts;
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
    /// How long connections and request bodies may take.
    pub http: HttpTimeouts,
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
            http: HttpTimeouts::default(),
            server,
            // Without randomness the page still works: its forms are then refused, never forged.
            page_key: sop_engine::approval::token::generate()
                .map(String::into_bytes)
                .unwrap_or_default(),
            draining: AtomicBool::new(false),
        }
    }

    /// The same, with these connection and body limits.
    pub fn with_http(mut self, http: HttpTimeouts) -> Self {
        self.http = http;
        self
    }

    pub fn draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    /// Refuses new work from now on, and has runs start no new step: a step that ends
    /// leaves its run `pending` at the next one, for the next server.
    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
        self.dispatcher.drain();
    }

    /// Runs `f` where it may block ([`off_the_workers`]): every operation reads the store and
    /// some spawn processes.
    pub async fn blocking<T, F>(self: &Arc<Self>, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&App) -> ApiResult<T> + Send + 'static,
    {
        let app = Arc::clone(self);
        off_the_workers(move || f(&app)).await
    }
}

/// Runs `f`, which may block, without holding up the tasks serving connections. On a
/// multi-threaded runtime it runs on this thread once the runtime has handed the worker's other
/// tasks to another thread (`block_in_place`): the request is not passed to a second thread and
/// back, two wake-ups that an idle machine answers slowly (the `202`'s p99). Elsewhere it runs
/// on the blocking pool. A panic in `f` is a logged 500.
pub async fn off_the_workers<T, F>(f: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> ApiResult<T> + Send + 'static,
{
    use tokio::runtime::{Handle, RuntimeFlavor};
    let outcome = if Handle::current().runtime_flavor() == RuntimeFlavor::MultiThread {
        tokio::task::block_in_place(move || {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
                .map_err(|_| "the handler panicked".to_string())
        })
    } else {
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| e.to_string())
    };
    outcome.unwrap_or_else(|e| {
        tracing::error!(error = %e, "a request handler panicked");
        Err(ApiError::internal(
            "the request failed unexpectedly; it was logged",
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Runs `body` as a task on a runtime with one worker thread, where the server's handlers
    /// run (`block_on` itself would run it on this thread, not on the worker).
    fn on_the_worker<F: std::future::Future<Output = ()> + Send + 'static>(body: F) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async { tokio::spawn(body).await.unwrap() });
    }

    #[test]
    fn blocking_work_leaves_the_only_worker_free_for_other_tasks() {
        on_the_worker(async {
            let (tx, rx) = std::sync::mpsc::channel();
            // Queued on the same worker before the blocking call: it can only run if that call
            // handed the worker's tasks on.
            let other = tokio::spawn(async move { tx.send(()).unwrap() });
            let got = off_the_workers(move || Ok(rx.recv_timeout(Duration::from_secs(20)).is_ok()));
            assert_eq!(got.await.ok(), Some(true), "the other task never ran");
            other.await.unwrap();
        });
    }

    #[test]
    fn a_panic_is_an_internal_error_and_the_runtime_goes_on() {
        async fn panics_then_works() {
            let failed = off_the_workers(|| -> ApiResult<()> { panic!("a bug") }).await;
            assert_eq!(failed.unwrap_err().status.as_u16(), 500);
            assert_eq!(off_the_workers(|| Ok(7)).await.ok(), Some(7));
        }
        on_the_worker(panics_then_works());
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(panics_then_works());
    }
}
