//! Recursive-descent parser from tokens to the node tree, with limits and error recovery.
//!
//! Recursion happens only where nesting does (parentheses, list brackets, `!`/`not`), and each
//! level is counted before descending, so input nested past [`MAX_DEPTH`] stops with an error
//! instead of exhausting the stack. After a bad clause the parser skips to the next `&&`/`||`
//! and carries on, so one pass reports every independent problem.

use super::ast::{CmpOp, Kind, Node};
use super::lexer::lex;
use super::limits::{MAX_DEPTH, MAX_SOURCE_BYTES};
use super::parse_error::ParseError;
use super::token::{Tok, Token};
use super::value::Value;
use std::ops::Range;

mod operand;
mod pattern;

use pattern::compile_regex;

pub(crate) fn parse(src: &str) -> Result<Node, Vec<ParseError>> {
    if src.len() > MAX_SOURCE_BYTES {
        return Err(vec![
            ParseError::new(
                MAX_SOURCE_BYTES..src.len(),
                format!(
                    "expression is {} bytes long; the limit is {MAX_SOURCE_BYTES} bytes",
                    src.len()
                ),
            )
            .with_help("split it into several `requires` items"),
        ]);
    }
    let (tokens, mut errors) = lex(src);
    let mut parser = Parser {
        src,
        tokens,
        pos: 0,
        errors: Vec::new(),
        depth: 0,
    };
    let root = parser.top();
    errors.append(&mut parser.errors);
    match root {
        Some(root) if errors.is_empty() => Ok(root),
        _ => {
            errors.sort_by_key(|e| (e.span.start, e.span.end));
            Err(errors)
        }
    }
}

/// Why parsing of a construct stopped: `Recover` after a reported problem (skip ahead and go
/// on), `Fatal` when the nesting limit was hit (give up).
enum Stop {
    Recover,
    Fatal,
}

type PResult<T> = Result<T, Stop>;

