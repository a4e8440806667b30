//! The one integration-test binary: runs the real `sop` binary against throwaway SOP dirs.

mod support;

mod check;
mod check_at;
mod eval;
mod fact;
mod list;
mod show;
mod smoke;
