//! Where settings come from: flags, then environment, then `./.env`, then built-in defaults.

use std::path::PathBuf;

/// The spec's default SOPs directory.
pub const DEFAULT_SOP_DIR: &str = "/job/sops";

/// Settings shared by every subcommand, resolved once at start-up.
pub struct Context {
    /// `--dir` as given, if any.
    dir_flag: Option<PathBuf>,
}

impl Context {
    /// Loads `./.env` into the environment (real environment variables win) and keeps the flags.
    /// Only the working directory's `.env` counts: one in a parent directory belongs to some
    /// other project.
    pub fn new(dir_flag: Option<PathBuf>) -> Self {
        if let Err(e) = dotenvy::from_path(".env")
            && !e.not_found()
        {
            eprintln!("warning: ignoring ./.env: {e}");
        }
        Context { dir_flag }
    }

    /// The SOPs directory: `--dir`, else `SOP_DIR` (environment, then `./.env`), else `/job/sops`.
    pub fn sop_dir(&self) -> PathBuf {
        if let Some(dir) = &self.dir_flag {
            return dir.clone();
        }
        match std::env::var_os("SOP_DIR") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => PathBuf::from(DEFAULT_SOP_DIR),
        }
    }
}
