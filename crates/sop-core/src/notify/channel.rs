//! One notification channel as written in `SOP_APPROVAL_CHANNEL` or `approval_channel`.

use std::fmt;

/// Where a message goes. A webhook URL is a secret (it may carry a key): [`Channel::label`] is
/// what may be shown, never the URL itself.
#[derive(Clone, PartialEq, Eq)]
pub enum Channel {
    /// A Slack channel name (`#ops`) or id (`C024BE91L`).
    Slack(String),
    /// A Telegram chat id (a number, negative for groups) or `@channelname`.
    Telegram(String),
    /// An `http://` or `https://` URL that receives the signed JSON body.
    Webhook(String),
}

/// Why a channel list was refused; the message names the item and the grammar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ChannelError {
    pub message: String,
}

impl Channel {
    /// The kind: `slack`, `telegram` or `webhook`.
    pub fn kind(&self) -> &'static str {
        match self {
            Channel::Slack(_) => "slack",
            Channel::Telegram(_) => "telegram",
            Channel::Webhook(_) => "webhook",
        }
    }

    /// The channel as written, to store and parse back (contains a webhook's URL).
    pub fn spec(&self) -> String {
        match self {
            Channel::Slack(c) | Channel::Telegram(c) | Channel::Webhook(c) => {
                format!("{}:{c}", self.kind())
            }
        }
    }

    /// What may be shown in logs, documents and the status: a webhook shows only its host.
    pub fn label(&self) -> String {
        match self {
            Channel::Webhook(url) => {
                let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
                let host = rest.split(['/', '?', '#']).next().unwrap_or("");
                let host = host.rsplit('@').next().unwrap_or("");
                format!("webhook:{host}")
            }
            other => other.spec(),
        }
    }

    /// Parses one `kind:target` item.
    pub fn parse(item: &str) -> Result<Channel, ChannelError> {
        let item = item.trim();
        let err = |m: String| ChannelError { message: m };
        let Some((kind, target)) = item.split_once(':') else {
            return Err(err(format!(
                "channel `{}` has no kind: write slack:#channel, telegram:CHAT_ID or webhook:URL",
                shown(item)
            )));
        };
        let target = target.trim();
        match kind.trim() {
            "slack" => {
                let name = target.strip_prefix('#').unwrap_or(target);
                if name.is_empty()
                    || !name
                        .chars()
                        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
                {
                    return Err(err(format!(
                        "`{}` is not a Slack channel: write slack:#name or slack:CHANNEL_ID",
                        shown(item)
                    )));
                }
                Ok(Channel::Slack(target.to_string()))
            }
            "telegram" => {
                let numeric = target
                    .strip_prefix('-')
                    .unwrap_or(target)
                    .chars()
                    .all(|c| c.is_ascii_digit());
                let named = target.strip_prefix('@').is_some_and(|n| {
                    !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                });
                if target.trim_start_matches('-').is_empty() || !(numeric || named) {
                    return Err(err(format!(
                        "`{}` is not a Telegram chat: write telegram:CHAT_ID (a number, \
                         negative for groups) or telegram:@channelname",
                        shown(item)
                    )));
                }
                Ok(Channel::Telegram(target.to_string()))
            }
            "webhook" => {
                let ok = (target.starts_with("https://") || target.starts_with("http://"))
                    && target.split_once("://").is_some_and(|(_, r)| !r.is_empty())
                    && !target.chars().any(|c| c.is_whitespace() || c == ',');
                if !ok {
                    return Err(err(
                        "a webhook channel needs an http:// or https:// URL: write webhook:https://host/path"
                            .to_string(),
                    ));
                }
                Ok(Channel::Webhook(target.to_string()))
            }
            other => Err(err(format!(
                "unknown channel kind `{}`: write slack:#channel, telegram:CHAT_ID or webhook:URL",
                other.escape_debug()
            ))),
        }
    }
}

/// An item in an error message; a webhook item may hold a key, so only its kind is shown.
fn shown(item: &str) -> String {
    if item.starts_with("webhook:") {
        "webhook:…".into()
    } else {
        item.escape_debug().to_string()
    }
}

impl fmt::Debug for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// Parses a comma-separated list; empty items are refused, duplicates dropped.
pub fn parse_channels(text: &str) -> Result<Vec<Channel>, ChannelError> {
    let mut out: Vec<Channel> = Vec::new();
    // Every wrong item is named at once, so one round of fixes is enough.
    let mut problems: Vec<String> = Vec::new();
    for item in text.split(',') {
        if item.trim().is_empty() {
            let empty = "the channel list has an empty item: separate channels with one comma";
            if !problems.iter().any(|p| p == empty) {
                problems.push(empty.into());
            }
            continue;
        }
        match Channel::parse(item) {
            Ok(c) if !out.contains(&c) => out.push(c),
            Ok(_) => {}
            Err(e) => problems.push(e.message),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(ChannelError {
            message: problems.join("; "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_in_order_without_duplicates() {
        let c = parse_channels(
            "slack:#ops, telegram:-100123,webhook:https://h.example/x?k=1,slack:#ops",
        )
        .unwrap();
        assert_eq!(
            c,
            [
                Channel::Slack("#ops".into()),
                Channel::Telegram("-100123".into()),
                Channel::Webhook("https://h.example/x?k=1".into()),
            ]
        );
        assert_eq!(c[2].label(), "webhook:h.example");
        assert_eq!(format!("{:?}", c[2]), "webhook:h.example");
        assert_eq!(c[1].spec(), "telegram:-100123");
    }

    #[test]
    fn bad_items_say_what_to_write_and_hide_webhook_urls() {
        for (bad, says) in [
            ("email:a@b", "unknown channel kind `email`"),
            ("#ops", "has no kind"),
            ("slack:", "not a Slack channel"),
            ("telegram:abc", "not a Telegram chat"),
            ("telegram:-", "not a Telegram chat"),
            ("webhook:ftp://secret@x", "http:// or https://"),
            ("slack:#a,,slack:#b", "empty item"),
        ] {
            let e = parse_channels(bad).unwrap_err();
            assert!(e.message.contains(says), "{bad}: {}", e.message);
            assert!(!e.message.contains("secret"), "{}", e.message);
        }
        assert_eq!(
            Channel::parse("webhook:https://user:pw@h.example/p")
                .unwrap()
                .label(),
            "webhook:h.example"
        );
    }
}
