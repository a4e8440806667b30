//! [`LiveCatalog`]: the SOPs a server serves, reloaded when SOP_DIR changes. A broken edit
//! keeps the last good version of that SOP serving beside the problems of the files on disk,
//! so one typo never stops a cron schedule or a webhook.

use super::Catalog;
use crate::engine::snapshot::Snapshot;
use chrono::{DateTime, Utc};
use sop_core::definition::Sop;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// A version of an SOP that parsed: what runs start from while it is in use.
#[derive(Debug)]
pub struct GoodVersion {
    pub sop: Sop,
    pub snapshot: Snapshot,
    pub folder: PathBuf,
    /// The snapshot's content hash, as runs record it (`definition_hash`).
    pub hash: String,
    pub loaded_at: DateTime<Utc>,
}

/// One SOP folder as the server sees it.
#[derive(Debug, Clone)]
pub struct LiveSop {
    /// The problems of the files on disk, rendered as `sop check` prints them; empty when they
    /// are valid.
    pub problems: Vec<String>,
    /// The version in use: the files on disk when valid, else the last version that was.
    pub good: Option<Arc<GoodVersion>>,
}

impl LiveSop {
    pub fn valid(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What one reload changed.
#[derive(Debug, Default)]
pub struct Reloaded {
    /// SOPs whose version in use changed (new, edited or removed).
    pub changed: Vec<String>,
    /// SOPs whose files are broken, with their problems; each still serves its last good
    /// version if it had one.
    pub broken: Vec<(String, Vec<String>)>,
}

#[derive(Debug)]
pub struct LiveCatalog {
    dir: PathBuf,
    sops: RwLock<BTreeMap<String, LiveSop>>,
}

impl LiveCatalog {
    /// Loads `dir` once; a missing or empty directory serves nothing until it is fixed.
    pub fn load(dir: &Path, now: DateTime<Utc>) -> (LiveCatalog, Reloaded) {
        let live = LiveCatalog {
            dir: dir.to_path_buf(),
            sops: RwLock::new(BTreeMap::new()),
        };
        let report = live.reload(now);
        (live, report)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Reads SOP_DIR again. A valid SOP becomes the version in use; a broken one keeps its last
    /// good version; a removed folder is gone.
    pub fn reload(&self, now: DateTime<Utc>) -> Reloaded {
        let mut report = Reloaded::default();
        let catalog = Catalog::load(&self.dir).ok();
        let mut next = BTreeMap::new();
        let previous = self.sops.read().map(|s| s.clone()).unwrap_or_default();
        for entry in catalog.iter().flat_map(|c| c.entries()) {
            let before = previous.get(&entry.name).and_then(|s| s.good.clone());
            let fresh = match &entry.sop {
                Ok(_) => read_good(entry, now),
                Err(diags) => Err(diags.iter().map(|d| d.render()).collect()),
            };
            let live = match fresh {
                Ok(good) if before.as_ref().is_some_and(|b| b.hash == good.hash) => LiveSop {
                    problems: Vec::new(),
                    good: before,
                },
                Ok(good) => {
                    report.changed.push(entry.name.clone());
                    LiveSop {
                        problems: Vec::new(),
                        good: Some(Arc::new(good)),
                    }
                }
                Err(problems) => {
                    report.broken.push((entry.name.clone(), problems.clone()));
                    LiveSop {
                        problems,
                        good: before,
                    }
                }
            };
            next.insert(entry.name.clone(), live);
        }
        report.changed.extend(
            previous
                .keys()
                .filter(|name| !next.contains_key(*name))
                .cloned(),
        );
        if let Ok(mut sops) = self.sops.write() {
            *sops = next;
        }
        report
    }

    /// The SOP `name` as the server sees it.
    pub fn get(&self, name: &str) -> Option<LiveSop> {
        self.sops.read().ok()?.get(name).cloned()
    }

    /// The environment variables that hold the webhook secrets of every SOP served.
    pub fn webhook_secret_names(&self) -> Vec<String> {
        let Ok(sops) = self.sops.read() else {
            return Vec::new();
        };
        sops.values()
            .filter_map(|live| live.good.as_ref())
            .flat_map(|good| webhook_secret_names(&good.sop))
            .collect()
    }

    /// The SOP whose files were valid at the last reload and that serves webhook `path`.
    pub fn webhook_owner(&self, path: &str) -> Option<String> {
        let sops = self.sops.read().ok()?;
        sops.iter().find_map(|(name, live)| {
            let good = live.good.as_ref().filter(|_| live.valid())?;
            good.sop.webhook_secret(path).map(|_| name.clone())
        })
    }

    /// The version in use of every SOP that has one, by name.
    pub fn serving(&self) -> Vec<Arc<GoodVersion>> {
        self.sops
            .read()
            .map(|s| s.values().filter_map(|l| l.good.clone()).collect())
            .unwrap_or_default()
    }
}

/// Reads the folder's files once and parses that text, so the version kept is exactly what
/// was parsed even when the files change meanwhile.
fn read_good(entry: &super::Entry, now: DateTime<Utc>) -> Result<GoodVersion, Vec<String>> {
    let snapshot = Snapshot::read(entry).map_err(|e| vec![e.to_string()])?;
    let sop = snapshot
        .parse(&entry.name)
        .map_err(|e| vec![e.message.clone()])?;
    Ok(GoodVersion {
        hash: snapshot.content_hash(),
        sop,
        snapshot,
        folder: entry.dir.clone(),
        loaded_at: now,
    })
}

/// The environment variables that hold `sop`'s webhook secrets (`secret_env`).
pub fn webhook_secret_names(sop: &Sop) -> impl Iterator<Item = String> + '_ {
    sop.triggers.iter().filter_map(|t| match t {
        sop_core::definition::Trigger::Webhook {
            secret_env: Some(name),
            ..
        } => Some(name.clone()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, toml_extra: &str) {
        let folder = dir.join(name);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("SOP.toml"),
            format!("[sop]\nname = \"{name}\"\n{toml_extra}\n[[triggers]]\ntype = \"manual\"\n"),
        )
        .unwrap();
        std::fs::write(folder.join("SOP.md"), "## Step 1: Go\n```bash\ntrue\n```\n").unwrap();
    }

    #[test]
    fn a_broken_edit_keeps_the_last_good_version() {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), "demo", "description = \"one\"");
        let now = DateTime::<Utc>::UNIX_EPOCH;
        let (live, first) = LiveCatalog::load(tmp.path(), now);
        assert_eq!(first.changed, ["demo"]);
        let good = live.get("demo").unwrap().good.unwrap();
        assert_eq!(good.sop.meta.description, "one");

        std::fs::write(
            tmp.path().join("demo/SOP.toml"),
            "[sop]\nname = \"demo\"\npriority = \"urgent-ish\"\n",
        )
        .unwrap();
        let broken = live.reload(now);
        assert!(broken.changed.is_empty());
        assert_eq!(broken.broken.len(), 1);
        let seen = live.get("demo").unwrap();
        assert!(!seen.valid());
        assert!(
            seen.problems[0].contains("demo/SOP.toml:3:"),
            "{:?}",
            seen.problems
        );
        assert_eq!(seen.good.unwrap().hash, good.hash);

        write(tmp.path(), "demo", "description = \"two\"");
        let fixed = live.reload(now);
        assert_eq!(fixed.changed, ["demo"]);
        assert_eq!(live.serving()[0].sop.meta.description, "two");

        std::fs::remove_dir_all(tmp.path().join("demo")).unwrap();
        write(tmp.path(), "other", "");
        let removed = live.reload(now);
        assert_eq!(removed.changed, ["other", "demo"]);
        assert!(live.get("demo").is_none());
    }

    #[test]
    fn a_webhook_path_is_owned_by_the_sop_whose_valid_files_serve_it() {
        let tmp = tempfile::tempdir().unwrap();
        let hook = "[[triggers]]\ntype = \"webhook\"\npath = \"/hooks/deploy\"\n";
        write(tmp.path(), "deploy", hook);
        write(tmp.path(), "other", "");
        let now = DateTime::<Utc>::UNIX_EPOCH;
        let (live, _) = LiveCatalog::load(tmp.path(), now);
        assert_eq!(
            live.webhook_owner("/hooks/deploy").as_deref(),
            Some("deploy")
        );
        assert_eq!(live.webhook_owner("/hooks/other"), None);

        // Broken, it still serves its last good version, but the path is no longer known to be
        // its: a delivery reads the whole directory to decide.
        std::fs::write(
            tmp.path().join("deploy/SOP.toml"),
            "[sop]\nname = \"deploy\"\nx = 1\n",
        )
        .unwrap();
        live.reload(now);
        assert!(live.get("deploy").unwrap().good.is_some());
        assert_eq!(live.webhook_owner("/hooks/deploy"), None);
    }
}
