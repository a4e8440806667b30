//! Who a tool call acts for: the actor (`--as`, `SOP_USER` or the OS user) and the client the
//! MCP handshake named. The actor alone decides what may be done; the client is recorded beside
//! it in the audit trail as `client` (`mcp:claude-desktop`).

use sop_engine::{Caller, StopSignal};

/// What a blocking thread needs to build its [`Caller`]: plain data, so it can cross threads.
#[derive(Debug, Clone)]
pub struct Identity {
    pub actor: String,
    /// `mcp:<client name>`, or `mcp` when the client gave none.
    pub client: String,
    /// Shared by every call of one server: set when the server shuts down.
    pub stop: StopSignal,
}

impl Identity {
    /// The caller of one operation. Progress is not streamed: a call returns a document.
    pub fn caller(&self) -> Caller<'static> {
        Caller::quiet(self.actor.clone())
            .with_stop(self.stop.clone())
            .with_client(self.client.clone())
    }
}

/// `mcp:NAME` for the client named `NAME` in the handshake. The name is the client's own
/// claim: it says through what a decision came, never who took it.
pub fn client_label(name: Option<&str>) -> String {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => {
            let clean: String = n.chars().filter(|c| !c.is_control()).take(64).collect();
            format!("mcp:{clean}")
        }
        None => "mcp".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_label_names_the_client_and_drops_control_characters() {
        assert_eq!(client_label(Some("claude-desktop")), "mcp:claude-desktop");
        assert_eq!(client_label(Some(" a\nb ")), "mcp:ab");
        assert_eq!(client_label(Some("")), "mcp");
        assert_eq!(client_label(None), "mcp");
    }
}
