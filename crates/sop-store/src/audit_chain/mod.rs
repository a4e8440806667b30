//! The audit hash chain: the canonical encoding of an entry, its hash (plain or keyed), and
//! verification.
//!
//! Backend-independent: a backend hands over entries exactly as stored (timestamps and detail as
//! their stored text) so the hash covers the bytes that are actually kept.

pub(crate) mod append;
mod key;
mod verify;

pub use key::AuditKey;
pub use verify::ChainVerifier;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How an entry's hash was made. Stored with the entry and bound into the hash by its domain
/// tag, so changing an entry's format changes what its hash must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashFormat {
    /// SHA-256 of the fields of schema version 1 (no operating-system identity).
    Sha256V1 = 1,
    /// SHA-256 of the version-1 fields plus `os_user` and `host`.
    Sha256V2 = 2,
    /// HMAC-SHA256 of the same fields as [`HashFormat::Sha256V2`], keyed with the chain's key.
    HmacV2 = 3,
}

impl HashFormat {
    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            1 => Some(HashFormat::Sha256V1),
            2 => Some(HashFormat::Sha256V2),
            3 => Some(HashFormat::HmacV2),
            _ => None,
        }
    }

    pub fn code(self) -> i64 {
        self as i64
    }

    pub fn is_keyed(self) -> bool {
        self == HashFormat::HmacV2
    }

    fn domain(self) -> &'static [u8] {
        match self {
            HashFormat::Sha256V1 => b"sop-audit-v1",
            HashFormat::Sha256V2 => b"sop-audit-v2",
            HashFormat::HmacV2 => b"sop-audit-v2-hmac",
        }
    }
}

/// An audit entry in its stored form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry<'a> {
    pub seq: u64,
    /// The timestamp text as stored.
    pub at: &'a str,
    pub run_id: Option<&'a str>,
    pub actor: &'a str,
    /// The operating-system account and host that wrote the entry (not hashed in format 1).
    pub os_user: Option<&'a str>,
    pub host: Option<&'a str>,
    pub kind: &'a str,
    /// The JSON text as stored.
    pub detail: &'a str,
    pub prev_hash: &'a str,
    pub format: HashFormat,
}

/// The entry's hash (hex) in its own format: SHA-256, or HMAC-SHA256 with `key`. `None` when
/// the entry is keyed and no key is given.
///
/// The encoding is a domain tag followed by every field length-prefixed (with a marker for
/// "none"), so that no two different entries encode alike: moving bytes from one field to the
/// next changes the hash.
pub fn entry_hash(e: &StoredEntry<'_>, key: Option<&AuditKey>) -> Option<String> {
    let digest = match e.format {
        HashFormat::HmacV2 => {
            let mut mac = key?.mac();
            encode(e, &mut |bytes| mac.update(bytes));
            mac.finalize().into_bytes().to_vec()
        }
        HashFormat::Sha256V1 | HashFormat::Sha256V2 => {
            let mut h = Sha256::new();
            encode(e, &mut |bytes| h.update(bytes));
            h.finalize().to_vec()
        }
    };
    Some(hex::encode(digest))
}

fn encode(e: &StoredEntry<'_>, out: &mut dyn FnMut(&[u8])) {
    out(e.format.domain());
    let seq = e.seq.to_string();
    let mut field = |value: Option<&str>| match value {
        None => out(&[0u8]),
        Some(text) => {
            out(&[1u8]);
            out(&(text.len() as u64).to_be_bytes());
            out(text.as_bytes());
        }
    };
    field(Some(&seq));
    field(Some(e.at));
    field(e.run_id);
    field(Some(e.actor));
    if e.format != HashFormat::Sha256V1 {
        field(e.os_user);
        field(e.host);
    }
    field(Some(e.kind));
    field(Some(e.detail));
    field(Some(e.prev_hash));
}

type HmacSha256 = Hmac<Sha256>;

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(format: HashFormat) -> StoredEntry<'static> {
        StoredEntry {
            seq: 1,
            at: "t",
            run_id: None,
            actor: "ab",
            os_user: Some("bob"),
            host: Some("h1"),
            kind: "c",
            detail: "{}",
            prev_hash: GENESIS_HASH,
            format,
        }
    }

    #[test]
    fn a_field_boundary_shift_changes_the_hash() {
        for format in [HashFormat::Sha256V1, HashFormat::Sha256V2] {
            let a = entry(format);
            let b = StoredEntry {
                actor: "a",
                kind: "bc",
                ..a.clone()
            };
            let c = StoredEntry {
                run_id: Some(""),
                ..a.clone()
            };
            assert_ne!(entry_hash(&a, None), entry_hash(&b, None));
            assert_ne!(entry_hash(&a, None), entry_hash(&c, None));
        }
    }

    #[test]
    fn identity_is_hashed_from_format_2_on() {
        let v1 = entry(HashFormat::Sha256V1);
        let v1_other = StoredEntry {
            os_user: Some("mallory"),
            ..v1.clone()
        };
        assert_eq!(entry_hash(&v1, None), entry_hash(&v1_other, None));
        let v2 = entry(HashFormat::Sha256V2);
        let v2_other = StoredEntry {
            os_user: Some("mallory"),
            ..v2.clone()
        };
        assert_ne!(entry_hash(&v2, None), entry_hash(&v2_other, None));
        let v2_swapped = StoredEntry {
            os_user: Some("h1"),
            host: Some("bob"),
            ..v2.clone()
        };
        assert_ne!(entry_hash(&v2, None), entry_hash(&v2_swapped, None));
        assert_ne!(entry_hash(&v1, None), entry_hash(&v2, None));
    }

    #[test]
    fn keyed_hashes_need_the_key_and_differ_by_key() {
        let e = entry(HashFormat::HmacV2);
        assert_eq!(entry_hash(&e, None), None);
        let k1 = AuditKey::from_bytes(vec![7; 32]).unwrap();
        let k2 = AuditKey::from_bytes(vec![8; 32]).unwrap();
        let h1 = entry_hash(&e, Some(&k1)).unwrap();
        assert_eq!(h1.len(), 64);
        assert_ne!(Some(h1.clone()), entry_hash(&e, Some(&k2)));
        let plain = entry(HashFormat::Sha256V2);
        assert_ne!(Some(h1), entry_hash(&plain, None));
    }
}
