//! Operands: literals, negative numbers, groups, lists and paths with their indexes.

use super::{PResult, Parser, Stop};
use crate::condition::ast::{Kind, Node, Path, Segment};
use crate::condition::number::Number;
use crate::condition::token::Tok;
use crate::condition::value::Value;
use std::ops::Range;

impl Parser<'_> {
    pub(super) fn operand(&mut self) -> PResult<Node> {
        let span = self.span();
        let literal = match self.peek().clone() {
            Tok::Number(n) => Value::Number(n),
            Tok::Str(s) => Value::String(s.into()),
            Tok::True => Value::Bool(true),
            Tok::False => Value::Bool(false),
            Tok::Null => Value::Null,
            Tok::Minus => return self.negative(),
            Tok::Ident => return self.path(),
            Tok::LParen => return self.group(),
            Tok::LBracket => return self.list(),
            Tok::Error => {
                self.bump();
                return Err(Stop::Recover);
            }
            _ => return Err(self.missing_value(span)),
        };
        self.bump();
        Ok(Node {
            kind: Kind::Literal(literal),
            span,
        })
    }

    fn missing_value(&mut self, span: Range<usize>) -> Stop {
        if self.pos == 0 && *self.peek() == Tok::Eof {
            return self.fail(
                span,
                "the expression is empty".to_string(),
                Some("write a condition such as `severity >= 'high'`"),
            );
        }
        let found = self.describe_current();
        let message = match self.pos.checked_sub(1).map(|i| self.tokens[i].span.clone()) {
            Some(prev) => format!(
                "expected a value after `{}`, found {found}",
                self.text(&prev)
            ),
            None => format!("expected a value, found {found}"),
        };
        self.fail(
            span,
            message,
            Some("a value is a name, a number, a quoted string, true, false, null, a [list] or a (group)"),
        )
    }

    fn negative(&mut self) -> PResult<Node> {
        let minus = self.bump().span;
        let span = self.span();
        match self.peek().clone() {
            Tok::Number(n) => {
                self.bump();
                Ok(Node {
                    kind: Kind::Literal(Value::Number(n.negate())),
                    span: minus.start..span.end,
                })
            }
            _ => Err(self.fail(
                minus,
                "`-` must be followed by a number".to_string(),
                Some("only number literals can be negative; there is no arithmetic"),
            )),
        }
    }

    fn group(&mut self) -> PResult<Node> {
        let open = self.bump().span;
        self.enter(open.clone())?;
        let inner = self.or();
        self.leave();
        let mut inner = inner?;
        if *self.peek() == Tok::RParen {
            inner.span = open.start..self.bump().span.end;
        } else {
            self.fail(
                open,
                "this `(` is never closed".to_string(),
                Some("add the matching `)`"),
            );
        }
        Ok(inner)
    }

    fn list(&mut self) -> PResult<Node> {
        let open = self.bump().span;
        self.enter(open.clone())?;
        let items = self.list_items();
        self.leave();
        let items = items?;
        let span = open.start..self.bump().span.end;
        let kind = if items.iter().all(|n| matches!(n.kind, Kind::Literal(_))) {
            Kind::Literal(Value::list(items.into_iter().map(|n| match n.kind {
                Kind::Literal(v) => v,
                _ => Value::Null,
            })))
        } else {
            Kind::List(items)
        };
        Ok(Node { kind, span })
    }

    /// Items up to (not including) the closing `]`.
    fn list_items(&mut self) -> PResult<Vec<Node>> {
        let mut items = Vec::new();
        while *self.peek() != Tok::RBracket {
            items.push(self.operand()?);
            match self.peek() {
                Tok::Comma => {
                    self.bump();
                }
                Tok::RBracket => {}
                _ => {
                    let span = self.span();
                    let found = self.describe_current();
                    return Err(self.fail(
                        span,
                        format!("expected `,` or `]` in the list, found {found}"),
                        Some("separate list items with commas: ['a', 'b']"),
                    ));
                }
            }
        }
        Ok(items)
    }

    fn path(&mut self) -> PResult<Node> {
        let first = self.bump().span;
        let root: Box<str> = self.text(&first).to_ascii_lowercase().into();
        let mut segments = Vec::new();
        let mut end = first.end;
        loop {
            match self.peek() {
                Tok::Dot => {
                    self.bump();
                    let span = self.span();
                    let word = self.text(&span);
                    // `steps.2.ok`: a key of digits reads an object's key such as "2", the
                    // way outputs are named by step number.
                    let digits = matches!(self.peek(), Tok::Number(Number::Int(_)))
                        && word.bytes().all(|b| b.is_ascii_digit());
                    if digits || word.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
                        segments.push(Segment::Key(word.into()));
                        end = self.bump().span.end;
                    } else {
                        let found = self.describe_current();
                        return Err(self.fail(
                            span,
                            format!("expected a key after `.`, found {found}"),
                            Some(
                                "write other keys in brackets: headers['x-github-event'], items[0]",
                            ),
                        ));
                    }
                }
                Tok::LBracket => {
                    self.bump();
                    segments.push(self.index()?);
                    end = self.bump().span.end;
                }
                _ => break,
            }
        }
        Ok(Node {
            kind: Kind::Path(Path { root, segments }),
            span: first.start..end,
        })
    }

    /// The inside of `[...]` after a name; leaves the `]` for the caller.
    fn index(&mut self) -> PResult<Segment> {
        let span = self.span();
        let segment = match self.peek().clone() {
            Tok::Number(Number::Int(i)) if i >= 0 => {
                Segment::Index(usize::try_from(i).unwrap_or(usize::MAX))
            }
            Tok::Str(key) => Segment::Key(key.into()),
            _ => {
                let found = self.describe_current();
                return Err(self.fail(
                    span,
                    format!("an index must be a whole number or a quoted key, found {found}"),
                    Some("e.g. alerts[0] or headers['x-github-event']"),
                ));
            }
        };
        self.bump();
        if *self.peek() != Tok::RBracket {
            let span = self.span();
            let found = self.describe_current();
            return Err(self.fail(
                span,
                format!("expected `]`, found {found}"),
                Some("an index holds one number or one quoted key"),
            ));
        }
        Ok(segment)
    }
}
