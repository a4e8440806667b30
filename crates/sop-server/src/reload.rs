//! Hot reload: SOP_DIR is watched (notify) and SIGHUP asks for a reload too. Changes are
//! gathered for a moment, then the live catalog reads the directory again; broken SOPs are
//! logged with their problems (file:line:col) and keep their last good version serving, and
//! the scheduler is woken so cron schedules follow.

use crate::scheduler::Waker;
use crate::state::App;
use notify::{RecursiveMode, Watcher as _};
use sop_engine::catalog::Reloaded;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::Duration;

/// Changes closer together than this are one reload (an editor writes a file in steps).
const SETTLE: Duration = Duration::from_millis(100);

/// Asks for a reload; the file watcher and SIGHUP hold one each.
#[derive(Clone)]
pub struct ReloadRequests {
    tx: Sender<()>,
}

impl ReloadRequests {
    pub fn request(&self) {
        let _ = self.tx.send(());
    }
}

/// The file watcher; dropping it stops watching.
pub struct Watching {
    _watcher: Option<notify::RecommendedWatcher>,
}

/// A channel for reload requests and its receiving end.
pub fn requests() -> (ReloadRequests, Receiver<()>) {
    let (tx, rx) = channel();
    (ReloadRequests { tx }, rx)
}

/// Watches the live catalog's directory, sending a request on every change.
pub fn watch(app: &App, requests: ReloadRequests) -> Watching {
    let Some(live) = app.service.live_catalog() else {
        return Watching { _watcher: None };
    };
    let dir = live.dir().to_path_buf();
    let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if event.is_ok_and(|e| !e.kind.is_access()) {
            requests.request();
        }
    })
    .and_then(|mut w| w.watch(&dir, RecursiveMode::Recursive).map(|()| w));
    match watcher {
        Ok(w) => Watching { _watcher: Some(w) },
        Err(e) => {
            tracing::warn!(dir = %dir.display(), error = %e,
                "cannot watch the SOP directory; send SIGHUP to reload");
            Watching { _watcher: None }
        }
    }
}

/// Reloads on each request (gathering those that come close together) until every sender is
/// gone.
pub fn run(app: Arc<App>, requests: Receiver<()>, scheduler: Waker) {
    while requests.recv().is_ok() {
        loop {
            match requests.recv_timeout(SETTLE) {
                Ok(()) => continue,
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        let Some(live) = app.service.live_catalog() else {
            return;
        };
        let report = live.reload(app.service.clock().now());
        log(&report);
        scheduler.wake();
    }
}

/// Logs what a reload found: each SOP changed, and each broken one with its problems.
pub fn log(report: &Reloaded) {
    for name in &report.changed {
        tracing::info!(sop = %name, "SOP reloaded");
    }
    for (name, problems) in &report.broken {
        tracing::warn!(
            sop = %name,
            problems = %problems.join("\n"),
            "SOP files are invalid; the last good version, if any, stays in use"
        );
    }
}
