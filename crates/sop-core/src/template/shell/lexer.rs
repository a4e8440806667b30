//! Follows the quoting state of a command the way `sh` and `bash` tokenise it, and decides for
//! each placeholder how its value must be written, or that it cannot be written safely.

mod code;
mod heredoc;
mod quotes;

use super::command::Command;
use super::evaluated::{NUMBER_HELP, evaluated};
use super::{Quoting, Refusal, Token};
use heredoc::Heredoc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// Top level (`paren_depth: None`) or inside `$(...)` with that many open `(`. Each has its
    /// [`Command`] in `Lexer::commands`.
    Code {
        paren_depth: Option<u32>,
    },
    Single,
    AnsiC,
    Double,
    Backquote,
    Brace,
    /// `((...))` and `$((...))`, or bash's old `$[...]` (`bracket`).
    Arith {
        depth: u32,
        bracket: bool,
    },
    Comment,
}

const ENV_HELP: &str = super::help::ENV;

/// Characters that end a word outside quotes.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || ";&|()<>".contains(c)
}

pub(super) struct Lexer<'t> {
    tokens: &'t [Token],
    at: usize,
    stack: Vec<Frame>,
    commands: Vec<Command>,
    pending: Vec<Heredoc>,
    /// Set once the scan meets something whose quoting it cannot follow; every later
    /// placeholder is refused rather than guessed at.
    unsure: Option<&'static str>,
    /// A `declare -i` anywhere makes every assignment to that variable arithmetic, also in code
    /// that comes earlier in the text (a function called later), so it taints the whole block.
    declares_integer: bool,
    out: Vec<Result<Quoting, Refusal>>,
}

impl<'t> Lexer<'t> {
    pub fn new(tokens: &'t [Token], holes: usize) -> Self {
        Lexer {
            tokens,
            at: 0,
            stack: vec![Frame::Code { paren_depth: None }],
            commands: vec![Command::default()],
            pending: Vec::new(),
            unsure: None,
            declares_integer: false,
            out: vec![Ok(Quoting::Unquoted); holes],
        }
    }

    pub fn run(mut self) -> Vec<Result<Quoting, Refusal>> {
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
        // Unclosed `$(...)` frames end with the text; their commands end there too.
        while self.commands.len() > 1 {
            self.close_command_frame();
        }
        self.end_command();
        if self.declares_integer {
            for h in 0..self.out.len() {
                if matches!(self.out[h], Ok(q) if q != Quoting::InComment) {
                    self.refuse(
                        h,
                        "this block declares an integer variable (`-i`), whose assignments bash \
                         evaluates as arithmetic, which can run code",
                        NUMBER_HELP,
                    );
                }
            }
        }
        self.out
    }

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

    fn set_top(&mut self, frame: Frame) {
        *self
            .stack
            .last_mut()
            .expect("the top-level frame is never popped") = frame;
    }

    fn command(&mut self) -> &mut Command {
        self.commands
            .last_mut()
            .expect("the top-level command is never popped")
    }

    /// Takes the current character into the current word and moves past it.
    fn take(&mut self, c: char) {
        self.command().word.text.push(c);
        self.at += 1;
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
        self.at += 1;
        if self.out[hole].is_err() {
            return;
        }
        if quoting == Quoting::InComment {
            self.out[hole] = Ok(quoting);
            return;
        }
        let command = self.command();
        command.word.push_hole(hole);
        let inside = command.inside;
        let subscript = command.word.subscript;
        if let Some(why) = self.unsure {
            let reason =
                format!("cannot tell how the shell quotes this placeholder because of {why}");
            self.refuse(hole, &reason, ENV_HELP);
        } else if let Some(reason) = inside {
            self.refuse(hole, reason, NUMBER_HELP);
        } else if subscript {
            self.refuse(
                hole,
                "a placeholder inside an array subscript is evaluated as arithmetic, which can \
                 run code",
                NUMBER_HELP,
            );
        } else {
            self.out[hole] = Ok(quoting);
        }
    }

