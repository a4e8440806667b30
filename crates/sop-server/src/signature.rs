//! Webhook signatures: the HMAC-SHA256 of the raw body keyed with the trigger's secret, in hex,
//! compared in constant time. GitHub sends it as `X-Hub-Signature-256: sha256=<hex>`, PagerDuty
//! as `X-PagerDuty-Signature: v1=<hex>` (several, comma-separated, while a secret is rotated),
//! Sentry as `Sentry-Hook-Signature: <hex>`; Grafana's, which may also sign a timestamp, is in
//! [`grafana`].

pub mod grafana;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header value for `body` signed with `secret` (what a sender computes).
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether `header` is GitHub's signature of `body` with `secret`.
pub fn verify(secret: &[u8], body: &[u8], header: &str) -> bool {
    header
        .trim()
        .strip_prefix("sha256=")
        .is_some_and(|hex_sig| verify_hex(secret, body, hex_sig))
}

/// Whether one of PagerDuty's `v1=<hex>` signatures in `header` is that of `body`.
pub fn verify_pagerduty(secret: &[u8], body: &[u8], header: &str) -> bool {
    header
        .split(',')
        .filter_map(|s| s.trim().strip_prefix("v1="))
        .any(|hex_sig| verify_hex(secret, body, hex_sig))
}

/// Whether `hex_sig` is the HMAC-SHA256 of `body` with `secret`, in hex.
pub fn verify_hex(secret: &[u8], body: &[u8], hex_sig: &str) -> bool {
    let Ok(sig) = hex::decode(hex_sig.trim()) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_githubs_example() {
        // The example of GitHub's "Validating webhook deliveries".
        let header = sign(b"It's a Secret to Everybody", b"Hello, World!");
        assert_eq!(
            header,
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        );
        assert!(verify(
            b"It's a Secret to Everybody",
            b"Hello, World!",
            &header
        ));
        assert!(!verify(b"other", b"Hello, World!", &header));
        assert!(!verify(
            b"It's a Secret to Everybody",
            b"Hello, World?",
            &header
        ));
        assert!(!verify(
            b"It's a Secret to Everybody",
            b"Hello, World!",
            "sha256=zz"
        ));
        assert!(!verify(
            b"It's a Secret to Everybody",
            b"Hello, World!",
            "sha1=00"
        ));
    }
}
