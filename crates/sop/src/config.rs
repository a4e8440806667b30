//! Where settings come from: flags, then environment, then `./.env`, then built-in defaults;
//! and the per-process values every command shares (the stop signal).

use sop_engine::{Service, Settings, StopSignal};
use std::path::PathBuf;

/// Settings shared by every subcommand, resolved once at start-up.
pub struct Context {
    pub settings: Settings,
    /// Set by SIGINT, SIGTERM or SIGHUP while a command drives a run.
    pub stop: StopSignal,
}

impl Context {
    /// Loads `./.env` into the environment (real environment variables win), then reads the
    /// settings once. Only the working directory's `.env` counts: one in a parent directory
    /// belongs to some other project.
    pub fn new(dir_flag: Option<PathBuf>) -> Self {
        if let Err(e) = dotenvy::from_path(".env")
            && !e.not_found()
        {
            eprintln!("warning: ignoring ./.env: {e}");
        }
        Context {
            settings: Settings::from_env(dir_flag),
            stop: StopSignal::new(),
        }
    }

    /// The SOPs directory: `--dir`, else `SOP_DIR` (environment, then `./.env`), else `/job/sops`.
    pub fn sop_dir(&self) -> PathBuf {
        self.settings.sop_dir().to_path_buf()
    }

    /// The operations, on the store the settings name.
    pub fn service(&self) -> anyhow::Result<Service> {
        Ok(Service::open(self.settings.clone())?)
    }

    /// Turns the next SIGINT, SIGTERM and SIGHUP into a request to let go of the run being
    /// driven (the step is stopped, the run left resumable). A second one ends sop at once, as
    /// users expect of a second Ctrl-C.
    pub fn catch_signals(&self) {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        use signal_hook::flag;
        use std::sync::Arc;
        use std::sync::atomic::AtomicBool;
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            let seen = Arc::new(AtomicBool::new(false));
            // Registered first, so it sees the flag as the previous signal left it.
            let _ = flag::register_conditional_shutdown(signal, 128 + signal, Arc::clone(&seen));
            let _ = flag::register(signal, seen);
            let _ = flag::register_usize(signal, self.stop.flag(), signal as usize);
        }
    }
}
