//! Variables whose value is code, or decides which code runs, so a placeholder may not set them.
//!
//! No list of such variables can be complete (any program may read any variable as a command),
//! so this is a safety net for the well-known ones: those the shell itself runs or expands
//! (`BASH_ENV`, `ENV`, `PS0`-`PS4`, `PROMPT_COMMAND`), those that change how the rest of the
//! script is read (`IFS`, `SHELLOPTS`), search paths and preloads (`PATH`, `*_PATH`, `LD_*`),
//! and the commands, options and startup files other programs run (`*_COMMAND`, `EDITOR`,
//! `PAGER`, `*_OPTIONS`, `PYTHONSTARTUP`, exported functions `BASH_FUNC_*`).

const EXACT: &[&str] = &[
    "BASH_ENV",
    "ENV",
    "PS0",
    "PS1",
    "PS2",
    "PS3",
    "PS4",
    "PROMPT_COMMAND",
    "IFS",
    "SHELL",
    "SHELLOPTS",
    "BASHOPTS",
    "ZDOTDIR",
    "EDITOR",
    "VISUAL",
    "PAGER",
    "BROWSER",
    "LESSOPEN",
    "LESSCLOSE",
    "PYTHONSTARTUP",
    "PYTHONHOME",
    "PERL5OPT",
    "PERL5DB",
    "RUBYOPT",
    "HOSTALIASES",
    "GIT_EXTERNAL_DIFF",
];

const PREFIXES: &[&str] = &["LD_", "DYLD_", "BASH_FUNC_", "GIT_CONFIG_"];

const SUFFIXES: &[&str] = &[
    "PATH", "_COMMAND", "_CMD", "ASKPASS", "EDITOR", "PAGER", "_OPTS", "_OPTIONS", "LIB",
];

/// Whether assigning a value to the variable `name` can run code.
pub(super) fn is_dangerous(name: &str) -> bool {
    EXACT.contains(&name)
        || PREFIXES.iter().any(|p| name.starts_with(p))
        || SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// The variable that `prefix` (the text of a word before a placeholder) assigns to:
/// `BASH_ENV=` and `--setenv=PS4=` give `BASH_ENV` and `PS4`; `a+=` gives `a`.
pub(super) fn assigned(prefix: &str) -> Option<&str> {
    let (before, _) = prefix.rsplit_once('=')?;
    let before = before.strip_suffix('+').unwrap_or(before);
    let start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '%'))
        .map_or(0, |i| i + 1);
    let name = &before[start..];
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        .then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_bearing_variables() {
        for name in [
            "BASH_ENV",
            "PS4",
            "PROMPT_COMMAND",
            "IFS",
            "PATH",
            "LD_PRELOAD",
            "PYTHONPATH",
            "GIT_SSH_COMMAND",
            "SUDO_ASKPASS",
            "NODE_OPTIONS",
            "JAVA_TOOL_OPTIONS",
            "PERL5LIB",
            "BASH_FUNC_ls%%",
        ] {
            assert!(is_dangerous(name), "{name}");
        }
        for name in [
            "VERSION",
            "HOST",
            "path",
            "LOG_LEVEL",
            "ENVIRONMENT",
            "REGION",
        ] {
            assert!(!is_dangerous(name), "{name}");
        }
    }

    #[test]
    fn the_name_before_the_equals_sign() {
        assert_eq!(assigned("BASH_ENV="), Some("BASH_ENV"));
        assert_eq!(assigned("--setenv=PS4=\""), Some("PS4"));
        assert_eq!(assigned("a+="), Some("a"));
        assert_eq!(assigned("-e PATH="), Some("PATH"));
        assert_eq!(assigned("x=1,2="), None);
        assert_eq!(assigned("echo "), None);
    }
}
