//! Slack: `chat.postMessage` with Block Kit (Approve and Reject buttons whose value is the gate
//! id, and a link to the approval page), `chat.update` to show the outcome on it, and reading
//! the Web API's answers (`ok`, `ts`, `ratelimited`). Every text is cut to Slack's block limits
//! (`limits`), never the buttons.

use super::http::{Outgoing, Reply};
use super::limits::{self, Cutter, Keep};
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
    let cut = Cutter::new(doc, escape);
    head["text"] = json!(cut.clip(&wording::headline(doc), limits::SLACK_FALLBACK));
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

/// The message's blocks: a section's text is cut to [`limits::SLACK_SECTION`], a field's to
/// [`limits::NAME`]; the actions block comes last and is never cut.
fn blocks(doc: &NotificationDocument) -> Value {
    let cut = Cutter::new(doc, escape);
    let headline = cut.fit(&wording::headline(doc), limits::HEADLINE, Keep::Start);
    let mut blocks = vec![section(format!("*{headline}*"))];
    let field = |label: &str, value: &str| {
        let value = cut.fit(value, limits::NAME, Keep::Start);
        json!({"type": "mrkdwn", "text": format!("*{label}*\n{value}")})
    };
    let mut fields = vec![
        field("SOP", &doc.sop.name),
        field("Priority", &doc.sop.priority),
    ];
    if let Some(run) = &doc.run {
        fields.push(field("Run", &run.id));
        fields.push(field("Started by", &run.started_by));
    }
    if doc.gate.is_some() {
        fields.push(field("Deadline", &wording::deadline(doc)));
    }
    blocks.push(json!({"type": "section", "fields": fields}));
    let frame = |title: &str, code: bool| {
        let fence = if code { "```" } else { "" };
        (format!("*{title}*\n{fence}"), fence.to_string())
    };
    for part in wording::parts(doc, &cut, frame) {
        let text = part.render(&cut, limits::SLACK_SECTION);
        if !text.is_empty() {
            blocks.push(section(text));
        }
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
    debug_assert!(blocks.len() <= limits::SLACK_BLOCKS);
    Value::Array(blocks)
}

fn section(text: String) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": text}})
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::limits::tests::{approval, long_value, markup_is_whole};
    use crate::notify::limits::units;

    /// Each text of `blocks` with the limit Slack holds it to.
    fn texts(blocks: &Value) -> Vec<(String, usize)> {
        let mut all = Vec::new();
        for b in blocks.as_array().unwrap() {
            if let Some(t) = b["text"]["text"].as_str() {
                all.push((t.to_string(), limits::SLACK_SECTION));
            }
            for f in b["fields"].as_array().into_iter().flatten() {
                all.push((f["text"].as_str().unwrap().to_string(), limits::SLACK_FIELD));
            }
        }
        all
    }

    #[test]
    fn a_12_kb_variable_keeps_every_block_within_slack_limits_and_the_buttons() {
        let long = long_value();
        assert!(long.len() > 12_000);
        let doc = approval(&[("notes", &long), ("version", "1.2.3")]);
        let posted = post_message("https://slack.test", "xoxb", "#ops", &doc);
        let updated = update_message("https://slack.test", "xoxb", "C1 1.2", &doc).unwrap();
        for out in [posted, updated] {
            let body: Value = serde_json::from_str(&out.body).unwrap();
            let blocks = &body["blocks"];
            assert!(blocks.as_array().unwrap().len() <= limits::SLACK_BLOCKS);
            assert!(units(body["text"].as_str().unwrap()) <= limits::SLACK_FALLBACK);
            for (text, limit) in texts(blocks) {
                assert!(units(&text) <= limit, "{} > {limit}", units(&text));
                markup_is_whole(&text, &[]);
            }
            let vars = texts(blocks)
                .into_iter()
                .map(|(t, _)| t)
                .find(|t| t.starts_with("*Variables*"))
                .unwrap();
            assert!(vars.contains("notes=Grüße 🚀 &lt;script&gt;&amp;amp; notes"));
            assert!(vars.contains("more characters — see the run with sop status r-0123)"));
            assert!(
                vars.contains("version=1.2.3"),
                "each value is cut, not the list"
            );
            let actions = blocks.as_array().unwrap().last().unwrap();
            let ids: Vec<&str> = actions["elements"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["action_id"].as_str().unwrap())
                .collect();
            assert_eq!(ids, [APPROVE_ACTION, REJECT_ACTION, "sop_open"]);
        }
    }

    #[test]
    fn many_long_variables_are_cut_as_a_whole_too() {
        let long = long_value();
        let names: Vec<String> = (0..40).map(|i| format!("v{i}")).collect();
        let vars: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), long.as_str())).collect();
        let body: Value = serde_json::from_str(
            &post_message("https://slack.test", "x", "#ops", &approval(&vars)).body,
        )
        .unwrap();
        for (text, limit) in texts(&body["blocks"]) {
            assert!(units(&text) <= limit);
            markup_is_whole(&text, &[]);
        }
        assert!(body["blocks"].as_array().unwrap().last().unwrap()["type"] == "actions");
    }
}
