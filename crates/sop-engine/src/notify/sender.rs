//! Delivering the outbox: reads what is due, sends each message through its channel's adapter,
//! and records the attempt — sent, retried later with exponential backoff (or after the
//! `Retry-After` Slack and Telegram give with a 429), or given up after the last attempt. It
//! runs on a thread of its own, never on a run's thread, so a notifier that is down slows
//! nothing but itself. Approval links get a fresh gate token here, at sending time: plain
//! tokens never sit in the database.

use super::http::{self, Outgoing};
use super::settings::NotifySettings;
use super::{slack, telegram, webhook};
use crate::Clock;
use crate::approval::token;
use crate::documents::NotificationDocument;
use chrono::{DateTime, Utc};
use serde_json::json;
use sop_core::gate::GateStatus;
use sop_core::notify::Channel;
use sop_store::{
    AttemptOutcome, AuditEvent, NewApprovalToken, Notification, NotificationAttempt, Store,
    StoreExt,
};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);
/// Messages read per pass.
const BATCH: u32 = 32;
/// Who mints approval links, in the audit trail.
pub const ACTOR: &str = "sop-notify";

/// How one attempt went.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Delivered; the chat's handle on the message, when it gives one.
    Sent(Option<String>),
    /// Failed in a way that may pass: try again (after `after`, when the receiver said).
    Retry {
        error: String,
        after: Option<Duration>,
    },
    /// Failed in a way asking again will not change.
    GiveUp(String),
    /// Nothing to send any more (the gate was decided before the message went out).
    Skip(String),
}

/// Sends due notifications.
pub struct Sender {
    store: Arc<dyn Store>,
    settings: NotifySettings,
    clock: Clock,
    agent: ureq::Agent,
}

impl Sender {
    pub fn new(store: Arc<dyn Store>, settings: NotifySettings, clock: Clock) -> Self {
        let agent = http::agent(settings.timeout);
        Sender {
            store,
            settings,
            clock,
            agent,
        }
    }

    pub fn settings(&self) -> &NotifySettings {
        &self.settings
    }

    /// One pass: every message due now (up to a batch), attempted once each. Returns how many
    /// were attempted; tells `gave_up` of each message given up on: a gate nobody hears about
    /// is a run that silently stalls, so whoever runs the sender logs it.
    pub fn deliver_due(&self, gave_up: &mut dyn FnMut(String)) -> crate::Result<usize> {
        let now = self.clock.now();
        let due = self.store.due_notifications(now, BATCH)?;
        // Held long enough for one attempt; a sender that dies mid-send leaves the message
        // due again after that, so it is sent at least once and, while senders live, once.
        let until = now
            + chrono::TimeDelta::from_std(self.settings.timeout * 2).unwrap_or_default()
            + chrono::TimeDelta::seconds(5);
        let mut attempted = 0;
        for n in &due {
            let claimed = self
                .store
                .transaction(|tx| tx.claim_notification(n.id, n.due_at, until))?;
            if !claimed {
                continue;
            }
            let verdict = self.attempt(n);
            let attempt = self.record(n, verdict)?;
            if attempt.outcome == AttemptOutcome::GaveUp {
                // The channel's label, not its address: a webhook's URL may hold a secret.
                let to = Channel::parse(&n.channel)
                    .map(|c| c.label())
                    .unwrap_or_else(|_| "an unknown channel".into());
                gave_up(format!(
                    "notification `{}` of run {} to {to} given up: {}",
                    n.event,
                    n.run_id.as_deref().unwrap_or("-"),
                    attempt.error.as_deref().unwrap_or("no reason recorded")
                ));
            }
            attempted += 1;
        }
        Ok(attempted)
    }

    /// Sends `doc` to `channel` once, now, without the outbox (`sop notify test`).
    pub fn send_now(&self, channel: &Channel, doc: &NotificationDocument) -> Verdict {
        self.send(channel, 0, doc)
    }

