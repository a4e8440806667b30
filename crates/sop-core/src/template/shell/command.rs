//! The words of one simple command as the scan reads them, for [`evaluated`](super::evaluated)
//! to judge once the command ends.

use super::literal::literal;

/// What a word is part of when it belongs to a redirection rather than to the command's
/// arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Redirect {
    /// The descriptor number before the operator: the `2` of `2>&1`.
    Fd,
    /// The file after `<`, `<&` or `<>`: the command reads it.
    Input,
    /// The file after `>`, `>>`, `>|`, `>&` or `&>`.
    Output,
    /// The word after `<<<`: the command reads it on standard input.
    HereString,
}

/// One word so far: its text (quote characters included) and the placeholders in it, including
/// those inside a `$(...)` that is part of it.
#[derive(Debug, Default)]
pub(super) struct Word {
    pub text: String,
    pub holes: Vec<usize>,
    /// Where in `text` each of `holes` sits (byte offsets).
    pub offsets: Vec<usize>,
    /// Inside `name[`…`]`: an array subscript, which bash evaluates as arithmetic.
    pub subscript: bool,
    pub redirect: Option<Redirect>,
}

impl Word {
    pub fn is_empty(&self) -> bool {
        self.text.is_empty() && self.holes.is_empty()
    }

    pub fn push_hole(&mut self, hole: usize) {
        self.offsets.push(self.text.len());
        self.holes.push(hole);
    }

    /// Whether a `[` now opens an array subscript (`name[`), or a `[` begins the word.
    pub fn opens_subscript(&self) -> bool {
        self.text.is_empty() || is_name(&self.text)
    }

    /// The text before each placeholder, with the placeholder.
    pub fn hole_prefixes(&self) -> impl Iterator<Item = (usize, &str)> + '_ {
        self.holes
            .iter()
            .zip(&self.offsets)
            .map(|(h, at)| (*h, &self.text[..*at]))
    }
}

/// A simple command at top level or in one `$(...)`.
#[derive(Debug, Default)]
pub(super) struct Command {
    pub words: Vec<Word>,
    pub word: Word,
    /// Between `[[` and `]]`, where `&&`, `||`, `(`, `)`, `<`, `>` do not end the command.
    pub in_test: bool,
    /// Set for a `$(...)` whose output bash evaluates as arithmetic (inside `$((...))`, `${...}`
    /// or an array subscript): every placeholder in it is refused with this reason.
    pub inside: Option<&'static str>,
    /// Placeholders of the commands already ended in the same frame.
    pub seen: Vec<usize>,
    /// The redirection the next word belongs to.
    pub redirect_next: Option<Redirect>,
    /// Placeholders of the earlier commands of the pipeline whose output this command reads.
    pub piped: Vec<usize>,
}

/// Reserved words and prefixes that may come before the command name.
const PREFIXES: [&str; 10] = [
    "if", "then", "else", "elif", "while", "until", "do", "!", "{", "coproc",
];

const INTEGER_DECLARATIONS: [&str; 5] = ["declare", "typeset", "local", "export", "readonly"];

impl Command {
    /// Ends the current word, noting where a `[[ ... ]]` starts and ends.
    pub fn end_word(&mut self) {
        if self.word.is_empty() {
            return;
        }
        let mut word = std::mem::take(&mut self.word);
        if word.redirect.is_none() {
            word.redirect = self.redirect_next.take();
        }
        if self.in_test && word.text == "]]" {
            self.in_test = false;
        } else if word.text == "[[" && word.redirect.is_none() && self.name().is_none() {
            self.in_test = true;
        }
        self.words.push(word);
    }

    /// All placeholders in the command so far.
    pub fn holes(&self) -> impl Iterator<Item = usize> + '_ {
        self.words
            .iter()
            .chain(std::iter::once(&self.word))
            .flat_map(|w| w.holes.iter().copied())
    }

    /// The words that are not part of a redirection.
    pub fn plain(&self) -> Vec<&Word> {
        self.words.iter().filter(|w| w.redirect.is_none()).collect()
    }

    /// Placeholders of the words the command reads on standard input: here-strings, input
    /// redirections and the pipeline before it.
    pub fn stdin_holes(&self) -> Vec<usize> {
        let redirected = self
            .words
            .iter()
            .filter(|w| matches!(w.redirect, Some(Redirect::Input | Redirect::HereString)));
        let mut holes: Vec<usize> = redirected.flat_map(|w| w.holes.iter().copied()).collect();
        holes.extend(&self.piped);
        holes
    }

    /// The index in [`plain`](Self::plain) of the command name.
    pub fn name(&self) -> Option<usize> {
        name_index(&self.plain())
    }

    /// Whether this command declares integer variables (`declare -i`), after which plain
    /// assignments are evaluated as arithmetic.
    pub fn declares_integer(&self) -> bool {
        let words = self.plain();
        let Some(i) = name_index(&words) else {
            return false;
        };
        literal(words[i]).is_some_and(|name| INTEGER_DECLARATIONS.contains(&name.as_str()))
            && words[i + 1..].iter().any(|w| {
                literal(w)
                    .is_some_and(|t| t.starts_with('-') && !t.starts_with("--") && t.contains('i'))
            })
    }
}

/// Index of the command name among `words`: the first word that is not a reserved word, the
/// name after `function` or an assignment. (`time` is read as a wrapper.)
pub(super) fn name_index(words: &[&Word]) -> Option<usize> {
    let mut i = 0;
    while let Some(word) = words.get(i) {
        let text = literal(word);
        match text.as_deref() {
            Some(t) if PREFIXES.contains(&t) => i += 1,
            Some("function") => i += 2,
            _ if is_assignment(word) => i += 1,
            _ => return Some(i),
        }
    }
    None
}

/// `name=value`, `name+=value` or `name[subscript]=value`, with the name written literally.
pub(super) fn is_assignment(word: &Word) -> bool {
    let Some(eq) = word.text.find('=') else {
        return false;
    };
    if word.offsets.first().is_some_and(|at| *at <= eq) {
        return false;
    }
    let name = word.text[..eq]
        .strip_suffix('+')
        .unwrap_or(&word.text[..eq]);
    let name = match name.split_once('[') {
        Some((name, subscript)) if subscript.ends_with(']') => name,
        Some(_) => return false,
        None => name,
    };
    is_name(name)
}

/// A shell variable name: letters, digits and `_`, not starting with a digit.
pub(super) fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
