//! `--foreground`, and what commands that continue a run do while a server is alive on the
//! same database: record the decision and leave the run to the server, saying so.

use crate::config::Context;
use crate::exit::Exit;
use crate::render::{Progress, json};
use sop_engine::engine::Tracked;
use sop_engine::{Caller, Service};
use sop_store::{RunStatus, ServerBeat};

#[derive(clap::Args)]
pub struct Foreground {
    /// Go on with the run here even when a server is running (by default a live server
    /// executes it).
    #[arg(long)]
    pub foreground: bool,
}

impl Foreground {
    /// The live server that goes on with runs instead of this command, unless `--foreground`.
    pub fn server(&self, service: &Service) -> anyhow::Result<Option<ServerBeat>> {
        if self.foreground {
            return Ok(None);
        }
        Ok(service.live_server()?)
    }

    /// `caller`, handing the runs it continues to `server` when there is one.
    pub fn caller<'a>(&self, caller: Caller<'a>, server: &Option<ServerBeat>) -> Caller<'a> {
        match server {
            Some(_) => caller.handing_off(),
            None => caller,
        }
    }
}

/// Reports a run left for `server`; `None` when the run was not left pending (the command
/// reports it as usual then).
pub fn report(
    service: &Service,
    out: &Progress,
    t: &Tracked,
    server: &Option<ServerBeat>,
    json_out: bool,
) -> anyhow::Result<Option<Exit>> {
    let Some(server) = server else {
        return Ok(None);
    };
    if t.run.status != RunStatus::Pending {
        return Ok(None);
    }
    if json_out {
        json::print_run(service, t)?;
    } else {
        out.line(&format!(
            "run {} is left for the server at {}, which goes on with it (`--foreground` runs it here)",
            t.id(),
            server.listen
        ));
    }
    Ok(Some(Exit::Success))
}

/// What `--detach` says about who will execute a pending run.
pub fn detached_line(ctx: &Context, service: &Service, id: &str) -> anyhow::Result<String> {
    let _ = ctx;
    Ok(match service.live_server()? {
        Some(s) => format!(
            "run {id} recorded as pending; the server at {} will execute it",
            s.listen
        ),
        None => format!(
            "run {id} recorded as pending; no server is running on this database: start one with `sop serve`, or run it here with `sop resume {id}`"
        ),
    })
}
