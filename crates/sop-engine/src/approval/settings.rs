//! The approval settings of this process: the `priority_based` mapping (`SOP_PRIORITY_MODES`)
//! and the groups `@name` approvers refer to (`SOP_GROUPS`, the groups file).

use crate::{Error, Settings};
use sop_core::gate::{Groups, PriorityModes, parse_groups_env, parse_groups_file};
use std::path::{Path, PathBuf};

/// A groups file larger than this is refused rather than read.
const MAX_GROUPS_FILE: u64 = 1024 * 1024;

#[derive(Debug, Clone, Default)]
pub struct ApprovalSettings {
    pub modes: PriorityModes,
    pub groups: Groups,
}

impl ApprovalSettings {
    /// Reads the environment (and `./.env`, already loaded) and the groups file. Every problem
    /// is a usage error (exit 2) saying which setting is wrong.
    pub fn load(s: &Settings) -> crate::Result<Self> {
        Ok(ApprovalSettings {
            modes: priority_modes(s)?,
            groups: load_groups(s)?,
        })
    }
}

/// The approver groups: the groups file merged with `SOP_GROUPS`. Deciding a gate needs only
/// these; the mapping matters only to runs being started, which record the mode they resolve.
pub fn load_groups(s: &Settings) -> crate::Result<Groups> {
    let mut groups = Groups::new();
    if let Some(path) = groups_file(s) {
        let text = read_limited(&path)?;
        let label = path.display().to_string();
        let parsed = parse_groups_file(&label, &text).map_err(|diags| {
            let rendered: Vec<String> = diags.iter().map(|d| d.render()).collect();
            Error::invalid(format!(
                "the groups file has problems:\n{}",
                rendered.join("\n")
            ))
        })?;
        groups.merge(&parsed);
    }
    if let Some(text) = s.var("SOP_GROUPS") {
        let parsed = parse_groups_env(text).map_err(|problems| {
            Error::invalid(format!(
                "SOP_GROUPS: {}; write e.g. SOP_GROUPS=\"ops=alice,bob;dba=carol\"",
                problems.join("; ")
            ))
        })?;
        groups.merge(&parsed);
    }
    Ok(groups)
}

/// `SOP_PRIORITY_MODES` (e.g. `critical=auto,high=auto,normal=supervised,low=supervised`),
/// else the spec's mapping. The one reader of that setting.
pub fn priority_modes(s: &Settings) -> crate::Result<PriorityModes> {
    match s.var("SOP_PRIORITY_MODES") {
        Some(text) => text
            .parse::<PriorityModes>()
            .map_err(|e| Error::invalid(format!("SOP_PRIORITY_MODES: {e}"))),
        None => Ok(PriorityModes::default()),
    }
}

/// `SOP_GROUPS_FILE` (which must exist), else `<SOP_DIR>/groups.toml` if there is one.
fn groups_file(s: &Settings) -> Option<PathBuf> {
    match s.var("SOP_GROUPS_FILE") {
        Some(p) => Some(PathBuf::from(p)),
        None => {
            let default = s.sop_dir().join("groups.toml");
            default.is_file().then_some(default)
        }
    }
}

fn read_limited(path: &Path) -> crate::Result<String> {
    let shown = path.display();
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::invalid(format!("cannot read the groups file {shown}: {e}")))?;
    if meta.len() > MAX_GROUPS_FILE {
        return Err(Error::invalid(format!(
            "the groups file {shown} is larger than 1 MiB; is it the right file?"
        )));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| Error::invalid(format!("cannot read the groups file {shown}: {e}")))?;
    String::from_utf8(bytes)
        .map_err(|_| Error::invalid(format!("the groups file {shown} is not UTF-8 text")))
}
