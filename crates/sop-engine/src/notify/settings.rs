//! What notifications run with: on or off, the default channels, credentials (each also as a
//! `*_FILE` variant), the chat APIs' base URLs, the public address used in links, and the
//! sender's timing. Read from [`Settings`] when needed; a bad value fails only what reads it.

use crate::Settings;
use crate::executor::parse_duration;
use sop_core::notify::{Channel, parse_channels};
use std::fmt;
use std::time::Duration;

pub const DEFAULT_SLACK_API_URL: &str = "https://slack.com/api";
pub const DEFAULT_TELEGRAM_API_URL: &str = "https://api.telegram.org";
const DEFAULT_REMINDER: Duration = Duration::from_secs(3600);
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_RETRY_BASE: Duration = Duration::from_secs(5);
const DEFAULT_MAX_ATTEMPTS: u32 = 8;
const DEFAULT_POLL: Duration = Duration::from_secs(1);

/// A credential: shown as `***` by `Debug`, so it cannot slip into a log line.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Every notification setting, read once.
#[derive(Debug, Clone)]
pub struct NotifySettings {
    /// `SOP_NOTIFICATION_ENABLED` (default true).
    pub enabled: bool,
    /// `SOP_APPROVAL_CHANNEL`: where messages go when an SOP sets no `approval_channel`.
    pub channels: Vec<Channel>,
    pub slack_token: Option<Secret>,
    pub slack_signing_secret: Option<Secret>,
    pub telegram_token: Option<Secret>,
    /// `SOP_TELEGRAM_WEBHOOK_SECRET`: the `X-Telegram-Bot-Api-Secret-Token` of `/hooks/telegram`.
    pub telegram_webhook_secret: Option<Secret>,
    /// `SOP_TELEGRAM_POLL` (default true): long-poll `getUpdates` for button presses.
    pub telegram_poll: bool,
    pub webhook_secret: Option<Secret>,
    pub slack_api_url: String,
    pub telegram_api_url: String,
    /// `SOP_PUBLIC_URL`, without a trailing slash.
    pub public_url: Option<String>,
    /// `SOP_APPROVAL_REMINDER`: how long before a gate's deadline the reminder goes out.
    pub reminder: Duration,
    /// `SOP_NOTIFY_TIMEOUT`: one HTTP attempt's limit, connecting included.
    pub timeout: Duration,
    /// `SOP_NOTIFY_RETRY_BASE`: the first retry's delay, doubled each time (up to 1h).
    pub retry_base: Duration,
    /// `SOP_NOTIFY_MAX_ATTEMPTS`: attempts before a message is given up.
    pub max_attempts: u32,
    /// `SOP_NOTIFY_POLL`: how often the sender looks for due messages.
    pub poll: Duration,
}

impl NotifySettings {
    /// The settings, or the first problem with them (see [`NotifySettings::load_all`]).
    pub fn load(s: &Settings) -> crate::Result<Self> {
        Self::load_all(s).map_err(|mut problems| problems.remove(0))
    }

    /// Whether `SOP_NOTIFICATION_ENABLED` turns notifications off (then the other settings are
    /// never read, and need not be right).
    pub fn turned_off(s: &Settings) -> bool {
        s.var("SOP_NOTIFICATION_ENABLED")
            .and_then(|v| parse_bool(v.trim()))
            == Some(false)
    }

