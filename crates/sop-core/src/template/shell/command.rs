//! The words of one simple command as the scan reads them, for [`evaluated`](super::evaluated)
//! to judge once the command ends.

/// One word so far: its text (quote characters included) and the placeholders in it, including
/// those inside a `$(...)` that is part of it.
#[derive(Debug, Default)]
pub(super) struct Word {
    pub text: String,
    pub holes: Vec<usize>,
    /// Inside `name[`…`]`: an array subscript, which bash evaluates as arithmetic.
    pub subscript: bool,
}

impl Word {
    pub fn is_empty(&self) -> bool {
        self.text.is_empty() && self.holes.is_empty()
    }

    /// Whether a `[` now opens an array subscript (`name[`), or a `[` begins the word.
    pub fn opens_subscript(&self) -> bool {
        let mut chars = self.text.chars();
        match chars.next() {
            None => true,
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
            }
            Some(_) => false,
        }
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
}

/// Reserved words and prefixes that may come before the command name.
const PREFIXES: [&str; 9] = [
    "if", "then", "else", "elif", "while", "until", "do", "!", "{",
];

const INTEGER_DECLARATIONS: [&str; 5] = ["declare", "typeset", "local", "export", "readonly"];

impl Command {
    /// Ends the current word, noting where a `[[ ... ]]` starts and ends.
    pub fn end_word(&mut self) {
        if self.word.is_empty() {
            return;
        }
        let word = std::mem::take(&mut self.word);
        if self.in_test && word.text == "]]" {
            self.in_test = false;
        } else if word.text == "[[" && self.name_index() == self.words.len() {
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

    /// Index of the command name: the first word that is not a reserved word or an assignment
    /// (`words.len()` while it has not come yet).
    fn name_index(&self) -> usize {
        self.words
            .iter()
            .position(|w| !PREFIXES.contains(&w.text.as_str()) && !is_assignment(&w.text))
            .unwrap_or(self.words.len())
    }

    pub fn name_and_args(&self) -> Option<(&str, &[Word])> {
        let i = self.name_index();
        let name = self.words.get(i)?;
        Some((name.text.as_str(), &self.words[i + 1..]))
    }

    /// Whether this command declares integer variables (`declare -i`), after which plain
    /// assignments are evaluated as arithmetic.
    pub fn declares_integer(&self) -> bool {
        self.name_and_args().is_some_and(|(name, args)| {
            INTEGER_DECLARATIONS.contains(&name) && integer_option(args)
        })
    }
}

fn is_assignment(text: &str) -> bool {
    text.split_once('=').is_some_and(|(name, _)| {
        let mut chars = name.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

fn integer_option(args: &[Word]) -> bool {
    args.iter()
        .any(|w| w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains('i'))
}
