//! Splits expression source into tokens, collecting every lexical problem in one pass.

use super::number::Number;
use super::parse_error::ParseError;
use super::token::{Tok, Token};

/// Tokens of `src` (always ending in `Eof`) and the problems found on the way.
pub(crate) fn lex(src: &str) -> (Vec<Token>, Vec<ParseError>) {
    let mut lexer = Lexer {
        src,
        pos: 0,
        tokens: Vec::new(),
        errors: Vec::new(),
    };
    lexer.run();
    (lexer.tokens, lexer.errors)
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    tokens: Vec<Token>,
    errors: Vec<ParseError>,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.src.get(self.pos + offset..)?.chars().next()
    }

    fn push(&mut self, tok: Tok, start: usize) {
        self.tokens.push(Token {
            tok,
            span: start..self.pos,
        });
    }

    fn run(&mut self) {
        while let Some(c) = self.peek() {
            let start = self.pos;
            if c.is_whitespace() {
                self.pos += c.len_utf8();
                continue;
            }
            if c.is_ascii_alphabetic() || c == '_' {
                self.word(start);
            } else if c.is_ascii_digit() {
                self.number(start);
            } else if c == '\'' || c == '"' {
                self.string(start, c);
            } else {
                self.symbol(start, c);
            }
        }
        let end = self.src.len();
        self.tokens.push(Token {
            tok: Tok::Eof,
            span: end..end,
        });
    }

    fn word(&mut self, start: usize) {
        let len = self.src[start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(self.src.len() - start);
        self.pos = start + len;
        let tok = Tok::keyword(&self.src[start..self.pos]).unwrap_or(Tok::Ident);
        self.push(tok, start);
    }

    fn digits(&mut self) {
        let len = self.src[self.pos..]
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(self.src.len() - self.pos);
        self.pos += len;
    }

    fn number(&mut self, start: usize) {
        self.digits();
        if self.peek() == Some('.') && self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
            self.digits();
        } else if self.peek() == Some('.') && !self.peek_at(1).is_some_and(is_name_start) {
            self.pos += 1;
            self.errors.push(
                ParseError::new(
                    start..self.pos,
                    "a decimal point must be followed by digits",
                )
                .with_help("write e.g. `1.5`, or `1` for a whole number"),
            );
            self.push(Tok::Error, start);
            return;
        }
        let digits_end = self.pos;
        if self.peek() == Some('%') {
            self.pos += 1;
        }
        match Number::from_literal(&self.src[start..digits_end]) {
            Some(n) => self.push(Tok::Number(n), start),
            None => {
                self.errors.push(ParseError::new(
                    start..self.pos,
                    "number is too large to represent",
                ));
                self.push(Tok::Error, start);
            }
        }
    }

    fn string(&mut self, start: usize, quote: char) {
        self.pos += 1;
        let mut text = String::new();
        loop {
            let Some(c) = self.peek() else {
                self.errors.push(
                    ParseError::new(start..self.src.len(), "unterminated string")
                        .with_help(format!("close the string with {quote}")),
                );
                self.push(Tok::Error, start);
                return;
            };
            let at = self.pos;
            self.pos += c.len_utf8();
            match c {
                c if c == quote => break,
                '\\' => self.escape(at, &mut text),
                c => text.push(c),
            }
        }
        self.push(Tok::Str(text), start);
    }

    /// One escape after a backslash at `at`, appended to `text`.
    fn escape(&mut self, at: usize, text: &mut String) {
        let Some(c) = self.peek() else {
            return;
        };
        self.pos += c.len_utf8();
        let simple = match c {
            '\\' => Some('\\'),
            '\'' => Some('\''),
            '"' => Some('"'),
            'n' => Some('\n'),
            't' => Some('\t'),
            'r' => Some('\r'),
            '0' => Some('\0'),
            _ => None,
        };
        if let Some(ch) = simple {
            text.push(ch);
            return;
        }
        if c == 'u' && self.peek() == Some('{') {
            let rest = &self.src[self.pos + 1..];
            if let Some(close) = rest.find('}').filter(|&c| c <= 8) {
                let hex = &rest[..close];
                self.pos += close + 2;
                let ch = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
                match ch {
                    Some(ch) => text.push(ch),
                    None => self.errors.push(
                        ParseError::new(at..self.pos, format!("`\\u{{{hex}}}` is not a character"))
                            .with_help("use a hexadecimal Unicode scalar value such as `\\u{e9}`"),
                    ),
                }
                return;
            }
        }
        // Any other escape is kept as written, so regex patterns read naturally: '^\d+$'.
        text.push('\\');
        text.push(c);
    }

    fn symbol(&mut self, start: usize, c: char) {
        let next = self.peek_at(1);
        // Operators from other languages: reported with the fix, and read as the fix so the
        // rest of the expression is still checked without follow-on errors.
        let foreign = [
            ("===", Tok::EqEq, "=="),
            ("!==", Tok::NotEq, "!="),
            ("<>", Tok::NotEq, "!="),
            ("=>", Tok::Ge, ">="),
            ("=<", Tok::Le, "<="),
        ];
        if let Some((op, tok, fix)) = foreign
            .into_iter()
            .find(|(op, ..)| self.src[start..].starts_with(op))
        {
            self.pos += op.len();
            self.errors.push(
                ParseError::new(start..self.pos, format!("unknown operator `{op}`"))
                    .with_help(format!("write `{fix}`")),
            );
            self.push(tok, start);
            return;
        }
        let two = |t: Tok| (t, 2);
        let (tok, len) = match (c, next) {
            ('=', Some('=')) => two(Tok::EqEq),
            ('!', Some('=')) => two(Tok::NotEq),
            ('<', Some('=')) => two(Tok::Le),
            ('>', Some('=')) => two(Tok::Ge),
            ('&', Some('&')) => two(Tok::And),
            ('|', Some('|')) => two(Tok::Or),
            ('<', _) => (Tok::Lt, 1),
            ('>', _) => (Tok::Gt, 1),
            ('!', _) => (Tok::Not, 1),
            ('(', _) => (Tok::LParen, 1),
            (')', _) => (Tok::RParen, 1),
            ('[', _) => (Tok::LBracket, 1),
            (']', _) => (Tok::RBracket, 1),
            (',', _) => (Tok::Comma, 1),
            ('.', _) => (Tok::Dot, 1),
            ('-', _) => (Tok::Minus, 1),
            _ => {
                self.pos += c.len_utf8();
                self.errors.push(unexpected_char(start..self.pos, c));
                // A lone `=`, `&` or `|` most likely meant the doubled operator: read it so, and
                // the rest of the expression is still checked without follow-on errors.
                let guess = match c {
                    '=' => Tok::EqEq,
                    '&' => Tok::And,
                    '|' => Tok::Or,
                    _ => Tok::Error,
                };
                self.push(guess, start);
                return;
            }
        };
        self.pos += len;
        self.push(tok, start);
    }
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn unexpected_char(span: std::ops::Range<usize>, c: char) -> ParseError {
    let help = match c {
        '=' => Some("compare with `==`"),
        '&' => Some("write `&&` or `and`"),
        '|' => Some("write `||` or `or`"),
        '`' => Some("quote strings with ' or \""),
        '+' | '*' | '/' => Some("the language has no arithmetic; compare values instead"),
        '{' | '}' => Some("objects cannot be written in an expression; read them from data"),
        c if c.is_alphabetic() => {
            Some("names use ASCII letters, digits and `_`; other text goes in quotes, e.g. 'é'")
        }
        _ => None,
    };
    let e = ParseError::new(span, format!("unexpected character `{}`", c.escape_debug()));
    match help {
        Some(h) => e.with_help(h),
        None => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        let (t, e) = lex(src);
        assert!(e.is_empty(), "{e:?}");
        t.into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn lone_operators_read_as_the_doubled_ones() {
        let (t, e) = lex("a = 1 & b");
        assert_eq!(e.len(), 2);
        let kinds: Vec<_> = t.into_iter().map(|t| t.tok).collect();
        assert_eq!(kinds[1], Tok::EqEq);
        assert_eq!(kinds[3], Tok::And);
    }

    #[test]
    fn operators_and_keywords() {
        assert_eq!(
            toks("a >= 'x' AND not b || c != 80%"),
            vec![
                Tok::Ident,
                Tok::Ge,
                Tok::Str("x".into()),
                Tok::And,
                Tok::Not,
                Tok::Ident,
                Tok::Or,
                Tok::Ident,
                Tok::NotEq,
                Tok::Number(Number::Int(80)),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn string_escapes() {
        assert_eq!(
            toks(r#"'it\'s' "a\"b\n\u{e9}" '\d+\\.' '\u{123456789}'"#),
            vec![
                Tok::Str("it's".into()),
                Tok::Str("a\"b\né".into()),
                // Unknown escapes stay as written, for regex patterns.
                Tok::Str(r"\d+\.".into()),
                Tok::Str(r"\u{123456789}".into()),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn every_lexical_problem_is_reported() {
        let (_, errors) = lex("a = 1 & b # '\\u{zz}' 'open");
        let messages: Vec<_> = errors
            .iter()
            .map(|e| (e.span.clone(), e.message.as_str()))
            .collect();
        assert_eq!(
            messages,
            vec![
                (2..3, "unexpected character `=`"),
                (6..7, "unexpected character `&`"),
                (10..11, "unexpected character `#`"),
                (13..19, "`\\u{zz}` is not a character"),
                (21..26, "unterminated string"),
            ]
        );
        assert_eq!(errors[0].help.as_deref(), Some("compare with `==`"));
    }

    #[test]
    fn operators_of_other_languages_name_the_fix() {
        for (src, fix) in [("x <> 1", "`!=`"), ("x => 1", "`>=`"), ("x =< 1", "`<=`")] {
            let errors = lex(src).1;
            assert_eq!(errors.len(), 1, "{src}: {errors:?}");
            assert_eq!(
                errors[0].help.as_deref(),
                Some(format!("write {fix}").as_str())
            );
        }
    }

    #[test]
    fn unexpected_characters_say_what_to_write() {
        let help = |c: char| unexpected_char(0..1, c).help;
        assert_eq!(
            help('+').as_deref(),
            Some("the language has no arithmetic; compare values instead")
        );
        assert!(help('é').is_some_and(|h| h.contains("other text goes in quotes")));
        assert!(help('{').is_some_and(|h| h.contains("objects cannot be written")));
        assert_eq!(help('#'), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(toks("2.5"), vec![Tok::Number(Number::Float(2.5)), Tok::Eof]);
        assert_eq!(
            lex("1.").1[0].message,
            "a decimal point must be followed by digits"
        );
        assert_eq!(
            lex(&"9".repeat(400)).1[0].message,
            "number is too large to represent"
        );
    }
}