    /// The settings, or every problem with them at once.
    pub fn load_all(s: &Settings) -> Result<Self, Vec<crate::Error>> {
        let mut problems = Vec::new();
        let enabled = take(
            &mut problems,
            match s.var("SOP_NOTIFICATION_ENABLED").map(str::trim) {
                None => Ok(true),
                Some(v) => parse_bool(v).ok_or_else(|| {
                    Settings::invalid("SOP_NOTIFICATION_ENABLED", "write true or false")
                }),
            },
        );
        let channels = take(
            &mut problems,
            match s.var("SOP_APPROVAL_CHANNEL") {
                None => Ok(Vec::new()),
                Some(v) => {
                    parse_channels(v).map_err(|e| Settings::invalid("SOP_APPROVAL_CHANNEL", e))
                }
            },
        );
        let telegram_poll = take(
            &mut problems,
            match s.var("SOP_TELEGRAM_POLL").map(str::trim) {
                None => Ok(true),
                Some(v) => parse_bool(v)
                    .ok_or_else(|| Settings::invalid("SOP_TELEGRAM_POLL", "write true or false")),
            },
        );
        let max_attempts = take(
            &mut problems,
            match s.var("SOP_NOTIFY_MAX_ATTEMPTS") {
                None => Ok(DEFAULT_MAX_ATTEMPTS),
                Some(v) => v
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=100).contains(n))
                    .ok_or_else(|| {
                        Settings::invalid(
                            "SOP_NOTIFY_MAX_ATTEMPTS",
                            "write a whole number from 1 to 100",
                        )
                    }),
            },
        );
        let slack_token = take(&mut problems, secret(s, "SOP_SLACK_BOT_TOKEN"));
        let slack_signing_secret = take(&mut problems, secret(s, "SOP_SLACK_SIGNING_SECRET"));
        let telegram_token = take(&mut problems, secret(s, "SOP_TELEGRAM_BOT_TOKEN"));
        let telegram_webhook_secret = take(&mut problems, secret(s, "SOP_TELEGRAM_WEBHOOK_SECRET"));
        let webhook_secret = take(&mut problems, secret(s, "SOP_NOTIFY_WEBHOOK_SECRET"));
        let slack_api_url = take(
            &mut problems,
            base_url(s, "SOP_SLACK_API_URL", DEFAULT_SLACK_API_URL),
        );
        let telegram_api_url = take(
            &mut problems,
            base_url(s, "SOP_TELEGRAM_API_URL", DEFAULT_TELEGRAM_API_URL),
        );
        let public_url = take(
            &mut problems,
            match s.var("SOP_PUBLIC_URL") {
                None => Ok(None),
                Some(_) => base_url(s, "SOP_PUBLIC_URL", "").map(Some),
            },
        );
        let reminder = take(
            &mut problems,
            duration(s, "SOP_APPROVAL_REMINDER", DEFAULT_REMINDER),
        );
        let timeout = take(
            &mut problems,
            duration(s, "SOP_NOTIFY_TIMEOUT", DEFAULT_TIMEOUT),
        );
        let retry_base = take(
            &mut problems,
            duration(s, "SOP_NOTIFY_RETRY_BASE", DEFAULT_RETRY_BASE),
        );
        let poll = take(&mut problems, duration(s, "SOP_NOTIFY_POLL", DEFAULT_POLL));
        let settings = (|| {
            Some(NotifySettings {
                enabled: enabled?,
                channels: channels?,
                slack_token: slack_token?,
                slack_signing_secret: slack_signing_secret?,
                telegram_token: telegram_token?,
                telegram_webhook_secret: telegram_webhook_secret?,
                telegram_poll: telegram_poll?,
                webhook_secret: webhook_secret?,
                slack_api_url: slack_api_url?,
                telegram_api_url: telegram_api_url?,
                public_url: public_url?,
                reminder: reminder?,
                timeout: timeout?,
                retry_base: retry_base?,
                max_attempts: max_attempts?,
                poll: poll?,
            })
        })();
        settings.ok_or(problems)
    }

    /// The channels of an SOP: its own `approval_channel`, else `SOP_APPROVAL_CHANNEL`.
    pub fn channels_for(&self, own: Option<&str>) -> Vec<Channel> {
        match own.map(parse_channels) {
            Some(Ok(c)) => c,
            // The definition parser refuses a bad list; never reached with a checked SOP.
            Some(Err(_)) => Vec::new(),
            None => self.channels.clone(),
        }
    }

    /// The credentials `channels` need that are not set, by setting name.
    pub fn missing_credentials(&self, channels: &[Channel]) -> Vec<&'static str> {
        let mut out = Vec::new();
        for c in channels {
            let missing = match c {
                Channel::Slack(_) if self.slack_token.is_none() => Some("SOP_SLACK_BOT_TOKEN"),
                Channel::Telegram(_) if self.telegram_token.is_none() => {
                    Some("SOP_TELEGRAM_BOT_TOKEN")
                }
                Channel::Webhook(_) if self.webhook_secret.is_none() => {
                    Some("SOP_NOTIFY_WEBHOOK_SECRET")
                }
                _ => None,
            };
            if let Some(m) = missing.filter(|m| !out.contains(m)) {
                out.push(m);
            }
        }
        out
    }
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// `r`'s value, its error added to `problems`.
fn take<T>(problems: &mut Vec<crate::Error>, r: crate::Result<T>) -> Option<T> {
    r.map_err(|e| problems.push(e)).ok()
}

