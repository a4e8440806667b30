//! Verification: entries fed in `seq` order are checked for continuity, content, links, time
//! order, keying and against checkpoints; the end is compared with the recorded head.

use super::{AuditKey, GENESIS_HASH, StoredEntry, entry_hash};
use crate::records::{AuditCheckpoint, AuditProblem, AuditProblemKind, VerifyReport};
use std::collections::BTreeMap;

/// Checks entries fed in `seq` order; stops at the first problem.
#[derive(Debug)]
pub struct ChainVerifier<'k> {
    key: Option<&'k AuditKey>,
    keyed_from: Option<u64>,
    checkpoints: BTreeMap<u64, AuditCheckpoint>,
    expected_seq: u64,
    prev_hash: String,
    prev_at: String,
    report: VerifyReport,
}

impl Default for ChainVerifier<'_> {
    fn default() -> Self {
        Self::new(None, None, &[])
    }
}

impl<'k> ChainVerifier<'k> {
    /// `keyed_from` is the recorded `(seq, key id)` from which entries must be keyed; `key`
    /// checks keyed entries' content; `checkpoints` are compared with the entries they name.
    pub fn new(
        key: Option<&'k AuditKey>,
        keyed_from: Option<(u64, &str)>,
        checkpoints: &[AuditCheckpoint],
    ) -> Self {
        let mut v = ChainVerifier {
            key,
            keyed_from: keyed_from.map(|(seq, _)| seq),
            checkpoints: checkpoints.iter().map(|c| (c.seq, c.clone())).collect(),
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
            prev_at: String::new(),
            report: VerifyReport {
                keyed_from: keyed_from.map(|(seq, _)| seq),
                ..VerifyReport::default()
            },
        };
        if let (Some(key), Some((seq, recorded))) = (key, keyed_from)
            && key.id() != recorded
        {
            v.fail(
                seq,
                AuditProblemKind::WrongKey,
                format!(
                    "the key given (id {}) is not the key the chain is keyed with from entry {seq} \
                     (id {recorded})",
                    key.id()
                ),
            );
        }
        v
    }

    /// Checks the next entry with its stored hash; returns false once a problem is found.
    pub fn check(&mut self, entry: &StoredEntry<'_>, stored_hash: &str) -> bool {
        if self.report.problem.is_some() {
            return false;
        }
        let seq = entry.seq;
        let expected = self.expected_seq;
        if seq != expected {
            let message = if seq > expected {
                format!(
                    "audit entry {expected} is missing: the chain jumps from {} to {seq}",
                    expected - 1
                )
            } else {
                format!(
                    "audit entry {seq} appears out of order after {}",
                    expected - 1
                )
            };
            return self.fail(expected, AuditProblemKind::Missing, message);
        }
        if self.keyed_from.is_some_and(|k| seq >= k) && !entry.format.is_keyed() {
            let from = self.keyed_from.unwrap_or(seq);
            return self.fail(
                seq,
                AuditProblemKind::Unkeyed,
                format!(
                    "audit entry {seq} is not keyed although the chain is keyed from entry {from}: \
                     it was written or rewritten without the key"
                ),
            );
        }
        match entry_hash(entry, self.key) {
            Some(hash) if hash != stored_hash => {
                return self.fail(
                    seq,
                    AuditProblemKind::Edited,
                    format!("audit entry {seq} was altered: its content does not match its hash"),
                );
            }
            Some(_) => {}
            None => self.report.unchecked += 1,
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
        if entry.at < self.prev_at.as_str() {
            return self.fail(
                seq,
                AuditProblemKind::TimeReversed,
                format!(
                    "audit entry {seq} is dated {}, earlier than entry {} ({})",
                    entry.at,
                    seq - 1,
                    self.prev_at
                ),
            );
        }
        if let Some(cp) = self.checkpoints.remove(&seq) {
            self.report.checkpoints += 1;
            if cp.hash != stored_hash {
                return self.fail(
                    seq,
                    AuditProblemKind::CheckpointMismatch,
                    format!(
                        "audit entry {seq} differs from its checkpoint (dated {}): the trail up to \
                         it was rewritten",
                        cp.at.format("%Y-%m-%d %H:%M:%SZ")
                    ),
                );
            }
        }
        self.report.entries += 1;
        self.expected_seq += 1;
        self.prev_hash = stored_hash.to_owned();
        self.prev_at = entry.at.to_owned();
        true
    }

    /// Compares the end of the chain with the recorded head (`None` when none is recorded) and
    /// with the checkpoints beyond it.
    pub fn finish(mut self, head: Option<(u64, &str)>) -> VerifyReport {
        if self.report.problem.is_none() {
            self.check_head(head);
        }
        if self.report.problem.is_none()
            && let Some((&seq, cp)) = self.checkpoints.iter().next()
        {
            let last = self.expected_seq - 1;
            self.report.checkpoints += 1;
            let message = format!(
                "audit entry {seq}, recorded by a checkpoint (dated {}), is gone: the trail ends at \
                 entry {last}; it was truncated or replaced",
                cp.at.format("%Y-%m-%d %H:%M:%SZ")
            );
            self.fail(last + 1, AuditProblemKind::Truncated, message);
        }
        self.report
    }

    fn check_head(&mut self, head: Option<(u64, &str)>) {
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
                    format!("audit entry {seq} was rewritten: it differs from the recorded head"),
                );
            }
            Some(_) => {}
        }
    }

    fn fail(&mut self, seq: u64, kind: AuditProblemKind, message: String) -> bool {
        self.report.problem = Some(AuditProblem { seq, kind, message });
        false
    }
}

