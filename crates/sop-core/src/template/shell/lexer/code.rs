//! Unquoted command text: words, commands, and the characters that open quotes, substitutions,
//! comments and here-documents.

use super::super::command::Redirect;
use super::{Frame, Lexer, Quoting, Token};

impl Lexer<'_> {
    pub(super) fn code(&mut self, token: Token) {
        let c = match token {
            Token::Hole(h) => return self.place(h, Quoting::Unquoted),
            Token::Char(c) => c,
        };
        let word_start = self.command().word.is_empty();
        let in_test = self.command().in_test;
        match c {
            '\\' => self.backslash(),
            '\'' => {
                self.take(c);
                self.stack.push(Frame::Single);
            }
            '"' => {
                self.take(c);
                self.stack.push(Frame::Double);
            }
            '`' => {
                self.take(c);
                self.stack.push(Frame::Backquote);
            }
            '$' if self.peek_char(1) == Some('\'') => {
                self.take('$');
                self.take('\'');
                self.stack.push(Frame::AnsiC);
            }
            '$' if self.peek_char(1) == Some('"') => {
                self.take('$');
                self.take('"');
                self.stack.push(Frame::Double);
            }
            '$' if self.dollar() => {}
            '#' if word_start => {
                self.at += 1;
                self.stack.push(Frame::Comment);
            }
            // `((...))` is arithmetic in bash, where quotes do not make a value plain data.
            '(' if word_start && !in_test && self.peek_char(1) == Some('(') => {
                self.take('(');
                self.take('(');
                self.stack.push(Frame::Arith {
                    depth: 0,
                    bracket: false,
                });
            }
            '[' => {
                let word = &mut self.command().word;
                if word.opens_subscript() {
                    word.subscript = true;
                }
                self.take(c);
            }
            ']' => {
                self.command().word.subscript = false;
                self.take(c);
            }
            '<' | '>' if in_test => {
                self.end_word();
                self.at += 1;
            }
            // Process substitution: `<(...)` is a word naming a file with the output.
            '<' | '>' if self.peek_char(1) == Some('(') => {
                self.take(c);
                self.take('(');
                self.push_code();
            }
            '<' if self.peek_char(1) == Some('<') && self.peek_char(2) == Some('<') => {
                self.end_word();
                self.at += 3;
                self.command().redirect_next = Some(Redirect::HereString);
            }
            '<' if self.peek_char(1) == Some('<') => {
                self.end_word();
                self.at += 2;
                self.heredoc_operator();
            }
            '(' => {
                if let Frame::Code {
                    paren_depth: Some(d),
                } = self.top()
                {
                    self.set_top(Frame::Code {
                        paren_depth: Some(d + 1),
                    });
                }
                self.separator(in_test);
            }
            ')' => match self.top() {
                Frame::Code {
                    paren_depth: Some(0),
                } => {
                    self.at += 1;
                    self.pop_code();
                    self.command().word.text.push(')');
                }
                Frame::Code {
                    paren_depth: Some(d),
                } => {
                    self.set_top(Frame::Code {
                        paren_depth: Some(d - 1),
                    });
                    self.separator(in_test);
                }
                _ => self.separator(in_test),
            },
            '\n' => {
                if in_test {
                    self.end_word();
                } else {
                    self.end_command();
                }
                self.at += 1;
                self.heredoc_bodies();
            }
            '<' | '>' => self.redirect(c),
            '&' if !in_test && self.peek_char(1) == Some('>') => {
                self.end_word();
                self.at += 1;
                self.redirect('>');
            }
            '|' if !in_test && self.peek_char(1) == Some('|') => {
                self.end_command();
                self.at += 2;
            }
            '|' if !in_test => {
                self.end_command_into(true);
                self.at += 1;
                if self.peek_char(0) == Some('&') {
                    self.at += 1;
                }
            }
            c if c.is_whitespace() => {
                self.end_word();
                self.at += 1;
            }
            ';' | '&' | '|' => self.separator(in_test),
            c => self.take(c),
        }
    }

    /// `<`, `>` and what completes the operator (`>>`, `>|`, `>&`, `<&`, `<>`): the word before
    /// is a descriptor number when it is all digits, the next word the redirection's target.
    fn redirect(&mut self, c: char) {
        let word = &mut self.command().word;
        if word.holes.is_empty()
            && !word.text.is_empty()
            && word.text.bytes().all(|b| b.is_ascii_digit())
        {
            word.redirect = Some(Redirect::Fd);
        }
        self.end_word();
        self.at += 1;
        let tail = match c {
            '>' => ['>', '|', '&'].as_slice(),
            _ => ['&', '>'].as_slice(),
        };
        if self.peek_char(0).is_some_and(|n| tail.contains(&n)) {
            self.at += 1;
        }
        self.command().redirect_next = Some(if c == '<' {
            Redirect::Input
        } else {
            Redirect::Output
        });
    }

    /// A character that ends the command, except inside `[[ ... ]]` where it only ends a word.
    fn separator(&mut self, in_test: bool) {
        if in_test {
            self.end_word();
        } else {
            self.end_command();
        }
        self.at += 1;
    }
}
