//! The optional audit key: with it every new entry's hash is an HMAC, so forging an entry needs
//! the key, not only write access to the database.

use super::HmacSha256;
use crate::error::{Result, StoreError};
use hmac::Mac;
use std::fmt;
use std::path::Path;

/// Fewer bytes than this is refused: a short key can be guessed.
pub const MIN_KEY_BYTES: usize = 32;

/// The secret bytes of an audit key. `Debug` shows only its id.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey(Vec<u8>);

impl AuditKey {
    /// A key of at least [`MIN_KEY_BYTES`] bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self> {
        if bytes.len() < MIN_KEY_BYTES {
            return Err(StoreError::InvalidAuditKey(format!(
                "the key has {} bytes; use at least {MIN_KEY_BYTES} random bytes, e.g. \
                 `openssl rand -hex 32 > FILE`",
                bytes.len()
            )));
        }
        Ok(AuditKey(bytes))
    }

    /// The file's contents without trailing whitespace (so a key written by `openssl rand -hex`
    /// with its newline is the same key as without).
    pub fn from_file(path: &Path) -> Result<Self> {
        let mut bytes = std::fs::read(path).map_err(|source| StoreError::Io {
            path: path.to_owned(),
            source,
        })?;
        while bytes.last().is_some_and(u8::is_ascii_whitespace) {
            bytes.pop();
        }
        Self::from_bytes(bytes).map_err(|e| match e {
            StoreError::InvalidAuditKey(m) => {
                StoreError::InvalidAuditKey(format!("{}: {m}", path.display()))
            }
            other => other,
        })
    }

    /// Names the key without revealing it: the first 16 hex digits of an HMAC of a fixed text.
    pub fn id(&self) -> String {
        let mut mac = self.mac();
        mac.update(b"sop-audit-key-id");
        hex::encode(&mac.finalize().into_bytes()[..8])
    }

    pub(super) fn mac(&self) -> HmacSha256 {
        HmacSha256::new_from_slice(&self.0).expect("HMAC takes keys of any length")
    }
}

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuditKey({})", self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keys_are_refused_and_ids_do_not_reveal_the_key() {
        assert!(AuditKey::from_bytes(vec![1; 31]).is_err());
        let key = AuditKey::from_bytes(vec![1; 32]).unwrap();
        assert_eq!(key.id().len(), 16);
        assert_ne!(key.id(), AuditKey::from_bytes(vec![2; 32]).unwrap().id());
        assert!(!format!("{key:?}").contains("0101"));
    }

    #[test]
    fn a_trailing_newline_in_the_file_is_not_part_of_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::fs::write(&a, format!("{}\n", "ab".repeat(32))).unwrap();
        std::fs::write(&b, "ab".repeat(32)).unwrap();
        assert_eq!(
            AuditKey::from_file(&a).unwrap(),
            AuditKey::from_file(&b).unwrap()
        );
        let err = AuditKey::from_file(&dir.path().join("missing")).unwrap_err();
        assert!(err.to_string().contains("missing"), "{err}");
    }
}
