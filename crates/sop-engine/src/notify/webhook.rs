//! The generic webhook: the [`NotificationDocument`] as JSON, signed
//! `X-SOP-Signature-256: sha256=<hex>` (HMAC-SHA256 of the body with
//! `SOP_NOTIFY_WEBHOOK_SECRET`).

use super::http::{Outgoing, Reply};
use super::sender::Verdict;
use crate::documents::NotificationDocument;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub fn request(url: &str, secret: &str, id: i64, doc: &NotificationDocument) -> Outgoing {
    let body = serde_json::to_string(doc).unwrap_or_else(|_| "{}".into());
    Outgoing {
        url: url.to_string(),
        headers: vec![
            ("Content-Type", "application/json".into()),
            ("X-SOP-Event", doc.event.clone()),
            ("X-SOP-Delivery", id.to_string()),
            ("X-SOP-Signature-256", signature(secret, body.as_bytes())),
        ],
        body,
    }
}

/// `sha256=` and the lower-case hex HMAC-SHA256 of `body`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// 2xx is delivered; 429 and 5xx are retried (after `Retry-After` when given); other answers
/// will not change by asking again.
pub fn verdict(reply: &Reply) -> Verdict {
    match reply.status {
        200..=299 => Verdict::Sent(None),
        429 | 500..=599 | 408 => Verdict::Retry {
            error: format!("the webhook answered HTTP {}", reply.status),
            after: reply.retry_after,
        },
        s => Verdict::GiveUp(format!("the webhook answered HTTP {s}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_hex() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
