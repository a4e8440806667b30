//! Where notifications go and which events an SOP announces: the channel grammar
//! (`slack:#ops`, `telegram:-100123`, `webhook:https://…`, several separated by commas) and the
//! `notify_on` events. Text in, values out; sending is the engine's.

mod channel;
mod event;

pub use channel::{Channel, ChannelError, parse_channels};
pub use event::{DEFAULT_EVENTS, NotifyEvent};
