//! The server's notification threads: the outbox sender and, with a Telegram bot, the
//! `getUpdates` poller whose button presses are decided like the webhook routes' ones. Both
//! are plain threads; neither touches an async worker or a run's thread. Of the nodes sharing
//! a database only the one holding the `telegram-poller` claim polls (under this server's
//! `host/pid/nonce`); stopping releases it, so another node polls at once.

use crate::routes::chat_decider;
use crate::state::Shared;
use sop_engine::notify::poller_claim::PollerClaim;
use sop_engine::notify::telegram_poll::{self, Note, Poller};
use sop_engine::notify::{Sender, Worker};
use std::sync::Arc;

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
    let claim = Arc::new(PollerClaim::new(
        app.service.shared_store(),
        app.server.id.clone(),
        telegram_poll::claim_ttl(&settings),
    ));
    match Poller::spawn(
        settings,
        chat_decider(app.clone()),
        claim,
        app.service.clock(),
        |note| match note {
            Note::Info(m) => tracing::info!("telegram poller: {m}"),
            Note::Warn(m) => tracing::warn!(error = %m, "telegram poller"),
        },
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
        if let Some(p) = &self.poller
            && let Err(e) = p.stop()
        {
            // It lapses on its own; another node polls once it has.
            tracing::warn!(error = %e, "cannot release the Telegram poller claim");
        }
    }
}
