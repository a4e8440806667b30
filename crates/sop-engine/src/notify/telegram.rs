//! Telegram: `sendMessage` in HTML parse mode with an inline keyboard (callback buttons carry
//! `sop:a:GATE` or `sop:r:GATE`), `editMessageText` to show the outcome, `answerCallbackQuery`
//! to reply to a button press, and reading the Bot API's answers. The bot token is part of
//! every URL, so no URL is ever shown. Texts are cut to Telegram's limits (`limits`); the
//! keyboard and the approval link never are.

use super::http::{Outgoing, Reply};
use super::limits::{self, Cutter, Keep, units};
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
            "text": limits::words(text, limits::TELEGRAM_CALLBACK),
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

/// The message: the headline and facts (each cut to a fixed size) and the approval link come
/// whole; the long parts share what is left of [`limits::TELEGRAM_TEXT`].
fn text(doc: &NotificationDocument) -> String {
    let cut = Cutter::new(doc, escape);
    let name = |value: &str| cut.fit(value, limits::NAME, Keep::Start);
    let mut out = format!(
        "<b>{}</b>\n",
        cut.fit(&wording::headline(doc), limits::HEADLINE, Keep::Start)
    );
    out.push_str(&format!(
        "SOP: {} ({})\n",
        name(&doc.sop.name),
        name(&doc.sop.priority)
    ));
    if let Some(run) = &doc.run {
        out.push_str(&format!(
            "Run: <code>{}</code>, started by {}\n",
            name(&run.id),
            name(&run.started_by)
        ));
    }
    if doc.gate.is_some() {
        out.push_str(&format!("Deadline: {}\n", name(&wording::deadline(doc))));
    }
    // A link cut short would lead nowhere: it is kept whole and the parts make room for it.
    let link = doc.links.approve.as_ref().map_or(String::new(), |link| {
        format!("<a href=\"{}\">Open the approval page</a>\n", escape(link))
    });
    let frame = |title: &str, code: bool| match (title, code) {
        ("Variables", _) => ("Variables:\n<pre>".to_string(), "</pre>\n".to_string()),
        (_, true) => ("<pre>".to_string(), "</pre>\n".to_string()),
        (_, false) => (String::new(), "\n".to_string()),
    };
    let parts = wording::parts(doc, &cut, frame);
    let needs: Vec<usize> = parts.iter().map(|p| p.need(&cut)).collect();
    let budget = limits::TELEGRAM_TEXT.saturating_sub(units(&out) + units(&link));
    for (part, max) in parts.iter().zip(limits::share(budget, &needs)) {
        out.push_str(&part.render(&cut, max));
    }
    out.push_str(&link);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::NotificationFailure;
    use crate::notify::limits::tests::{approval, long_value, markup_is_whole};

    const TAGS: [&str; 8] = [
        "<b>",
        "</b>",
        "<code>",
        "</code>",
        "<pre>",
        "</pre>",
        "<a href=\"",
        "</a>",
    ];

    fn text_of(out: &Outgoing) -> (String, Value) {
        let body: Value = serde_json::from_str(&out.body).unwrap();
        (body["text"].as_str().unwrap().to_string(), body)
    }

    #[test]
    fn a_12_kb_variable_keeps_the_message_within_telegram_limits_and_the_buttons() {
        let long = long_value();
        let doc = approval(&[("notes", &long), ("version", "1.2.3")]);
        let (sent, body) = text_of(&send_message("https://tg.test", "t", "-100", &doc));
        let (edited, _) = text_of(&edit_message("https://tg.test", "t", "-100 7", &doc).unwrap());
        for text in [&sent, &edited] {
            assert!(units(text) <= limits::TELEGRAM_TEXT, "{}", units(text));
            markup_is_whole(text, &TAGS);
            assert!(text.contains("notes=Grüße 🚀 &lt;script&gt;&amp;amp; notes"));
            assert!(text.contains("more characters — see the run with sop status r-0123)"));
            assert!(text.contains("version=1.2.3"));
            assert!(text.contains("• Dashboards are &lt;green&gt;\n<pre>./ship.sh</pre>"));
            assert!(text.ends_with(
                "<a href=\"https://sop.example.com/approve/tok&amp;1\">Open the approval page</a>\n"
            ));
        }
        let keys = &body["reply_markup"]["inline_keyboard"][0];
        assert_eq!(keys[0]["callback_data"], "sop:a:g-42");
        assert_eq!(keys[1]["callback_data"], "sop:r:g-42");
    }

    #[test]
    fn every_long_part_keeps_a_share_of_the_message() {
        let long = long_value();
        let mut doc = approval(&[("notes", &long)]);
        let step = doc.step.as_mut().unwrap();
        step.checklist = vec![long.clone(); 20];
        step.commands = vec![long.clone()];
        doc.failure = Some(NotificationFailure {
            step: 2,
            title: "Ship".into(),
            exit_code: Some(1),
            output_tail: format!("{long}disk full"),
        });
        let (text, _) = text_of(&send_message("https://tg.test", "t", "-100", &doc));
        assert!(units(&text) <= limits::TELEGRAM_TEXT, "{}", units(&text));
        markup_is_whole(&text, &TAGS);
        assert_eq!(
            text.matches("<pre>").count(),
            3,
            "commands, variables, output"
        );
        assert!(text.contains("Variables:\n<pre>notes="));
        assert!(
            text.contains("disk full</pre>"),
            "the end of the output is kept"
        );
        assert!(text.contains("Open the approval page"));
    }

    #[test]
    fn a_long_callback_answer_is_cut_after_a_word() {
        let reply = "Refused: the account telegram:42 is not mapped to a sop user in users.toml; "
            .repeat(5);
        let body: Value =
            serde_json::from_str(&answer_callback("https://tg.test", "t", "q1", &reply).body)
                .unwrap();
        let text = body["text"].as_str().unwrap();
        assert!(text.chars().count() <= 200 && units(text) <= 200);
        let head = text.strip_suffix('…').unwrap();
        assert!(reply.starts_with(head));
        assert!(
            reply[head.len()..].starts_with(char::is_whitespace),
            "{text}"
        );
    }
}
