//! The shared builder every integration test uses: a private SOP dir, database and environment.

#![allow(dead_code)]

mod postgres;

pub use postgres::PgSchema;
use std::fmt;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// A throwaway world for one test: `ROOT/sops` (SOP_DIR), `ROOT/state/sop.db`, `ROOT/tmp`
/// (TMPDIR, where runs make their working directories), a fixed user and time zone, and no
/// inherited `SOP_*` variables.
pub struct Sandbox {
    root: TempDir,
    env: Vec<(String, String)>,
    postgres: Option<PgSchema>,
}

/// What one invocation printed and how it exited; `Display` is the snapshot form.
#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl fmt::Display for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl Output {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{self}"))
    }
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    pub fn new() -> Self {
        let root = tempfile::Builder::new()
            .prefix("sop-test-")
            .tempdir()
            .unwrap();
        std::fs::create_dir_all(root.path().join("sops")).unwrap();
        std::fs::create_dir_all(root.path().join("state")).unwrap();
        std::fs::create_dir_all(root.path().join("tmp")).unwrap();
        Sandbox {
            root,
            env: Vec::new(),
            postgres: None,
        }
    }

    /// A sandbox whose SOP dir holds a copy of the bundled `examples/sops`.
    pub fn with_examples() -> Self {
        let sb = Self::new();
        copy_dir(&repo_root().join("examples/sops"), &sb.sops_dir());
        sb
    }

    /// A sandbox whose SOP dir holds a copy of `crates/sop/tests/fixtures/<name>`.
    pub fn with_fixture(name: &str) -> Self {
        let sb = Self::new();
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(name),
            &sb.sops_dir(),
        );
        sb
    }

    pub fn root(&self) -> &Path {
        self.root.path()
    }

    pub fn sops_dir(&self) -> PathBuf {
        self.root.path().join("sops")
    }

    /// `TMPDIR` of every invocation: a run's temp working directory is made here, so a test
    /// never leaves one behind in the system's temp directory.
    pub fn tmp_dir(&self) -> PathBuf {
        self.root.path().join("tmp")
    }

    pub fn db_path(&self) -> PathBuf {
        self.root.path().join("state/sop.db")
    }

    /// Writes `sops/<name>/SOP.toml` and `SOP.md`.
    pub fn sop(&self, name: &str, toml: &str, md: &str) -> &Self {
        let dir = self.sops_dir().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("SOP.toml"), toml).unwrap();
        std::fs::write(dir.join("SOP.md"), md).unwrap();
        self
    }

    /// Writes any file relative to the sandbox root.
    pub fn file(&self, rel: &str, contents: impl AsRef<[u8]>) -> &Self {
        let path = self.root.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
        self
    }

    /// Points every later invocation at a new schema of the test PostgreSQL database instead of
    /// `ROOT/state/sop.db`; the schema is dropped with the sandbox.
    pub fn on_postgres(&mut self) -> &PgSchema {
        let schema = PgSchema::create();
        self.env("SOP_DATABASE_URL", &schema.url.clone());
        self.postgres.insert(schema)
    }

    /// Sets an environment variable for every later invocation.
    pub fn env(&mut self, key: &str, value: &str) -> &mut Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// The `sop` command, ready to run in this sandbox.
    pub fn cmd(&self, args: &[&str]) -> assert_cmd::Command {
        assert_cmd::Command::from_std(self.command(args))
    }

    /// The `sop` process with this sandbox's directories and environment, for tests that start
    /// it in the background.
    pub fn command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_sop"));
        for (key, _) in std::env::vars() {
            if key.starts_with("SOP_") {
                cmd.env_remove(&key);
            }
        }
        let root = self.root.path();
        cmd.current_dir(root)
            .env("SOP_DIR", self.sops_dir())
            .env(
                "SOP_DATABASE_URL",
                format!("sqlite:{}", self.db_path().display()),
            )
            .env("SOP_USER", "tester")
            .env("SOP_TIMEZONE", "UTC")
            .env("SOP_NOTIFICATION_ENABLED", "false")
            .env("TMPDIR", self.tmp_dir())
            .env("XDG_STATE_HOME", root.join("state"))
            .env("HOME", root)
            .env("NO_COLOR", "1")
            .env("TERM", "dumb")
            .args(args);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs `sop ARGS` to completion; paths under the sandbox print as `[ROOT]`.
    pub fn run(&self, args: &[&str]) -> Output {
        self.output(self.cmd(args))
    }

    /// Runs a prepared command and normalises its output.
    pub fn output(&self, mut cmd: assert_cmd::Command) -> Output {
        let out = cmd.output().unwrap();
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: self.scrub(&String::from_utf8_lossy(&out.stdout)),
            stderr: self.scrub(&String::from_utf8_lossy(&out.stderr)),
        }
    }

    /// Replaces the sandbox path (and its canonical form) with `[ROOT]`, and the account the
    /// tests run as (`user@host`, which sop records beside a claimed actor) with `[ACCOUNT]`.
    pub fn scrub(&self, text: &str) -> String {
        let root = self.root.path().display().to_string();
        let canon = self
            .root
            .path()
            .canonicalize()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| root.clone());
        text.replace(&canon, "[ROOT]")
            .replace(&root, "[ROOT]")
            .replace(account(), "[ACCOUNT]")
    }
}

/// `user@host` of the account the tests run as, as sop records it.
pub fn account() -> &'static str {
    static ACCOUNT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ACCOUNT.get_or_init(|| {
        let user = std::process::Command::new("id")
            .arg("-un")
            .output()
            .unwrap();
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        format!(
            "{}@{}",
            String::from_utf8_lossy(&user.stdout).trim(),
            host.trim()
        )
    })
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Held by the tests that each start a thousand runs, so that two of them never share the
/// machine's cores: each measures against a deadline, and together they would double each
/// other's time.
pub fn thousand_runs() -> std::sync::MutexGuard<'static, ()> {
    static HEAVY: std::sync::Mutex<()> = std::sync::Mutex::new(());
    HEAVY.lock().unwrap_or_else(|p| p.into_inner())
}
