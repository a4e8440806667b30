//! The one integration-test binary: runs the real `sop` binary against throwaway SOP dirs.

mod support;

mod smoke;
mod eval;
mod fact;
