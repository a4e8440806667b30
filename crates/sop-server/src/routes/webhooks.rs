//! Webhook triggers: each `type = "webhook"` trigger's `path` is served as `POST {path}` and,
//! the same in every way, `PUT {path}` (Grafana's contact point may send either). The request
//! is authorised by a signature of its body (GitHub's, PagerDuty's, Sentry's, Grafana's) or
//! GitLab's token when the trigger names a `secret_env`, else by an API token with `run`. The
//! JSON body's keys (or those of the JSON in a form's `payload` field, as GitHub sends it)
//! become the run's variables, with the request's headers as `headers.*` and
//! `trigger.type`/`trigger.path`; keys no variable can carry are left out and recorded with the
//! run ([`keep_fit`]), not a reason to lose the alert. Conditions that do not hold record a
//! `skipped` run and answer `200`, so a sender does not retry forever. GitHub's `ping` (sent
//! when a hook is made) is answered `200` once authorised, and starts nothing.

mod key_order;

use super::shared::{creds, wrap_run_with};
use super::trigger::{Outcome, accepted, delivery_key, start};
use crate::auth::authorize;
use crate::error::{ApiError, ApiResult};
use crate::json_errors::RouteLabel;
use crate::state::{App, Shared};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use sop_engine::api_tokens::Scope;
use sop_engine::executor::{UnfitKey, UnfitReason, keep_fit};
use sop_engine::ops::{StartRequest, WebhookTarget};
use std::cell::OnceCell;

/// Headers never copied into a run's variables: they carry credentials. So does every header
/// whose name says `signature` (`X-Hub-Signature-256`, `X-PagerDuty-Signature`,
/// `Stripe-Signature`, `X-Slack-Signature`, ...).
const HIDDEN_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-gitlab-token",
];

pub async fn fallback(State(app): State<Shared>, req: Request) -> Response {
    let mut response = match handle(app, req).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    };
    response.extensions_mut().insert(RouteLabel("webhook"));
    response
}

async fn handle(app: Shared, req: Request) -> ApiResult<Response> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let headers = parts.headers;
    // Read first, so that finding the SOP and starting its run take one trip to a blocking
    // thread, not two.
    let bytes = crate::body::read(&headers, Body::new(body)).await?;
    let method = parts.method;
    let asked = path.clone();
    let outcome = app
        .blocking(move |app| {
            let Some(target) = app.service.webhook_target(&path)? else {
                let near = near_miss(app, &path);
                return Ok(Delivery::NotServed(path, near));
            };
            if method != Method::POST && method != Method::PUT {
                return Ok(Delivery::PostOnly(target.path));
            }
            deliver(app, &target, &headers, &bytes)
        })
        .await;
    let outcome = match outcome {
        Ok(Delivery::NotServed(path, near)) => {
            let hint = near.map_or_else(String::new, |p| {
                format!("; a webhook is served at {p}: send it there")
            });
            // Logged and counted as a refused delivery: a monitoring system posting to a
            // mistyped path would otherwise lose its alerts without a trace here.
            Err(ApiError::not_found(format!(
                "nothing is served at {}{hint}",
                path.escape_default()
            )))
        }
        Ok(Delivery::PostOnly(path)) => {
            let mut r = ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                format!("{path} takes POST or PUT"),
            )
            .into_response();
            r.headers_mut()
                .insert(header::ALLOW, header::HeaderValue::from_static("POST, PUT"));
            return Ok(r);
        }
        Ok(Delivery::Ping(sop)) => {
            tracing::info!(sop = %sop, "GitHub's ping reached the webhook; no run started");
            app.metrics.webhook("ping");
            let body = json!({"ping": true, "sop": sop});
            return Ok((StatusCode::OK, axum::Json(body)).into_response());
        }
        Ok(Delivery::Done(outcome)) => Ok(outcome),
        Err(e) => Err(e),
    };
    let (label, response) = match outcome {
        Ok(Outcome::Started(run)) => ("started", accepted(run)),
        Ok(Outcome::Skipped(run, why)) => (
            "skipped",
            (
                StatusCode::OK,
                axum::Json(wrap_run_with(run, [("explanation", why.into())])),
            )
                .into_response(),
        ),
        Ok(Outcome::Duplicate(run)) => (
            "duplicate",
            (
                StatusCode::OK,
                axum::Json(wrap_run_with(run, [("duplicate", true.into())])),
            )
                .into_response(),
        ),
        Err(e) => {
            let label = match e.status {
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => "refused",
                StatusCode::NOT_FOUND => "not_found",
                s if s.is_server_error() => "error",
                _ => "invalid",
            };
            // The sender sees why; so must whoever runs the server, who does not see the
            // sender's side.
            // A sender that is not allowed in (or a scanner) is routine; a delivery that got in
            // and still started nothing (its body too large, its variables unfit for the SOP)
            // is an alert lost unless someone looks, and most senders do not retry a 4xx.
            if matches!(label, "refused") || e.status == StatusCode::NOT_FOUND {
                tracing::info!(path = %asked.escape_default(), status = e.status.as_u16(), reason = %e.message, "webhook delivery refused; no run started");
            } else if !e.status.is_server_error() {
                tracing::warn!(path = %asked.escape_default(), status = e.status.as_u16(), reason = %e.message, "webhook delivery could not start a run; the sender will likely not retry it");
            }
            (label, e.into_response())
        }
    };
    app.metrics.webhook(label);
    Ok(response)
}