/// `NAME`, else the contents of the file `NAME_FILE` (trailing newline removed).
fn secret(s: &Settings, name: &str) -> crate::Result<Option<Secret>> {
    if let Some(v) = s.var(name) {
        return Ok(Some(Secret(v.trim().to_string())));
    }
    let file_var = format!("{name}_FILE");
    let Some(path) = s.var(&file_var) else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| Settings::invalid(&file_var, format!("cannot read {path}: {e}")))?;
    let text = text.trim();
    if text.is_empty() {
        return Err(Settings::invalid(&file_var, format!("{path} is empty")));
    }
    Ok(Some(Secret(text.to_string())))
}

fn base_url(s: &Settings, name: &str, default: &str) -> crate::Result<String> {
    let Some(v) = s.var(name) else {
        return Ok(default.to_string());
    };
    let v = v.trim().trim_end_matches('/');
    if !(v.starts_with("http://") || v.starts_with("https://")) || v.contains(char::is_whitespace) {
        return Err(Settings::invalid(
            name,
            "write an http:// or https:// address, e.g. https://sop.example.com",
        ));
    }
    Ok(v.to_string())
}

fn duration(s: &Settings, name: &str, default: Duration) -> crate::Result<Duration> {
    match s.var(name) {
        None => Ok(default),
        Some(v) => parse_duration(v).map_err(|e| Settings::invalid(name, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(pairs: &[(&str, &str)]) -> crate::Result<NotifySettings> {
        NotifySettings::load(&Settings::from_vars(
            None,
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>(),
        ))
    }

    #[test]
    fn defaults_and_missing_credentials() {
        let s = load(&[("SOP_APPROVAL_CHANNEL", "slack:#ops,webhook:https://h/x")]).unwrap();
        assert!(s.enabled);
        assert_eq!(s.reminder, Duration::from_secs(3600));
        assert_eq!(s.slack_api_url, DEFAULT_SLACK_API_URL);
        assert_eq!(
            s.missing_credentials(&s.channels),
            ["SOP_SLACK_BOT_TOKEN", "SOP_NOTIFY_WEBHOOK_SECRET"]
        );
        let own = s.channels_for(Some("telegram:42"));
        assert_eq!(s.missing_credentials(&own), ["SOP_TELEGRAM_BOT_TOKEN"]);
    }

    #[test]
    fn secrets_come_from_files_and_never_print() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("t");
        std::fs::write(&f, "xoxb-123\n").unwrap();
        let s = load(&[("SOP_SLACK_BOT_TOKEN_FILE", f.to_str().unwrap())]).unwrap();
        assert_eq!(s.slack_token.as_ref().unwrap().expose(), "xoxb-123");
        assert!(!format!("{s:?}").contains("xoxb"));
    }

    #[test]
    fn bad_values_name_the_setting() {
        for (k, v) in [
            ("SOP_NOTIFICATION_ENABLED", "maybe"),
            ("SOP_APPROVAL_CHANNEL", "irc:#x"),
            ("SOP_PUBLIC_URL", "sop.example.com"),
            ("SOP_APPROVAL_REMINDER", "soon"),
            ("SOP_NOTIFY_MAX_ATTEMPTS", "0"),
        ] {
            let e = load(&[(k, v)]).unwrap_err();
            assert!(e.message.contains(k), "{k}: {}", e.message);
        }
    }
}
