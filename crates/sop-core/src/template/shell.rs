//! Shell quoting, and where in a command each placeholder sits as far as the shell is concerned.
//!
//! A value is substituted as one single-quoted word (`'` becomes `'\''`), which a POSIX shell
//! reads as plain data. That only holds where the shell reads quotes at all, so the command text
//! around each placeholder is scanned the way `sh` and `bash` tokenise it:
//!
//! - unquoted: the value becomes `'value'`;
//! - inside `'...'`: the value's own quotes are escaped, closing and reopening the quote;
//! - inside `"..."`: the double quote is closed around `'value'` and reopened;
//! - inside a `#` comment: the placeholder is left as written (a comment runs nothing);
//! - anywhere else (backquotes, `$'...'`, `${...}`, `$((...))`, here-documents, right after a
//!   backslash or a `$`), and after constructs whose quoting cannot be told without running the
//!   shell, the placeholder is refused with a hint to use the `SOP_VAR_<NAME>` environment
//!   variable instead.

/// `value` as one single-quoted shell word: `it's` → `'it'\''s'`.
pub fn shell_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    out.push_str(&escape_single(value));
    out.push('\'');
    out
}

/// The text that stands for `value` inside an open single quote.
pub(crate) fn escape_single(value: &str) -> String {
    value.replace('\'', r"'\''")
}

/// How a placeholder's value is written, given where it sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quoting {
    Unquoted,
    InSingleQuotes,
    InDoubleQuotes,
    InComment,
}

/// A placeholder position the shell would not read as plain data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub reason: String,
    pub help: String,
}

/// A character of literal text, or placeholder number `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token {
    Char(char),
    Hole(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// Top level (`paren_depth: None`) or inside `$(...)` with that many open `(`.
    Code {
        paren_depth: Option<u32>,
    },
    Single,
    AnsiC,
    Double,
    Backquote,
    Brace,
    Arith {
        depth: u32,
    },
    Comment,
}

struct Heredoc {
    delimiter: String,
    strip_tabs: bool,
}

/// Decides the quoting of every placeholder in `tokens` (`holes` of them).
pub(crate) fn classify(tokens: &[Token], holes: usize) -> Vec<Result<Quoting, Refusal>> {
    let mut lexer = Lexer {
        tokens,
        at: 0,
        stack: vec![Frame::Code { paren_depth: None }],
        pending: Vec::new(),
        unsure: None,
        word: String::new(),
        word_start: true,
        out: vec![Ok(Quoting::Unquoted); holes],
    };
    lexer.run();
    lexer.out
}

const ENV_HELP: &str = "use the environment variable instead, e.g. \"$SOP_VAR_NAME\" for \
                        `{{ name }}` (or \"$SOP_STEP_2_KEY\" for `{{ steps.2.key }}`)";

