//! The next entry of the chain, computed from its head: the time it is dated, the format its hash
//! takes, the hash itself. Backend-independent; each backend reads the head under its write lock,
//! stores what this returns and writes the head back.

use super::{AuditKey, HashFormat, StoredEntry, entry_hash};
use crate::error::{Result, StoreError};
use crate::records::{AuditEntry, AuditEvent, AuditOrigin};
use chrono::{DateTime, SubsecRound, TimeDelta, Utc};

/// What every audit append of one store handle uses.
#[derive(Debug, Clone, Default)]
pub struct AuditSettings {
    pub origin: AuditOrigin,
    pub key: Option<AuditKey>,
}

/// The chain's end as one write transaction sees it, and the key it is keyed with.
#[derive(Debug, Clone)]
pub struct ChainHead {
    pub seq: u64,
    pub hash: String,
    /// Stored text; empty before the first entry.
    pub at: String,
    /// `(from_seq, key_id)` of the chain's key, if keyed.
    pub key: Option<(u64, String)>,
}

/// One entry ready to store, in its stored form.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub seq: u64,
    pub at: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
    pub format: HashFormat,
    /// The key id to record from this entry on: the first keyed entry of the chain.
    pub records_key: Option<String>,
}

/// Microseconds, UTC, `Z`: fixed width, so stored timestamps sort as text.
pub fn timestamp_text(t: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    let nanos = t.nanosecond();
    // Written directly: every entry of a busy server is dated, and strftime's parsing of its
    // pattern cost more than the rest of the entry's fields. Years outside four digits and
    // leap seconds keep strftime's spelling.
    if !(0..=9999).contains(&t.year()) || nanos >= 1_000_000_000 {
        return t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    }
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        nanos / 1000
    )
}

fn parse_stored(at: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(at).map_or(DateTime::<Utc>::MIN_UTC, |t| t.with_timezone(&Utc))
}

/// Which format the next entry takes; `Some(key id)` when it starts the keyed part.
fn format(head: &ChainHead, key: Option<&AuditKey>) -> Result<(HashFormat, Option<String>)> {
    match (key, &head.key) {
        (Some(key), Some((_, id))) if *id != key.id() => Err(StoreError::AuditKeyMismatch {
            expected: id.clone(),
            given: key.id(),
        }),
        (Some(_), Some(_)) => Ok((HashFormat::HmacV2, None)),
        (Some(key), None) => Ok((HashFormat::HmacV2, Some(key.id()))),
        (None, Some((from_seq, key_id))) => Err(StoreError::AuditKeyRequired {
            from_seq: *from_seq,
            key_id: key_id.clone(),
        }),
        (None, None) => Ok((HashFormat::Sha256V2, None)),
    }
}

/// The entry that follows `head` for `e`, and `head` advanced past it.
///
/// An event dated before the newest entry by at most `lag` was read from the clock before its
/// writer waited for the write lock while another writer committed: it is dated at the newest
/// entry's time, so the trail never goes back. Anything earlier is a clock set back, refused.
pub fn next_entry(
    head: &mut ChainHead,
    settings: &AuditSettings,
    e: &AuditEvent,
    lag: TimeDelta,
) -> Result<(NewEntry, AuditEntry)> {
    let mut at = timestamp_text(e.at);
    let mut dated = e.at.trunc_subsecs(6);
    if at < head.at {
        let newest = parse_stored(&head.at);
        if newest - e.at > lag {
            return Err(StoreError::AuditTimeReversed {
                at: e.at.trunc_subsecs(6),
                newest,
            });
        }
        at = head.at.clone();
        dated = newest;
    }
    let seq = head.seq + 1;
    let (format, records_key) = format(head, settings.key.as_ref())?;
    let detail = serde_json::to_string(&e.detail)
        .map_err(|err| StoreError::corrupt(format!("cannot encode JSON: {err}")))?;
    let origin = &settings.origin;
    let hash = entry_hash(
        &StoredEntry {
            seq,
            at: &at,
            run_id: e.run_id.as_deref(),
            actor: &e.actor,
            os_user: origin.os_user.as_deref(),
            host: origin.host.as_deref(),
            kind: &e.kind,
            detail: &detail,
            prev_hash: &head.hash,
            format,
        },
        settings.key.as_ref(),
    )
    .ok_or_else(|| StoreError::corrupt("a keyed entry was to be written without its key"))?;
    if let Some(id) = &records_key {
        head.key = Some((seq, id.clone()));
    }
    let prev_hash = std::mem::replace(&mut head.hash, hash.clone());
    head.seq = seq;
    head.at = at.clone();
    let entry = AuditEntry {
        seq,
        at: dated,
        run_id: e.run_id.clone(),
        actor: e.actor.clone(),
        os_user: origin.os_user.clone(),
        host: origin.host.clone(),
        kind: e.kind.clone(),
        detail: e.detail.clone(),
        prev_hash: prev_hash.clone(),
        hash: hash.clone(),
    };
    let new = NewEntry {
        seq,
        at,
        detail,
        prev_hash,
        hash,
        format,
        records_key,
    };
    Ok((new, entry))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_as_strftime_wrote_them_and_back() {
        let base = DateTime::parse_from_rfc3339("2026-12-07T01:02:03.456789123Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut t = DateTime::<Utc>::MIN_UTC;
        let mut samples = vec![t, DateTime::<Utc>::MAX_UTC, DateTime::UNIX_EPOCH];
        for step in [1i64, 999, 86_399_999_999, 3_600_000_001, 31_622_400_123_457] {
            t = base;
            for _ in 0..200 {
                t += TimeDelta::microseconds(step) + TimeDelta::nanoseconds(step % 997);
                samples.push(t);
                samples.push(base - (t - base));
            }
        }
        // A leap second, as chrono spells it.
        samples.push(
            chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
                .unwrap()
                .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
                .unwrap()
                .and_utc(),
        );
        for t in samples {
            let text = timestamp_text(t);
            assert_eq!(text, t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string());
            if (0..=9999).contains(&chrono::Datelike::year(&t))
                && t.timestamp_subsec_nanos() < 1_000_000_000
            {
                assert_eq!(parse_stored(&text), t.trunc_subsecs(6), "{text}");
            }
        }
    }
}