    fn attempt(&self, n: &Notification) -> Verdict {
        let channel = match Channel::parse(&n.channel) {
            Ok(c) => c,
            Err(e) => return Verdict::GiveUp(format!("bad channel: {e}")),
        };
        let mut doc: NotificationDocument = match serde_json::from_str(&n.body) {
            Ok(d) => d,
            Err(e) => return Verdict::GiveUp(format!("unreadable message body: {e}")),
        };
        if let (Some(base), Some(run)) = (&self.settings.public_url, &doc.run) {
            doc.links.run = Some(format!("{base}/api/runs/{}", run.id));
        }
        match n.event.as_str() {
            "approval" | "reminder" => {
                if let Err(skip) = self.link(n, &channel, &mut doc) {
                    return skip;
                }
                self.send(&channel, n.id, &doc)
            }
            "outcome" => self.show_outcome(n, &channel, &doc),
            _ => self.send(&channel, n.id, &doc),
        }
    }

    /// Puts a fresh approval link in `doc` if the gate is still open; a closed gate's message
    /// is skipped.
    fn link(
        &self,
        n: &Notification,
        channel: &Channel,
        doc: &mut NotificationDocument,
    ) -> Result<(), Verdict> {
        let Some(gate_id) = &n.gate_id else {
            return Ok(());
        };
        let now = self.clock.now();
        let minted = self.store.transaction(|tx| {
            let gate = tx.gate(gate_id)?;
            if gate.status != GateStatus::Open || gate.expires_at.is_some_and(|d| d <= now) {
                return Ok(Err(gate.status));
            }
            let Some(_) = &self.settings.public_url else {
                return Ok(Ok(None));
            };
            let Ok(plain) = token::generate() else {
                return Ok(Ok(None));
            };
            tx.insert_token(&NewApprovalToken {
                gate_id: gate.id.clone(),
                approver: None,
                hash: token::hash(&plain),
                created_at: now,
            })?;
            tx.audit(&AuditEvent::new(
                now,
                Some(&gate.run_id),
                ACTOR,
                "gate.link_sent",
                json!({"gate": gate.id, "step": gate.step, "channel": channel.label(), "event": n.event}),
            ))?;
            Ok(Ok(Some(plain)))
        });
        match minted {
            Ok(Ok(plain)) => {
                if let (Some(base), Some(plain)) = (&self.settings.public_url, plain) {
                    doc.links.approve = Some(format!("{base}/approve/{plain}"));
                }
                Ok(())
            }
            Ok(Err(status)) => Err(Verdict::Skip(format!(
                "not sent: the gate is {} already",
                status.as_str()
            ))),
            Err(e) => Err(Verdict::Retry {
                error: format!("cannot read the gate: {e}"),
                after: None,
            }),
        }
    }

    /// Shows a gate's outcome on the messages that asked for it (Slack `chat.update`,
    /// Telegram `editMessageText`); the webhook receives it as an event of its own.
    fn show_outcome(
        &self,
        n: &Notification,
        channel: &Channel,
        doc: &NotificationDocument,
    ) -> Verdict {
        if let Channel::Webhook(_) = channel {
            return self.send(channel, n.id, doc);
        }
        let asked = match self.store.notifications(n.run_id.as_deref()) {
            Ok(all) => all,
            Err(e) => {
                return Verdict::Retry {
                    error: format!("cannot read the outbox: {e}"),
                    after: None,
                };
            }
        };
        let refs: Vec<String> = asked
            .into_iter()
            .filter(|a| a.gate_id == n.gate_id && a.channel == n.channel && a.id != n.id)
            .filter(|a| matches!(a.event.as_str(), "approval" | "reminder"))
            .filter_map(|a| a.message_ref)
            .collect();
        if refs.is_empty() {
            return Verdict::Skip("not sent: no message to update".into());
        }
        let mut last = Verdict::Sent(None);
        for r in refs {
            let out = match channel {
                Channel::Slack(_) => self.settings.slack_token.as_ref().and_then(|t| {
                    slack::update_message(&self.settings.slack_api_url, t.expose(), &r, doc)
                }),
                Channel::Telegram(_) => self.settings.telegram_token.as_ref().and_then(|t| {
                    telegram::edit_message(&self.settings.telegram_api_url, t.expose(), &r, doc)
                }),
                Channel::Webhook(_) => None,
            };
            let Some(out) = out else {
                return Verdict::GiveUp("no credentials to update the message".into());
            };
            last = self.post(channel, &out);
            if !matches!(last, Verdict::Sent(_)) {
                return last;
            }
        }
        match last {
            Verdict::Sent(_) => Verdict::Sent(None),
            other => other,
        }
    }

