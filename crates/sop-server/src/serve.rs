//! Starting and stopping: bind (refusing an unprotected non-loopback address), then serve
//! until SIGTERM or SIGINT, and shut down gracefully — stop accepting, give running steps
//! `--shutdown-grace`, then let go of the rest so they stay resumable.

use crate::config::{ServerConfig, ServerError};
use crate::connections::{Connection, HttpTimeouts, OpenConnections};
use crate::deadline_timer::DeadlineTimer;
use crate::dispatcher::Dispatcher;
use crate::metrics::Metrics;
use crate::state::App;
use sop_engine::Service;
use sop_engine::api_tokens::ApiAuth;
use sop_engine::catalog::LiveCatalog;
use sop_engine::ops::ServerIdentity;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long drivers get to let go of their runs after the grace period.
const LET_GO_WAIT: Duration = Duration::from_secs(15);

/// A server bound to its address, not serving yet.
pub struct Bound {
    listener: std::net::TcpListener,
    addr: SocketAddr,
    service: Service,
    auth: ApiAuth,
    config: ServerConfig,
    http: HttpTimeouts,
}

/// Binds `config.listen`. Refuses a non-loopback address when no token is configured, unless
/// `config.insecure`.
pub fn bind(service: Service, config: ServerConfig) -> Result<Bound, ServerError> {
    if config.workers == 0 {
        return Err(ServerError::NoWorkers);
    }
    let auth = ApiAuth::from_settings(service.settings())?;
    let http = HttpTimeouts::from_settings(service.settings())?;
    if !config.listen.ip().is_loopback() && !config.insecure {
        let now = service.clock().now();
        let stored = service.api_tokens()?.iter().any(|t| t.is_live(now));
        if !auth.has_admin_token() && !stored {
            return Err(ServerError::Unprotected(config.listen));
        }
    }
    sop_engine::catalog::Catalog::check_dir(service.settings().sop_dir())
        .map_err(ServerError::SopDir)?;
    // A server whose messages cannot go out leaves every gate waiting on nobody: it does not
    // start until the settings are fixed.
    use sop_engine::notify::NotifySettings;
    if !NotifySettings::turned_off(service.settings())
        && let Err(problems) = NotifySettings::load_all(service.settings())
    {
        return Err(ServerError::Notifications(
            problems.iter().map(|e| format!("{e:#}")).collect(),
        ));
    }
    let listener =
        std::net::TcpListener::bind(config.listen).map_err(|error| ServerError::Bind {
            addr: config.listen,
            error,
        })?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    // Steps run as this user: they must not read the credentials out of this process.
    if let Err(e) = crate::private_memory::keep_private() {
        tracing::warn!(error = %e, "cannot keep the server's memory from its steps");
    }
    Ok(Bound {
        listener,
        addr,
        service,
        auth,
        config,
        http,
    })
}

