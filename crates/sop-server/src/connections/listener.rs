//! The listening socket as `axum::serve` accepts from it: every connection wrapped in a
//! [`Socket`] and counted, and the socket closed once the server starts draining, so that a new
//! connection is refused at once (a load balancer's health check sees the server gone) while
//! the connections already open are answered.

use super::connection::Connection;
use super::{HttpTimeouts, OpenConnections, OpenCount, Socket};
use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::watch;

pub struct Listener {
    /// `None` once draining: the socket is closed.
    tcp: Option<tokio::net::TcpListener>,
    addr: SocketAddr,
    limits: HttpTimeouts,
    draining: watch::Receiver<bool>,
    open: OpenConnections,
}

impl Listener {
    /// Accepts from `tcp` until `draining` turns true.
    pub fn new(
        tcp: tokio::net::TcpListener,
        limits: HttpTimeouts,
        draining: watch::Receiver<bool>,
        open: OpenConnections,
    ) -> io::Result<Self> {
        Ok(Listener {
            addr: tcp.local_addr()?,
            tcp: Some(tcp),
            limits,
            draining,
            open,
        })
    }
}

impl axum::serve::Listener for Listener {
    type Io = Socket;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Socket, SocketAddr) {
        loop {
            let Some(tcp) = &self.tcp else {
                // Draining: the server's graceful shutdown ends the accepting.
                return std::future::pending().await;
            };
            let accepted = tokio::select! {
                // A dropped sender is a server on its way out, too.
                _ = self.draining.wait_for(|draining| *draining) => None,
                accepted = tcp.accept() => Some(accepted),
            };
            match accepted {
                None => self.tcp = None,
                Some(Ok((stream, addr))) => {
                    // Answers are written whole; waiting to fill a packet only delays them.
                    let _ = stream.set_nodelay(true);
                    return (
                        Socket::new(stream, self.limits, OpenCount::new(&self.open)),
                        addr,
                    );
                }
                Some(Err(e)) if is_connection_error(&e) => {}
                Some(Err(e)) => {
                    // Out of file descriptors, most likely: pause rather than spin.
                    tracing::error!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.addr)
    }
}

/// An error of one connection that went away before it was accepted; the next is fine.
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// Each request learns its connection through `ConnectInfo<Connection>`.
impl Connected<IncomingStream<'_, Listener>> for Connection {
    fn connect_info(stream: IncomingStream<'_, Listener>) -> Self {
        stream.io().connection().clone()
    }
}
