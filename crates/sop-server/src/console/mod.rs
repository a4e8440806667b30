//! The web console: server-rendered pages at `/` and under `/ui/`, with their assets embedded
//! in the binary. Every page reads and every form acts through the same operations and rules
//! as the API; these routes stay out of `/api/` and out of the OpenAPI document, and `/ui` is
//! reserved so no webhook can take it.

mod actions;
mod approvals;
mod assets;
mod facts;
mod layout;
mod live;
mod markdown;
mod page_error;
mod run;
mod run_actions;
mod runs;
mod schedules;
mod session;
mod signin;
mod sop;
mod sops;
mod text;

use crate::state::Shared;
use axum::Router;
use axum::routing::{get, post};

/// The console's routes, merged into the server's router.
pub fn router() -> Router<Shared> {
    Router::new()
        .route("/", get(sops::page))
        .route("/ui/assets/{file}", get(assets::serve))
        .route("/ui/signin", get(signin::form).post(signin::submit))
        .route("/ui/signout", post(signin::sign_out))
        .route("/ui/sops/{name}", get(sop::page))
        .route("/ui/sops/{name}/run", get(to_sop).post(sop::run))
        .route("/ui/sops/{name}/preview", get(to_sop).post(sop::preview))
        .route("/ui/runs", get(runs::page))
        .route("/ui/runs/{id}", get(run::page))
        .route("/ui/runs/{id}/live", get(live::stream))
        .route("/ui/runs/{id}/{action}", get(to_run).post(actions::act))
        .route("/ui/approvals", get(approvals::page))
        .route("/ui/schedules", get(schedules::page))
        .route("/ui/facts", get(facts::page).post(facts::set))
        .route("/ui/facts/{name}/unset", post(facts::unset))
        // Where people type the console's address: its first page is the list of SOPs.
        .route("/ui", get(to_first_page))
        .route("/ui/", get(to_first_page))
        .route("/ui/sops", get(to_first_page))
        .route("/ui/{*rest}", get(page_error::unknown_page))
}

async fn to_first_page() -> axum::response::Redirect {
    axum::response::Redirect::to("/")
}

/// A form's address opened again from the address bar or history: the page it came from.
async fn to_sop(
    crate::params::Path(name): crate::params::Path<String>,
) -> axum::response::Redirect {
    axum::response::Redirect::to(&format!("/ui/sops/{}", text::enc(&name)))
}

async fn to_run(
    crate::params::Path((id, _)): crate::params::Path<(String, String)>,
) -> axum::response::Redirect {
    axum::response::Redirect::to(&format!("/ui/runs/{}", text::enc(&id)))
}
