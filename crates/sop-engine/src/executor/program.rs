//! What a step's process is started with, prepared once per run where it can be: the
//! environment every step shares, the working directory and the interpreters' paths.

use super::env;
use super::spawn::Program;
use std::ffi::{CString, OsStr, OsString};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::Mutex;

/// The parts of a step's process that are the same for every step of a run.
#[derive(Debug)]
pub struct RunProgram {
    /// The inherited environment without sop's own names, then the run's own variables.
    base_env: Vec<CString>,
    /// `None` for a path no process can be given (it holds a NUL byte).
    cwd: Option<CString>,
    /// `PATH` as inherited: where interpreters are looked up.
    path_var: Option<OsString>,
    /// Interpreters found so far (`None`: not on `PATH`).
    found: Mutex<Vec<(&'static str, Option<CString>)>>,
}

impl RunProgram {
    /// `own` are the run's variables (`SOP_VAR_*`, `SOP_VARS`, `SOP_RUN_ID`, `SOP_NAME`), which
    /// hold no NUL ([`env::variable_env`] refuses them; an inherited variable cannot hold one).
    pub fn new(own: &[(String, String)], workdir: &Path) -> Self {
        let mut base_env = Vec::new();
        let mut path_var = None;
        for (key, value) in std::env::vars_os() {
            if key.to_str().is_some_and(env::is_own_name) {
                continue;
            }
            if key == "PATH" {
                path_var = Some(value.clone());
            }
            base_env.extend(entry(&key, &value).ok());
        }
        for (key, value) in own {
            base_env.extend(entry(OsStr::new(key), OsStr::new(value)).ok());
        }
        RunProgram {
            base_env,
            cwd: c_string(workdir.as_os_str().as_bytes()).ok(),
            path_var,
            found: Mutex::new(Vec::new()),
        }
    }

    /// `interpreter -c code` with the shared environment and `extra` (the step's own names).
    pub fn program(
        &self,
        interpreter: &'static str,
        code: &str,
        extra: impl IntoIterator<Item = (String, OsString)>,
    ) -> io::Result<Program> {
        let path = self.find(interpreter)?;
        let mut envp = self.base_env.clone();
        for (key, value) in extra {
            envp.push(entry(OsStr::new(&key), &value)?);
        }
        Ok(Program {
            path,
            argv: vec![
                c_string(interpreter.as_bytes())?,
                c"-c".to_owned(),
                c_string(code.as_bytes())?,
            ],
            envp,
            cwd: self.cwd.clone().ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "the working directory's name holds a NUL byte",
                )
            })?,
        })
    }

    /// The interpreter's path, looked up in `PATH` as `execvp` would, once per run.
    fn find(&self, name: &'static str) -> io::Result<CString> {
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

    fn search(&self, name: &str) -> Option<CString> {
        if name.contains('/') {
            return c_string(name.as_bytes()).ok();
        }
        let dirs = self
            .path_var
            .clone()
            .unwrap_or_else(|| OsString::from("/usr/local/bin:/bin:/usr/bin"));
        std::env::split_paths(&dirs)
            .map(|dir| dir.join(name))
            .filter_map(|p| c_string(p.as_os_str().as_bytes()).ok())
            // SAFETY: a valid NUL-terminated path.
            .find(|p| unsafe { libc::access(p.as_ptr(), libc::X_OK) } == 0)
    }
}

fn entry(key: &OsStr, value: &OsStr) -> io::Result<CString> {
    let mut bytes = Vec::with_capacity(key.len() + 1 + value.len());
    bytes.extend_from_slice(key.as_bytes());
    bytes.push(b'=');
    bytes.extend_from_slice(value.as_bytes());
    c_string(&bytes)
}

fn c_string(bytes: &[u8]) -> io::Result<CString> {
    CString::new(bytes).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "a NUL byte cannot be passed to a process",
        )
    })
}
