//! What a step printed: the last bytes, the total size and a SHA-256 of everything.

use sha2::{Digest, Sha256};
use std::collections::VecDeque;

/// How much of a step's output is kept (stdout and stderr together, in order of arrival).
pub const TAIL_BYTES: usize = 64 * 1024;

/// Collects a step's combined output as it arrives.
pub struct Capture {
    tail: VecDeque<u8>,
    limit: usize,
    total: u64,
    hasher: Sha256,
}

/// The captured output of a step, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedOutput {
    /// The last [`TAIL_BYTES`] bytes (fewer if less was printed). Raw bytes: output need not be
    /// UTF-8, and the cut may fall inside a character.
    pub tail: Vec<u8>,
    /// Bytes printed in all, including what the tail no longer holds.
    pub total_bytes: u64,
    /// Lower-case hex SHA-256 of all bytes printed.
    pub sha256: String,
}

impl Capture {
    pub fn new() -> Self {
        Self::with_limit(TAIL_BYTES)
    }

    pub fn with_limit(limit: usize) -> Self {
        Capture {
            tail: VecDeque::new(),
            limit,
            total: 0,
            hasher: Sha256::new(),
        }
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.total += bytes.len() as u64;
        self.hasher.update(bytes);
        let keep = &bytes[bytes.len().saturating_sub(self.limit)..];
        let overflow = (self.tail.len() + keep.len()).saturating_sub(self.limit);
        self.tail.drain(..overflow);
        self.tail.extend(keep);
    }

    pub fn finish(self) -> CapturedOutput {
        CapturedOutput {
            tail: Vec::from(self.tail),
            total_bytes: self.total,
            sha256: hex::encode(self.hasher.finalize()),
        }
    }
}

impl Default for Capture {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_everything_below_the_limit() {
        let mut c = Capture::with_limit(10);
        c.push(b"abc");
        c.push(b"def");
        let out = c.finish();
        assert_eq!(out.tail, b"abcdef");
        assert_eq!(out.total_bytes, 6);
        assert_eq!(out.sha256, hex::encode(Sha256::digest(b"abcdef")));
    }

    #[test]
    fn keeps_the_last_bytes_across_chunks() {
        let mut c = Capture::with_limit(4);
        c.push(b"abc");
        c.push(b"defgh");
        c.push(b"i");
        let out = c.finish();
        assert_eq!(out.tail, b"fghi");
        assert_eq!(out.total_bytes, 9);
        assert_eq!(out.sha256, hex::encode(Sha256::digest(b"abcdefghi")));
    }
}