    /// A backslash escapes the next character; before a placeholder it would escape the quote
    /// that protects the value.
    fn backslash(&mut self) {
        match self.peek(1) {
            Some(Token::Hole(h)) => {
                self.refuse(
                    h,
                    "a backslash right before a placeholder would escape the quoting of its value",
                    "remove the backslash; the value is quoted for you (or write \"${env}\")",
                );
                self.take('\\');
            }
            Some(Token::Char(c)) => {
                self.take('\\');
                self.take(c);
            }
            None => self.take('\\'),
        }
    }

    /// Ends the simple command: refuses what it would evaluate as code.
    fn end_command(&mut self) {
        self.end_command_into(false);
    }

    /// Ends the simple command; with `pipe`, the next command reads its output, so it keeps
    /// the placeholders of this one as what it reads on stdin.
    fn end_command_into(&mut self, pipe: bool) {
        self.end_word();
        let command = self.command();
        let evaluated = evaluated(command);
        let integer = command.declares_integer();
        let mut seen = std::mem::take(&mut command.seen);
        seen.extend(command.holes());
        let piped = if pipe {
            let mut piped = std::mem::take(&mut command.piped);
            piped.extend(command.holes());
            piped
        } else {
            Vec::new()
        };
        *command = Command {
            inside: command.inside,
            seen,
            piped,
            ..Command::default()
        };
        for e in evaluated {
            for h in e.holes {
                self.refuse(h, &e.reason, e.help);
            }
        }
        self.declares_integer |= integer;
    }

    fn end_word(&mut self) {
        let in_subst = matches!(
            self.top(),
            Frame::Code {
                paren_depth: Some(_)
            }
        );
        let command = self.command();
        command.end_word();
        // `case` patterns end with `)`, which this scan would take for the end of `$(...)`.
        if in_subst && command.words.last().is_some_and(|w| w.text == "case") {
            self.unsure
                .get_or_insert("a `case` statement inside `$(...)` before it");
        }
    }

    /// Opens `$(...)`. Its output lands where the `$(` is, so in arithmetic, `${...}` or an
    /// array subscript every placeholder inside is refused.
    fn push_code(&mut self) {
        let parent = self.commands.last().expect("a command is always open");
        let inside = parent.inside.or(match self.top() {
            Frame::Arith { .. } => Some("the output of this `$(...)` is evaluated as arithmetic"),
            Frame::Brace => Some("the output of this `$(...)` is part of a `${...}` expansion"),
            _ if parent.word.subscript => {
                Some("the output of this `$(...)` is an array subscript, evaluated as arithmetic")
            }
            _ => None,
        });
        self.stack.push(Frame::Code {
            paren_depth: Some(0),
        });
        self.commands.push(Command {
            inside,
            ..Command::default()
        });
    }

    /// Closes `$(...)`: its placeholders become part of the enclosing word, so a command that
    /// evaluates that word refuses them too.
    fn pop_code(&mut self) {
        self.close_command_frame();
        self.stack.pop();
    }

    fn close_command_frame(&mut self) {
        self.end_command();
        if self.commands.len() > 1
            && let Some(done) = self.commands.pop()
        {
            let word = &mut self.command().word;
            for hole in done.seen {
                word.push_hole(hole);
            }
        }
    }

    /// `$` followed by `(`, `((`, `{`, `'` or `"` opens a frame; returns whether it did.
    fn dollar(&mut self) -> bool {
        match self.peek(1) {
            Some(Token::Char('(')) if self.peek_char(2) == Some('(') => {
                self.take('$');
                self.take('(');
                self.take('(');
                self.stack.push(Frame::Arith {
                    depth: 0,
                    bracket: false,
                });
            }
            Some(Token::Char('[')) => {
                self.take('$');
                self.take('[');
                self.stack.push(Frame::Arith {
                    depth: 0,
                    bracket: true,
                });
            }
            Some(Token::Char('(')) => {
                self.take('$');
                self.take('(');
                self.push_code();
            }
            Some(Token::Char('{')) => {
                self.take('$');
                self.take('{');
                self.stack.push(Frame::Brace);
            }
            Some(Token::Hole(h)) => {
                self.refuse(
                    h,
                    "a `$` right before a placeholder changes how its value is read",
                    "put a space or other text between `$` and the placeholder, or write \"${env}\"",
                );
                self.take('$');
            }
            _ => return false,
        }
        true
    }
}
