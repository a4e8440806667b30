//! Telegram button presses without a public address: long-polling `getUpdates` for callback
//! queries on a thread of its own, handing each press to a decider and answering it with
//! `answerCallbackQuery`. `POST /hooks/telegram` feeds [`handle_update`] the same way.
//!
//! Of several nodes sharing a database only the one holding the `telegram-poller` claim
//! ([`PollerClaim`]) polls: Telegram ends one of two concurrent `getUpdates` calls for a bot
//! with `409 Conflict`, and two pollers would each decide every press. The others try to take
//! the claim every [`CLAIM_RETRY`], so one of them polls soon after the holder stops or dies.
//! A `409` all the same (a process outside these nodes polls the bot, or a webhook is set) is
//! told once and asked again only after [`PAUSE_AFTER_CONFLICT`].

use super::http::{self, Outgoing, Reply};
use super::poller_claim::PollerClaim;
use super::sender::{stop, wait_or_stop};
use super::settings::{NotifySettings, Secret};
use super::telegram_updates::{self, Updates};
use super::users::ChatUser;
use super::{telegram, wording};
use crate::Clock;
use serde_json::Value;
use sop_core::gate::Choice;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Decides a button press: who pressed, which gate, which choice; returns the reply to show.
pub type Decider = Arc<dyn Fn(&ChatUser, &str, Choice) -> String + Send + Sync>;

/// How long one `getUpdates` call waits for something to happen (Telegram holds it open).
const LONG_POLL_SECS: u64 = 25;
/// The pause after a failed call, so a down API is not hammered.
const PAUSE_AFTER_ERROR: Duration = Duration::from_secs(5);
/// The pause after a `409 Conflict`: whatever else polls this bot (or the webhook set for it)
/// does not go away soon, and each call of ours would end one of its calls.
pub const PAUSE_AFTER_CONFLICT: Duration = Duration::from_secs(30);
/// How often a node without the claim tries to take it.
pub const CLAIM_RETRY: Duration = Duration::from_secs(5);
/// How long the claim outlasts the longest call made after renewing it: room for deciding a
/// press and for the store's own waits, so a live holder never lets it lapse.
const CLAIM_MARGIN: Duration = Duration::from_secs(20);
/// The pause after an answer with nothing, from an API that does not hold the poll open.
const PAUSE_WHEN_EMPTY: Duration = Duration::from_millis(500);

/// One call's limit: Telegram's hold and then the time an answer may take.
pub fn call_timeout(settings: &NotifySettings) -> Duration {
    Duration::from_secs(LONG_POLL_SECS + 10).max(settings.timeout)
}

/// How long the claim is taken for at each renewal. Every pause a holder takes is shorter, so
/// only a holder that died or hangs lets it lapse.
pub fn claim_ttl(settings: &NotifySettings) -> Duration {
    call_timeout(settings) + CLAIM_MARGIN
}

/// A button press in an update: `(callback id, who, gate, choice)`; `None` for anything else.
pub fn press(update: &Value) -> Option<(String, ChatUser, String, Choice)> {
    let q = &update["callback_query"];
    let id = q["id"].as_str()?.to_string();
    let from = q["from"]["id"].as_i64()?;
    let data = q["data"].as_str()?;
    let rest = data.strip_prefix("sop:")?;
    let (verb, gate) = rest.split_once(':')?;
    let choice = match verb {
        "a" => Choice::Approve,
        "r" => Choice::Reject,
        _ => return None,
    };
    Some((id, ChatUser::Telegram(from), gate.to_string(), choice))
}

/// Handles one update: decides a press and returns the `answerCallbackQuery` to send. A
/// callback query that is not one of sop's presses is answered with
/// [`wording::UNKNOWN_BUTTON`]; an update without a callback query needs no answer.
pub fn handle_update(
    settings: &NotifySettings,
    decide: &Decider,
    update: &Value,
) -> Option<Outgoing> {
    let id = update["callback_query"]["id"].as_str()?;
    let reply = match press(update) {
        Some((_, who, gate, choice)) => decide(&who, &gate, choice),
        None => wording::UNKNOWN_BUTTON.to_string(),
    };
    let token = settings.telegram_token.as_ref()?;
    Some(telegram::answer_callback(
        &settings.telegram_api_url,
        token.expose(),
        id,
        &reply,
    ))
}

/// What the poller has to say, for the server's log.
#[derive(Debug, Clone, PartialEq)]
pub enum Note {
    Info(String),
    Warn(String),
}

/// A node's poller, one round at a time: the thread runs rounds until stopped, a test runs
/// them with the times and answers it chooses.
pub struct Polling {
    settings: NotifySettings,
    token: Secret,
    decide: Decider,
    claim: Arc<PollerClaim>,
    /// The next update wanted; asking from it confirms every earlier one to Telegram.
    offset: i64,
    /// Whether this node held the claim when it last looked (said in the log when it changes).
    holds: bool,
    /// Whether the `409` now going on was told (once until a call succeeds).
    conflict_told: bool,
}

