//! `GET /approve/{token}` shows the approval page (and decides nothing: link previews are
//! harmless); `POST /approve/{token}` decides, from the page's form only.

use super::shared::hand_on;
use crate::pages::approval::{form_key, form_key_matches, message, render};
use crate::params::Path;
use crate::state::Shared;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::response::Response;
use serde::Deserialize;
use sop_core::gate::{Choice, GateOutcome};
use sop_engine::ErrorKind;
use sop_engine::ops::GateDecision;

/// The page for a path that cannot be read (bytes that are not UTF-8): the page's own answer,
/// in HTML like every other.
fn unreadable_link() -> Response {
    message(
        StatusCode::BAD_REQUEST,
        "Not an approval link",
        "The link cannot be read. Open it again from the message that brought it.",
    )
}

pub async fn show(
    State(app): State<Shared>,
    path: Result<Path<String>, crate::error::ApiError>,
) -> Response {
    let Ok(Path(token)) = path else {
        return unreadable_link();
    };
    let key = form_key(&app.page_key, &token);
    let state = app
        .blocking(move |app| Ok(app.service.approval_link(&token)?))
        .await;
    match state {
        Ok(state) => render(&state, &key),
        Err(_) => message(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "The page could not be shown; the error was logged. Try again shortly.",
        ),
    }
}

#[derive(Deserialize)]
struct DecisionForm {
    decision: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    form_key: String,
}

pub async fn decide(
    State(app): State<Shared>,
    path: Result<Path<String>, crate::error::ApiError>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Ok(Path(token)) = path else {
        return unreadable_link();
    };
    // The same limit and encodings as every other body (1 MiB, gzip or deflate).
    let body = match crate::body::read(&headers, body).await {
        Ok(bytes) => bytes,
        Err(e) => return e.into_response(),
    };
    let body = match crate::content_encoding::decode(&headers, &body) {
        Ok(bytes) => bytes.into_owned(),
        Err(e) => return e.into_response(),
    };
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let form: Option<DecisionForm> = form_type
        .then(|| serde_urlencoded::from_bytes(&body).ok())
        .flatten();
    let Some(form) = form else {
        return message(
            StatusCode::BAD_REQUEST,
            "Not a decision",
            "Decide with the buttons of the approval page.",
        );
    };
    if !form_key_matches(&app.page_key, &token, &form.form_key) {
        return message(
            StatusCode::FORBIDDEN,
            "This form did not come from the approval page",
            "Open the link again and decide with its buttons.",
        );
    }
    let choice = match form.decision.as_str() {
        "approve" => Choice::Approve,
        "reject" => Choice::Reject,
        _ => {
            return message(
                StatusCode::BAD_REQUEST,
                "Not a decision",
                "Choose Approve or Reject.",
            );
        }
    };
    let comment = Some(form.comment.trim().to_string()).filter(|c| !c.is_empty());
    let name = Some(form.name).filter(|n| !n.trim().is_empty());
    let result = app
        .blocking(move |app| {
            let decided = app
                .service
                .decide_with_link(&token, name.as_deref(), choice, comment);
            if let Ok(d) = &decided {
                hand_on(app, d.tracked());
            }
            Ok(decided)
        })
        .await;
    match result {
        Ok(Ok(d)) => decided(&d),
        Ok(Err(e)) => {
            let status = match e.kind {
                ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
                ErrorKind::NotFound => StatusCode::NOT_FOUND,
                ErrorKind::Refused => StatusCode::FORBIDDEN,
                ErrorKind::Conflict | ErrorKind::ConditionsNotMet => StatusCode::CONFLICT,
                ErrorKind::Busy => StatusCode::SERVICE_UNAVAILABLE,
                ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            };
            message(status, "Not decided", &e.message)
        }
        Err(_) => message(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "The decision could not be recorded; the error was logged.",
        ),
    }
}

fn decided(d: &GateDecision) -> Response {
    let run = d.tracked().id().to_string();
    let text = match d {
        GateDecision::Counted {
            actor, waiting_for, ..
        } => {
            format!("{actor}'s approval is counted; run {run} still waits for {waiting_for}.")
        }
        GateDecision::Detached { actor, .. } => {
            format!("Approved by {actor}; run {run} goes on.")
        }
        GateDecision::Settled { outcome, .. } => match outcome {
            GateOutcome::Rejected { .. } => format!("Rejected; run {run} stops here."),
            _ => format!("Approved; run {run} goes on."),
        },
    };
    message(StatusCode::OK, "Decision recorded", &text)
}
