//! Grafana Alerting's webhook signature (Grafana 12+, the contact point's "HMAC Signature"):
//! `X-Grafana-Alerting-Signature: <hex>`, the HMAC-SHA256 of the body with the secret, or, when
//! the contact point names a timestamp header, of `<timestamp>:<body>` with the time of sending
//! (Unix seconds) in `X-Grafana-Alerting-Signature-Timestamp`. A timestamp further than
//! [`MAX_SKEW_SECS`] from the server's time is refused, so a captured delivery cannot be
//! replayed later. Pure: the server's time comes in as a value.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The signature's header (Grafana's default name).
pub const SIGNATURE_HEADER: &str = "X-Grafana-Alerting-Signature";
/// The timestamp's header, when the contact point sends one.
pub const TIMESTAMP_HEADER: &str = "X-Grafana-Alerting-Signature-Timestamp";
/// How far a signed timestamp may be from the server's time, either way: 5 minutes.
pub const MAX_SKEW_SECS: i64 = 5 * 60;

/// Why a Grafana signature is refused. Never carries the secret nor the expected signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrafanaSignatureError {
    #[error("{SIGNATURE_HEADER} does not match the body")]
    Mismatch,
    #[error("{TIMESTAMP_HEADER} is not a time in Unix seconds")]
    BadTimestamp,
    #[error(
        "{TIMESTAMP_HEADER} is {skew} s from the server's time, more than {MAX_SKEW_SECS} s: a \
         replayed delivery, or a sender's or this server's clock is wrong"
    )]
    Stale { skew: i64 },
}

/// The header value a sender computes for `body`, with the timestamp header's value if any.
pub fn sign(secret: &[u8], body: &[u8], timestamp: Option<&[u8]>) -> String {
    hex::encode(mac(secret, body, timestamp).finalize().into_bytes())
}

/// Checks `signature` (the header's value) against `body` and, when sent, the timestamp
/// header's value; then the timestamp against `now` (Unix seconds), once it is known to be the
/// sender's. The signature is compared in constant time.
pub fn verify(
    secret: &[u8],
    body: &[u8],
    signature: &[u8],
    timestamp: Option<&[u8]>,
    now: i64,
) -> Result<(), GrafanaSignatureError> {
    let sig = hex::decode(signature.trim_ascii()).map_err(|_| GrafanaSignatureError::Mismatch)?;
    mac(secret, body, timestamp)
        .verify_slice(&sig)
        .map_err(|_| GrafanaSignatureError::Mismatch)?;
    let Some(timestamp) = timestamp else {
        return Ok(());
    };
    let sent: i64 = std::str::from_utf8(timestamp)
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .ok_or(GrafanaSignatureError::BadTimestamp)?;
    let skew = now.saturating_sub(sent);
    if skew.unsigned_abs() > MAX_SKEW_SECS.unsigned_abs() {
        return Err(GrafanaSignatureError::Stale { skew });
    }
    Ok(())
}

fn mac(secret: &[u8], body: &[u8], timestamp: Option<&[u8]>) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    if let Some(timestamp) = timestamp {
        mac.update(timestamp);
        mac.update(b":");
    }
    mac.update(body);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"grafana-secret";
    const BODY: &[u8] = br#"{"status":"firing"}"#;
    const NOW: i64 = 1_767_225_600;

    /// What a sender computes, written out independently of [`mac`].
    fn expected(message: &[u8]) -> String {
        crate::signature::sign(SECRET, message)
            .trim_start_matches("sha256=")
            .to_string()
    }

    #[test]
    fn the_body_alone_is_signed_without_a_timestamp() {
        let sig = expected(BODY);
        assert_eq!(sign(SECRET, BODY, None), sig);
        assert_eq!(verify(SECRET, BODY, sig.as_bytes(), None, NOW), Ok(()));
        assert_eq!(
            verify(SECRET, b"{}", sig.as_bytes(), None, NOW),
            Err(GrafanaSignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"other", BODY, sig.as_bytes(), None, NOW),
            Err(GrafanaSignatureError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, BODY, b"zz", None, NOW),
            Err(GrafanaSignatureError::Mismatch)
        );
    }

    #[test]
    fn a_timestamp_is_signed_with_the_body_and_must_be_recent() {
        let at = |t: i64| t.to_string();
        let signed =
            |t: &str| expected(format!("{t}:{}", std::str::from_utf8(BODY).unwrap()).as_bytes());
        let now = at(NOW);
        assert_eq!(sign(SECRET, BODY, Some(now.as_bytes())), signed(&now));
        let ok = |t: &str| verify(SECRET, BODY, signed(t).as_bytes(), Some(t.as_bytes()), NOW);
        assert_eq!(ok(&now), Ok(()));
        assert_eq!(ok(&at(NOW - MAX_SKEW_SECS)), Ok(()));
        assert_eq!(ok(&at(NOW + MAX_SKEW_SECS)), Ok(()));
        assert_eq!(
            ok(&at(NOW - MAX_SKEW_SECS - 1)),
            Err(GrafanaSignatureError::Stale { skew: 301 })
        );
        assert_eq!(
            ok(&at(NOW + 3600)),
            Err(GrafanaSignatureError::Stale { skew: -3600 })
        );
        assert_eq!(ok("soon"), Err(GrafanaSignatureError::BadTimestamp));
        // The timestamp cannot be swapped for another, nor dropped: the signature covers it.
        let other = at(NOW - 1);
        assert_eq!(
            verify(
                SECRET,
                BODY,
                signed(&now).as_bytes(),
                Some(other.as_bytes()),
                NOW
            ),
            Err(GrafanaSignatureError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, BODY, signed(&now).as_bytes(), None, NOW),
            Err(GrafanaSignatureError::Mismatch)
        );
    }
}
