//! Every setting sop reads, taken from the environment once (after the adapter merged `./.env`
//! into it) and passed to whatever needs it. Parsing happens where a value is used, so a bad
//! setting fails only the operations that read it, each with a message naming the setting.

use crate::Error;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// The spec's default SOPs directory.
pub const DEFAULT_SOP_DIR: &str = "/job/sops";

/// sop's own credentials among its settings: a server's admin token and what it signs and
/// checks chat messages with. Steps never need them, so no step's process is given them.
pub const SOP_CREDENTIALS: [&str; 6] = [
    "SOP_API_TOKEN",
    "SOP_SLACK_BOT_TOKEN",
    "SOP_SLACK_SIGNING_SECRET",
    "SOP_TELEGRAM_BOT_TOKEN",
    "SOP_TELEGRAM_WEBHOOK_SECRET",
    "SOP_NOTIFY_WEBHOOK_SECRET",
];

/// The settings of one process: the SOP directory and a snapshot of the environment.
#[derive(Debug, Clone)]
pub struct Settings {
    sop_dir: PathBuf,
    vars: BTreeMap<String, String>,
    /// See [`Settings::inherited_secrets`]; gathered when first asked.
    inherited_secrets: OnceLock<Arc<[String]>>,
    /// The account this process runs as, looked up when first asked: a server in open mode
    /// names it on every request, and the lookup may go through NSS to a directory service.
    os_user: OnceLock<String>,
}

impl Settings {
    /// The SOP directory (`dir_flag`, else `SOP_DIR`, else `/job/sops`) and the environment as
    /// it is now.
    pub fn from_env(dir_flag: Option<PathBuf>) -> Self {
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)));
        Self::from_vars(dir_flag, vars)
    }

    /// Settings from explicit values, for tests and embedding.
    pub fn from_vars(
        dir_flag: Option<PathBuf>,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        let vars: BTreeMap<String, String> = vars.into_iter().collect();
        let sop_dir = dir_flag.unwrap_or_else(|| match vars.get("SOP_DIR") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => PathBuf::from(DEFAULT_SOP_DIR),
        });
        Settings {
            sop_dir,
            vars,
            inherited_secrets: OnceLock::new(),
            os_user: OnceLock::new(),
        }
    }

    /// The same settings with one variable set (or replaced).
    pub fn with_var(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.to_string(), value.to_string());
        self.inherited_secrets = OnceLock::new();
        self
    }

    /// The values of this environment's secrets: sop's credentials and every variable whose
    /// name marks it secret (`GITHUB_TOKEN`, `AWS_SECRET_ACCESS_KEY`). Steps inherit the latter,
    /// so what they print of them is hidden as a run's own secrets are.
    pub fn inherited_secrets(&self) -> Arc<[String]> {
        let found = self.inherited_secrets.get_or_init(|| {
            self.vars
                .iter()
                .filter(|(name, value)| {
                    !value.trim().is_empty()
                        && (SOP_CREDENTIALS.contains(&name.as_str())
                            || sop_core::secret::is_secret_name(name) && !names_a_place(name))
                })
                .map(|(_, value)| value.clone())
                .collect()
        });
        Arc::clone(found)
    }

    /// The account this process runs as (see [`identity::os_user`](crate::engine::identity::os_user)).
    pub fn os_user(&self) -> &str {
        self.os_user.get_or_init(crate::engine::identity::os_user)
    }

    pub fn sop_dir(&self) -> &Path {
        &self.sop_dir
    }

    /// A variable's value, `None` when unset or blank.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    /// A variable's value as given, blank or not.
    pub fn raw_var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// Every variable name of the snapshot (for spotting misspelt settings).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.vars.keys().map(String::as_str)
    }

    /// The store's location: `SOP_DATABASE_URL`, else the XDG state directory.
    pub fn database(&self) -> crate::Result<sop_store::Location> {
        Ok(sop_store::Location::resolve(
            self.var("SOP_DATABASE_URL"),
            self.raw_var("XDG_STATE_HOME"),
            self.raw_var("HOME"),
        )?)
    }

    /// How the store is opened: audit entries record this process's OS user and host, and are
    /// keyed with the key in `SOP_AUDIT_KEY_FILE` when one is set; a PostgreSQL store opens at
    /// most `SOP_DATABASE_POOL` connections (default [`sop_store::DEFAULT_POOL_SIZE`]).
    pub fn store_options(&self) -> crate::Result<sop_store::StoreOptions> {
        let origin = sop_store::AuditOrigin::new(
            self.os_user().to_string(),
            crate::engine::lease::hostname(),
        );
        let mut options = sop_store::StoreOptions::default()
            .with_origin(origin)
            .with_pool_size(self.pool_size()?);
        if let Some(path) = self.raw_var("SOP_AUDIT_KEY_FILE").filter(|p| !p.is_empty()) {
            options = options.with_audit_key(sop_store::AuditKey::from_file(Path::new(path))?);
        }
        Ok(options)
    }

    /// `SOP_DATABASE_POOL`: a whole number from 1 to 1000.
    fn pool_size(&self) -> crate::Result<usize> {
        const NAME: &str = "SOP_DATABASE_POOL";
        let Some(value) = self.var(NAME) else {
            return Ok(sop_store::DEFAULT_POOL_SIZE);
        };
        match value.trim().parse::<usize>() {
            Ok(n @ 1..=1000) => Ok(n),
            _ => Err(Self::invalid(
                NAME,
                format!("`{value}` is not a number of connections from 1 to 1000"),
            )),
        }
    }

    /// Opens the store these settings name.
    pub fn open_store(&self) -> crate::Result<Box<dyn sop_store::Store>> {
        Ok(sop_store::open_with(
            &self.database()?,
            self.store_options()?,
        )?)
    }

    /// The directory freshly issued approval tokens are written to (`SOP_APPROVAL_OUTBOX`).
    pub fn outbox_dir(&self) -> Option<PathBuf> {
        self.raw_var("SOP_APPROVAL_OUTBOX")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    }

    /// Where step-boundary timestamps go for the benchmark (`SOP_TRACE_FILE`).
    pub fn trace_file(&self) -> Option<PathBuf> {
        self.raw_var("SOP_TRACE_FILE")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    }

    /// A usage error naming the setting.
    pub(crate) fn invalid(name: &str, problem: impl std::fmt::Display) -> Error {
        Error::invalid(format!("invalid {name}: {problem}"))
    }
}

