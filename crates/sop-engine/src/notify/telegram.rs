//! Telegram: `sendMessage` in HTML parse mode with an inline keyboard (callback buttons carry
//! `sop:a:GATE` or `sop:r:GATE`), `editMessageText` to show the outcome, `answerCallbackQuery`
//! to reply to a button press, and reading the Bot API's answers. The bot token is part of
//! every URL, so no URL is ever shown.

use super::http::{Outgoing, Reply};
use super::sender::Verdict;
use super::wording::{self, asks};
use crate::documents::NotificationDocument;
use serde_json::{Value, json};
use std::time::Duration;

pub fn method_url(api: &str, token: &str, method: &str) -> String {
    format!("{api}/bot{token}/{method}")
}

fn call(api: &str, token: &str, method: &str, body: Value) -> Outgoing {
    Outgoing {
        url: method_url(api, token, method),
        headers: vec![("Content-Type", "application/json".into())],
        body: body.to_string(),
    }
}

pub fn send_message(api: &str, token: &str, chat: &str, doc: &NotificationDocument) -> Outgoing {
    let mut body = json!({
        "chat_id": chat_id(chat),
        "text": text(doc),
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": true},
    });
    if asks(doc)
        && let Some(gate) = &doc.gate
    {
        body["reply_markup"] = json!({"inline_keyboard": [[
            {"text": "Approve", "callback_data": format!("sop:a:{}", gate.id)},
            {"text": "Reject", "callback_data": format!("sop:r:{}", gate.id)},
        ]]});
    }
    call(api, token, "sendMessage", body)
}

/// Replaces the message `reference` (`CHAT_ID MESSAGE_ID`) with `doc`, without buttons.
pub fn edit_message(
    api: &str,
    token: &str,
    reference: &str,
    doc: &NotificationDocument,
) -> Option<Outgoing> {
    let (chat, message) = reference.split_once(' ')?;
    let message: i64 = message.parse().ok()?;
    Some(call(
        api,
        token,
        "editMessageText",
        json!({
            "chat_id": chat_id(chat),
            "message_id": message,
            "text": text(doc),
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": true},
        }),
    ))
}

pub fn answer_callback(api: &str, token: &str, callback_id: &str, text: &str) -> Outgoing {
    call(
        api,
        token,
        "answerCallbackQuery",
        json!({
            "callback_query_id": callback_id,
            "text": text.chars().take(190).collect::<String>(),
            "show_alert": true,
        }),
    )
}

/// A numeric chat id is sent as a number, `@channel` as text.
fn chat_id(chat: &str) -> Value {
    chat.parse::<i64>()
        .map_or_else(|_| json!(chat), |n| json!(n))
}

/// The four escapes of Telegram's HTML parse mode.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn text(doc: &NotificationDocument) -> String {
    let mut out = format!("<b>{}</b>\n", escape(&wording::headline(doc)));
    out.push_str(&format!(
        "SOP: {} ({})\n",
        escape(&doc.sop.name),
        escape(&doc.sop.priority)
    ));
    if let Some(run) = &doc.run {
        out.push_str(&format!(
            "Run: <code>{}</code>, started by {}\n",
            escape(&run.id),
            escape(&run.started_by)
        ));
    }
    if doc.gate.is_some() {
        out.push_str(&format!("Deadline: {}\n", escape(&wording::deadline(doc))));
    }
    if let Some(step) = &doc.step {
        for c in &step.checklist {
            out.push_str(&format!("• {}\n", escape(c)));
        }
        if !step.commands.is_empty() {
            out.push_str(&format!(
                "<pre>{}</pre>\n",
                escape(&step.commands.join("\n"))
            ));
        }
    }
    let vars = wording::variables(doc);
    if !vars.is_empty() {
        out.push_str(&format!(
            "Variables:\n<pre>{}</pre>\n",
            escape(&vars.join("\n"))
        ));
    }
    if let Some(f) = &doc.failure
        && !f.output_tail.is_empty()
    {
        out.push_str(&format!("<pre>{}</pre>\n", escape(&f.output_tail)));
    }
    if let Some(link) = &doc.links.approve {
        out.push_str(&format!(
            "<a href=\"{}\">Open the approval page</a>\n",
            escape(link)
        ));
    }
    out
}

/// Reads a Bot API answer: `ok` with `result.message_id`, 429 with `parameters.retry_after`
/// (or `Retry-After`), server errors to retry, anything else given up with its description.
pub fn verdict(reply: &Reply) -> Verdict {
    let body: Value = serde_json::from_str(&reply.body).unwrap_or(Value::Null);
    if reply.status == 429 {
        let after = body["parameters"]["retry_after"]
            .as_u64()
            .map(Duration::from_secs)
            .or(reply.retry_after);
        return Verdict::Retry {
            error: "Telegram rate limit (HTTP 429)".into(),
            after,
        };
    }
    if reply.status >= 500 {
        return Verdict::Retry {
            error: format!("Telegram answered HTTP {}", reply.status),
            after: reply.retry_after,
        };
    }
    if body["ok"] == json!(true) {
        let reference = match (
            body["result"]["chat"]["id"].as_i64(),
            body["result"]["message_id"].as_i64(),
        ) {
            (Some(c), Some(m)) => Some(format!("{c} {m}")),
            _ => None,
        };
        return Verdict::Sent(reference);
    }
    let what: String = body["description"]
        .as_str()
        .unwrap_or("no description")
        .chars()
        .take(120)
        .collect();
    Verdict::GiveUp(format!(
        "Telegram refused the message (HTTP {}): {what}",
        reply.status
    ))
}
