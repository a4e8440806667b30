//! How the deciders of an SOP's gates prove who they are: by their identity (the actor a front
//! end vouches for), or only with a gate token.

use sop_core::definition::Sop;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalAuth {
    /// The actor's identity is enough.
    Identity,
    /// A decision taken through a program (an MCP client) needs the gate's token.
    Token,
}

/// The SOP's `approval_auth`. SOP.toml has no such key yet, so every SOP decides by identity;
/// once `[sop] approval_auth = "token"` is parsed, this is the one place that reads it.
pub fn approval_auth(_sop: &Sop) -> ApprovalAuth {
    ApprovalAuth::Identity
}
