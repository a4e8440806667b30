//! The SOP catalog: every `<SOP_DIR>/<name>/` folder read safely, parsed and cross-checked.
//!
//! Reading is the only I/O; parsing is `sop_core::definition::parse`. Folders are loaded in
//! parallel because `sop list` on a thousand SOPs must stay well under a blink.

mod live;
#[cfg(test)]
mod load_folder_tests;
mod parse_cache;
mod safe_read;

pub use live::{GoodVersion, LiveCatalog, LiveSop, Reloaded, webhook_secret_names};

use crate::Error;
pub use parse_cache::ParseCache;
pub use safe_read::MAX_FILE_BYTES;
use safe_read::{outside_root, read_text};
use sop_core::Diagnostic;
use sop_core::definition::{self, Sop, SopSource, Sourced, names};
use sop_core::suggest;
use std::path::{Path, PathBuf};

/// Below this many folders one thread is faster than starting more.
const PARALLEL_THRESHOLD: usize = 32;

/// One folder of the SOP directory and what became of it.
#[derive(Debug)]
pub struct Entry {
    /// The folder name (lossily decoded when it is not UTF-8).
    pub name: String,
    /// The folder, as `<SOP_DIR as given>/<name>`.
    pub dir: PathBuf,
    /// How SOP.toml and SOP.md are named in messages.
    pub toml_file: String,
    pub md_file: String,
    pub sop: Result<Sop, Vec<Diagnostic>>,
    /// SOP.toml and SOP.md as read, when both were: what a run started from this reading of
    /// the catalog records, without reading them again (see [`Entry::texts`]).
    text: Option<(String, String)>,
}

impl Entry {
    /// SOP.toml and SOP.md as this reading of the catalog found them, when it read both.
    pub fn texts(&self) -> Option<(&str, &str)> {
        self.text
            .as_ref()
            .map(|(toml, md)| (toml.as_str(), md.as_str()))
    }
}

/// Every SOP folder of one directory, sorted by name.
#[derive(Debug)]
pub struct Catalog {
    dir: PathBuf,
    entries: Vec<Entry>,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("the SOP directory {} does not exist", .0.display())]
    Missing(PathBuf),
    #[error("the SOP directory {} is not a directory", .0.display())]
    NotADirectory(PathBuf),
    #[error("cannot read the SOP directory {}: {source}", .dir.display())]
    Unreadable {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("the SOP directory {} holds no SOPs", .0.display())]
    Empty(PathBuf),
    #[error("{} is one SOP's folder, not the SOP directory that holds SOP folders", .0.display())]
    SingleSop(PathBuf),
}

impl CatalogError {
    /// How to fix it, for the user.
    pub fn help(&self) -> &'static str {
        match self {
            CatalogError::Missing(_) | CatalogError::NotADirectory(_) => {
                "point --dir or SOP_DIR at the folder that holds one sub-folder per SOP"
            }
            CatalogError::Unreadable { .. } => "check the directory's permissions",
            CatalogError::Empty(_) => {
                "create <dir>/<name>/SOP.toml and <dir>/<name>/SOP.md (see docs/sop-format.md)"
            }
            CatalogError::SingleSop(_) => "point --dir or SOP_DIR at its parent directory",
        }
    }
}

impl Catalog {
    /// Loads every SOP folder of `dir`. Problems with single SOPs are kept in their entries;
    /// only a missing, unreadable or empty directory is an error.
    pub fn load(dir: &Path) -> Result<Catalog, CatalogError> {
        Catalog::load_with(dir, None)
    }

    /// [`Catalog::load`], parsing through `cache` when given: unchanged files are not parsed
    /// again.
    pub fn load_with(dir: &Path, cache: Option<&ParseCache>) -> Result<Catalog, CatalogError> {
        let (root, mut folders) = Catalog::folders(dir)?;
        folders.sort_by(|a, b| a.name.cmp(&b.name));
        let loaded = load_all(&root, folders, cache);
        Ok(Catalog::cross_check(dir, loaded))
    }

