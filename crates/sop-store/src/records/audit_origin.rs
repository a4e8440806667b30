//! Where audit entries come from: the operating-system account and host of the process that
//! writes them, recorded beside the claimed actor.

use serde::{Deserialize, Serialize};

/// Set once per store handle when it is opened; every entry the handle appends records it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditOrigin {
    pub os_user: Option<String>,
    pub host: Option<String>,
}

impl AuditOrigin {
    pub fn new(os_user: impl Into<String>, host: impl Into<String>) -> Self {
        AuditOrigin {
            os_user: Some(os_user.into()).filter(|s| !s.is_empty()),
            host: Some(host.into()).filter(|s| !s.is_empty()),
        }
    }

    /// The account from `$USER` (else `$LOGNAME`) and the kernel's host name.
    ///
    /// Temporary: reading who runs the process belongs to the settings layer, which will use the
    /// password database for the real uid and pass an [`AuditOrigin`] in; until then
    /// [`crate::open_from_env`] reads it here so existing callers keep working.
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().map(|v| v.trim().to_owned());
        let os_user = var("USER")
            .filter(|v| !v.is_empty())
            .or_else(|| var("LOGNAME"))
            .filter(|v| !v.is_empty());
        let host = ["/proc/sys/kernel/hostname", "/etc/hostname"]
            .iter()
            .find_map(|path| std::fs::read_to_string(path).ok())
            .map(|h| h.trim().to_owned())
            .or_else(|| var("HOSTNAME"))
            .filter(|h| !h.is_empty());
        AuditOrigin { os_user, host }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_names_count_as_unknown() {
        let o = AuditOrigin::new("", "host1");
        assert_eq!(o.os_user, None);
        assert_eq!(o.host.as_deref(), Some("host1"));
    }
}