/// What became of a request at a path no route claims.
enum Delivery {
    /// No webhook trigger serves the path; the served path it nearly names, if any.
    NotServed(String, Option<String>),
    /// A webhook path asked with another method than POST or PUT.
    PostOnly(String),
    /// GitHub's `ping` event, sent when a webhook is made: it checks the hook, and starts
    /// nothing (the SOP named).
    Ping(String),
    Done(Outcome),
}

/// The webhook path a sender most likely meant by `path`, which none serves: the same without
/// its trailing slashes, or in lower case (paths match exactly, as configured). Looked up in
/// the live catalog only, so a flood of wrong paths reads no more files than before.
fn near_miss(app: &App, path: &str) -> Option<String> {
    let trimmed = path.trim_end_matches('/');
    let lower = trimmed.to_ascii_lowercase();
    [trimmed, lower.as_str()]
        .into_iter()
        .filter(|candidate| !candidate.is_empty() && *candidate != path)
        .find(|candidate| app.service.serves_webhook_path(candidate))
        .map(str::to_string)
}

fn deliver(
    app: &App,
    target: &WebhookTarget,
    headers: &HeaderMap,
    bytes: &Bytes,
) -> ApiResult<Delivery> {
    let user = match &target.secret_env {
        Some(env) => {
            let now = app.service.clock().now().timestamp();
            check_signature(app, env, headers, bytes, now)?;
            format!("webhook:{}", target.path)
        }
        None => {
            let creds = creds(headers);
            let who = authorize(app, &creds, Scope::Run)?;
            // With no token anywhere (open mode) nobody proved who sent it, and it is not the
            // local user at the console: were it recorded so, that person could not decide the
            // run's gates where self-approval is refused.
            if who.authenticated || creds.names_actor() {
                who.user().to_string()
            } else {
                format!("webhook:{}", target.path)
            }
        }
    };
    let body = crate::body::webhook_value(headers, bytes)?;
    if headers
        .get("x-github-event")
        .is_some_and(|event| event.as_bytes().eq_ignore_ascii_case(b"ping"))
    {
        return Ok(Delivery::Ping(target.sop.clone()));
    }
    let Value::Object(mut variables) = body else {
        return Err(ApiError::invalid(
            "a webhook body must be a JSON object; its keys become the run's variables",
        ));
    };
    variables.insert("headers".into(), Value::Object(header_vars(headers)));
    variables.insert(
        "trigger".into(),
        json!({"type": "webhook", "path": target.path}),
    );
    let (variables, unfit) = fit_variables(target, headers, bytes, variables);
    let key = delivery_key(headers);
    let mut req = StartRequest::manual(&target.sop, variables);
    req.trigger_type = "webhook".into();
    req.trigger_detail = json!({"path": target.path, "delivery": key});
    if !unfit.is_empty() {
        // Recorded with the run (its `run.created` audit entry and `trigger_detail`), so whoever
        // reads the run learns what the sender sent that it does not have.
        req.trigger_detail["skipped_keys"] = unfit
            .iter()
            .map(|u| json!({"key": shown_key(&u.key), "reason": shown_reason(&u.reason)}))
            .collect();
    }
    // POST and PUT are one route: a retry sent with the other method is still a retry.
    req.delivery_key = key.map(|k| format!("POST {}\n{k}", target.path));
    req.catalog = Some(target.catalog.clone());
    // As on `/api/sop/{name}/trigger`: variables the SOP as defined cannot take conflict with
    // it (`409`); the body itself was well formed.
    let outcome = start(app, &user, req, false).map_err(ApiError::unfit_as_conflict)?;
    // A duplicate's run was started, and its keys logged, by the first delivery.
    if let Outcome::Started(run) | Outcome::Skipped(run, _) = &outcome
        && !unfit.is_empty()
    {
        let skipped: Vec<String> = unfit
            .iter()
            .map(|u| format!("`{}` ({})", shown_key(&u.key), shown_reason(&u.reason)))
            .collect();
        tracing::warn!(
            path = %target.path,
            run = %run["id"].as_str().unwrap_or_default(),
            skipped = %skipped.join(", "),
            "webhook body keys left out of the run's variables"
        );
    }
    Ok(Delivery::Done(outcome))
}

