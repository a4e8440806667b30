//! Reads the options of a program the guard knows, the way getopt does: clusters (`-ec`),
//! glued values (`-uroot`, `--user=root`), `--`, and values in the next word.

use super::command::Word;
use super::literal::literal;
use super::programs::{Kind, Program};

/// What the option words of one invocation held.
#[derive(Debug, Default)]
pub(super) struct Options<'w> {
    /// The options given, each as `-x` or `--long`.
    pub seen: Vec<String>,
    /// Words given as the value of a code option: code.
    pub code: Vec<&'w Word>,
    /// Placeholders in option words and option values.
    pub holes: Vec<usize>,
    /// Placeholders in option words with a code option glued on (`-c{{ x }}`).
    pub glued_code: Vec<usize>,
    /// Index of the first operand (or of the end).
    pub end: usize,
    /// Options ended with `--`.
    pub dashdash: bool,
    /// Options ended with a `last_options` option.
    pub last: bool,
}

impl Options<'_> {
    pub fn has(&self, options: &[&str]) -> bool {
        self.seen.iter().any(|s| options.contains(&s.as_str()))
    }
}

/// Reads options of `program` from `words[from..]`.
pub(super) fn read<'w>(program: &Program, words: &[&'w Word], from: usize) -> Options<'w> {
    let mut o = Options::default();
    let mut i = from;
    while let Some(word) = words.get(i) {
        let Some(text) = literal(word) else {
            if !word.text.starts_with('-') {
                break;
            }
            // An option with a placeholder or an expansion in it: `--user={{ u }}`.
            o.holes.extend(&word.holes);
            if program
                .code_options
                .iter()
                .any(|c| word.text.starts_with(c))
            {
                o.glued_code.extend(&word.holes);
            }
            i += 1;
            continue;
        };
        if text == "--" {
            o.dashdash = true;
            i += 1;
            break;
        }
        let plus = program.kind == Kind::Shell && text.starts_with('+');
        if text.len() < 2 || !(text.starts_with('-') || plus) {
            break;
        }
        let takes = if text.starts_with("--") {
            long(program, &text, &mut o)
        } else {
            cluster(program, &text, &mut o)
        };
        i += 1;
        match takes {
            Takes::Nothing => {}
            Takes::Value => {
                if let Some(value) = words.get(i) {
                    o.holes.extend(&value.holes);
                }
                i += 1;
            }
            Takes::Code => {
                if let Some(value) = words.get(i) {
                    o.holes.extend(&value.holes);
                    o.code.push(value);
                }
                i += 1;
            }
        }
        if o.has(program.last_options) {
            o.last = true;
            break;
        }
    }
    o.end = i.min(words.len());
    o
}

/// What an option word needs from the next word.
enum Takes {
    Nothing,
    Value,
    Code,
}

fn long(program: &Program, text: &str, o: &mut Options) -> Takes {
    let (name, glued) = match text.split_once('=') {
        Some((name, _)) => (name, true),
        None => (text, false),
    };
    o.seen.push(name.to_string());
    let code = program.kind != Kind::Shell && program.code_options.contains(&name);
    match (glued, code, program.value_options.contains(&name)) {
        (true, ..) | (false, false, false) => Takes::Nothing,
        (false, true, _) => Takes::Code,
        (false, false, true) => Takes::Value,
    }
}

/// `-abc`: flags, until one that takes a value (the rest of the word, or the next word).
fn cluster(program: &Program, text: &str, o: &mut Options) -> Takes {
    let sign = &text[..1];
    let letters = &text[1..];
    // A whole-word option such as `-Command` or `-ec` listed as it is.
    if letters.chars().count() > 1 && program.code_options.contains(&text) {
        o.seen.push(text.to_string());
        return if program.kind == Kind::Shell {
            Takes::Nothing
        } else {
            Takes::Code
        };
    }
    for (at, letter) in letters.char_indices() {
        let option = format!("{sign}{letter}");
        let last = at + letter.len_utf8() == letters.len();
        let code = program.code_options.contains(&option.as_str());
        let value = program.value_options.contains(&option.as_str());
        o.seen.push(option);
        if program.kind == Kind::Shell && code {
            continue;
        }
        if code || value {
            return match (last, code) {
                (false, _) => Takes::Nothing,
                (true, true) => Takes::Code,
                (true, false) => Takes::Value,
            };
        }
    }
    Takes::Nothing
}