struct Lexer<'t> {
    tokens: &'t [Token],
    at: usize,
    stack: Vec<Frame>,
    pending: Vec<Heredoc>,
    /// Set once the scan meets something whose quoting it cannot follow; every later
    /// placeholder is refused rather than guessed at.
    unsure: Option<&'static str>,
    /// The current unquoted word at top level or in `$(...)`, to spot `case`.
    word: String,
    word_start: bool,
    out: Vec<Result<Quoting, Refusal>>,
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> Option<Token> {
        self.tokens.get(self.at + ahead).copied()
    }

    fn peek_char(&self, ahead: usize) -> Option<char> {
        match self.peek(ahead) {
            Some(Token::Char(c)) => Some(c),
            _ => None,
        }
    }

    fn top(&self) -> Frame {
        *self
            .stack
            .last()
            .expect("the top-level frame is never popped")
    }

    fn refuse(&mut self, hole: usize, reason: &str, help: &str) {
        if self.out[hole].is_ok() {
            self.out[hole] = Err(Refusal {
                reason: reason.to_string(),
                help: help.to_string(),
            });
        }
    }

    fn place(&mut self, hole: usize, quoting: Quoting) {
        if quoting != Quoting::InComment
            && let Some(why) = self.unsure
        {
            let reason =
                format!("cannot tell how the shell quotes this placeholder because of {why}");
            self.refuse(hole, &reason, ENV_HELP);
            return;
        }
        self.out[hole] = Ok(quoting);
    }

    /// A backslash escapes the next character; before a placeholder it would escape the quote
    /// that protects the value.
    fn backslash(&mut self) {
        match self.peek(1) {
            Some(Token::Hole(h)) => {
                self.refuse(
                    h,
                    "a backslash right before a placeholder would escape the quoting of its value",
                    "remove the backslash; the value is quoted for you",
                );
                self.at += 1;
            }
            Some(Token::Char(_)) => self.at += 2,
            None => self.at += 1,
        }
    }

    fn run(&mut self) {
        while let Some(token) = self.peek(0) {
            match self.top() {
                Frame::Code { .. } => self.code(token),
                Frame::Single => self.single(token),
                Frame::AnsiC => self.ansi_c(token),
                Frame::Double => self.double(token),
                Frame::Backquote => self.backquote(token),
                Frame::Brace => self.brace(token),
                Frame::Arith { .. } => self.arith(token),
                Frame::Comment => self.comment(token),
            }
        }
    }

    /// `$` followed by `(`, `((`, `{`, `'` or `"` opens a frame; returns whether it did.
    fn dollar(&mut self) -> bool {
        match self.peek(1) {
            Some(Token::Char('(')) if self.peek_char(2) == Some('(') => {
                self.stack.push(Frame::Arith { depth: 0 });
                self.at += 3;
            }
            Some(Token::Char('(')) => {
                self.stack.push(Frame::Code {
                    paren_depth: Some(0),
                });
                self.at += 2;
                self.word_start = true;
            }
            Some(Token::Char('{')) => {
                self.stack.push(Frame::Brace);
                self.at += 2;
            }
            Some(Token::Hole(h)) => {
                self.refuse(
                    h,
                    "a `$` right before a placeholder changes how its value is read",
                    "put a space or other text between `$` and the placeholder",
                );
                self.at += 1;
            }
            _ => return false,
        }
        true
    }

    fn code(&mut self, token: Token) {
        let c = match token {
            Token::Hole(h) => {
                self.place(h, Quoting::Unquoted);
                self.word_start = false;
                self.word.clear();
                self.at += 1;
                return;
            }
            Token::Char(c) => c,
        };
        let starts_word = self.word_start;
        let separator = c.is_whitespace() || ";&|()<>".contains(c);
        if separator {
            self.end_word();
        }
        self.word_start = separator;
        match c {
            '\\' => self.backslash(),
            '\'' => {
                self.stack.push(Frame::Single);
                self.at += 1;
            }
            '"' => {
                self.stack.push(Frame::Double);
                self.at += 1;
            }
            '`' => {
                self.stack.push(Frame::Backquote);
                self.at += 1;
            }
            '$' if self.peek_char(1) == Some('\'') => {
                self.stack.push(Frame::AnsiC);
                self.at += 2;
            }
            '$' if self.peek_char(1) == Some('"') => {
                self.stack.push(Frame::Double);
                self.at += 2;
            }
            '$' if self.dollar() => {}
            '#' if starts_word => {
                self.stack.push(Frame::Comment);
                self.at += 1;
            }
            // `((...))` is arithmetic in bash, where quotes do not make a value plain data.
            '(' if starts_word && self.peek_char(1) == Some('(') => {
                self.stack.push(Frame::Arith { depth: 0 });
                self.at += 2;
            }
            '<' if self.peek_char(1) == Some('<') && self.peek_char(2) == Some('<') => {
                self.at += 3;
            }
            '<' if self.peek_char(1) == Some('<') => {
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
                self.at += 1;
            }
            ')' => {
                match self.top() {
                    Frame::Code {
                        paren_depth: Some(0),
                    } => {
                        self.stack.pop();
                    }
                    Frame::Code {
                        paren_depth: Some(d),
                    } => self.set_top(Frame::Code {
                        paren_depth: Some(d - 1),
                    }),
                    _ => {}
                }
                self.at += 1;
            }
            '\n' => {
                self.at += 1;
                self.heredoc_bodies();
            }
            _ => {
                if !separator {
                    self.word.push(c);
                }
                self.at += 1;
            }
        }
    }

    /// At the end of a word in `$(...)`: a `case` there has `)` patterns that do not close the
    /// substitution, which this scan does not follow.
    fn end_word(&mut self) {
        if self.word == "case"
            && self.stack.iter().any(|f| {
                matches!(
                    f,
                    Frame::Code {
                        paren_depth: Some(_)
                    }
                )
            })
        {
            self.unsure
                .get_or_insert("a `case` statement inside `$(...)` before it");
        }
        self.word.clear();
    }

    fn set_top(&mut self, frame: Frame) {
        *self
            .stack
            .last_mut()
            .expect("the top-level frame is never popped") = frame;
    }

    fn single(&mut self, token: Token) {
        match token {
            Token::Hole(h) => self.place(h, Quoting::InSingleQuotes),
            Token::Char('\'') => {
                self.stack.pop();
            }
            Token::Char(_) => {}
        }
        self.at += 1;
    }

    fn ansi_c(&mut self, token: Token) {
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
                self.stack.pop();
                self.at += 1;
            }
            Token::Char(_) => self.at += 1,
        }
    }

    fn double(&mut self, token: Token) {
        match token {
            Token::Hole(h) => {
                self.place(h, Quoting::InDoubleQuotes);
                self.at += 1;
            }
            Token::Char('\\') => self.backslash(),
            Token::Char('"') => {
                self.stack.pop();
                self.at += 1;
            }
            Token::Char('`') => {
                self.stack.push(Frame::Backquote);
                self.at += 1;
            }
            Token::Char('$') if self.dollar() => {}
            Token::Char(_) => self.at += 1,
        }
    }

    fn backquote(&mut self, token: Token) {
        match token {
            Token::Hole(h) => {
                self.refuse(
                    h,
                    "a placeholder inside backquotes `...` is not supported",
                    "use `$(...)` instead of backquotes; placeholders inside it are quoted",
                );
                self.at += 1;
            }
            Token::Char('\\') => self.backslash(),
            Token::Char('`') => {
                self.stack.pop();
                self.at += 1;
            }
            Token::Char(_) => self.at += 1,
        }
    }

    fn brace(&mut self, token: Token) {
        let inside_double = self.stack.iter().any(|f| *f == Frame::Double);
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
                self.stack.pop();
                self.at += 1;
            }
            Token::Char('{') => {
                self.unsure.get_or_insert("a `{` inside `${...}` before it");
                self.at += 1;
            }
            Token::Char('\'') if inside_double => {
                // Shells disagree on whether `'` quotes inside "${...}".
                self.unsure
                    .get_or_insert("a `'` inside \"${...}\" before it");
                self.at += 1;
            }
            Token::Char('\'') => {
                self.stack.push(Frame::Single);
                self.at += 1;
            }
            Token::Char('"') => {
                self.stack.push(Frame::Double);
                self.at += 1;
            }
            Token::Char('`') => {
                self.stack.push(Frame::Backquote);
                self.at += 1;
            }
            Token::Char('$') if self.dollar() => {}
            Token::Char(_) => self.at += 1,
        }
    }

    fn arith(&mut self, token: Token) {
        let Frame::Arith { depth } = self.top() else {
            unreachable!("arith() runs only for an arithmetic frame")
        };
        match token {
            Token::Hole(h) => {
                self.refuse(
                    h,
                    "a placeholder inside `$((...))` is not supported",
                    ENV_HELP,
                );
                self.at += 1;
            }
            Token::Char('(') => {
                self.set_top(Frame::Arith { depth: depth + 1 });
                self.at += 1;
            }
            Token::Char(')') if depth == 0 && self.peek_char(1) == Some(')') => {
                self.stack.pop();
                self.at += 2;
            }
            Token::Char(')') => {
                self.set_top(Frame::Arith {
                    depth: depth.saturating_sub(1),
                });
                self.at += 1;
            }
            Token::Char('$') if self.dollar() => {}
            Token::Char(_) => self.at += 1,
        }
    }

    fn comment(&mut self, token: Token) {
        match token {
            Token::Hole(h) => {
                self.place(h, Quoting::InComment);
                self.at += 1;
            }
            // The line break ends the comment and is then read as code (here-documents!).
            Token::Char('\n') => {
                self.stack.pop();
                self.word_start = true;
            }
            Token::Char(_) => self.at += 1,
        }
    }

    /// After `<<` or `<<-`: reads the delimiter word of a here-document.
    fn heredoc_operator(&mut self) {
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
                        "write the delimiter literally, e.g. `<<'EOF'`",
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
                Token::Char(c) if c.is_whitespace() || ";&|()<>".contains(c) => break,
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
    fn heredoc_bodies(&mut self) {
        for doc in std::mem::take(&mut self.pending) {
            loop {
                if self.peek(0).is_none() {
                    return;
                }
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
                        "write \"$SOP_VAR_NAME\" (or ${SOP_VAR_NAME}) in an unquoted \
                         here-document (`<<EOF`) instead of `{{ name }}`",
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
