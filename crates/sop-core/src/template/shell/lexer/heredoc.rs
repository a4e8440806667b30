//! Here-documents: the delimiter after `<<`, and the body lines, where quotes are not read.

use super::{Lexer, Token, is_separator};

pub(super) struct Heredoc {
    pub delimiter: String,
    pub strip_tabs: bool,
}

impl Lexer<'_> {
    /// After `<<` or `<<-`: reads the delimiter word of a here-document.
    pub(super) fn heredoc_operator(&mut self) {
        let strip_tabs = self.peek_char(0) == Some('-');
        if strip_tabs {
            self.at += 1;
        }
        while matches!(self.peek_char(0), Some(' ' | '\t')) {
            self.at += 1;
        }
        let mut delimiter = String::new();
        let mut quote: Option<char> = None;
        while let Some(token) = self.peek(0) {
            match token {
                Token::Hole(h) => {
                    self.refuse(
                        h,
                        "a placeholder cannot be a here-document delimiter",
                        "write the delimiter literally, e.g. `<<'EOF'`; a value is \"${env}\"",
                    );
                }
                Token::Char(c) if quote == Some(c) => quote = None,
                Token::Char(c) if quote.is_some() => delimiter.push(c),
                Token::Char(c @ ('\'' | '"')) => quote = Some(c),
                Token::Char('\\') => {
                    if let Some(next) = self.peek_char(1) {
                        delimiter.push(next);
                        self.at += 1;
                    }
                }
                Token::Char(c) if is_separator(c) => break,
                Token::Char(c) => delimiter.push(c),
            }
            self.at += 1;
        }
        if delimiter.is_empty() {
            self.unsure.get_or_insert("a `<<` without a delimiter");
        }
        self.pending.push(Heredoc {
            delimiter,
            strip_tabs,
        });
    }

    /// After a line break in code: the bodies of the here-documents opened on that line.
    pub(super) fn heredoc_bodies(&mut self) {
        for doc in std::mem::take(&mut self.pending) {
            while self.peek(0).is_some() {
                let mut line = String::new();
                let mut holes = Vec::new();
                while let Some(token) = self.peek(0) {
                    self.at += 1;
                    match token {
                        Token::Char('\n') => break,
                        Token::Char(c) => line.push(c),
                        Token::Hole(h) => holes.push(h),
                    }
                }
                for h in holes.iter().copied() {
                    self.refuse(
                        h,
                        "a placeholder inside a here-document is not supported: quotes are \
                         not read there",
                        "write \"${env}\" in an unquoted here-document (`<<EOF`) instead \
                         of {placeholder}",
                    );
                }
                let text = if doc.strip_tabs {
                    line.trim_start_matches('\t')
                } else {
                    &line
                };
                if holes.is_empty() && text == doc.delimiter {
                    break;
                }
            }
        }
    }
}