struct Parser<'a> {
    src: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    errors: Vec<ParseError>,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.tokens[self.pos].tok
    }

    fn peek_second(&self) -> &Tok {
        &self.tokens[(self.pos + 1).min(self.tokens.len() - 1)].tok
    }

    fn span(&self) -> Range<usize> {
        self.tokens[self.pos].span.clone()
    }

    fn bump(&mut self) -> Token {
        let t = self.tokens[self.pos].clone();
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        t
    }

    fn text(&self, span: &Range<usize>) -> &str {
        &self.src[span.clone()]
    }

    fn describe_current(&self) -> String {
        self.peek().describe(self.text(&self.span()))
    }

    /// Records a problem at the current token, unless the lexer already reported that token.
    fn fail(&mut self, span: Range<usize>, message: String, help: Option<&str>) -> Stop {
        if *self.peek() != Tok::Error {
            let e = ParseError::new(span, message);
            self.errors.push(match help {
                Some(h) => e.with_help(h),
                None => e,
            });
        }
        Stop::Recover
    }

    fn enter(&mut self, span: Range<usize>) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.errors.push(
                ParseError::new(
                    span,
                    format!("expression nests deeper than {MAX_DEPTH} levels"),
                )
                .with_help(
                    "remove redundant parentheses or split the condition into several items",
                ),
            );
            return Err(Stop::Fatal);
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn top(&mut self) -> Option<Node> {
        let root = self.or().ok()?;
        if *self.peek() == Tok::RParen {
            let span = self.span();
            self.fail(
                span,
                "unmatched `)`".to_string(),
                Some("remove it or add the `(` it closes"),
            );
        }
        Some(root)
    }

    fn or(&mut self) -> PResult<Node> {
        let mut items = vec![self.and()?];
        while *self.peek() == Tok::Or {
            self.bump();
            items.push(self.and()?);
        }
        Ok(join(items, Kind::Or))
    }

    fn and(&mut self) -> PResult<Node> {
        let mut items = vec![self.clause()?];
        while *self.peek() == Tok::And {
            self.bump();
            items.push(self.clause()?);
        }
        Ok(join(items, Kind::And))
    }

    /// One operand of `&&`/`||`. A problem inside it is reported and skipped over.
    fn clause(&mut self) -> PResult<Node> {
        let start = self.span().start;
        match self.not() {
            Ok(node) if matches!(self.peek(), Tok::And | Tok::Or | Tok::RParen | Tok::Eof) => {
                return Ok(node);
            }
            Ok(node) => {
                self.unexpected_after(&node);
            }
            Err(Stop::Recover) => {}
            Err(Stop::Fatal) => return Err(Stop::Fatal),
        }
        self.skip_clause();
        let end = self.span().start.max(start);
        Ok(placeholder(start..end))
    }

    fn unexpected_after(&mut self, node: &Node) {
        let span = self.span();
        let after = self.text(&node.span).to_string();
        let chained = matches!(
            &node.kind,
            Kind::Compare(..) | Kind::In { .. } | Kind::Matches(..)
        ) && cmp_op(self.peek()).is_some();
        if chained {
            self.fail(
                span,
                "comparisons cannot be chained".to_string(),
                Some("join them with `&&`, e.g. `a < b && b < c`"),
            );
        } else {
            let found = self.describe_current();
            self.fail(
                span,
                format!("expected an operator after `{after}`, found {found}"),
                Some("join conditions with `&&` or `||`; compare with `==`, `!=`, `<`, `<=`, `>`, `>=`, `in` or `matches`"),
            );
        }
    }

    /// Skips to the next `&&`/`||`/`)` outside any brackets opened while skipping, or the end.
    fn skip_clause(&mut self) {
        let mut open = 0usize;
        loop {
            match self.peek() {
                Tok::Eof => return,
                Tok::And | Tok::Or if open == 0 => return,
                Tok::RParen if open == 0 => return,
                Tok::LParen | Tok::LBracket => open += 1,
                Tok::RParen | Tok::RBracket => open = open.saturating_sub(1),
                _ => {}
            }
            self.bump();
        }
    }

    fn not(&mut self) -> PResult<Node> {
        if *self.peek() != Tok::Not {
            return self.comparison();
        }
        let start = self.bump().span;
        self.enter(start.clone())?;
        let inner = self.not();
        self.leave();
        let inner = inner?;
        Ok(Node {
            span: start.start..inner.span.end,
            kind: Kind::Not(Box::new(inner)),
        })
    }

    fn comparison(&mut self) -> PResult<Node> {
        let left = self.operand()?;
        let start = left.span.start;
        if let Some(op) = cmp_op(self.peek()) {
            self.bump();
            let right = self.operand()?;
            return Ok(Node {
                span: start..right.span.end,
                kind: Kind::Compare(op, Box::new(left), Box::new(right)),
            });
        }
        let negated = match (self.peek(), self.peek_second()) {
            (Tok::In, _) => false,
            (Tok::Not, Tok::In) => true,
            (Tok::Matches, _) => return self.matches(left),
            _ => return Ok(left),
        };
        if negated {
            self.bump();
        }
        self.bump();
        let collection = self.operand()?;
        Ok(Node {
            span: start..collection.span.end,
            kind: Kind::In {
                negated,
                item: Box::new(left),
                collection: Box::new(collection),
            },
        })
    }

    fn matches(&mut self, left: Node) -> PResult<Node> {
        self.bump();
        let span = self.span();
        let Tok::Str(pattern) = self.peek().clone() else {
            let found = self.describe_current();
            return Err(self.fail(
                span,
                format!("`matches` needs a quoted pattern, found {found}"),
                Some("patterns are fixed when the SOP loads: write e.g. `name matches '^api-'`"),
            ));
        };
        self.bump();
        let whole = left.span.start..span.end;
        match compile_regex(&pattern) {
            Ok(regex) => Ok(Node {
                span: whole,
                kind: Kind::Matches(Box::new(left), Box::new(regex)),
            }),
            Err(message) => {
                self.errors.push(ParseError::new(span, message).with_help(
                    "patterns use Rust regex syntax: https://docs.rs/regex/latest/regex/#syntax",
                ));
                Ok(placeholder(whole))
            }
        }
    }
}

fn cmp_op(tok: &Tok) -> Option<CmpOp> {
    Some(match tok {
        Tok::EqEq => CmpOp::Eq,
        Tok::NotEq => CmpOp::Ne,
        Tok::Lt => CmpOp::Lt,
        Tok::Le => CmpOp::Le,
        Tok::Gt => CmpOp::Gt,
        Tok::Ge => CmpOp::Ge,
        _ => return None,
    })
}

fn join(mut items: Vec<Node>, make: fn(Vec<Node>) -> Kind) -> Node {
    if items.len() == 1 {
        return items.pop().unwrap_or_else(|| placeholder(0..0));
    }
    let span = items[0].span.start..items[items.len() - 1].span.end;
    Node {
        kind: make(items),
        span,
    }
}

/// Stands in for a clause that failed to parse; never evaluated, because parsing then fails.
fn placeholder(span: Range<usize>) -> Node {
    Node {
        kind: Kind::Literal(Value::Null),
        span,
    }
}
