//! Handing freshly issued tokens to whoever delivers them to people.
//!
//! Tokens are created inside the transaction that opens their gate, but that transaction may
//! roll back and be retried; so they travel out of it with what it wrote, and leave only once
//! the gate is committed. Until
//! a notifier delivers them, the outbox is a directory (`SOP_APPROVAL_OUTBOX`): one file per
//! token, readable only by this user, for a chat bot or mailer to pick up. Without it, tokens
//! are not kept anywhere — gates are then decided from the CLI by identity.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::json;
use sop_core::gate::TokenHolder;
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
use std::path::Path;

/// A token in plain text, on its way to its holder. Never logged, never audited.
#[derive(Clone)]
pub struct IssuedToken {
    pub gate_id: String,
    pub run_id: String,
    pub sop: String,
    pub step: u32,
    pub holder: TokenHolder,
    pub token: String,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Delivers tokens whose gates were just committed, to the outbox directory when one is set.
/// Returns a warning for each token that could not be put there (its gate can still be decided
/// by identity).
pub fn deliver(dir: Option<&Path>, tokens: &[IssuedToken]) -> Vec<String> {
    let Some(dir) = dir else {
        return Vec::new();
    };
    tokens
        .iter()
        .filter_map(|token| {
            write(dir, token).err().map(|e| {
                format!(
                    "cannot put the approval token for {} of run {} in {}: {e}",
                    sop_core::gate::gate_label(token.step),
                    token.run_id,
                    dir.display()
                )
            })
        })
        .collect()
}

/// `<run>-<step>-<holder>.json`, written whole (temp file, then rename) with mode 0600.
fn write(dir: &Path, token: &IssuedToken) -> std::io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let holder = token.holder.approver().unwrap_or("anyone");
    let name = format!(
        "{}-{}-{}.json",
        file_safe(&token.run_id),
        token.step,
        file_safe(holder)
    );
    let body = json!({
        "run_id": token.run_id,
        "sop": token.sop,
        "step": token.step,
        "gate": sop_core::gate::gate_label(token.step),
        "gate_id": token.gate_id,
        "approver": token.holder.approver(),
        "token": token.token,
        "expires_at": token
            .expires_at
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
        "approve": format!(
            "sop approve {} --step {} --token {}",
            token.run_id, token.step, token.token
        ),
        "reject": format!(
            "sop reject {} --step {} --token {} --comment TEXT",
            token.run_id, token.step, token.token
        ),
    });
    let tmp = dir.join(format!(".{name}.tmp"));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    file.write_all(serde_json::to_string_pretty(&body)?.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    std::fs::rename(&tmp, dir.join(name))
}

/// Keeps letters, digits, `.`, `_` and `-`; anything else (a `/` above all) becomes `_`.
fn file_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect::<String>()
        .trim_start_matches('.')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_cannot_escape_the_outbox() {
        assert_eq!(file_safe("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(file_safe("alice"), "alice");
        assert_eq!(file_safe("j.doe-2"), "j.doe-2");
    }

    #[test]
    fn tokens_are_written_private_and_whole() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("outbox");
        let token = IssuedToken {
            gate_id: "g1".into(),
            run_id: "r1".into(),
            sop: "deploy".into(),
            step: 2,
            holder: TokenHolder::Approver("bob".into()),
            token: "sopat_x".into(),
            expires_at: None,
        };
        write(&out, &token).unwrap();
        let path = out.join("r1-2-bob.json");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(v["token"], "sopat_x");
        assert_eq!(v["approver"], "bob");
        assert_eq!(v["approve"], "sop approve r1 --step 2 --token sopat_x");
        let leftovers: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temp file is left behind");
    }
}
