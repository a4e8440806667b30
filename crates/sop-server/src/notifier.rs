//! The server's notification threads: the outbox sender and, with a Telegram bot, the
//! `getUpdates` poller whose button presses are decided like the webhook routes' ones. Both
//! are plain threads; neither touches an async worker or a run's thread.

use crate::routes::chat_decider;
use crate::state::Shared;
use sop_engine::notify::telegram_poll::Poller;
use sop_engine::notify::{Sender, Worker};

/// The running threads, stopped with the server.
pub struct Notifier {
    worker: Option<Worker>,
    poller: Option<Poller>,
}

/// Starts the threads the settings ask for. The server checked the settings before it bound its
/// address; one that went bad since is logged, and the server serves without notifications.
pub fn start(app: &Shared) -> Notifier {
    let mut n = Notifier {
        worker: None,
        poller: None,
    };
    if sop_engine::notify::NotifySettings::turned_off(app.service.settings()) {
        return n;
    }
    let settings = match app.service.notify_settings() {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "notifications are off: a setting is wrong");
            return n;
        }
    };
    if !settings.enabled {
        return n;
    }
    let poll = settings.poll;
    let sender = Sender::new(
        app.service.shared_store(),
        settings.clone(),
        app.service.clock(),
    );
    match Worker::spawn(
        sender,
        poll,
        |e| tracing::warn!(error = %e, "notification sender"),
    ) {
        Ok(w) => n.worker = Some(w),
        Err(e) => tracing::warn!(error = %e, "cannot start the notification sender"),
    }
    match Poller::spawn(
        settings,
        chat_decider(app.clone()),
        |e| tracing::warn!(error = %e, "telegram poller"),
    ) {
        Ok(p) => n.poller = p,
        Err(e) => tracing::warn!(error = %e, "cannot start the Telegram poller"),
    }
    n
}

impl Notifier {
    pub fn stop(&self) {
        if let Some(w) = &self.worker {
            w.stop();
        }
        if let Some(p) = &self.poller {
            p.stop();
        }
    }
}
