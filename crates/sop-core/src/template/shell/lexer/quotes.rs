//! The quoted and nested parts of a command: `'...'`, `$'...'`, `"..."`, backquotes, `${...}`,
//! arithmetic and comments.

use super::{ENV_HELP, Frame, Lexer, NUMBER_HELP, Quoting, Token};

impl Lexer<'_> {
    pub(super) fn single(&mut self, token: Token) {
        match token {
            Token::Hole(h) => self.place(h, Quoting::InSingleQuotes),
            Token::Char('\'') => {
                self.take('\'');
                self.stack.pop();
            }
            Token::Char(c) => self.take(c),
        }
    }

    pub(super) fn ansi_c(&mut self, token: Token) {
        match token {
            Token::Hole(h) => {
                self.refuse(
                    h,
                    "a placeholder inside `$'...'` is not supported",
                    ENV_HELP,
                );
                self.at += 1;
            }
            Token::Char('\\') => {
                // `sh` (dash) may not know `$'...'`; there `\'` would end the quote instead.
                if self.peek_char(1) == Some('\'') {
                    self.unsure
                        .get_or_insert("a `\\'` inside `$'...'` before it");
                }
                self.backslash();
            }
            Token::Char('\'') => {
                self.take('\'');
                self.stack.pop();
            }
            Token::Char(c) => self.take(c),
        }
    }

    pub(super) fn double(&mut self, token: Token) {
        match token {
            Token::Hole(h) => self.place(h, Quoting::InDoubleQuotes),
            Token::Char('\\') => self.backslash(),
            Token::Char('"') => {
                self.take('"');
                self.stack.pop();
            }
            Token::Char('`') => {
                self.take('`');
                self.stack.push(Frame::Backquote);
            }
            Token::Char('$') if self.dollar() => {}
            Token::Char(c) => self.take(c),
        }
    }

    pub(super) fn backquote(&mut self, token: Token) {
        match token {
            Token::Hole(h) => {
                self.refuse(
                    h,
                    "a placeholder inside backquotes `...` is not supported",
                    "use `$(...)` instead of backquotes, where placeholders are quoted, or write \
                     \"${env}\"",
                );
                self.at += 1;
            }
            Token::Char('\\') => self.backslash(),
            Token::Char('`') => {
                self.take('`');
                self.stack.pop();
            }
            Token::Char(c) => self.take(c),
        }
    }

    pub(super) fn brace(&mut self, token: Token) {
        let inside_double = self.stack.contains(&Frame::Double);
        match token {
            Token::Hole(h) => {
                self.refuse(
                    h,
                    "a placeholder inside `${...}` is not supported",
                    ENV_HELP,
                );
                self.at += 1;
            }
            Token::Char('\\') => self.backslash(),
            Token::Char('}') => {
                self.take('}');
                self.stack.pop();
            }
            Token::Char('{') => {
                // Shells differ on nested braces inside `${...}`.
                self.unsure.get_or_insert("a `{` inside `${...}` before it");
                self.take('{');
            }
            Token::Char('\'') if inside_double => {
                // Shells disagree on whether `'` quotes inside "${...}".
                self.unsure
                    .get_or_insert("a `'` inside \"${...}\" before it");
                self.take('\'');
            }
            Token::Char('\'') => {
                self.take('\'');
                self.stack.push(Frame::Single);
            }
            Token::Char('"') => {
                self.take('"');
                self.stack.push(Frame::Double);
            }
            Token::Char('`') => {
                self.take('`');
                self.stack.push(Frame::Backquote);
            }
            Token::Char('$') if self.dollar() => {}
            Token::Char(c) => self.take(c),
        }
    }

    pub(super) fn arith(&mut self, token: Token) {
        let Frame::Arith { depth, bracket } = self.top() else {
            unreachable!("arith() runs only for an arithmetic frame")
        };
        let (open, close) = if bracket { ('[', ']') } else { ('(', ')') };
        match token {
            Token::Hole(h) => {
                self.refuse(
                    h,
                    "a placeholder inside `((...))`, `$((...))` or `$[...]` is evaluated as \
                     arithmetic, which can run code",
                    NUMBER_HELP,
                );
                self.at += 1;
            }
            Token::Char(c) if c == open => {
                self.set_top(Frame::Arith {
                    depth: depth + 1,
                    bracket,
                });
                self.take(c);
            }
            Token::Char(c) if c == close && depth == 0 && bracket => {
                self.take(c);
                self.stack.pop();
            }
            Token::Char(c) if c == close && depth == 0 && self.peek_char(1) == Some(c) => {
                self.take(c);
                self.take(c);
                self.stack.pop();
            }
            Token::Char(c) if c == close => {
                self.set_top(Frame::Arith {
                    depth: depth.saturating_sub(1),
                    bracket,
                });
                self.take(c);
            }
            Token::Char('$') if self.dollar() => {}
            Token::Char(c) => self.take(c),
        }
    }

    pub(super) fn comment(&mut self, token: Token) {
        match token {
            Token::Hole(h) => self.place(h, Quoting::InComment),
            // The line break ends the comment and is then read as code (here-documents!).
            Token::Char('\n') => {
                self.stack.pop();
            }
            Token::Char(_) => self.at += 1,
        }
    }
}