impl Bound {
    /// The address really bound (the port chosen for `:0`).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully.
    pub fn serve(self) -> Result<(), ServerError> {
        let (live, loaded) = LiveCatalog::load(
            self.service.settings().sop_dir(),
            self.service.clock().now(),
        );
        crate::reload::log(&loaded);
        for good in live.serving() {
            for warning in
                sop_engine::ops::webhook_secrets::unset_secrets(self.service.settings(), &good.sop)
            {
                tracing::warn!(sop = %good.sop.meta.name, "{warning}");
            }
        }
        // Two leaders ready: a burst of starts takes them while the pool makes more.
        let service = self
            .service
            .with_live_catalog(Arc::new(live))
            .with_leader_pool(2)
            .with_dir_pool();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("sop-http")
            .build()?;
        let metrics = Arc::new(Metrics::default());
        let timer = Arc::new(DeadlineTimer::default());
        let live = Arc::new(crate::live_output::LiveOutput::default());
        let dispatcher = Dispatcher::new(
            service.clone(),
            self.config.workers,
            Arc::clone(&metrics),
            Arc::clone(&timer),
            Arc::clone(&live),
        );
        let started = service.clock().now();
        let server = ServerIdentity::new(self.addr.to_string(), started);
        service.server_heartbeat(&server)?;
        let app = Arc::new(
            App::new(
                service,
                self.auth,
                dispatcher,
                metrics,
                live,
                self.config,
                server,
            )
            .with_http(self.http),
        );
        let (stop_checkpoints, checkpoints_stopped) = std::sync::mpsc::channel::<()>();
        let checkpointer = {
            let app = Arc::clone(&app);
            std::thread::Builder::new()
                .name("sop-checkpoint".into())
                .spawn(move || checkpoints(&app, &checkpoints_stopped))?
        };
        let (stop_sweeper, stopped) = std::sync::mpsc::channel();
        let sweeper = {
            let app = Arc::clone(&app);
            std::thread::Builder::new()
                .name("sop-sweeper".into())
                .spawn(move || crate::sweeper::run(app, stopped))?
        };
        let (waker, wakes) = crate::scheduler::channel_pair();
        let scheduler = {
            let app = Arc::clone(&app);
            std::thread::Builder::new()
                .name("sop-scheduler".into())
                .spawn(move || crate::scheduler::run(app, wakes))?
        };
        let (reloads, reload_rx) = crate::reload::requests();
        let watching = crate::reload::watch(&app, reloads.clone());
        {
            let app = Arc::clone(&app);
            let waker = waker.clone();
            std::thread::Builder::new()
                .name("sop-reload".into())
                .spawn(move || crate::reload::run(app, reload_rx, waker))?;
        }
        let notify = crate::notifier::start(&app);
        let deadlines = {
            let (timer, service) = (Arc::clone(&timer), app.service.clone());
            std::thread::Builder::new()
                .name("sop-deadlines".into())
                .spawn(move || timer.run(&service))?
        };
        let router = crate::routes::router(Arc::clone(&app));
        // When the drain began, so that the steps' grace counts from the signal.
        let drain_began = Arc::new(std::sync::OnceLock::new());
        let result = runtime.block_on(async {
            let (start_drain, draining) = tokio::sync::watch::channel(false);
            let open = OpenConnections::default();
            let listener = crate::connections::Listener::new(
                tokio::net::TcpListener::from_std(self.listener)?,
                app.http,
                draining,
                open.clone(),
            )?;
            let hangups = tokio::spawn(reload_on_hangup(reloads));
            let shutdown = {
                let app = Arc::clone(&app);
                let drain_began = Arc::clone(&drain_began);
                async move {
                    let signal = wait_for_signal().await;
                    tracing::info!(
                        signal,
                        "stopping: no new requests, running steps get the grace period"
                    );
                    app.start_draining();
                    let _ = drain_began.set(Instant::now());
                    // New connections are refused from here; requests on open ones are
                    // answered `503` `draining` until none is left or the window ends, when
                    // the graceful shutdown closes the idle ones.
                    let _ = start_drain.send(true);
                    let window = app.http.drain.min(app.config.shutdown_grace);
                    open.all_closed_or(window).await;
                }
            };
            let service = router.into_make_service_with_connect_info::<Connection>();
            let served = axum::serve(listener, service)
                .with_graceful_shutdown(shutdown)
                .await;
            hangups.abort();
            served
        });
        waker.stop();
        drop(watching);
        let _ = scheduler.join();
        let app_ref = &app;
        app_ref.start_draining();
        app_ref.dispatcher.close();
        let spent = drain_began.get().map(Instant::elapsed).unwrap_or_default();
        let grace = app_ref.config.shutdown_grace.saturating_sub(spent);
        if !app_ref.dispatcher.wait_idle(grace) {
            tracing::info!("grace period over: stopping the steps still running");
            app_ref.dispatcher.interrupt(libc::SIGTERM);
            app_ref.dispatcher.wait_idle(LET_GO_WAIT);
        }
        notify.stop();
        drop(stop_sweeper);
        let _ = sweeper.join();
        drop(stop_checkpoints);
        let _ = checkpointer.join();
        timer.stop();
        let _ = deadlines.join();
        if let Err(e) = app_ref.service.server_stopped(&app_ref.server) {
            tracing::warn!(error = %e, "cannot record that the server stopped");
        }
        runtime.shutdown_timeout(Duration::from_secs(1));
        app_ref.service.clear_spare_dirs();
        tracing::info!("stopped");
        result.map_err(ServerError::Io)
    }
}

/// Asks for a reload of the SOPs on every SIGHUP.
async fn reload_on_hangup(reloads: crate::reload::ReloadRequests) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut hangup) = signal(SignalKind::hangup()) else {
        return;
    };
    while hangup.recv().await.is_some() {
        tracing::info!("SIGHUP: reloading the SOPs");
        reloads.request();
    }
}

/// The signal number of the first SIGTERM or SIGINT.
async fn wait_for_signal() -> i32 {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        std::future::pending::<()>().await;
        return 0;
    };
    tokio::select! {
        _ = term.recv() => libc::SIGTERM,
        _ = int.recv() => libc::SIGINT,
    }
}

/// How often the server looks whether the store's write-ahead log is due to be copied into the
/// database.
const CHECKPOINT_LOOK: Duration = Duration::from_millis(100);

/// The log is copied once no commit came for this long...
const CHECKPOINT_QUIET: Duration = Duration::from_millis(250);

/// ...and at the latest this long after the last copy, so no copy grows large: a copy of
/// 500 commits' log at once stalled the commits behind its flush for up to 9 ms.
const CHECKPOINT_LATEST: Duration = Duration::from_secs(1);

/// The store's log upkeep on a thread of its own, so that no request, tick or step transition
/// waits for it (a copy and a flush of the database file took hundreds of milliseconds on a
/// busy disk when a commit did it). It prefers a pause in the commits: the copy's flush
/// competes with theirs for the disk (at idle, the `202`'s p99 was 1.5–1.6 ms without copying
/// against 2.3–2.4 ms copying every second, whenever it came).
fn checkpoints(app: &App, stop: &std::sync::mpsc::Receiver<()>) {
    let store = app.service.store();
    if let Err(e) = store.defer_checkpoints() {
        tracing::warn!(error = %e, "commits keep checkpointing the store themselves");
        return;
    }
    let mut copied = (store.commits(), Instant::now());
    let mut seen = copied;
    while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stop.recv_timeout(CHECKPOINT_LOOK) {
        let now = store.commits();
        if now != seen.0 {
            seen = (now, Instant::now());
        }
        let quiet = seen.1.elapsed() >= CHECKPOINT_QUIET;
        if now > copied.0 && (quiet || copied.1.elapsed() >= CHECKPOINT_LATEST) {
            if let Err(e) = store.checkpoint() {
                tracing::warn!(error = %e, "cannot checkpoint the store");
            }
            copied = (now, Instant::now());
        }
    }
}