    fn send(&self, channel: &Channel, id: i64, doc: &NotificationDocument) -> Verdict {
        let s = &self.settings;
        let out = match channel {
            Channel::Slack(c) => match &s.slack_token {
                Some(t) => slack::post_message(&s.slack_api_url, t.expose(), c, doc),
                None => return Verdict::GiveUp("SOP_SLACK_BOT_TOKEN is not set".into()),
            },
            Channel::Telegram(c) => match &s.telegram_token {
                Some(t) => telegram::send_message(&s.telegram_api_url, t.expose(), c, doc),
                None => return Verdict::GiveUp("SOP_TELEGRAM_BOT_TOKEN is not set".into()),
            },
            Channel::Webhook(url) => match &s.webhook_secret {
                Some(secret) => webhook::request(url, secret.expose(), id, doc),
                None => return Verdict::GiveUp("SOP_NOTIFY_WEBHOOK_SECRET is not set".into()),
            },
        };
        self.post(channel, &out)
    }

    fn post(&self, channel: &Channel, out: &Outgoing) -> Verdict {
        let reply = match http::post(&self.agent, out) {
            Ok(r) => r,
            Err(error) => return Verdict::Retry { error, after: None },
        };
        match channel {
            Channel::Slack(_) => slack::verdict(&reply),
            Channel::Telegram(_) => telegram::verdict(&reply),
            Channel::Webhook(_) => webhook::verdict(&reply),
        }
    }

    /// Records the attempt; a retry past the last attempt gives up.
    fn record(&self, n: &Notification, verdict: Verdict) -> crate::Result<NotificationAttempt> {
        let now = self.clock.now();
        let attempt = attempt_record(n, verdict, now, &self.settings);
        self.store
            .transaction(|tx| tx.record_notification_attempt(&attempt))?;
        Ok(attempt)
    }
}

/// What to record for `verdict` on the attempt after `n.attempts` earlier ones.
pub fn attempt_record(
    n: &Notification,
    verdict: Verdict,
    now: DateTime<Utc>,
    s: &NotifySettings,
) -> NotificationAttempt {
    let mut a = NotificationAttempt {
        notification_id: n.id,
        at: now,
        outcome: AttemptOutcome::Sent,
        error: None,
        message_ref: None,
        next_at: None,
    };
    match verdict {
        Verdict::Sent(r) => a.message_ref = r,
        Verdict::Skip(why) => a.error = Some(why),
        Verdict::GiveUp(e) => {
            a.outcome = AttemptOutcome::GaveUp;
            a.error = Some(e);
        }
        Verdict::Retry { error, after } => {
            let made = n.attempts + 1;
            if made >= s.max_attempts {
                a.outcome = AttemptOutcome::GaveUp;
                a.error = Some(format!("{error} (gave up after {made} attempts)"));
            } else {
                a.outcome = AttemptOutcome::Retry;
                a.error = Some(error);
                let wait = after
                    .unwrap_or_else(|| backoff(s.retry_base, made))
                    .min(MAX_BACKOFF);
                a.next_at = Some(now + chrono::TimeDelta::from_std(wait).unwrap_or_default());
            }
        }
    }
    a
}

