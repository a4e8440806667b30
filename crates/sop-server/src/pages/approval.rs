//! The approval page: what the gate is about, and a form that approves or rejects. Reading it
//! decides nothing (a link preview is harmless); only the form's POST decides, and it carries a
//! field derived from the token with this server's key, so a form posted from elsewhere is
//! refused.

use super::html::{escape, page};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::SecondsFormat;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sop_engine::documents::NotificationDocument;
use sop_engine::ops::LinkState;
use subtle::ConstantTimeEq;

/// The form's anti-forgery field for `token`.
pub fn form_key(key: &[u8], token: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(b"sop-approval-form:");
    mac.update(token.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `presented` is the form field for `token`, compared in constant time.
pub fn form_key_matches(key: &[u8], token: &str, presented: &str) -> bool {
    !key.is_empty() && bool::from(form_key(key, token).as_bytes().ct_eq(presented.as_bytes()))
}

/// The page for a link in `state`.
pub fn render(state: &LinkState, form_key: &str) -> Response {
    match state {
        LinkState::Open { document, holder } => open(document, holder.as_deref(), form_key),
        LinkState::Used { at } => message(
            StatusCode::GONE,
            "This link was already used",
            &format!(
                "A decision was made with this link at {}. Each link decides once.",
                at.to_rfc3339_opts(SecondsFormat::Secs, true)
            ),
        ),
        LinkState::Closed { status } => message(
            StatusCode::GONE,
            "This gate is closed",
            &format!(
                "The gate is {} already; the link was revoked and decides nothing.",
                status.as_str()
            ),
        ),
        LinkState::Expired { deadline } => message(
            StatusCode::GONE,
            "This approval expired",
            &format!(
                "Nobody decided by the deadline{}; the run did not go on.",
                deadline
                    .map(|d| format!(" {}", d.to_rfc3339_opts(SecondsFormat::Secs, true)))
                    .unwrap_or_default()
            ),
        ),
        LinkState::Unknown => message(
            StatusCode::NOT_FOUND,
            "Unknown approval link",
            "This link is not valid. Check that it was copied whole.",
        ),
    }
}

/// A page with one heading and one paragraph.
pub fn message(status: StatusCode, title: &str, text: &str) -> Response {
    page(
        status,
        title,
        &format!("<h1>{}</h1>\n<p>{}</p>", escape(title), escape(text)),
    )
}

fn open(doc: &NotificationDocument, holder: Option<&str>, form_key: &str) -> Response {
    let mut b = String::new();
    let gate = doc.gate.as_ref();
    b.push_str(&format!(
        "<h1>Approval needed: {}</h1>\n<dl>",
        escape(&doc.sop.name)
    ));
    let mut row = |k: &str, v: &str| {
        b.push_str(&format!("<dt>{}</dt><dd>{}</dd>", escape(k), escape(v)));
    };
    row("Priority", &doc.sop.priority);
    if let Some(run) = &doc.run {
        row("Run", &run.id);
        row("Asked by", &run.started_by);
    }
    if let Some(g) = gate {
        row("Gate", &g.label);
        row(
            "Deadline",
            &g.deadline
                .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true))
                .unwrap_or_else(|| "none".into()),
        );
        if !g.approvers.is_empty() {
            row("Approvers", &g.approvers.join(", "));
        }
    }
    if let Some(step) = &doc.step {
        row("Step", &format!("{} — {}", step.number.max(1), step.title));
    }
    b.push_str("</dl>\n");
    if let Some(step) = &doc.step {
        if !step.checklist.is_empty() {
            b.push_str("<h2>Checklist</h2><ul>");
            for c in &step.checklist {
                b.push_str(&format!("<li>{}</li>", escape(c)));
            }
            b.push_str("</ul>\n");
        }
        if !step.commands.is_empty() {
            b.push_str(&format!(
                "<h2>Commands</h2><pre>{}</pre>\n",
                escape(&step.commands.join("\n"))
            ));
        }
    }
    if let Some(run) = &doc.run
        && !run.variables.is_empty()
    {
        b.push_str("<h2>Variables</h2><dl>");
        for (k, v) in &run.variables {
            let v = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            b.push_str(&format!("<dt>{}</dt><dd>{}</dd>", escape(k), escape(&v)));
        }
        b.push_str("</dl>\n");
    }
    b.push_str("<form method=\"post\">\n");
    b.push_str(&format!(
        "<input type=\"hidden\" name=\"form_key\" value=\"{}\">\n",
        escape(form_key)
    ));
    match holder {
        Some(h) => b.push_str(&format!("<p>Deciding as <b>{}</b>.</p>\n", escape(h))),
        None => b.push_str(
            "<p><label>Your sop user name<br><input type=\"text\" name=\"name\" required \
             autocomplete=\"username\"></label></p>\n",
        ),
    }
    b.push_str(
        "<p><label>Comment (needed to reject)<br><textarea name=\"comment\" rows=\"3\">\
         </textarea></label></p>\n\
         <p><button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>\
         <button type=\"submit\" name=\"decision\" value=\"reject\">Reject</button></p>\n</form>",
    );
    page(StatusCode::OK, &format!("Approve {}", doc.sop.name), &b)
}
