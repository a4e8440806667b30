//! What a store handle is opened with beyond its location: who writes through it, the audit
//! key, and how many readers it may use.

use crate::audit_chain::AuditKey;
use crate::error::Result;
use crate::records::AuditOrigin;
use std::path::Path;

/// Readers a store opens at most beside its writer, unless told otherwise.
pub const DEFAULT_READERS: usize = 4;

/// Connections a PostgreSQL store opens at most, unless told otherwise (`SOP_DATABASE_POOL`).
pub const DEFAULT_POOL_SIZE: usize = 16;

/// Options for opening a store. `Default` is: origin unknown, no audit key, [`DEFAULT_READERS`],
/// [`DEFAULT_POOL_SIZE`].
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Recorded on every audit entry this handle appends.
    pub origin: AuditOrigin,
    /// When set, every new audit entry's hash is an HMAC with this key, and verification checks
    /// keyed entries with it.
    pub audit_key: Option<AuditKey>,
    /// Read-only connections opened (lazily) beside the one writer, so reads never queue behind
    /// a long write transaction. 0 reads through the writer.
    pub readers: usize,
    /// PostgreSQL: connections opened (lazily) at most, shared by reads and writes.
    pub pool_size: usize,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            origin: AuditOrigin::default(),
            audit_key: None,
            readers: DEFAULT_READERS,
            pool_size: DEFAULT_POOL_SIZE,
        }
    }
}

impl StoreOptions {
    /// The key from `SOP_AUDIT_KEY_FILE` (if set and not empty) and the origin from the
    /// environment ([`AuditOrigin::from_env`]).
    ///
    /// Temporary, like [`AuditOrigin::from_env`]: the settings layer will read these and pass
    /// the options in.
    pub fn from_env() -> Result<Self> {
        let audit_key = match std::env::var_os("SOP_AUDIT_KEY_FILE") {
            Some(path) if !path.is_empty() => Some(AuditKey::from_file(Path::new(&path))?),
            _ => None,
        };
        Ok(StoreOptions {
            origin: AuditOrigin::from_env(),
            audit_key,
            ..StoreOptions::default()
        })
    }

    pub fn with_origin(mut self, origin: AuditOrigin) -> Self {
        self.origin = origin;
        self
    }

    pub fn with_audit_key(mut self, key: AuditKey) -> Self {
        self.audit_key = Some(key);
        self
    }

    pub fn with_pool_size(mut self, size: usize) -> Self {
        self.pool_size = size;
        self
    }
}
