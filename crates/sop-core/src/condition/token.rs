//! The tokens of the condition language.

use super::number::Number;
use std::ops::Range;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// A name as written; the parser lower-cases roots.
    Ident,
    Number(Number),
    Str(String),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    Minus,
    EqEq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    Not,
    In,
    Matches,
    True,
    False,
    Null,
    /// Text the lexer already reported as a problem; the parser skips it without a second report.
    Error,
    Eof,
}

#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub tok: Tok,
    pub span: Range<usize>,
}

/// The language's keywords, each with its token; they cannot be names.
pub const KEYWORDS: [(&str, Tok); 8] = [
    ("and", Tok::And),
    ("or", Tok::Or),
    ("not", Tok::Not),
    ("in", Tok::In),
    ("matches", Tok::Matches),
    ("true", Tok::True),
    ("false", Tok::False),
    ("null", Tok::Null),
];

impl Tok {
    /// The keyword a word spells, ignoring case (names and keywords are case-insensitive).
    pub fn keyword(word: &str) -> Option<Tok> {
        KEYWORDS
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(word))
            .map(|(_, t)| t.clone())
    }

    /// How the token reads in an error message.
    pub fn describe(&self, text: &str) -> String {
        match self {
            Tok::Eof => "the end of the expression".to_string(),
            Tok::Str(_) => format!("the string {text}"),
            Tok::Number(_) => format!("the number `{text}`"),
            Tok::Ident => format!("the name `{text}`"),
            _ => format!("`{text}`"),
        }
    }
}
