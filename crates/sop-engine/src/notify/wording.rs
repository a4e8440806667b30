//! The words of a message, shared by every channel: a headline per event and the labelled
//! facts beneath it. Each adapter escapes them for its own markup.

use super::limits::{self, Cutter, Keep, Part};
use crate::documents::NotificationDocument;

/// One line saying what happened.
pub fn headline(doc: &NotificationDocument) -> String {
    let sop = &doc.sop.name;
    let run = doc.run.as_ref().map(|r| r.id.as_str()).unwrap_or("-");
    let label = doc.gate.as_ref().map(|g| g.label.as_str()).unwrap_or("");
    let title = doc.step.as_ref().map(|s| s.title.as_str()).unwrap_or("");
    let deadline = deadline(doc);
    match doc.event.as_str() {
        "approval" => format!("Approval needed: {sop} (run {run}), {label}: {title}"),
        "reminder" => {
            format!(
                "Reminder: {sop} (run {run}) still waits for approval, {label}; deadline {deadline}"
            )
        }
        "failed" => match &doc.failure {
            Some(f) => format!(
                "Run {run} of {sop} failed at step {} \"{}\"{}",
                f.step,
                f.title,
                f.exit_code
                    .map(|c| format!(" (exit code {c})"))
                    .unwrap_or_default()
            ),
            None => format!("Run {run} of {sop} failed"),
        },
        "expired" => format!("Run {run} of {sop} expired: nobody decided {label} by {deadline}"),
        "succeeded" => format!("Run {run} of {sop} succeeded"),
        "outcome" => {
            let outcome = doc
                .gate
                .as_ref()
                .and_then(|g| g.outcome.as_deref())
                .unwrap_or("closed");
            format!("{sop} (run {run}), {label}: {outcome}")
        }
        _ => "Test message from sop: notifications reach this channel.".into(),
    }
}

/// The deadline as RFC 3339, or `none`.
pub fn deadline(doc: &NotificationDocument) -> String {
    doc.gate
        .as_ref()
        .and_then(|g| g.deadline)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| "none".into())
}

/// `name=value` for each variable (secret ones already `***`), each line cut to
/// [`limits::VALUE`] so one long value leaves room for the others; still plain text.
pub fn variables(doc: &NotificationDocument, cut: &Cutter) -> Vec<String> {
    doc.run
        .iter()
        .flat_map(|r| r.variables.iter())
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .map(|line| cut.clip(&line, limits::VALUE))
        .collect()
}

/// The parts of a message that may be long, in the order shown, framed by `frame(title,
/// code)` in the channel's markup: the checklist (each item cut to [`limits::VALUE`]), the
/// commands, the variables and the end of a failed step's output. Their bodies are plain.
pub fn parts(
    doc: &NotificationDocument,
    cut: &Cutter,
    frame: impl Fn(&str, bool) -> (String, String),
) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut add = |title: &str, code: bool, body: String, keep: Keep| {
        let (open, close) = frame(title, code);
        parts.push(Part {
            open,
            body,
            close,
            keep,
        });
    };
    if let Some(step) = &doc.step {
        if !step.checklist.is_empty() {
            let items: Vec<String> = step
                .checklist
                .iter()
                .map(|c| format!("• {}", cut.clip(c, limits::VALUE)))
                .collect();
            add("Checklist", false, items.join("\n"), Keep::Start);
        }
        if !step.commands.is_empty() {
            add("Commands", true, step.commands.join("\n"), Keep::Start);
        }
    }
    let vars = variables(doc, cut);
    if !vars.is_empty() {
        add("Variables", true, vars.join("\n"), Keep::Start);
    }
    if let Some(f) = &doc.failure
        && !f.output_tail.is_empty()
    {
        // The end of the output says why the step failed.
        add("Output", true, f.output_tail.clone(), Keep::End);
    }
    parts
}

/// Whether the message asks for a decision (and so carries buttons and a link).
pub fn asks(doc: &NotificationDocument) -> bool {
    matches!(doc.event.as_str(), "approval" | "reminder")
}

/// The answer to a chat button press sop cannot read (not one of its buttons, or its data
/// malformed), worded like a press that decided nothing. It is answered all the same: a press
/// left unanswered keeps the person's chat client spinning until it gives up.
pub const UNKNOWN_BUTTON: &str =
    "Not decided: this button is not one sop knows, or it has expired.";