/// `base`, doubled for each attempt already made after the first.
fn backoff(base: Duration, made: u32) -> Duration {
    base.saturating_mul(1u32 << made.saturating_sub(1).min(20))
}

/// A thread delivering the outbox every `poll` until stopped.
pub struct Worker {
    stop: Arc<(Mutex<bool>, Condvar)>,
}

impl Worker {
    pub fn spawn(
        sender: Sender,
        poll: Duration,
        on_error: impl Fn(String) + Send + 'static,
    ) -> std::io::Result<Worker> {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let flag = stop.clone();
        std::thread::Builder::new()
            .name("sop-notify".into())
            .spawn(move || {
                loop {
                    let sent = match sender.deliver_due(&mut |m| on_error(m)) {
                        Ok(n) => n,
                        Err(e) => {
                            on_error(format!("{e:#}"));
                            0
                        }
                    };
                    // A full batch may mean more is due: go on at once.
                    let wait = if sent as u32 >= BATCH {
                        Duration::ZERO
                    } else {
                        poll
                    };
                    if wait_or_stop(&flag, wait) {
                        return;
                    }
                }
            })?;
        Ok(Worker { stop })
    }

    /// Asks the thread to stop; it finishes the attempt under way (bounded by the timeout).
    pub fn stop(&self) {
        stop(&self.stop);
    }
}

/// Sets the flag and wakes the waiter.
pub(crate) fn stop(flag: &(Mutex<bool>, Condvar)) {
    let (lock, cv) = flag;
    if let Ok(mut stopped) = lock.lock() {
        *stopped = true;
    }
    cv.notify_all();
}

/// Waits `wait` unless stopped meanwhile; true when stopped.
pub(crate) fn wait_or_stop(flag: &(Mutex<bool>, Condvar), wait: Duration) -> bool {
    let (lock, cv) = flag;
    let Ok(guard) = lock.lock() else {
        return true;
    };
    match cv.wait_timeout_while(guard, wait, |stopped| !*stopped) {
        Ok((stopped, _)) => *stopped,
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(attempts: u32) -> Notification {
        Notification {
            id: 1,
            event: "failed".into(),
            channel: "slack:#ops".into(),
            run_id: None,
            gate_id: None,
            body: "{}".into(),
            created_at: DateTime::UNIX_EPOCH,
            due_at: DateTime::UNIX_EPOCH,
            attempts,
            last_error: None,
            sent_at: None,
            failed_at: None,
            message_ref: None,
        }
    }

    fn settings() -> NotifySettings {
        NotifySettings::load(&crate::Settings::from_vars(
            None,
            Vec::<(String, String)>::new(),
        ))
        .unwrap()
    }

    #[test]
    fn retries_back_off_exponentially_honour_retry_after_and_end() {
        let s = settings();
        let now = DateTime::UNIX_EPOCH;
        let retry = |attempts, after| {
            attempt_record(
                &note(attempts),
                Verdict::Retry {
                    error: "HTTP 500".into(),
                    after,
                },
                now,
                &s,
            )
        };
        let secs = |a: &NotificationAttempt| (a.next_at.unwrap() - now).num_seconds();
        assert_eq!(secs(&retry(0, None)), 5);
        assert_eq!(secs(&retry(1, None)), 10);
        assert_eq!(secs(&retry(2, None)), 20);
        assert_eq!(secs(&retry(0, Some(Duration::from_secs(42)))), 42);
        let last = retry(s.max_attempts - 1, None);
        assert_eq!(last.outcome, AttemptOutcome::GaveUp);
        assert!(last.error.unwrap().contains("gave up after 8 attempts"));
        assert_eq!(
            backoff(Duration::from_secs(5), 40),
            Duration::from_secs(5 << 20)
        );
    }
}