#[cfg(test)]
mod tests {
    use super::super::HashFormat;
    use super::*;
    use chrono::TimeZone;

    struct Owned {
        seq: u64,
        at: String,
        detail: String,
        prev: String,
        hash: String,
        format: HashFormat,
    }

    fn view(o: &Owned) -> StoredEntry<'_> {
        StoredEntry {
            seq: o.seq,
            at: &o.at,
            run_id: Some("r1"),
            actor: "alice",
            os_user: Some("alice"),
            host: Some("h"),
            kind: "run.created",
            detail: &o.detail,
            prev_hash: &o.prev,
            format: o.format,
        }
    }

    fn key() -> AuditKey {
        AuditKey::from_bytes(vec![9; 32]).unwrap()
    }

    /// `n` entries, keyed from `keyed_from` on.
    fn chain(n: u64, keyed_from: Option<u64>) -> Vec<Owned> {
        let key = key();
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let keyed = keyed_from.is_some_and(|k| seq >= k);
                let mut o = Owned {
                    seq,
                    at: format!("2025-01-01T00:00:{seq:02}.000000Z"),
                    detail: format!("{{\"n\":{seq}}}"),
                    prev: prev.clone(),
                    hash: String::new(),
                    format: if keyed {
                        HashFormat::HmacV2
                    } else {
                        HashFormat::Sha256V1
                    },
                };
                o.hash = entry_hash(&view(&o), Some(&key)).unwrap();
                prev = o.hash.clone();
                o
            })
            .collect()
    }

    fn run(mut v: ChainVerifier<'_>, entries: &[Owned], head: Option<(u64, &str)>) -> VerifyReport {
        for e in entries {
            if !v.check(&view(e), &e.hash) {
                break;
            }
        }
        v.finish(head)
    }

    fn verify(entries: &[Owned], head: Option<(u64, &str)>) -> VerifyReport {
        run(ChainVerifier::default(), entries, head)
    }

    fn head(c: &[Owned]) -> Option<(u64, &str)> {
        c.last().map(|e| (e.seq, e.hash.as_str()))
    }

    fn problem(r: &VerifyReport) -> (u64, AuditProblemKind) {
        let p = r.problem.as_ref().expect("a problem");
        (p.seq, p.kind)
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5, None);
        let r = verify(&c, head(&c));
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(r.entries, 5);
        assert!(verify(&[], None).is_ok());
    }

    #[test]
    fn edited_entry_is_named() {
        let mut c = chain(5, None);
        let h = head(&c).map(|(s, h)| (s, h.to_owned()));
        c[2].detail = "{\"n\":99}".into();
        let r = verify(&c, h.as_ref().map(|(s, h)| (*s, h.as_str())));
        assert_eq!(problem(&r), (3, AuditProblemKind::Edited));
        assert_eq!(r.entries, 2);
    }

    #[test]
    fn deleted_entry_is_named() {
        let mut c = chain(5, None);
        let h = (5, c[4].hash.clone());
        c.remove(1);
        let r = verify(&c, Some((h.0, &h.1)));
        assert_eq!(problem(&r), (2, AuditProblemKind::Missing));
        assert_eq!(
            r.problem.unwrap().message,
            "audit entry 2 is missing: the chain jumps from 1 to 3"
        );
    }

    #[test]
    fn deleted_tail_is_named() {
        let c = chain(5, None);
        let h = (5, c[4].hash.clone());
        let r = verify(&c[..3], Some((h.0, &h.1)));
        assert_eq!(problem(&r), (4, AuditProblemKind::Truncated));
    }

    #[test]
    fn relinked_entry_is_named() {
        let mut c = chain(4, None);
        // Rewritten with a valid own hash but a wrong link.
        c[2].prev = GENESIS_HASH.into();
        c[2].hash = entry_hash(&view(&c[2]), None).unwrap();
        assert_eq!(
            problem(&verify(&c, None)),
            (3, AuditProblemKind::BrokenLink)
        );
    }

    #[test]
    fn an_entry_earlier_than_its_predecessor_is_named() {
        let mut c = chain(3, None);
        c[2].at = "2024-12-31T23:59:59.000000Z".into();
        c[2].hash = entry_hash(&view(&c[2]), None).unwrap();
        let r = verify(&c, head(&c));
        assert_eq!(problem(&r), (3, AuditProblemKind::TimeReversed));
    }

    #[test]
    fn keyed_entries_need_the_key_for_their_content_only() {
        let c = chain(4, Some(3));
        let k = key();
        let keyed = ChainVerifier::new(Some(&k), Some((3, &k.id())), &[]);
        let r = run(keyed, &c, head(&c));
        assert!(r.is_ok(), "{r:?}");
        assert_eq!((r.unchecked, r.keyed_from), (0, Some(3)));

        let unkeyed = ChainVerifier::new(None, Some((3, &k.id())), &[]);
        let r = run(unkeyed, &c, head(&c));
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(r.unchecked, 2);
    }

    #[test]
    fn a_keyed_entry_rewritten_without_the_key_is_named() {
        let k = key();
        let mut c = chain(4, Some(2));
        c[2].detail = "{\"forged\":true}".into();
        c[2].format = HashFormat::Sha256V2;
        c[2].hash = entry_hash(&view(&c[2]), None).unwrap();
        let r = run(ChainVerifier::new(None, Some((2, &k.id())), &[]), &c, None);
        assert_eq!(problem(&r), (3, AuditProblemKind::Unkeyed));

        // With the format kept, the forger cannot make the HMAC.
        let mut c = chain(4, Some(2));
        c[2].detail = "{\"forged\":true}".into();
        let r = run(
            ChainVerifier::new(Some(&k), Some((2, &k.id())), &[]),
            &c,
            None,
        );
        assert_eq!(problem(&r), (3, AuditProblemKind::Edited));
    }

    #[test]
    fn a_wrong_key_is_named_up_front() {
        let other = AuditKey::from_bytes(vec![1; 32]).unwrap();
        let c = chain(2, Some(1));
        let r = run(
            ChainVerifier::new(Some(&other), Some((1, &key().id())), &[]),
            &c,
            head(&c),
        );
        assert_eq!(problem(&r), (1, AuditProblemKind::WrongKey));
    }

    fn checkpoint(e: &Owned) -> AuditCheckpoint {
        AuditCheckpoint {
            seq: e.seq,
            hash: e.hash.clone(),
            at: chrono::Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
        }
    }

    #[test]
    fn a_consistently_rewritten_chain_differs_from_its_checkpoint() {
        let original = chain(5, None);
        let cps = [checkpoint(&original[1]), checkpoint(&original[3])];
        let mut forged = chain(5, None);
        forged[2].detail = "{\"forged\":true}".into();
        let mut prev = forged[1].hash.clone();
        for e in &mut forged[2..] {
            e.prev = prev;
            e.hash = entry_hash(&view(e), None).unwrap();
            prev = e.hash.clone();
        }
        let r = run(ChainVerifier::new(None, None, &cps), &forged, head(&forged));
        assert_eq!(problem(&r), (4, AuditProblemKind::CheckpointMismatch));
        assert_eq!(r.checkpoints, 2);

        let r = run(
            ChainVerifier::new(None, None, &cps),
            &original,
            head(&original),
        );
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(r.checkpoints, 2);
    }

    #[test]
    fn a_truncated_or_emptied_trail_is_found_by_its_checkpoint() {
        let c = chain(5, None);
        let cps = [checkpoint(&c[3])];
        // Tail and head both cut back consistently.
        let r = run(ChainVerifier::new(None, None, &cps), &c[..2], head(&c[..2]));
        assert_eq!(problem(&r), (3, AuditProblemKind::Truncated));
        let r = run(ChainVerifier::new(None, None, &cps), &[], None);
        assert_eq!(problem(&r), (1, AuditProblemKind::Truncated));
    }
}
