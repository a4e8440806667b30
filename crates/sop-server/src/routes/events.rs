//! `POST /api/events`: record an event; every SOP with a matching event trigger whose
//! condition holds and whose cooldown has passed starts a run, driven by this server's pool
//! (a place reserved before each run is recorded, as for any start through the API).

use super::shared::creds;
use super::trigger::draining;
use crate::auth::authorize;
use crate::dispatcher::Slot;
use crate::error::ApiResult;
use crate::state::{App, Shared};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sop_engine::Caller;
use sop_engine::api_tokens::Scope;
use sop_engine::documents::EventDocument;
use sop_engine::ops::{EmitRequest, Launcher, Started};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventBody {
    event: String,
    #[serde(default)]
    data: Map<String, Value>,
}

impl crate::body::ApiBody for EventBody {
    const SCHEMA: &'static str = "EventBody";
}

/// Starts each run of the event in a place of the pool, or leaves it `pending` and queued.
struct PoolLauncher<'a> {
    app: &'a App,
    actor: String,
    slot: Option<Slot>,
}

impl Launcher for PoolLauncher<'_> {
    fn reserve(&mut self) -> Option<String> {
        self.slot = self.app.dispatcher.try_reserve();
        self.slot.as_ref().map(|s| s.owner.clone())
    }

    fn launched(&mut self, started: Started) {
        match (self.slot.take(), started.action) {
            (Some(slot), Some(action)) => slot.drive(started.tracked, action, self.actor.clone()),
            _ => super::shared::hand_on(self.app, &started.tracked),
        }
    }

    fn release(&mut self) {
        self.slot = None;
    }
}

pub async fn emit(
    State(app): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let creds = creds(&headers);
    let bytes = crate::body::read(&headers, body).await?;
    let doc = app
        .blocking(move |app| {
            let who = authorize(app, &creds, Scope::Run)?;
            let body: EventBody = crate::body::parse(&headers, &bytes)?;
            if app.draining() {
                return Err(draining());
            }
            let req = EmitRequest {
                event: body.event,
                data: body.data,
                source: "api".into(),
            };
            let caller = Caller::quiet(who.user().to_string());
            let mut launcher = PoolLauncher {
                app,
                actor: who.user().to_string(),
                slot: None,
            };
            // The body fits its schema, so what is refused now is the data as the engine
            // takes it (names that meet in one environment variable, or too large): a
            // conflict, not a malformed request.
            let record = app
                .service
                .emit_event(&caller, &req, &mut launcher)
                .map_err(|e| crate::error::ApiError::from(e).unfit_as_conflict())?;
            Ok(EventDocument::new(&record))
        })
        .await?;
    Ok((StatusCode::ACCEPTED, axum::Json(json!({"event": doc}))).into_response())
}
