//! Telegram's `getUpdates`: the long-poll request for button presses and reading its answer,
//! a `409 Conflict` (another process polls this bot, or a webhook is set) apart from other
//! failures, since asking again soon cannot end it.

use super::http::{Outgoing, Reply};
use super::telegram;
use serde_json::{Value, json};

/// What one `getUpdates` call brought.
#[derive(Debug, Clone, PartialEq)]
pub enum Updates {
    /// The updates, oldest first (none when the long poll ran out).
    Got(Vec<Value>),
    /// `409 Conflict`, with Telegram's description: another `getUpdates` for this bot ended
    /// this one, or a webhook is set.
    Conflict(String),
    /// Anything else that went wrong, in words without the URL.
    Failed(String),
}

/// The request: updates from `offset` on (which confirms every earlier one), callback queries
/// only, held open by Telegram up to `hold_secs`.
pub fn request(api: &str, token: &str, offset: i64, hold_secs: u64) -> Outgoing {
    Outgoing {
        url: telegram::method_url(api, token, "getUpdates"),
        headers: vec![("Content-Type", "application/json".into())],
        body: json!({"offset": offset, "timeout": hold_secs,
                     "allowed_updates": ["callback_query"]})
        .to_string(),
    }
}

/// Reads the answer to [`request`].
pub fn read(reply: &Reply) -> Updates {
    let body: Value = serde_json::from_str(&reply.body).unwrap_or(Value::Null);
    let what = || -> String {
        body["description"]
            .as_str()
            .unwrap_or("no description")
            .chars()
            .take(120)
            .collect()
    };
    match reply.status {
        200 => match body["result"].as_array() {
            Some(updates) => Updates::Got(updates.clone()),
            None => Updates::Failed("Telegram getUpdates answered without a result list".into()),
        },
        409 => Updates::Conflict(what()),
        status => Updates::Failed(format!(
            "Telegram getUpdates answered HTTP {status}: {}",
            what()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, body: Value) -> Reply {
        Reply {
            status,
            retry_after: None,
            body: body.to_string(),
        }
    }

    #[test]
    fn a_409_is_a_conflict_apart_from_other_failures() {
        let terminated = reply(
            409,
            json!({"ok": false, "error_code": 409,
                   "description": "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}),
        );
        assert!(
            matches!(read(&terminated), Updates::Conflict(d) if d.starts_with("Conflict: terminated"))
        );
        let got = reply(200, json!({"ok": true, "result": [{"update_id": 3}]}));
        assert_eq!(read(&got), Updates::Got(vec![json!({"update_id": 3})]));
        let down = reply(502, json!({"ok": false, "description": "Bad Gateway"}));
        assert_eq!(
            read(&down),
            Updates::Failed("Telegram getUpdates answered HTTP 502: Bad Gateway".into())
        );
    }
}
