//! Recursive-descent parser from tokens to the node tree, with limits and error recovery.
//!
//! Recursion happens only where nesting does (parentheses, list brackets, `!`/`not`), and each
//! level is counted before descending, so input nested past [`MAX_DEPTH`] stops with an error
//! instead of exhausting the stack. After a bad clause the parser skips to the next `&&`/`||`
//! and carries on, so one pass reports every independent problem.

use super::ast::{CmpOp, Kind, Node, Path, Segment};
use super::lexer::lex;
use super::limits::{MAX_DEPTH, MAX_SOURCE_BYTES, REGEX_SIZE_LIMIT};
use super::parse_error::ParseError;
use super::token::{Tok, Token};
use super::value::Value;
use std::ops::Range;

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

    fn operand(&mut self) -> PResult<Node> {
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
                    if word.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
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
            Tok::Number(super::number::Number::Int(i)) if i >= 0 => {
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

fn compile_regex(pattern: &str) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .nest_limit(MAX_DEPTH as u32)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(limit) => {
                format!("pattern is too large once compiled (limit {limit} bytes); simplify it")
            }
            regex::Error::Syntax(text) => {
                let reason = text
                    .lines()
                    .rev()
                    .find_map(|l| l.strip_prefix("error: "))
                    .unwrap_or("invalid syntax");
                format!("invalid pattern: {reason}")
            }
            other => format!("invalid pattern: {other}"),
        })
}
