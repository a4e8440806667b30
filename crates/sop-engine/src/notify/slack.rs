//! Slack: `chat.postMessage` with Block Kit (Approve and Reject buttons whose value is the gate
//! id, and a link to the approval page), `chat.update` to show the outcome on it, and reading
//! the Web API's answers (`ok`, `ts`, `ratelimited`).

use super::http::{Outgoing, Reply};
use super::sender::Verdict;
use super::wording::{self, asks};
use crate::documents::NotificationDocument;
use serde_json::{Value, json};

/// The `action_id`s of the two buttons.
pub const APPROVE_ACTION: &str = "sop_approve";
pub const REJECT_ACTION: &str = "sop_reject";

pub fn post_message(api: &str, token: &str, channel: &str, doc: &NotificationDocument) -> Outgoing {
    request(
        api,
        "chat.postMessage",
        token,
        json!({"channel": channel}),
        doc,
    )
}

/// Replaces the message `reference` (`CHANNEL_ID TS`) with `doc`.
pub fn update_message(
    api: &str,
    token: &str,
    reference: &str,
    doc: &NotificationDocument,
) -> Option<Outgoing> {
    let (channel, ts) = reference.split_once(' ')?;
    Some(request(
        api,
        "chat.update",
        token,
        json!({"channel": channel, "ts": ts}),
        doc,
    ))
}

fn request(
    api: &str,
    method: &str,
    token: &str,
    mut head: Value,
    doc: &NotificationDocument,
) -> Outgoing {
    head["text"] = json!(wording::headline(doc));
    head["blocks"] = blocks(doc);
    Outgoing {
        url: format!("{api}/{method}"),
        headers: vec![
            ("Authorization", format!("Bearer {token}")),
            ("Content-Type", "application/json; charset=utf-8".into()),
        ],
        body: head.to_string(),
    }
}

/// Slack's three escapes for `mrkdwn` text.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn blocks(doc: &NotificationDocument) -> Value {
    let mut blocks = vec![json!({
        "type": "section",
        "text": {"type": "mrkdwn", "text": format!("*{}*", escape(&wording::headline(doc)))},
    })];
    let mut fields = vec![
        format!("*SOP*\n{}", escape(&doc.sop.name)),
        format!("*Priority*\n{}", escape(&doc.sop.priority)),
    ];
    if let Some(run) = &doc.run {
        fields.push(format!("*Run*\n{}", escape(&run.id)));
        fields.push(format!("*Started by*\n{}", escape(&run.started_by)));
    }
    if doc.gate.is_some() {
        fields.push(format!("*Deadline*\n{}", escape(&wording::deadline(doc))));
    }
    blocks.push(json!({
        "type": "section",
        "fields": fields.iter().map(|f| json!({"type": "mrkdwn", "text": f})).collect::<Vec<_>>(),
    }));
    if let Some(step) = &doc.step {
        if !step.checklist.is_empty() {
            let list: Vec<String> = step
                .checklist
                .iter()
                .map(|c| format!("• {}", escape(c)))
                .collect();
            blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": format!("*Checklist*\n{}", list.join("\n"))}}));
        }
        if !step.commands.is_empty() {
            blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": format!("*Commands*\n```{}```", escape(&step.commands.join("\n")))}}));
        }
    }
    let vars = wording::variables(doc);
    if !vars.is_empty() {
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": format!("*Variables*\n```{}```", escape(&vars.join("\n")))}}));
    }
    if let Some(f) = &doc.failure
        && !f.output_tail.is_empty()
    {
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": format!("*Output*\n```{}```", escape(&f.output_tail))}}));
    }
    if asks(doc)
        && let Some(gate) = &doc.gate
    {
        let mut elements = vec![
            json!({"type": "button", "action_id": APPROVE_ACTION, "style": "primary", "value": gate.id, "text": {"type": "plain_text", "text": "Approve"}}),
            json!({"type": "button", "action_id": REJECT_ACTION, "style": "danger", "value": gate.id, "text": {"type": "plain_text", "text": "Reject"}}),
        ];
        if let Some(link) = &doc.links.approve {
            elements.push(json!({"type": "button", "action_id": "sop_open", "url": link, "text": {"type": "plain_text", "text": "Open approval page"}}));
        }
        blocks.push(json!({"type": "actions", "block_id": "sop_gate", "elements": elements}));
    }
    Value::Array(blocks)
}

/// Reads a Web API answer: `ok` with the message's `channel` and `ts`, Slack's rate limit (HTTP
/// 429 with `Retry-After`), server errors to retry, anything else given up with Slack's error
/// code.
pub fn verdict(reply: &Reply) -> Verdict {
    if reply.status == 429 {
        return Verdict::Retry {
            error: "Slack rate limit (HTTP 429)".into(),
            after: reply.retry_after,
        };
    }
    if reply.status >= 500 {
        return Verdict::Retry {
            error: format!("Slack answered HTTP {}", reply.status),
            after: reply.retry_after,
        };
    }
    let body: Value = serde_json::from_str(&reply.body).unwrap_or(Value::Null);
    if reply.status == 200 && body["ok"] == json!(true) {
        let reference = match (body["channel"].as_str(), body["ts"].as_str()) {
            (Some(c), Some(ts)) => Some(format!("{c} {ts}")),
            _ => None,
        };
        return Verdict::Sent(reference);
    }
    let code = body["error"].as_str().unwrap_or("unknown_error");
    let code: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(60)
        .collect();
    if code == "ratelimited" {
        return Verdict::Retry {
            error: "Slack rate limit".into(),
            after: reply.retry_after,
        };
    }
    Verdict::GiveUp(format!(
        "Slack refused the message (HTTP {}): {code}",
        reply.status
    ))
}
