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
    /// The live servers that go on with runs instead of this command, unless `--foreground`.
    pub fn server(&self, service: &Service) -> anyhow::Result<Option<LiveServers>> {
        if self.foreground {
            return Ok(None);
        }
        LiveServers::of(service)
    }

    /// `caller`, handing the runs it continues to the servers when there are any.
    pub fn caller<'a>(&self, caller: Caller<'a>, server: &Option<LiveServers>) -> Caller<'a> {
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
    server: &Option<LiveServers>,
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
            "run {} is left for {} (`--foreground` runs it here)",
            t.id(),
            server.which_goes_on()
        ));
    }
    Ok(Some(Exit::Success))
}

/// What `--detach` says about who will execute a pending run.
pub fn detached_line(ctx: &Context, service: &Service, id: &str) -> anyhow::Result<String> {
    let _ = ctx;
    Ok(match LiveServers::of(service)? {
        Some(s) => format!(
            "run {id} recorded as pending; {} will execute it",
            s.subject()
        ),
        None => format!(
            "run {id} recorded as pending; no server is running on this database: start one with `sop serve`, or run it here with `sop resume {id}`"
        ),
    })
}

/// The servers alive on this database, at least one: any of them may pick up a run left
/// pending, so with several nodes none is named as the one.
pub struct LiveServers(Vec<ServerBeat>);

impl LiveServers {
    /// `None` when no server is alive on this database.
    pub fn of(service: &Service) -> anyhow::Result<Option<LiveServers>> {
        let servers = service.live_servers()?;
        Ok((!servers.is_empty()).then_some(LiveServers(servers)))
    }

    /// "the server at A" or "one of the 2 servers on this database (A, B)": who will execute a
    /// run left pending.
    pub fn subject(&self) -> String {
        match self.0.as_slice() {
            [one] => format!("the server at {}", one.listen),
            many => format!(
                "one of the {} servers on this database ({})",
                many.len(),
                self.addresses()
            ),
        }
    }

    /// "the server at A, which goes on with it" or "the 2 servers on this database (A, B), one of
    /// which goes on with it".
    pub fn which_goes_on(&self) -> String {
        match self.0.as_slice() {
            [one] => format!("the server at {}, which goes on with it", one.listen),
            many => format!(
                "the {} servers on this database ({}), one of which goes on with it",
                many.len(),
                self.addresses()
            ),
        }
    }

    fn addresses(&self) -> String {
        let listens: Vec<&str> = self.0.iter().map(|s| s.listen.as_str()).collect();
        listens.join(", ")
    }
}