/// Whether a secret-looking name holds where something is rather than a secret
/// (`SOP_API_TOKEN_FILE`, `SSH_AUTH_SOCK`, `DBUS_SESSION_BUS_ADDRESS`, `XDG_SESSION_ID`).
fn names_a_place(name: &str) -> bool {
    let last = name.rsplit(['_', '-', '.']).next().unwrap_or(name);
    [
        "file", "path", "dir", "sock", "socket", "address", "id", "type", "class",
    ]
    .iter()
    .any(|w| last.eq_ignore_ascii_case(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_os_user_is_looked_up_once_and_kept_by_clones() {
        let s = Settings::from_vars(None, []);
        let first = s.os_user();
        assert_eq!(first, crate::engine::identity::os_user());
        assert!(std::ptr::eq(first, s.os_user()), "looked up again");
        let copy = s.clone();
        assert_eq!(copy.os_user(), first);
    }

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_flag_wins_over_sop_dir_and_the_default() {
        let s = Settings::from_vars(Some("/a".into()), vars(&[("SOP_DIR", "/b")]));
        assert_eq!(s.sop_dir(), Path::new("/a"));
        let s = Settings::from_vars(None, vars(&[("SOP_DIR", "/b")]));
        assert_eq!(s.sop_dir(), Path::new("/b"));
        let s = Settings::from_vars(None, vars(&[("SOP_DIR", "")]));
        assert_eq!(s.sop_dir(), Path::new(DEFAULT_SOP_DIR));
    }

    #[test]
    fn the_pool_size_defaults_to_16_and_must_be_a_sane_number() {
        let pool = |v: &[(&str, &str)]| Settings::from_vars(None, vars(v)).pool_size();
        assert_eq!(pool(&[]).unwrap(), sop_store::DEFAULT_POOL_SIZE);
        assert_eq!(sop_store::DEFAULT_POOL_SIZE, 16);
        assert_eq!(pool(&[("SOP_DATABASE_POOL", " 4 ")]).unwrap(), 4);
        for bad in ["0", "-1", "many", "1001"] {
            let err = pool(&[("SOP_DATABASE_POOL", bad)]).unwrap_err();
            assert!(
                err.message.contains("invalid SOP_DATABASE_POOL"),
                "{}",
                err.message
            );
        }
        let options = Settings::from_vars(None, vars(&[("SOP_DATABASE_POOL", "3")]))
            .store_options()
            .unwrap();
        assert_eq!(options.pool_size, 3);
    }

    #[test]
    fn blank_values_count_as_unset() {
        let s = Settings::from_vars(None, vars(&[("SOP_USER", "  ")]));
        assert_eq!(s.var("SOP_USER"), None);
        assert_eq!(s.raw_var("SOP_USER"), Some("  "));
    }
}
