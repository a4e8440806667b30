//! The audit hash chain: the canonical encoding of an entry, its hash, and verification.
//!
//! Backend-independent: a backend hands over entries exactly as stored (timestamps and detail as
//! their stored text) so the hash covers the bytes that are actually kept.

use crate::records::{AuditProblem, AuditProblemKind, VerifyReport};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const DOMAIN: &[u8] = b"sop-audit-v1";

/// An audit entry in its stored form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry<'a> {
    pub seq: u64,
    /// The timestamp text as stored.
    pub at: &'a str,
    pub run_id: Option<&'a str>,
    pub actor: &'a str,
    pub kind: &'a str,
    /// The JSON text as stored.
    pub detail: &'a str,
    pub prev_hash: &'a str,
}

/// SHA-256 (hex) over a length-prefixed encoding of every field, so that no two different entries
/// encode alike (moving bytes from one field to the next changes the hash).
pub fn entry_hash(e: &StoredEntry<'_>) -> String {
    let mut h = Sha256::new();
    h.update(DOMAIN);
    let seq = e.seq.to_string();
    let fields: [Option<&str>; 7] = [
        Some(&seq),
        Some(e.at),
        e.run_id,
        Some(e.actor),
        Some(e.kind),
        Some(e.detail),
        Some(e.prev_hash),
    ];
    for field in fields {
        match field {
            None => h.update([0u8]),
            Some(text) => {
                h.update([1u8]);
                h.update((text.len() as u64).to_be_bytes());
                h.update(text.as_bytes());
            }
        }
    }
    hex::encode(h.finalize())
}

/// Checks entries fed in `seq` order; stops at the first problem.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: u64,
    prev_hash: String,
    entries: u64,
    problem: Option<AuditProblem>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
            entries: 0,
            problem: None,
        }
    }
}

impl ChainVerifier {
    /// Checks the next entry with its stored hash; returns false once a problem is found.
    pub fn check(&mut self, entry: &StoredEntry<'_>, stored_hash: &str) -> bool {
        if self.problem.is_some() {
            return false;
        }
        let seq = entry.seq;
        if seq != self.expected_seq {
            let expected = self.expected_seq;
            return self.fail(
                expected,
                AuditProblemKind::Missing,
                if seq > expected {
                    format!(
                        "audit entry {expected} is missing: the chain jumps from {} to {seq}",
                        expected - 1
                    )
                } else {
                    format!(
                        "audit entry {seq} appears out of order after {}",
                        expected - 1
                    )
                },
            );
        }
        if entry_hash(entry) != stored_hash {
            return self.fail(
                seq,
                AuditProblemKind::Edited,
                format!("audit entry {seq} was altered: its content does not match its hash"),
            );
        }
        if entry.prev_hash != self.prev_hash {
            return self.fail(
                seq,
                AuditProblemKind::BrokenLink,
                format!(
                    "audit entry {seq} does not follow entry {}: the chain was reordered or rewritten",
                    seq - 1
                ),
            );
        }
        self.entries += 1;
        self.expected_seq += 1;
        self.prev_hash = stored_hash.to_owned();
        true
    }

    /// Compares the end of the chain with the recorded head (`None` when none is recorded).
    pub fn finish(mut self, head: Option<(u64, &str)>) -> VerifyReport {
        if self.problem.is_none() {
            let last = self.expected_seq - 1;
            match head {
                None if last > 0 => {
                    self.fail(
                        last,
                        AuditProblemKind::Truncated,
                        "the audit chain's head record is missing".into(),
                    );
                }
                None => {}
                Some((seq, _)) if seq > last => {
                    self.fail(
                        last + 1,
                        AuditProblemKind::Truncated,
                        format!(
                            "audit entries {} to {seq} are missing: the newest entries were deleted",
                            last + 1
                        ),
                    );
                }
                Some((seq, _)) if seq < last => {
                    self.fail(
                        seq + 1,
                        AuditProblemKind::BrokenLink,
                        format!("audit entry {} was added outside sop", seq + 1),
                    );
                }
                Some((seq, hash)) if hash != self.prev_hash => {
                    self.fail(
                        seq,
                        AuditProblemKind::Edited,
                        format!(
                            "audit entry {seq} was rewritten: it differs from the recorded head"
                        ),
                    );
                }
                Some(_) => {}
            }
        }
        VerifyReport {
            entries: self.entries,
            problem: self.problem,
        }
    }

