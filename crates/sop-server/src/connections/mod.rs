//! The server's connections: accepted through a [`Listener`] that closes when the server starts
//! draining, read through a [`Socket`] that closes a connection idle too long or sending its
//! request head too slowly, and counted, so that a draining server closes them as soon as none
//! is left or its drain window ends.

mod connection;
mod handling;
mod listener;
mod open;
mod socket;
mod timeouts;

pub use connection::Connection;
pub use handling::layer;
pub use listener::Listener;
pub use open::{OpenConnections, OpenCount};
pub use socket::Socket;
pub use timeouts::HttpTimeouts;
