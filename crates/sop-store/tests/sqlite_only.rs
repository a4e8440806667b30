//! What only the SQLite backend has: its file (modes, WAL, reopening, upgrades), tampering with
//! it behind the store's back, its integrity check, and several processes on one file.

#[path = "suite/mod.rs"]
mod suite;

mod sqlite_only {
    pub mod durability;
    pub mod evidence;
    pub mod file_mode;
    pub mod processes;
    pub mod tamper;
    pub mod upgrade;
}
