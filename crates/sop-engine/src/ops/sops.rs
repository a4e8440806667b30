//! Reading SOPs for the API: the list, one SOP, its status (recent runs, how many are active),
//! and which SOP a webhook path starts.

use super::{Caller, Service};
use crate::Error;
use crate::catalog::{Catalog, Entry};
use crate::documents::{InUseDocument, RunSummaryDocument, SopOverviewDocument};
use serde::Serialize;
use sop_core::run::RunStatus;
use sop_store::RunFilter;
use std::sync::Arc;

/// Recent runs shown by [`Service::sop_status`].
const STATUS_RUNS: u32 = 20;

/// `GET /api/sop/{name}/status`.
#[derive(Debug, Clone, Serialize)]
pub struct SopStatus {
    pub sop: SopOverviewDocument,
    pub runs: Vec<RunSummaryDocument>,
    pub active: u64,
}

/// The SOP a webhook path starts, and the environment variable holding its secret.
#[derive(Debug, Clone)]
pub struct WebhookTarget {
    pub sop: String,
    pub path: String,
    pub secret_env: Option<String>,
    /// SOP_DIR as read to find the SOP, for the start ([`super::StartRequest::catalog`]).
    pub catalog: Arc<Catalog>,
}

impl Service {
    fn catalog(&self) -> crate::Result<Catalog> {
        Catalog::open_with(self.settings().sop_dir(), Some(self.parse_cache()))
    }

    /// Every SOP folder, valid or not, by name.
    pub fn sop_documents(&self) -> crate::Result<Vec<SopOverviewDocument>> {
        Ok(self
            .catalog()?
            .entries()
            .iter()
            .map(|e| self.overview(e, false))
            .collect())
    }

    /// One SOP with its steps; `NotFound` when there is no such folder.
    pub fn sop_document(&self, name: &str) -> crate::Result<SopOverviewDocument> {
        let catalog = self.catalog()?;
        let entry = catalog.get(name).ok_or_else(|| no_sop(name))?;
        Ok(self.overview(entry, true))
    }

    /// The SOP as read now, with the version a server has in use: when the files are broken
    /// and a last good version serves, its metadata, triggers and steps beside the problems.
    fn overview(&self, entry: &Entry, with_steps: bool) -> SopOverviewDocument {
        let mut doc = SopOverviewDocument::new(entry, with_steps);
        let Some(good) = self.live_version(&entry.name) else {
            return doc;
        };
        if !doc.valid {
            let problems = std::mem::take(&mut doc.problems);
            doc = SopOverviewDocument::of_sop(&entry.name, &good.sop, with_steps);
            doc.valid = false;
            doc.problems = problems;
        }
        doc.in_use = Some(InUseDocument {
            definition_hash: good.hash.clone(),
            loaded_at: good
                .loaded_at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        });
        doc
    }

    /// The SOP `name` exists (valid or not); `NotFound` otherwise.
    /// Fails when there is no SOP folder `name`; else SOP_DIR as read (only that SOP's folder
    /// when the live catalog last found it valid), for the start that usually follows
    /// ([`super::StartRequest::catalog`]).
    pub fn require_sop(&self, name: &str) -> crate::Result<Arc<Catalog>> {
        // An SOP valid at the live catalog's last reload is read from its own folder alone (as
        // a webhook's is); any other name reads the whole directory.
        if self
            .live_catalog()
            .and_then(|l| l.get(name))
            .is_some_and(|l| l.valid())
            && let Some(one) =
                Catalog::load_folder(self.settings().sop_dir(), name, Some(self.parse_cache()))
        {
            return Ok(Arc::new(one));
        }
        let catalog = self.catalog()?;
        match catalog.get(name) {
            Some(_) => Ok(Arc::new(catalog)),
            None => Err(no_sop(name)),
        }
    }

    /// The SOP, its recent runs and how many of its runs are active.
    pub fn sop_status(&self, caller: &Caller, name: &str) -> crate::Result<SopStatus> {
        let sop = self.sop_document(name)?;
        let filter = RunFilter {
            sop_name: Some(name.to_string()),
            statuses: Vec::new(),
            limit: STATUS_RUNS,
        };
        let now = self.clock().now();
        let runs = self
            .list_runs(caller, &filter)?
            .runs
            .iter()
            .map(|r| RunSummaryDocument::new(r, now))
            .collect();
        let active = self.store().count_active_runs(name)?;
        Ok(SopStatus { sop, runs, active })
    }

    /// Whether a webhook trigger served `path` at the live catalog's last reload. Nothing is
    /// read from disk: it is for hints (a 404's "did you mean"), never for serving.
    pub fn serves_webhook_path(&self, path: &str) -> bool {
        self.live_catalog()
            .and_then(|c| c.webhook_owner(path))
            .is_some()
    }

    /// The valid SOP whose webhook trigger serves `path`, if any.
    pub fn webhook_target(&self, path: &str) -> crate::Result<Option<WebhookTarget>> {
        if let Some(target) = self.known_webhook_target(path) {
            return Ok(Some(target));
        }
        let catalog = match Catalog::load_with(self.settings().sop_dir(), Some(self.parse_cache()))
        {
            Ok(c) => Arc::new(c),
            Err(_) => return Ok(None),
        };
        // An SOP whose files broke keeps serving its last good version's webhooks.
        let kept: Vec<_> = catalog
            .entries()
            .iter()
            .filter(|e| e.sop.is_err())
            .filter_map(|e| self.live_version(&e.name))
            .collect();
        for sop in catalog.sops().chain(kept.iter().map(|g| &g.sop)) {
            if let Some(secret_env) = sop.webhook_secret(path) {
                return Ok(Some(WebhookTarget {
                    sop: sop.name().to_string(),
                    path: path.to_string(),
                    secret_env: secret_env.clone(),
                    catalog: Arc::clone(&catalog),
                }));
            }
        }
        Ok(None)
    }

    /// The SOP that served `path` at the live catalog's last reload, read again from its own
    /// folder and still serving it. A delivery then reads one SOP's files instead of every
    /// SOP's: with 100 SOPs, reading them all took each webhook 1.8 ms. A path the live catalog
    /// does not know (an SOP added since), an SOP that no longer serves it or no longer reads
    /// goes the long way, through the whole directory; only a conflict with another SOP made
    /// since the last reload (a moment ago, with the directory watched) is not seen here.
    fn known_webhook_target(&self, path: &str) -> Option<WebhookTarget> {
        let owner = self.live_catalog()?.webhook_owner(path)?;
        let catalog =
            Catalog::load_folder(self.settings().sop_dir(), &owner, Some(self.parse_cache()))?;
        let secret_env = catalog.sop(&owner).ok()?.webhook_secret(path)?.clone();
        Some(WebhookTarget {
            sop: owner,
            path: path.to_string(),
            secret_env,
            catalog: Arc::new(catalog),
        })
    }
}

fn no_sop(name: &str) -> Error {
    Error::not_found(format!(
        "no SOP named `{}`; GET /api/sops lists them",
        name.escape_default()
    ))
}

/// Whether a run status counts as active (for filters given as text).
pub fn parse_status(text: &str) -> crate::Result<RunStatus> {
    text.parse::<RunStatus>().map_err(|_| {
        let all: Vec<&str> = RunStatus::ALL.iter().map(|s| s.as_str()).collect();
        Error::invalid(format!(
            "unknown run status `{}`; one of: {}",
            text.escape_default(),
            all.join(", ")
        ))
    })
}
