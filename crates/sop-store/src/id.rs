//! Short, time-sortable random ids for runs and gates.
//!
//! Twelve lowercase Crockford base32 characters: seven encode the creation second (good until the
//! year 3058), five are random (25 bits). Ids sort by creation time, read well aloud (no `i`, `l`,
//! `o`, `u`), and any unique prefix names a run. The store retries on the rare collision.

use chrono::{DateTime, Utc};
use rand::Rng;

const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
const TIME_CHARS: usize = 7;
const RANDOM_CHARS: usize = 5;

/// The length of every generated id.
pub const ID_LEN: usize = TIME_CHARS + RANDOM_CHARS;

/// A new id for something created at `now`.
pub fn new_id(now: DateTime<Utc>, rng: &mut impl Rng) -> String {
    let secs = now.timestamp().max(0) as u64;
    let mut out = String::with_capacity(ID_LEN);
    for i in (0..TIME_CHARS).rev() {
        out.push(ALPHABET[((secs >> (5 * i)) & 31) as usize] as char);
    }
    for _ in 0..RANDOM_CHARS {
        out.push(ALPHABET[rng.random_range(0..32)] as char);
    }
    out
}

/// Whether `s` can be (a prefix of) an id: only id characters, case-insensitively.
pub fn is_id_prefix(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= ID_LEN
        && s.bytes()
            .all(|b| ALPHABET.contains(&b.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn ids_have_fixed_length_and_sort_by_time() {
        let mut rng = rand::rng();
        let a = new_id(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(), &mut rng);
        let b = new_id(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 1).unwrap(), &mut rng);
        let c = new_id(Utc.with_ymd_and_hms(2031, 6, 1, 0, 0, 0).unwrap(), &mut rng);
        assert_eq!(a.len(), ID_LEN);
        assert!(a < b && b < c, "{a} {b} {c}");
        assert!(is_id_prefix(&a));
    }

    #[test]
    fn prefixes_are_checked() {
        assert!(is_id_prefix("01HX"));
        assert!(!is_id_prefix(""));
        assert!(!is_id_prefix("run-1"));
        assert!(!is_id_prefix("0123456789abc"));
    }

    #[test]
    fn ids_before_the_epoch_do_not_wrap() {
        let mut rng = rand::rng();
        let id = new_id(Utc.with_ymd_and_hms(1960, 1, 1, 0, 0, 0).unwrap(), &mut rng);
        assert!(id.starts_with("0000000"));
    }
}
