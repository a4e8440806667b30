//! What a word stands for once the shell has removed its quotes, when that can be known without
//! running anything: `\eval`, `"eval"`, `'ev'al` and `$'eval'` are all `eval`.

use super::command::Word;

/// The word's value, or `None` when it holds a placeholder or an expansion (`$x`, `$(...)`,
/// backquotes, globs, braces) whose value only the running shell knows.
pub(super) fn literal(word: &Word) -> Option<String> {
    if !word.holes.is_empty() {
        return None;
    }
    unquote(&word.text)
}

/// Removes quotes and backslashes from `text` as the shell does; `None` as for [`literal`].
pub(super) fn unquote(text: &str) -> Option<String> {
    if matches!(text, "[" | "[[" | "]]" | "{" | "}" | "!") {
        return Some(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('\n') => {}
                Some(next) => out.push(next),
                None => out.push('\\'),
            },
            '\'' => loop {
                match chars.next()? {
                    '\'' => break,
                    c => out.push(c),
                }
            },
            '"' => loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => {
                        let next = chars.next()?;
                        if !"$`\"\\\n".contains(next) {
                            out.push('\\');
                        }
                        out.push(next);
                    }
                    '$' | '`' => return None,
                    c => out.push(c),
                }
            },
            // `$'...'` without escapes is plain text; `$"..."` is a double-quoted string.
            '$' if chars.peek() == Some(&'\'') => {
                chars.next();
                loop {
                    match chars.next()? {
                        '\'' => break,
                        '\\' => return None,
                        c => out.push(c),
                    }
                }
            }
            '$' if chars.peek() == Some(&'"') => {}
            '$' | '`' | '*' | '?' | '[' | '{' | '}' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

/// The program a command word names: its file name, also when only the directory is computed
/// (`$HOME/bin/deploy` is `deploy`).
pub(super) fn program_name(word: &Word) -> Option<String> {
    if !word.holes.is_empty() {
        return None;
    }
    let base = |path: String| match path.rsplit_once('/') {
        Some((_, name)) if !name.is_empty() => name.to_string(),
        _ => path,
    };
    if let Some(path) = unquote(&word.text) {
        return Some(base(path));
    }
    let text = word.text.as_str();
    let unquoted = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) if !inner.contains('"') => inner,
        _ => text,
    };
    let (_, name) = unquoted.rsplit_once('/')?;
    unquote(name).filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str) -> Word {
        Word {
            text: text.to_string(),
            ..Word::default()
        }
    }

    #[test]
    fn quotes_and_escapes_are_removed() {
        for text in [
            "eval",
            "\\eval",
            "\"eval\"",
            "'eval'",
            "'ev'al",
            "e\\val",
            "$'eval'",
            "$\"eval\"",
            "e\"v\"'a'l",
        ] {
            assert_eq!(literal(&word(text)).as_deref(), Some("eval"), "{text}");
        }
    }

    #[test]
    fn expansions_have_no_literal_value() {
        for text in [
            "$x",
            "${e}val",
            "\"$x\"",
            "$(echo eval)",
            "`echo eval`",
            "$'\\145val'",
            "ev*l",
            "e[v]al",
            "{eval,x}",
            "'open",
        ] {
            assert_eq!(literal(&word(text)), None, "{text}");
        }
        assert_eq!(literal(&word("[[")).as_deref(), Some("[["));
    }

    #[test]
    fn program_names_are_file_names() {
        assert_eq!(program_name(&word("/bin/sh")).as_deref(), Some("sh"));
        assert_eq!(
            program_name(&word("\"$HOME\"/bin/deploy")).as_deref(),
            Some("deploy")
        );
        assert_eq!(
            program_name(&word("\"$HOME/bin/deploy\"")).as_deref(),
            Some("deploy")
        );
        assert_eq!(program_name(&word("\"${a/b/eval}\"")), None);
        assert_eq!(program_name(&word("$TOOL")), None);
        assert_eq!(program_name(&word("\"$D/ev\"al")), None);
    }
}
