//! `<SOP_DIR>/users.toml`: which chat account is which sop user.
//!
//! ```toml
//! [users.alice]
//! slack = "U024BE7LH"
//! telegram = 123456789
//! email = "alice@example.com"
//! ```

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// A chat account that pressed a button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatUser {
    Slack(String),
    Telegram(i64),
}

impl ChatUser {
    pub fn platform(&self) -> &'static str {
        match self {
            ChatUser::Slack(_) => "slack",
            ChatUser::Telegram(_) => "telegram",
        }
    }

    pub fn id(&self) -> String {
        match self {
            ChatUser::Slack(id) => id.clone(),
            ChatUser::Telegram(id) => id.to_string(),
        }
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    users: BTreeMap<String, Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    slack: Option<String>,
    telegram: Option<i64>,
    #[allow(dead_code)]
    email: Option<String>,
}

/// The mapping, read from one file.
#[derive(Debug, Default)]
pub struct Users {
    users: BTreeMap<String, Entry>,
}

impl Users {
    /// Reads `<dir>/users.toml`; no file is an empty mapping.
    pub fn load(dir: &Path) -> crate::Result<Users> {
        let path = dir.join("users.toml");
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Users::default()),
            Err(e) => {
                return Err(crate::Error::invalid(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        };
        Users::parse(&text).map_err(|e| {
            crate::Error::invalid(format!("{}: {e}", path.display())).with_hint(
                "write [users.NAME] tables with slack = \"U…\", telegram = 123, email = \"…\"",
            )
        })
    }

    pub fn parse(text: &str) -> Result<Users, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string().trim().to_string())?;
        Ok(Users { users: file.users })
    }

    /// The sop user behind a chat account, if mapped.
    pub fn find(&self, who: &ChatUser) -> Option<&str> {
        self.users
            .iter()
            .find(|(_, e)| match who {
                ChatUser::Slack(id) => e.slack.as_deref() == Some(id.as_str()),
                ChatUser::Telegram(id) => e.telegram == Some(*id),
            })
            .map(|(name, _)| name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_map_to_users_and_unknown_keys_are_refused() {
        let u = Users::parse(
            "[users.alice]\nslack = \"U024BE7LH\"\ntelegram = 123456789\nemail = \"a@x\"\n[users.bob]\nslack = \"U2\"\n",
        )
        .unwrap();
        assert_eq!(u.find(&ChatUser::Slack("U024BE7LH".into())), Some("alice"));
        assert_eq!(u.find(&ChatUser::Telegram(123456789)), Some("alice"));
        assert_eq!(u.find(&ChatUser::Slack("U2".into())), Some("bob"));
        assert_eq!(u.find(&ChatUser::Telegram(1)), None);
        let e = Users::parse("[users.alice]\nslak = \"U1\"\n").unwrap_err();
        assert!(e.contains("line 2"), "{e}");
        assert!(e.contains("slak"), "{e}");
    }
}
