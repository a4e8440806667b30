//! The naming rules of definitions: SOP names, event names and globs, webhook paths, env vars.

/// Longest SOP name we accept; names appear in URLs, file names and terminal columns.
pub const MAX_NAME_LEN: usize = 64;

/// Why `name` is not a valid SOP name, or `None` when it is. SOP names are folder names, CLI
/// arguments and URL segments at once, hence the narrow alphabet.
pub fn sop_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("the name is empty".into());
    }
    if name.chars().count() > MAX_NAME_LEN {
        return Some(format!("the name is longer than {MAX_NAME_LEN} characters"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '_'))
    {
        let what = match c {
            c if c.is_ascii_uppercase() => "an upper-case letter".to_string(),
            ' ' => "a space".to_string(),
            '/' | '\\' => "a path separator".to_string(),
            '.' => "a dot".to_string(),
            c => format!("`{}`", c.escape_debug()),
        };
        return Some(format!("the name contains {what}"));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Some("the name must start with a letter or a digit".into());
    }
    None
}

pub const SOP_NAME_RULE: &str = "use lowercase letters, digits, `-` and `_`, starting with a letter or digit (e.g. `deploy-prod`)";

/// Why `event` is not a valid event name or glob. Events are dot-separated lowercase words
/// (`deploy.failed`); a segment may be `*` to match any one segment (`deploy.*`).
pub fn event_problem(event: &str) -> Option<String> {
    if event.is_empty() {
        return Some("the event name is empty".into());
    }
    for segment in event.split('.') {
        if segment.is_empty() {
            return Some(
                "the event name has an empty segment (two dots, or a leading or trailing dot)"
                    .into(),
            );
        }
        if segment == "*" {
            continue;
        }
        if segment.contains('*') {
            return Some(format!(
                "`*` must be a whole segment (`deploy.*`), not part of `{segment}`"
            ));
        }
        if let Some(c) = segment
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-'))
        {
            return Some(if c.is_ascii_uppercase() {
                "the event name contains an upper-case letter".to_string()
            } else {
                format!("the event name contains `{}`", c.escape_debug())
            });
        }
    }
    None
}

pub const EVENT_RULE: &str = "write dot-separated lowercase words such as `deploy.failed`; a whole segment may be `*` (`deploy.*`)";

/// Why `path` is not a valid webhook path. Paths are matched exactly, so they are kept to a
/// plain, unambiguous form.
pub fn webhook_path_problem(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return Some("the path must start with `/`".into());
    }
    if path.len() > 1 && path.ends_with('/') {
        return Some("the path must not end with `/`".into());
    }
    if path.contains("//") {
        return Some("the path contains an empty segment (`//`)".into());
    }
    if path.split('/').any(|s| s == "." || s == "..") {
        return Some("the path contains a `.` or `..` segment".into());
    }
    if let Some(c) = path
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.')))
    {
        return Some(format!("the path contains `{}`", c.escape_debug()));
    }
    if let Some(taken) = reserved_path(path) {
        return Some(format!("`{taken}` is served by `sop serve` itself"));
    }
    None
}

/// The server path `path` collides with (itself or anything below it, in any case; `/`, the
/// console's first page, only itself), if any.
pub fn reserved_path(path: &str) -> Option<&'static str> {
    if path == "/" {
        return Some("/");
    }
    let lower = path.to_ascii_lowercase();
    RESERVED_PATHS.iter().copied().find(|r| {
        lower
            .strip_prefix(r)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// Paths of the server's own endpoints, which a webhook cannot take, nor anything below them:
/// the API, health and metrics, the console, the approval pages that gate links open, and the
/// chat services' callbacks. A webhook there would never be reached: the server's own route
/// answers first.
const RESERVED_PATHS: &[&str] = &[
    "/api",
    "/healthz",
    "/metrics",
    "/ui",
    "/approve",
    "/hooks/slack",
    "/hooks/telegram",
];

/// The help for a webhook path that collides with the server's own endpoints.
pub const RESERVED_RULE: &str = "`sop serve` answers `/api/...`, `/healthz`, `/metrics`, the console (`/`, `/ui/...`), approval links (`/approve/...`) and chat callbacks (`/hooks/slack/...`, `/hooks/telegram`) itself; choose a path outside them, such as `/hooks/incident`";

pub const WEBHOOK_RULE: &str =
    "write a path such as `/hr/new-employee`: letters, digits, `-`, `_` and `.` between slashes";

/// Why `name` is not a usable environment variable name.
pub fn env_var_problem(name: &str) -> Option<String> {
    let mut chars = name.chars();
    match chars.next() {
        None => Some("the variable name is empty".into()),
        Some(c) if !(c.is_ascii_alphabetic() || c == '_') => {
            Some("a variable name must start with a letter or `_`".into())
        }
        _ if !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') => {
            Some("a variable name may only contain letters, digits and `_`".into())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_paths_cannot_take_the_servers_own() {
        for taken in [
            "/api",
            "/api/sop/x/trigger",
            "/API/x",
            "/healthz",
            "/metrics",
            "/ui",
            "/ui/runs",
        ] {
            let problem = webhook_path_problem(taken).unwrap();
            assert!(
                problem.contains("served by `sop serve`"),
                "{taken}: {problem}"
            );
        }
        assert_eq!(reserved_path("/Metrics/x"), Some("/metrics"));
        assert_eq!(reserved_path("/apis"), None);
        assert_eq!(webhook_path_problem("/apis"), None);
        assert_eq!(webhook_path_problem("/uix"), None);
        assert_eq!(webhook_path_problem("/metrics-x"), None);
        assert_eq!(webhook_path_problem("/webhook/incident"), None);
    }

    #[test]
    fn sop_names() {
        assert_eq!(sop_name_problem("deploy-prod"), None);
        assert_eq!(sop_name_problem("backup_2"), None);
        assert!(sop_name_problem("").is_some());
        assert!(sop_name_problem("Deploy").unwrap().contains("upper-case"));
        assert!(sop_name_problem("my sop").unwrap().contains("space"));
        assert!(sop_name_problem("a/b").unwrap().contains("separator"));
        assert!(sop_name_problem("..").unwrap().contains("dot"));
        assert!(sop_name_problem("-x").unwrap().contains("start"));
        assert!(sop_name_problem(&"a".repeat(65)).is_some());
    }

    #[test]
    fn event_names_and_globs() {
        assert_eq!(event_problem("deploy.failed"), None);
        assert_eq!(event_problem("deploy.*"), None);
        assert_eq!(event_problem("*"), None);
        assert!(event_problem("deploy..failed").is_some());
        assert!(event_problem("deploy.fail*").is_some());
        assert!(event_problem("Deploy.Failed").is_some());
        assert!(event_problem("").is_some());
    }

    #[test]
    fn webhook_paths() {
        assert_eq!(webhook_path_problem("/incident"), None);
        assert_eq!(webhook_path_problem("/hr/new-employee"), None);
        assert!(webhook_path_problem("incident").is_some());
        assert!(webhook_path_problem("/a//b").is_some());
        assert!(webhook_path_problem("/a/../b").is_some());
        assert!(webhook_path_problem("/a?b=1").is_some());
        assert!(webhook_path_problem("/a/").is_some());
    }

    #[test]
    fn env_vars_and_identifiers() {
        assert_eq!(env_var_problem("HOOK_SECRET"), None);
        assert!(env_var_problem("1X").is_some());
        assert!(env_var_problem("A-B").is_some());
    }
}
