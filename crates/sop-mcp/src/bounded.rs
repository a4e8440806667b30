//! Operations on a blocking thread, and the ones that drive a run bounded in time: the call
//! returns when the run finishes or waits (for an approval, a person) or when its time is up,
//! with the run document either way, while the run goes on being driven in the background.

use crate::identity::Identity;
use sop_engine::documents::RunDocument;
use sop_engine::engine::Tracked;
use sop_engine::{Caller, Error, Service};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// How long a call waits for a run by default, and at most.
pub const DEFAULT_WAIT_SECONDS: u32 = 30;
pub const MAX_WAIT_SECONDS: u32 = 600;

/// Drivers that outlived their call, so shutting down can wait for them to let go.
#[derive(Clone, Default)]
pub struct Background(Arc<Mutex<JoinSet<()>>>);

impl Background {
    fn keep(&self, handle: tokio::task::JoinHandle<sop_engine::Result<RunDocument>>) {
        let follow = async move {
            match handle.await {
                Ok(Err(e)) => eprintln!("sop mcp: a run driven in the background stopped: {e}"),
                Err(e) => eprintln!("sop mcp: a run's driver ended abnormally: {e}"),
                Ok(Ok(_)) => {}
            }
        };
        if let Ok(mut set) = self.0.lock() {
            set.spawn(follow);
        }
    }

    /// Waits for every background driver to finish (after the stop signal asked them to).
    pub async fn join_all(&self) {
        let mut set = match self.0.lock() {
            Ok(mut set) => std::mem::take(&mut *set),
            Err(_) => return,
        };
        while set.join_next().await.is_some() {}
    }
}

/// Runs `op` for `who` on a blocking thread.
pub async fn blocking<T, F>(service: &Service, who: &Identity, op: F) -> sop_engine::Result<T>
where
    T: Send + 'static,
    F: FnOnce(&Service, &Caller) -> sop_engine::Result<T> + Send + 'static,
{
    let (service, who) = (service.clone(), who.clone());
    tokio::task::spawn_blocking(move || op(&service, &who.caller()))
        .await
        .unwrap_or_else(|e| {
            Err(Error::internal(format!(
                "the operation ended abnormally: {e}"
            )))
        })
}

/// Runs `work` on a blocking thread: it records or advances a run, says which through `report`
/// as soon as it knows, and drives it. Returns the run's document when `work` ends, or after
/// `wait_seconds` with the run as it is then.
pub async fn drive<F>(
    service: &Service,
    who: &Identity,
    background: &Background,
    wait_seconds: Option<u32>,
    work: F,
) -> sop_engine::Result<RunDocument>
where
    F: FnOnce(&Service, &Caller, &dyn Fn(&str)) -> sop_engine::Result<Tracked> + Send + 'static,
{
    let wait = wait_seconds
        .unwrap_or(DEFAULT_WAIT_SECONDS)
        .min(MAX_WAIT_SECONDS);
    let (id_tx, mut id_rx) = watch::channel(None::<String>);
    let (svc, caller_of) = (service.clone(), who.clone());
    let mut handle = tokio::task::spawn_blocking(move || {
        let caller = caller_of.caller();
        let report = |id: &str| {
            let _ = id_tx.send(Some(id.to_string()));
        };
        let t = work(&svc, &caller, &report)?;
        svc.run_document(&t)
    });
    let timer = tokio::time::sleep(Duration::from_secs(u64::from(wait)));
    tokio::select! {
        done = &mut handle => return joined(done),
        () = timer => {}
    }
    // Time is up. The run is known once it has been recorded; until then nothing can be shown.
    let id = loop {
        if let Some(id) = id_rx.borrow_and_update().clone() {
            break id;
        }
        tokio::select! {
            done = &mut handle => return joined(done),
            changed = id_rx.changed() => {
                if changed.is_err() {
                    return joined(handle.await);
                }
            }
        }
    };
    background.keep(handle);
    blocking(service, who, move |service, caller| {
        let t = service.load_run(caller, &id)?;
        service.run_document(&t)
    })
    .await
}

fn joined(
    r: Result<sop_engine::Result<RunDocument>, tokio::task::JoinError>,
) -> sop_engine::Result<RunDocument> {
    r.unwrap_or_else(|e| {
        Err(Error::internal(format!(
            "the run's driver ended abnormally: {e}"
        )))
    })
}
