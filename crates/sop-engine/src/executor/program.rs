//! How a step's process is started, prepared once per run where it can be: the environment
//! every step shares, the working directory and the interpreters' paths.

use super::env;
use super::environ::Environ;
use super::held::{DASH_PREFIX, Hold};
use super::spawn::{Stdin, StepCommand};
use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The parts of a step's process that are the same for every step of a run.
#[derive(Debug)]
pub struct RunProgram {
    /// The inherited environment without sop's own names, then the run's own variables; the
    /// error when one of them cannot be passed (a NUL byte, which the run's variables never
    /// hold).
    base_env: Result<Environ, String>,
    workdir: PathBuf,
    /// `PATH` as inherited: where interpreters are looked up.
    path_var: Option<OsString>,
    /// Interpreters looked up so far (`None`: not on `PATH`).
    found: Mutex<Vec<(&'static str, Option<PathBuf>)>>,
}

impl RunProgram {
    /// `own` are the run's variables (`SOP_VAR_*`, `SOP_VARS`, `SOP_RUN_ID`, `SOP_NAME`);
    /// `withheld` the inherited variables the steps are not given.
    pub fn new(own: &[(String, String)], workdir: &Path, withheld: &[String]) -> Self {
        let mut base_env = Vec::new();
        let mut path_var = None;
        for (key, value) in std::env::vars_os() {
            if key
                .to_str()
                .is_some_and(|k| env::is_own_name(k) || withheld.iter().any(|w| w == k))
            {
                continue;
            }
            if key == "PATH" {
                path_var = Some(value.clone());
            }
            base_env.push((key, value));
        }
        base_env.extend(own.iter().map(|(k, v)| (k.into(), v.into())));
        RunProgram {
            base_env: Environ::shared(base_env).map_err(|e| e.to_string()),
            workdir: workdir.to_path_buf(),
            path_var,
            found: Mutex::new(Vec::new()),
        }
    }

    /// `interpreter -c code` in the working directory, joining process group `pgid` (0: a new
    /// group of its own), with the shared environment and `extra` (the step's own names); held
    /// as `hold` says, if given.
    pub fn command(
        &self,
        interpreter: &'static str,
        code: &str,
        pgid: i32,
        extra: impl IntoIterator<Item = (String, OsString)>,
        hold: Option<&Hold>,
    ) -> io::Result<StepCommand> {
        let code = match hold {
            Some(Hold::Dash) => format!("{DASH_PREFIX}{code}"),
            _ => code.to_string(),
        };
        let base = self
            .base_env
            .as_ref()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.clone()))?;
        let bash_env = match hold {
            Some(Hold::Bash(file)) => Some(("BASH_ENV".into(), file.into())),
            _ => None,
        };
        let env = base.with(
            extra
                .into_iter()
                .map(|(k, v)| (OsString::from(k), v))
                .chain(bash_env),
        )?;
        Ok(StepCommand {
            // A full path, so the process is started without searching PATH again each time.
            program: self.find(interpreter)?,
            args: vec![interpreter.into(), "-c".into(), code.into()],
            env,
            cwd: self.workdir.clone(),
            pgid,
            stdin: if hold.is_some() {
                Stdin::Piped
            } else {
                Stdin::Null
            },
        })
    }

    /// Whether the inherited environment holds `name`.
    pub fn inherits(&self, name: &str) -> bool {
        self.base_env.as_ref().is_ok_and(|e| e.shares(name))
    }

    /// The interpreter's path, looked up in `PATH` as `execvp` would, once per run.
    pub fn find(&self, name: &'static str) -> io::Result<PathBuf> {
        let mut found = self.found.lock().unwrap_or_else(|e| e.into_inner());
        let known = found
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, p)| p.clone());
        let path = match known {
            Some(path) => path,
            None => {
                let path = self.search(name);
                found.push((name, path.clone()));
                path
            }
        };
        path.ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("{name} not found")))
    }

    fn search(&self, name: &str) -> Option<PathBuf> {
        if name.contains('/') {
            return Some(PathBuf::from(name));
        }
        let dirs = self
            .path_var
            .clone()
            .unwrap_or_else(|| OsString::from("/usr/local/bin:/bin:/usr/bin"));
        std::env::split_paths(&dirs)
            .map(|dir| dir.join(name))
            .find(|p| is_executable(p))
    }
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