impl Polling {
    /// `None` when no bot token is set or `SOP_TELEGRAM_POLL` is off.
    pub fn new(settings: NotifySettings, decide: Decider, claim: Arc<PollerClaim>) -> Option<Self> {
        let token = settings
            .telegram_token
            .clone()
            .filter(|_| settings.telegram_poll)?;
        Some(Polling {
            settings,
            token,
            decide,
            claim,
            offset: 0,
            holds: false,
            conflict_told: false,
        })
    }

    /// One round: takes or renews the claim, and holding it calls `getUpdates` once through
    /// `post` and decides and answers each press it brings. Returns how long to wait before the
    /// next round.
    pub fn round(
        &mut self,
        clock: Clock,
        post: &mut dyn FnMut(&Outgoing) -> Result<Reply, String>,
        note: &mut dyn FnMut(Note),
    ) -> Duration {
        if !self.hold(clock, note) {
            return CLAIM_RETRY;
        }
        let call = telegram_updates::request(
            &self.settings.telegram_api_url,
            self.token.expose(),
            self.offset,
            LONG_POLL_SECS,
        );
        let answer = post(&call);
        if self.claim.given_up() {
            // Stopping: presses brought now stay unconfirmed, and the next holder reads them.
            return Duration::ZERO;
        }
        let updates = match answer.map(|r| telegram_updates::read(&r)) {
            Ok(Updates::Got(updates)) => {
                if std::mem::take(&mut self.conflict_told) {
                    note(Note::Info(
                        "Telegram getUpdates answers again: this node reads button presses".into(),
                    ));
                }
                updates
            }
            Ok(Updates::Conflict(what)) => {
                if !std::mem::replace(&mut self.conflict_told, true) {
                    note(Note::Warn(format!(
                        "Telegram answered getUpdates with 409 ({what}): another process polls \
                         this bot, or a webhook is set for it (then set SOP_TELEGRAM_POLL=false \
                         or delete the webhook); asking again every {}s",
                        PAUSE_AFTER_CONFLICT.as_secs()
                    )));
                }
                return PAUSE_AFTER_CONFLICT;
            }
            Ok(Updates::Failed(e)) => {
                note(Note::Warn(e));
                return PAUSE_AFTER_ERROR;
            }
            Err(e) => {
                note(Note::Warn(format!("Telegram getUpdates: {e}")));
                return PAUSE_AFTER_ERROR;
            }
        };
        for u in &updates {
            // Renewed before each press: deciding and answering take time, and a claim that
            // lapsed meanwhile may be another node's, which reads these same presses.
            if !self.hold(clock, note) {
                return CLAIM_RETRY;
            }
            if let Some(id) = u["update_id"].as_i64() {
                self.offset = self.offset.max(id + 1);
            }
            if let Some(answer) = handle_update(&self.settings, &self.decide, u)
                && let Err(e) = post(&answer)
            {
                note(Note::Warn(format!("Telegram answerCallbackQuery: {e}")));
            }
        }
        if updates.is_empty() {
            PAUSE_WHEN_EMPTY
        } else {
            Duration::ZERO
        }
    }

    /// Takes or renews the claim now; says so in the log when this node starts or stops polling.
    fn hold(&mut self, clock: Clock, note: &mut dyn FnMut(Note)) -> bool {
        let held = match self.claim.hold(clock.now()) {
            Ok(held) => held,
            Err(e) => {
                // Without the store nobody knows who holds the claim: better no poll than two.
                note(Note::Warn(format!(
                    "cannot take the Telegram poller claim, not polling: {e}"
                )));
                false
            }
        };
        if held != self.holds && !self.claim.given_up() {
            note(Note::Info(if held {
                "this node now polls Telegram for button presses".into()
            } else {
                "another node polls Telegram for button presses; this one waits".into()
            }));
        }
        self.holds = held;
        held
    }
}

/// The polling thread.
pub struct Poller {
    stop: Arc<(Mutex<bool>, Condvar)>,
    claim: Arc<PollerClaim>,
}

impl Poller {
    /// Starts polling when a bot token is set and `SOP_TELEGRAM_POLL` is not off; `None`
    /// otherwise. `claim` decides which node polls.
    pub fn spawn(
        settings: NotifySettings,
        decide: Decider,
        claim: Arc<PollerClaim>,
        clock: Clock,
        on_note: impl Fn(Note) + Send + 'static,
    ) -> std::io::Result<Option<Poller>> {
        let agent = http::agent(call_timeout(&settings));
        let Some(mut polling) = Polling::new(settings, decide, claim.clone()) else {
            return Ok(None);
        };
        let flag = Arc::new((Mutex::new(false), Condvar::new()));
        let stop_flag = flag.clone();
        std::thread::Builder::new()
            .name("sop-telegram".into())
            .spawn(move || {
                loop {
                    let wait = polling.round(clock, &mut |out| http::post(&agent, out), &mut |n| {
                        on_note(n)
                    });
                    if wait_or_stop(&flag, wait) {
                        return;
                    }
                }
            })?;
        Ok(Some(Poller {
            stop: stop_flag,
            claim,
        }))
    }

    /// Stops polling and releases the claim, so another node polls at once. A call under way
    /// runs out on its own (within its timeout); what it brings is left to the next holder.
    pub fn stop(&self) -> sop_store::Result<()> {
        let released = self.claim.give_up();
        stop(&self.stop);
        released
    }
}

#[cfg(test)]
mod tests;
