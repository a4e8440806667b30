//! An accepted TCP connection as the HTTP server reads it, with the limits hyper's own builder
//! would set but `axum::serve` does not expose: a connection whose next request does not begin
//! within the idle limit is closed quietly (end of stream), and one whose request head does not
//! end within the head limit is closed with an error (slowloris). While a request is handled
//! nothing here limits it: its body has a deadline of its own ([`crate::body_deadline`]).

use super::connection::{Connection, Limit};
use super::{HttpTimeouts, OpenCount};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

pub struct Socket {
    tcp: TcpStream,
    connection: Connection,
    limits: HttpTimeouts,
    /// Wakes the reader at the deadline it was last set to (`armed`).
    timer: Pin<Box<Sleep>>,
    armed: Option<Instant>,
    _open: OpenCount,
}

impl Socket {
    pub(super) fn new(tcp: TcpStream, limits: HttpTimeouts, open: OpenCount) -> Self {
        let now = Instant::now();
        Socket {
            tcp,
            connection: Connection::new(),
            limits,
            timer: Box::pin(tokio::time::sleep_until(now + limits.idle)),
            armed: None,
            _open: open,
        }
    }

    pub fn connection(&self) -> &Connection {
        &self.connection
    }
}

impl AsyncRead for Socket {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.tcp).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.connection.received(Instant::now());
                }
                return Poll::Ready(Ok(()));
            }
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => {}
        }
        let Some((deadline, limit)) = this.connection.read_pending(&this.limits) else {
            return Poll::Pending;
        };
        if !this.expired(deadline, cx) {
            return Poll::Pending;
        }
        match limit {
            // As a client that hung up: hyper closes the connection without a word.
            Limit::Idle => Poll::Ready(Ok(())),
            Limit::Head => {
                tracing::debug!(
                    limit = ?this.limits.head,
                    "closing a connection whose request head did not arrive in time"
                );
                Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "the request head did not arrive within {:?}",
                        this.limits.head
                    ),
                )))
            }
        }
    }
}

impl Socket {
    /// Whether `deadline` has passed; if not, the task is woken when it does.
    fn expired(&mut self, deadline: Instant, cx: &mut Context<'_>) -> bool {
        if self.armed != Some(deadline) {
            self.timer.as_mut().reset(deadline);
            self.armed = Some(deadline);
        }
        self.timer.as_mut().poll(cx).is_ready()
    }
}

impl AsyncWrite for Socket {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.tcp).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = written
            && n > 0
        {
            this.connection.sent(Instant::now());
        }
        written
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.tcp).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(n)) = written
            && n > 0
        {
            this.connection.sent(Instant::now());
        }
        written
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    /// hyper flushes after every answer it writes. Its read was left pending while the request
    /// was handled, without a limit, and hyper does not read again until the client sends
    /// something: the limit that now applies is armed here, so that the task wakes to read
    /// (and close) when it passes. Waking the task at once instead would have hyper give up
    /// draining a body that was still on its way, and close.
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let flushed = Pin::new(&mut this.tcp).poll_flush(cx);
        if let Some((deadline, _)) = this.connection.deadline(&this.limits)
            && this.expired(deadline, cx)
        {
            cx.waker().wake_by_ref();
        }
        flushed
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_shutdown(cx)
    }
}
