//! Who is acting: `--as`, else `SOP_USER`, else the operating-system user.

use crate::Error;

/// The person a command acts for. Recorded as the run's starter and as the audit actor.
pub fn who(settings: &crate::Settings, as_flag: Option<&str>) -> crate::Result<String> {
    if let Some(name) = as_flag {
        return checked(name, "--as");
    }
    if let Some(name) = settings.var("SOP_USER") {
        return checked(name, "SOP_USER");
    }
    Ok(settings.os_user().to_string())
}

/// `name` as given by `source` (a flag, a setting, a header), checked as a user name.
pub fn named(name: &str, source: &str) -> crate::Result<String> {
    checked(name, source)
}

fn checked(name: &str, source: &str) -> crate::Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid(format!(
            "{source} is empty; give a user name, e.g. {source}=alice"
        )));
    }
    if name.chars().any(char::is_control) || name.chars().count() > 128 {
        return Err(Error::invalid(format!(
            "{source} `{}` is not a user name: use at most 128 printable characters",
            name.escape_default()
        )));
    }
    Ok(name.to_string())
}

/// The account this process runs as: the password database's name for our uid, else `$USER`,
/// else `uid:N`.
pub fn os_user() -> String {
    let uid = nix::unistd::getuid();
    if let Ok(Some(user)) = nix::unistd::User::from_uid(uid)
        && !user.name.trim().is_empty()
    {
        return user.name.trim().to_string();
    }
    match std::env::var("USER") {
        Ok(name) if !name.trim().is_empty() => name.trim().to_string(),
        _ => format!("uid:{uid}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_wins_and_is_checked() {
        let s = crate::Settings::from_vars(None, [("SOP_USER".to_string(), "carol".to_string())]);
        assert_eq!(who(&s, Some(" alice ")).unwrap(), "alice");
        assert_eq!(who(&s, None).unwrap(), "carol");
        let err = who(&s, Some("")).unwrap_err().to_string();
        assert!(err.contains("--as is empty"), "{err}");
        let err = who(&s, Some("a\nb")).unwrap_err().to_string();
        assert!(err.contains("not a user name"), "{err}");
    }

    #[test]
    fn the_os_user_has_a_name() {
        assert!(!os_user().is_empty());
    }
}