    fn fail(&mut self, seq: u64, kind: AuditProblemKind, message: String) -> bool {
        self.problem = Some(AuditProblem { seq, kind, message });
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Owned {
        seq: u64,
        detail: String,
        prev: String,
        hash: String,
    }

    fn view(o: &Owned) -> StoredEntry<'_> {
        StoredEntry {
            seq: o.seq,
            at: "2025-01-01T00:00:00.000000Z",
            run_id: Some("r1"),
            actor: "alice",
            kind: "run.created",
            detail: &o.detail,
            prev_hash: &o.prev,
        }
    }

    fn chain(n: u64) -> Vec<Owned> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let mut o = Owned {
                    seq,
                    detail: format!("{{\"n\":{seq}}}"),
                    prev: prev.clone(),
                    hash: String::new(),
                };
                o.hash = entry_hash(&view(&o));
                prev = o.hash.clone();
                o
            })
            .collect()
    }

    fn verify(entries: &[Owned], head: Option<(u64, &str)>) -> VerifyReport {
        let mut v = ChainVerifier::default();
        for e in entries {
            if !v.check(&view(e), &e.hash) {
                break;
            }
        }
        v.finish(head)
    }

    fn head(c: &[Owned]) -> Option<(u64, &str)> {
        c.last().map(|e| (e.seq, e.hash.as_str()))
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        let r = verify(&c, head(&c));
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(r.entries, 5);
        assert!(verify(&[], None).is_ok());
    }

    #[test]
    fn edited_entry_is_named() {
        let mut c = chain(5);
        let h = head(&c).map(|(s, h)| (s, h.to_owned()));
        c[2].detail = "{\"n\":99}".into();
        let r = verify(&c, h.as_ref().map(|(s, h)| (*s, h.as_str())));
        let p = r.problem.unwrap();
        assert_eq!((p.seq, p.kind), (3, AuditProblemKind::Edited));
        assert_eq!(r.entries, 2);
    }

    #[test]
    fn deleted_entry_is_named() {
        let mut c = chain(5);
        let h = (5, c[4].hash.clone());
        c.remove(1);
        let p = verify(&c, Some((h.0, &h.1))).problem.unwrap();
        assert_eq!((p.seq, p.kind), (2, AuditProblemKind::Missing));
        assert_eq!(
            p.message,
            "audit entry 2 is missing: the chain jumps from 1 to 3"
        );
    }

    #[test]
    fn deleted_tail_is_named() {
        let c = chain(5);
        let h = (5, c[4].hash.clone());
        let p = verify(&c[..3], Some((h.0, &h.1))).problem.unwrap();
        assert_eq!((p.seq, p.kind), (4, AuditProblemKind::Truncated));
    }

    #[test]
    fn relinked_entry_is_named() {
        let mut c = chain(4);
        // Rewritten with a valid own hash but a wrong link.
        c[2].prev = GENESIS_HASH.into();
        c[2].hash = entry_hash(&view(&c[2]));
        let p = verify(&c, None).problem.unwrap();
        assert_eq!((p.seq, p.kind), (3, AuditProblemKind::BrokenLink));
    }

    #[test]
    fn a_field_boundary_shift_changes_the_hash() {
        let a = StoredEntry {
            seq: 1,
            at: "t",
            run_id: None,
            actor: "ab",
            kind: "c",
            detail: "{}",
            prev_hash: GENESIS_HASH,
        };
        let b = StoredEntry {
            actor: "a",
            kind: "bc",
            ..a.clone()
        };
        let c = StoredEntry {
            run_id: Some(""),
            ..a.clone()
        };
        assert_ne!(entry_hash(&a), entry_hash(&b));
        assert_ne!(entry_hash(&a), entry_hash(&c));
    }
}
