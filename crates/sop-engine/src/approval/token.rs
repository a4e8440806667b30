//! Approval tokens in plain text: random, URL-safe, shown once; only their SHA-256 is stored.

use rand::TryRngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Every token starts with this, so secret scanners and people can recognise one.
pub const PREFIX: &str = "sopat_";

/// 160 random bits: comfortably above the 128-bit floor, and 32 base32 characters.
const RANDOM_BYTES: usize = 20;

const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// A fresh token straight from the operating system's CSPRNG, e.g.
/// `sopat_k3v…` (6 + 32 characters of `[a-z2-7]`, safe in URLs and shells).
pub fn generate() -> crate::Result<String> {
    generate_with(PREFIX)
}

/// A fresh random text of the same shape with another prefix (API tokens use `sopapi_`).
pub fn generate_with(prefix: &str) -> crate::Result<String> {
    let mut bytes = [0u8; RANDOM_BYTES];
    OsRng.try_fill_bytes(&mut bytes).map_err(|e| {
        crate::Error::internal(format!(
            "cannot read randomness from the operating system: {e}"
        ))
    })?;
    Ok(format!("{prefix}{}", base32(&bytes)))
}

/// RFC 4648 base32, lower case, without padding (20 bytes → 32 characters exactly).
fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Whether `text` has the shape of a token; anything else is refused before any lookup.
pub fn is_well_formed(text: &str) -> bool {
    is_well_formed_with(text, PREFIX)
}

/// Whether `text` has the shape [`generate_with`] gives with `prefix`.
pub fn is_well_formed_with(text: &str, prefix: &str) -> bool {
    text.strip_prefix(prefix).is_some_and(|rest| {
        rest.len() == RANDOM_BYTES * 8 / 5 && rest.bytes().all(|b| BASE32.contains(&b))
    })
}

/// Lower-case hex SHA-256 of the token: the only form the store ever sees.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares a presented token with a stored hash in constant time.
pub fn matches(token: &str, stored_hash: &str) -> bool {
    hash(token).as_bytes().ct_eq(stored_hash.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_url_safe_and_distinct() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), PREFIX.len() + 32);
        assert!(is_well_formed(&a), "{a}");
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
        );
    }

    #[test]
    fn base32_matches_rfc_4648() {
        // RFC 4648 section 10 vectors, lower-cased and unpadded.
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "my");
        assert_eq!(base32(b"fo"), "mzxq");
        assert_eq!(base32(b"foo"), "mzxw6");
        assert_eq!(base32(b"foob"), "mzxw6yq");
        assert_eq!(base32(b"fooba"), "mzxw6ytb");
        assert_eq!(base32(b"foobar"), "mzxw6ytboi");
    }

    #[test]
    fn malformed_tokens_are_recognised() {
        for bad in [
            "",
            "sopat_",
            "sopat_ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
            "sopat_abcdefghijklmnopqrstuvwxyz23456",
            "sopat_abcdefghijklmnopqrstuvwxyz2345678",
            "xxxxx_abcdefghijklmnopqrstuvwxyz234567",
            "sopat_abcdefghijklmnopqrstuvwxyz23456!",
        ] {
            assert!(!is_well_formed(bad), "{bad}");
        }
        assert!(is_well_formed("sopat_abcdefghijklmnopqrstuvwxyz234567"));
    }

    #[test]
    fn hashes_are_sha256_hex_and_compare_exactly() {
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let t = generate().unwrap();
        let h = hash(&t);
        assert!(matches(&t, &h));
        assert!(!matches(&t, &hash("other")));
        assert!(!matches(&t, &h[..10]));
    }
}
