//! Notifications: what the engine announces (a gate opened, a reminder before its deadline, a
//! run failed, expired or succeeded) and how it reaches people. `enqueue` writes the outbox in
//! the transaction that changes what it announces; `sender` delivers it from a thread of its
//! own through one adapter per channel (`slack`, `telegram`, `webhook`), built from the typed
//! document `content` makes; `telegram_poll` reads button presses through `getUpdates`
//! (`telegram_updates`) on the one node holding the `poller_claim`; `users` maps chat accounts
//! to sop users; `limits` keeps every text within what Slack and Telegram accept.

pub mod content;
pub mod enqueue;
pub mod http;
pub mod limits;
pub mod poller_claim;
pub mod sender;
pub mod settings;
pub mod slack;
pub mod slack_signature;
pub mod telegram;
pub mod telegram_poll;
pub mod telegram_updates;
pub mod users;
pub mod webhook;
pub mod wording;

pub use sender::{Sender, Verdict, Worker};
pub use settings::NotifySettings;
pub use users::ChatUser;