    /// Whether `dir` can be a SOP directory, without reading any SOP: what [`Catalog::load`]
    /// refuses about the directory itself, except that it holds no SOPs yet (a server loads
    /// them as they appear).
    pub fn check_dir(dir: &Path) -> Result<(), CatalogError> {
        match Catalog::folders(dir) {
            Ok(_) | Err(CatalogError::Empty(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// The directory's real path and its SOP folders, unsorted.
    fn folders(dir: &Path) -> Result<(PathBuf, Vec<Folder>), CatalogError> {
        let meta = match std::fs::metadata(dir) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(CatalogError::Missing(dir.to_path_buf()));
            }
            Err(source) => {
                return Err(CatalogError::Unreadable {
                    dir: dir.to_path_buf(),
                    source,
                });
            }
        };
        if !meta.is_dir() {
            return Err(CatalogError::NotADirectory(dir.to_path_buf()));
        }
        let unreadable = |source| CatalogError::Unreadable {
            dir: dir.to_path_buf(),
            source,
        };
        let root = dir.canonicalize().map_err(unreadable)?;
        let mut folders = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(unreadable)? {
            let entry = entry.map_err(unreadable)?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            // Only directories are SOPs; top-level files such as oncall.toml or
            // maintenance.toml are settings, not SOPs.
            if is_folder(kind, || entry.path()) {
                folders.push(Folder {
                    utf8: entry.file_name().to_str().is_some(),
                    name,
                    dir: dir.join(entry.file_name()),
                    symlink: kind.is_symlink(),
                });
            }
        }
        if folders.is_empty() {
            if dir.join("SOP.toml").exists() || dir.join("SOP.md").exists() {
                return Err(CatalogError::SingleSop(dir.to_path_buf()));
            }
            return Err(CatalogError::Empty(dir.to_path_buf()));
        }
        Ok((root, folders))
    }

    /// Only the folder `name` of `dir`, read as [`Catalog::load_with`] reads each folder, but
    /// without the rules that span SOPs (they need every folder): for a caller that knows which
    /// SOP it wants and reads the whole directory when this answers nothing. `None` when there
    /// is no such folder.
    pub fn load_folder(dir: &Path, name: &str, cache: Option<&ParseCache>) -> Option<Catalog> {
        if name.is_empty() || name.starts_with('.') || name.contains(['/', '\\']) {
            return None;
        }
        let folder_dir = dir.join(name);
        let kind = std::fs::symlink_metadata(&folder_dir).ok()?.file_type();
        if !is_folder(kind, || folder_dir.clone()) {
            return None;
        }
        let root = dir.canonicalize().ok()?;
        let folder = Folder {
            utf8: true,
            name: name.to_string(),
            dir: folder_dir,
            symlink: kind.is_symlink(),
        };
        Some(Catalog {
            dir: dir.to_path_buf(),
            entries: vec![load_one(&root, &folder, cache)],
        })
    }

    /// [`Catalog::load`] for commands: a directory problem becomes an invalid-input failure.
    pub fn open(dir: &Path) -> crate::Result<Catalog> {
        Catalog::open_with(dir, None)
    }

    /// [`Catalog::open`] through a [`ParseCache`].
    pub fn open_with(dir: &Path, cache: Option<&ParseCache>) -> crate::Result<Catalog> {
        Catalog::load_with(dir, cache)
            .map_err(|e| Error::invalid(format!("{e}\n  = help: {}", e.help())))
    }

    /// Applies the rules that span SOPs; a conflicting SOP becomes invalid.
    fn cross_check(dir: &Path, mut entries: Vec<Entry>) -> Catalog {
        let valid: Vec<usize> = (0..entries.len())
            .filter(|i| entries[*i].sop.is_ok())
            .collect();
        let sourced: Vec<Sourced> = valid
            .iter()
            .filter_map(|i| {
                let e = &entries[*i];
                Some(Sourced {
                    sop: e.sop.as_ref().ok()?,
                    toml_file: &e.toml_file,
                    toml_text: e.texts()?.0,
                })
            })
            .collect();
        let conflicts = definition::webhook_conflicts(&sourced);
        drop(sourced);
        for (i, diagnostic) in conflicts {
            let entry = &mut entries[valid[i]];
            match &mut entry.sop {
                Ok(_) => entry.sop = Err(vec![diagnostic]),
                Err(diags) => diags.push(diagnostic),
            }
        }
        Catalog {
            dir: dir.to_path_buf(),
            entries,
        }
    }

    /// The directory as given.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every folder, valid or not, sorted by name.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.entries
            .binary_search_by(|e| e.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// The valid SOPs, sorted by name.
    pub fn sops(&self) -> impl Iterator<Item = &Sop> {
        self.entries.iter().filter_map(|e| e.sop.as_ref().ok())
    }

    /// The entry called `name`, or a not-found failure that suggests a close name.
    pub fn entry(&self, name: &str) -> crate::Result<&Entry> {
        self.get(name).ok_or_else(|| {
            let names: Vec<&str> = self.entries.iter().map(|e| e.name.as_str()).collect();
            let e = Error::not_found(format!("no SOP named `{name}` in {}", self.dir.display()));
            match suggest::closest(name, names.iter().copied()) {
                Some(c) => e.with_hint(format!("did you mean `{c}`?")),
                None => e.with_remedy(crate::Remedy::ListSops),
            }
        })
    }

    /// The valid SOP called `name`; an unknown or invalid SOP is an invalid-input failure whose
    /// message holds every problem. This is what commands that start runs call.
    pub fn sop(&self, name: &str) -> crate::Result<&Sop> {
        let entry = self.entry(name)?;
        entry.sop.as_ref().map_err(|diags| {
            let mut message = format!("SOP `{name}` is invalid:\n");
            for d in diags {
                message.push_str(&d.render());
            }
            Error::invalid(message.trim_end()).with_remedy(crate::Remedy::CheckSop {
                name: name.to_string(),
            })
        })
    }
}

/// A folder to load.
struct Folder {
    name: String,
    dir: PathBuf,
    utf8: bool,
    symlink: bool,
}

/// Whether an entry of SOP_DIR is an SOP folder: a directory, or a symlink to one (`path` is
/// asked for only then).
fn is_folder(kind: std::fs::FileType, path: impl FnOnce() -> PathBuf) -> bool {
    kind.is_dir() || (kind.is_symlink() && std::fs::metadata(path()).is_ok_and(|m| m.is_dir()))
}

fn load_all(root: &Path, folders: Vec<Folder>, cache: Option<&ParseCache>) -> Vec<Entry> {
    // Asked only when there is enough to share: the answer costs a few reads of /proc and
    // /sys, and a server plans a run of one SOP many times a second.
    let wanted = folders.len().div_ceil(PARALLEL_THRESHOLD);
    let threads = if wanted <= 1 {
        1
    } else {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(wanted)
    };
    if threads == 1 {
        return folders.iter().map(|f| load_one(root, f, cache)).collect();
    }
    let chunk = folders.len().div_ceil(threads);
    let mut parts = folders.chunks(chunk);
    let first = parts.next().unwrap_or_default();
    std::thread::scope(|scope| {
        let workers: Vec<_> = parts
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|f| load_one(root, f, cache))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        // This thread takes the first share instead of idling until the others finish.
        let mut loaded: Vec<Entry> = first.iter().map(|f| load_one(root, f, cache)).collect();
        for w in workers {
            loaded.extend(
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        loaded
    })
}

fn load_one(root: &Path, folder: &Folder, cache: Option<&ParseCache>) -> Entry {
    let toml_path = folder.dir.join("SOP.toml");
    let md_path = folder.dir.join("SOP.md");
    let toml_file = toml_path.display().to_string();
    let md_file = md_path.display().to_string();
    let mut text = None;
    let sop = (|| {
        let folder_file = folder.dir.display().to_string();
        if !folder.utf8 {
            return Err(vec![
                Diagnostic::file(&folder_file, "the folder name is not valid UTF-8")
                    .with_help(format!("rename the folder; {}", names::SOP_NAME_RULE)),
            ]);
        }
        if let Some(problem) = names::sop_name_problem(&folder.name) {
            return Err(vec![
                Diagnostic::file(
                    &folder_file,
                    format!("`{}` is not a valid SOP name: {problem}", folder.name),
                )
                .with_help(format!("rename the folder; {}", names::SOP_NAME_RULE)),
            ]);
        }
        if folder.symlink {
            outside_root(root, &folder.dir, &folder_file)?;
        }
        let toml = read_text(root, &toml_path, &toml_file);
        let md = read_text(root, &md_path, &md_file);
        let (toml, md) = match (toml, md) {
            (Ok(Some(t)), Ok(Some(m))) => (t, m),
            (Ok(None), Ok(None)) => {
                return Err(vec![
                    Diagnostic::file(&folder_file, "the folder has neither SOP.toml nor SOP.md")
                        .with_help("add both files, or rename the folder to start with `.` to keep it out of the catalog"),
                ]);
            }
            (toml, md) => {
                let mut diags = Vec::new();
                for (result, file, other) in
                    [(toml, &toml_file, "SOP.md"), (md, &md_file, "SOP.toml")]
                {
                    match result {
                        Ok(Some(_)) => {}
                        Ok(None) => diags.push(
                            Diagnostic::file(file, "the file is missing")
                                .with_help(format!("every SOP folder needs both SOP.toml and SOP.md; this one only has {other}")),
                        ),
                        Err(d) => diags.push(d),
                    }
                }
                return Err(diags);
            }
        };
        let source = SopSource {
            folder: &folder.name,
            toml_file: &toml_file,
            toml: &toml,
            md_file: &md_file,
            md: &md,
        };
        let result = match cache {
            Some(cache) => cache.parse(&source),
            None => definition::parse(&source),
        };
        text = Some((toml, md));
        result
    })();
    Entry {
        name: folder.name.clone(),
        dir: folder.dir.clone(),
        toml_file,
        md_file,
        sop,
        text,
    }
}