/// The body's variables a step's environment can carry, and the keys left out. Of keys that
/// give one environment variable (`msg`, `MSG`) the run keeps `headers` and `trigger` (set
/// here, not by the body), else a name the SOP declares as a variable, else the first in the
/// body as sent.
fn fit_variables(
    target: &WebhookTarget,
    headers: &HeaderMap,
    bytes: &[u8],
    variables: Map<String, Value>,
) -> (Map<String, Value>, Vec<UnfitKey>) {
    let declared = target.catalog.sop(&target.sop).ok();
    // Read again only when two keys collide, which real bodies seldom do.
    let positions = OnceCell::new();
    keep_fit(variables, |key| {
        let ours = key == "headers" || key == "trigger";
        let declared = declared.is_some_and(|sop| sop.parameters.iter().any(|p| p.name == key));
        let sent_at = positions
            .get_or_init(|| key_order::key_positions(headers, bytes))
            .get(key)
            .copied()
            .unwrap_or(usize::MAX);
        (!ours, !declared, sent_at)
    })
}

/// A key as a log line or the audit trail shows it: control characters (a NUL) escaped, and at
/// most [`SHOWN_KEY_CHARS`] characters, so a sender's key cannot forge lines or fill a record.
fn shown_key(key: &str) -> String {
    let escaped: String = key.escape_debug().collect();
    match escaped.char_indices().nth(SHOWN_KEY_CHARS) {
        Some((cut, _)) => format!("{}…", &escaped[..cut]),
        None => escaped,
    }
}

const SHOWN_KEY_CHARS: usize = 100;

/// Why a key was left out, naming the key kept instead as [`shown_key`] shows keys.
fn shown_reason(reason: &UnfitReason) -> String {
    match reason {
        UnfitReason::SameEnvironmentName { env, kept } => UnfitReason::SameEnvironmentName {
            env: shown_key(env),
            kept: shown_key(kept),
        }
        .to_string(),
        other => other.to_string(),
    }
}

/// Checks the delivery's signature (or GitLab's token) with the secret in `env`; `now`, the
/// server's time in Unix seconds, judges a signed timestamp.
fn check_signature(
    app: &App,
    env: &str,
    headers: &HeaderMap,
    bytes: &[u8],
    now: i64,
) -> ApiResult<()> {
    let Some(secret) = app.service.settings().var(env) else {
        tracing::warn!(
            secret_env = env,
            "a webhook's secret is not set; deliveries are refused"
        );
        return Err(ApiError::unauthorized(format!(
            "this webhook's secret ({env}) is not set on the server, so no signature can be checked"
        )));
    };
    // GitLab sends the secret itself rather than a signature of the body.
    if let Some(token) = headers.get("x-gitlab-token") {
        use subtle::ConstantTimeEq;
        let same: bool = token.as_bytes().ct_eq(secret.as_bytes()).into();
        if same && !secret.is_empty() {
            return Ok(());
        }
        return Err(ApiError::unauthorized(
            "X-Gitlab-Token is not this webhook's secret",
        ));
    }
    use crate::signature::grafana;
    if let Some(signature) = headers.get(grafana::SIGNATURE_HEADER) {
        let timestamp = headers.get(grafana::TIMESTAMP_HEADER).map(|t| t.as_bytes());
        return grafana::verify(
            secret.as_bytes(),
            bytes,
            signature.as_bytes(),
            timestamp,
            now,
        )
        .map_err(|e| ApiError::unauthorized(e.to_string()));
    }
    use crate::signature::{verify, verify_hex, verify_pagerduty};
    type Check = fn(&[u8], &[u8], &str) -> bool;
    let schemes: [(&str, Check); 3] = [
        ("X-Hub-Signature-256", verify),
        ("X-PagerDuty-Signature", verify_pagerduty),
        ("Sentry-Hook-Signature", verify_hex),
    ];
    let Some((name, check, value)) = schemes.iter().find_map(|(name, check)| {
        let value = headers.get(*name)?.to_str().ok()?;
        Some((name, check, value))
    }) else {
        return Err(ApiError::unauthorized(
            "this webhook needs a signature of its body (GitHub's X-Hub-Signature-256, \
             PagerDuty's X-PagerDuty-Signature, Sentry's Sentry-Hook-Signature or Grafana's \
             X-Grafana-Alerting-Signature, each the HMAC-SHA256 of the body with the secret), \
             or GitLab's X-Gitlab-Token with the secret",
        ));
    };
    if !check(secret.as_bytes(), bytes, value) {
        return Err(ApiError::unauthorized(format!(
            "{name} does not match the body"
        )));
    }
    Ok(())
}

/// The request's headers as variables, lower-case names, credentials left out. A header sent
/// more than once is one value, its lines joined by `, ` (RFC 9110, 5.3); bytes that are not
/// UTF-8 (Latin-1 from an old client) become U+FFFD rather than losing the header.
fn header_vars(headers: &HeaderMap) -> Map<String, Value> {
    let mut out = Map::new();
    for name in headers.keys() {
        let lower = name.as_str().to_ascii_lowercase();
        if HIDDEN_HEADERS.contains(&lower.as_str()) || lower.contains("signature") {
            continue;
        }
        let joined = headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect::<Vec<_>>()
            .join(", ");
        out.insert(lower, Value::String(joined));
    }
    out
}
