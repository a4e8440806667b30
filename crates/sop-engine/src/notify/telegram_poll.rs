//! Telegram button presses without a public address: long-polling `getUpdates` for callback
//! queries on a thread of its own, handing each press to a decider and answering it with
//! `answerCallbackQuery`. `POST /hooks/telegram` feeds [`handle_update`] the same way.

use super::http::{self, Outgoing};
use super::sender::{stop, wait_or_stop};
use super::settings::NotifySettings;
use super::telegram;
use super::users::ChatUser;
use serde_json::{Value, json};
use sop_core::gate::Choice;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Decides a button press: who pressed, which gate, which choice; returns the reply to show.
pub type Decider = Arc<dyn Fn(&ChatUser, &str, Choice) -> String + Send + Sync>;

/// How long one `getUpdates` call waits for something to happen (Telegram holds it open).
const LONG_POLL_SECS: u64 = 25;
/// The pause after a failed call, so a down API is not hammered.
const PAUSE_AFTER_ERROR: Duration = Duration::from_secs(5);

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

/// Handles one update: decides a press and returns the `answerCallbackQuery` to send.
pub fn handle_update(
    settings: &NotifySettings,
    decide: &Decider,
    update: &Value,
) -> Option<Outgoing> {
    let (id, who, gate, choice) = press(update)?;
    let reply = decide(&who, &gate, choice);
    let token = settings.telegram_token.as_ref()?;
    Some(telegram::answer_callback(
        &settings.telegram_api_url,
        token.expose(),
        &id,
        &reply,
    ))
}

/// The polling thread.
pub struct Poller {
    stop: Arc<(Mutex<bool>, Condvar)>,
}

impl Poller {
    /// Starts polling when a bot token is set and `SOP_TELEGRAM_POLL` is not off; `None`
    /// otherwise.
    pub fn spawn(
        settings: NotifySettings,
        decide: Decider,
        on_error: impl Fn(String) + Send + 'static,
    ) -> std::io::Result<Option<Poller>> {
        let Some(token) = settings
            .telegram_token
            .clone()
            .filter(|_| settings.telegram_poll)
        else {
            return Ok(None);
        };
        let flag = Arc::new((Mutex::new(false), Condvar::new()));
        let stop_flag = flag.clone();
        let agent = http::agent(Duration::from_secs(LONG_POLL_SECS + 10).max(settings.timeout));
        std::thread::Builder::new()
            .name("sop-telegram".into())
            .spawn(move || {
                let mut offset: i64 = 0;
                loop {
                    let out = Outgoing {
                        url: telegram::method_url(
                            &settings.telegram_api_url,
                            token.expose(),
                            "getUpdates",
                        ),
                        headers: vec![("Content-Type", "application/json".into())],
                        body: json!({"offset": offset, "timeout": LONG_POLL_SECS,
                                     "allowed_updates": ["callback_query"]})
                        .to_string(),
                    };
                    let updates = match http::post(&agent, &out) {
                        Ok(r) if r.status == 200 => serde_json::from_str::<Value>(&r.body)
                            .ok()
                            .and_then(|v| v["result"].as_array().cloned()),
                        Ok(r) => {
                            on_error(format!("Telegram getUpdates answered HTTP {}", r.status));
                            None
                        }
                        Err(e) => {
                            on_error(format!("Telegram getUpdates: {e}"));
                            None
                        }
                    };
                    let Some(updates) = updates else {
                        if wait_or_stop(&flag, PAUSE_AFTER_ERROR) {
                            return;
                        }
                        continue;
                    };
                    for u in &updates {
                        if let Some(id) = u["update_id"].as_i64() {
                            offset = offset.max(id + 1);
                        }
                        if let Some(answer) = handle_update(&settings, &decide, u)
                            && let Err(e) = http::post(&agent, &answer)
                        {
                            on_error(format!("Telegram answerCallbackQuery: {e}"));
                        }
                    }
                    // An API that answers at once with nothing (not holding the poll) is asked
                    // again after a short pause, not in a busy loop.
                    let pause = if updates.is_empty() {
                        Duration::from_millis(500)
                    } else {
                        Duration::ZERO
                    };
                    if wait_or_stop(&flag, pause) {
                        return;
                    }
                }
            })?;
        Ok(Some(Poller { stop: stop_flag }))
    }

    pub fn stop(&self) {
        stop(&self.stop);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presses_are_read_from_callback_queries_only() {
        let u = json!({"update_id": 7, "callback_query": {"id": "q1", "from": {"id": 42}, "data": "sop:a:g123"}});
        let (id, who, gate, choice) = press(&u).unwrap();
        assert_eq!(
            (id.as_str(), gate.as_str(), choice),
            ("q1", "g123", Choice::Approve)
        );
        assert_eq!(who, ChatUser::Telegram(42));
        assert!(press(&json!({"update_id": 8, "message": {"text": "hi"}})).is_none());
        assert!(
            press(&json!({"callback_query": {"id": "q", "from": {"id": 1}, "data": "other"}}))
                .is_none()
        );
    }
}
