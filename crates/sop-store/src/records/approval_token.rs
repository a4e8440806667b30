//! Single-use approval tokens, of which the store keeps only SHA-256 hashes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A stored token: its hash and what it may do. The token itself is never stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalToken {
    pub gate_id: String,
    /// The approver it was issued to; `None` when anyone may approve.
    pub approver: Option<String>,
    /// SHA-256 of the token, lowercase hex.
    pub hash: String,
    pub created_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked: bool,
}

impl ApprovalToken {
    /// The hash under which `token` is stored and looked up.
    pub fn hash_token(token: &str) -> String {
        hex::encode(Sha256::digest(token.as_bytes()))
    }

    /// Neither used nor revoked (expiry is the gate's).
    pub fn is_usable(&self) -> bool {
        self.used_at.is_none() && !self.revoked
    }
}

/// What issuing a token records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApprovalToken {
    pub gate_id: String,
    pub approver: Option<String>,
    /// From [`ApprovalToken::hash_token`].
    pub hash: String,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_sha256_hex() {
        assert_eq!(
            ApprovalToken::hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
