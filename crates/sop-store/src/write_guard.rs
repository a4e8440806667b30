//! Catches a transaction body that reads or writes through its store instead of its [`crate::Tx`]:
//! that would wait for the connection the body itself holds (a deadlock) or read around the
//! body's own writes. Each store marks the thread while it runs a body.

use crate::error::{Result, StoreError};
use std::cell::Cell;

thread_local! {
    /// The store whose `write` body this thread is running (its address), or 0.
    static WRITING: Cell<usize> = const { Cell::new(0) };
}

/// Marks this thread as running a body of the store at `key` until the guard is dropped.
pub struct Writing {
    outer: usize,
}

impl Writing {
    pub fn enter(key: usize) -> Self {
        Writing {
            outer: WRITING.with(|w| w.replace(key)),
        }
    }
}

impl Drop for Writing {
    fn drop(&mut self) {
        WRITING.with(|w| w.set(self.outer));
    }
}

/// An error if this thread is inside a `write` body of the store at `key`.
pub fn not_writing(key: usize) -> Result<()> {
    if WRITING.with(|w| w.get()) == key {
        return Err(StoreError::Backend(
            "inside Store::write, read and write through the transaction, not the store".into(),
        ));
    }
    Ok(())
}
