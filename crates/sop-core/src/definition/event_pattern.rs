//! Which emitted events an event trigger answers: its `event` is a name or a glob whose `*`
//! segments each stand for one segment (`deploy.*` matches `deploy.failed`, not `deploy` or
//! `deploy.eu.failed`).

use super::names;

/// Whether the event `name` matches the trigger's `pattern`.
pub fn matches(pattern: &str, name: &str) -> bool {
    let mut p = pattern.split('.');
    let mut n = name.split('.');
    loop {
        match (p.next(), n.next()) {
            (None, None) => return true,
            (Some(ps), Some(ns)) if ps == "*" || ps == ns => {}
            _ => return false,
        }
    }
}

/// Why `name` cannot be emitted: it must be a valid event name without `*` (globs are for
/// triggers).
pub fn emitted_name_problem(name: &str) -> Option<String> {
    if let Some(problem) = names::event_problem(name) {
        return Some(problem);
    }
    name.split('.')
        .any(|s| s == "*")
        .then(|| "an emitted event names one event; `*` is for triggers".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_star_stands_for_exactly_one_segment() {
        assert!(matches("deploy.failed", "deploy.failed"));
        assert!(matches("deploy.*", "deploy.failed"));
        assert!(matches("*.failed", "build.failed"));
        assert!(matches("*", "deploy"));
        assert!(!matches("deploy.*", "deploy"));
        assert!(!matches("deploy.*", "deploy.eu.failed"));
        assert!(!matches("deploy.failed", "deploy.fail"));
        assert!(!matches("deploy", "deploy.failed"));
    }

    #[test]
    fn emitted_names_are_checked_and_take_no_glob() {
        assert_eq!(emitted_name_problem("deploy.failed"), None);
        assert!(emitted_name_problem("deploy.*").unwrap().contains("`*`"));
        assert!(
            emitted_name_problem("Deploy")
                .unwrap()
                .contains("upper-case")
        );
        assert!(emitted_name_problem("").unwrap().contains("empty"));
    }
}
