//! The `$SOP_OUTPUT` file a step writes: `key=value` lines and `key<<DELIM` … `DELIM` blocks.
//!
//! This is GitHub Actions' `$GITHUB_OUTPUT` convention, so existing habits and scripts carry over:
//!
//! ```text
//! version=1.4.2
//! notes<<EOF
//! first line
//! second line
//! EOF
//! ```
//!
//! Keys are letters, digits, `_` and `-`. Keys are compared the way they reach the environment
//! (`SOP_STEP_<N>_<KEY>`: ASCII upper case, `-` as `_`), so `Build-Id` and `build_id` are the same
//! key; a later line for a key replaces the earlier one, as in GitHub Actions. Blank lines are
//! ignored, a `\r` before a line break is dropped, and the file may hold at most
//! [`MAX_OUTPUT_BYTES`] of UTF-8 text without NUL bytes (values become environment variables).

use std::collections::BTreeMap;
use std::fmt;

/// The outputs of one step, by key as written.
pub type Outputs = BTreeMap<String, String>;

/// The largest output file accepted: outputs are for small values (versions, ids, URLs), not logs.
pub const MAX_OUTPUT_BYTES: usize = 1024 * 1024;

/// Everything wrong with one output file, found in one pass.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct OutputFileError {
    pub problems: Vec<OutputProblem>,
}

/// One problem in an output file. `line` is 1-based; 0 when it concerns the whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputProblem {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for OutputProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

impl fmt::Display for OutputFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid $SOP_OUTPUT file: ")?;
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// The form a key takes in an environment variable name; two keys are the same key when their
/// forms are equal.
pub fn key_env_form(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Why a key is not acceptable, or `None` when it is.
pub fn key_problem(key: &str) -> Option<String> {
    if key.is_empty() {
        return Some("the key is empty; write `key=value`".to_string());
    }
    let bad: Vec<char> = key
        .chars()
        .filter(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
        .collect();
    if bad.is_empty() {
        return None;
    }
    let shown: String = bad
        .iter()
        .map(|c| format!("{c:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    Some(format!(
        "invalid key `{}`: it contains {shown}; keys are letters, digits, `_` and `-`, \
         with no spaces around `=`",
        key.escape_debug()
    ))
}

/// Parses the content of an output file.
pub fn parse(bytes: &[u8]) -> Result<Outputs, OutputFileError> {
    if bytes.len() > MAX_OUTPUT_BYTES {
        return Err(OutputFileError {
            problems: vec![OutputProblem {
                line: 0,
                message: format!(
                    "the file is larger than the limit of {MAX_OUTPUT_BYTES} bytes (1 MiB); \
                     write large data to a file in the working directory and output its path"
                ),
            }],
        });
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            return Err(OutputFileError {
                problems: vec![OutputProblem {
                    line,
                    message: "the line is not valid UTF-8; output text, or encode binary \
                              values (e.g. with base64)"
                        .to_string(),
                }],
            });
        }
    };
    Parser::default().parse(text)
}

#[derive(Default)]
struct Parser {
    outputs: Outputs,
    problems: Vec<OutputProblem>,
}

impl Parser {
    fn parse(mut self, text: &str) -> Result<Outputs, OutputFileError> {
        let mut lines = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .enumerate()
            .map(|(i, l)| (i + 1, l));
        // A final newline leaves one empty piece after it; blank lines are skipped anyway.
        while let Some((number, line)) = lines.next() {
            if line.trim().is_empty() {
                continue;
            }
            let eq = line.find('=');
            let heredoc = line.find("<<");
            match (eq, heredoc) {
                (Some(e), h) if h.is_none_or(|h| e < h) => {
                    self.insert(number, &line[..e], line[e + 1..].to_string());
                }
                (_, Some(h)) => {
                    let key = &line[..h];
                    let delimiter = &line[h + 2..];
                    if delimiter.is_empty() {
                        self.problem(
                            number,
                            format!(
                                "`{key}<<` needs a delimiter after `<<`, e.g. `{key}<<EOF`, \
                                 and a line `EOF` to end the value"
                            ),
                        );
                        continue;
                    }
                    let mut value: Vec<&str> = Vec::new();
                    let mut closed = false;
                    for (_, body) in lines.by_ref() {
                        if body == delimiter {
                            closed = true;
                            break;
                        }
                        value.push(body);
                    }
                    if closed {
                        self.insert(number, key, value.join("\n"));
                    } else {
                        self.problem(
                            number,
                            format!(
                                "the value of `{key}` starts here but no line `{}` ends it; \
                                 add that line after the value",
                                delimiter.escape_debug()
                            ),
                        );
                    }
                }
                _ => self.problem(
                    number,
                    format!(
                        "expected `key=value` or `key<<DELIMITER`, found `{}`",
                        shorten(line).escape_debug()
                    ),
                ),
            }
        }
        if self.problems.is_empty() {
            Ok(self.outputs)
        } else {
            Err(OutputFileError {
                problems: self.problems,
            })
        }
    }

    fn insert(&mut self, line: usize, key: &str, value: String) {
        if let Some(message) = key_problem(key) {
            self.problem(line, message);
            return;
        }
        if value.contains('\0') {
            self.problem(
                line,
                format!(
                    "the value of `{key}` contains a NUL byte, which later steps could not \
                     receive; encode binary values (e.g. with base64)"
                ),
            );
            return;
        }
        let form = key_env_form(key);
        self.outputs.retain(|k, _| key_env_form(k) != form);
        self.outputs.insert(key.to_string(), value);
    }

    fn problem(&mut self, line: usize, message: String) {
        self.problems.push(OutputProblem { line, message });
    }
}

/// At most 60 characters of a line, for messages.
fn shorten(line: &str) -> String {
    match line.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Outputs {
        parse(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn err(text: &[u8]) -> String {
        parse(text).unwrap_err().to_string()
    }

    fn map(pairs: &[(&str, &str)]) -> Outputs {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn key_value_lines() {
        assert_eq!(
            ok("version=1.2.3\nurl=https://x/?a=b\nempty=\n"),
            map(&[
                ("version", "1.2.3"),
                ("url", "https://x/?a=b"),
                ("empty", "")
            ])
        );
    }

    #[test]
    fn empty_file_and_blank_lines() {
        assert_eq!(ok(""), Outputs::new());
        assert_eq!(ok("\n\n  \na=1\n\n"), map(&[("a", "1")]));
    }

    #[test]
    fn value_keeps_spaces_and_lt_lt() {
        assert_eq!(ok("a=  x << y  "), map(&[("a", "  x << y  ")]));
    }

    #[test]
    fn heredoc_block() {
        let text = "notes<<EOF\nline 1\n\nline=3\nEOF\nafter=yes\n";
        assert_eq!(
            ok(text),
            map(&[("notes", "line 1\n\nline=3"), ("after", "yes")])
        );
    }

    #[test]
    fn heredoc_with_equals_in_delimiter() {
        assert_eq!(ok("k<<a=b\nv\na=b\n"), map(&[("k", "v")]));
    }

    #[test]
    fn empty_heredoc_value() {
        assert_eq!(ok("k<<END\nEND"), map(&[("k", "")]));
    }

    #[test]
    fn crlf_line_endings() {
        assert_eq!(
            ok("a=1\r\nb<<E\r\nx\r\ny\r\nE\r\n"),
            map(&[("a", "1"), ("b", "x\ny")])
        );
    }

    #[test]
    fn later_line_replaces_same_key_in_any_spelling() {
        assert_eq!(
            ok("build-id=1\nBUILD_ID=2\nother=x\n"),
            map(&[("BUILD_ID", "2"), ("other", "x")])
        );
    }

    #[test]
    fn unterminated_heredoc_names_its_start() {
        assert_eq!(
            err(b"a=1\nnotes<<EOF\nno end\n"),
            "invalid $SOP_OUTPUT file: line 2: the value of `notes` starts here but no line \
             `EOF` ends it; add that line after the value"
        );
    }

    #[test]
    fn missing_delimiter() {
        assert!(err(b"notes<<\n").contains("line 1: `notes<<` needs a delimiter"));
    }

    #[test]
    fn reports_every_bad_line() {
        let e = parse(b"ok=1\njust text\nbad key=2\n=3\nsp ace<<E\nE\n").unwrap_err();
        let lines: Vec<usize> = e.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![2, 3, 4, 5]);
        assert!(e.problems[0].message.contains("expected `key=value`"));
        assert!(e.problems[1].message.contains("invalid key `bad key`"));
        assert!(e.problems[2].message.contains("the key is empty"));
    }

    #[test]
    fn non_utf8_names_the_line() {
        assert_eq!(parse(b"a=1\nb=\xff\xfe\n").unwrap_err().problems[0].line, 2);
    }

    #[test]
    fn nul_bytes_are_refused() {
        let e = parse(b"a=1\nb=x\0y\nc<<E\n\0\nE\n").unwrap_err();
        let lines: Vec<usize> = e.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![2, 3]);
        assert!(e.problems[0].message.contains("NUL byte"));
    }

    #[test]
    fn size_limit() {
        let big = vec![b'a'; MAX_OUTPUT_BYTES + 1];
        let e = parse(&big).unwrap_err();
        assert_eq!(e.problems[0].line, 0);
        assert!(
            e.to_string()
                .contains("larger than the limit of 1048576 bytes")
        );
        let mut exact = b"k=".to_vec();
        exact.resize(MAX_OUTPUT_BYTES, b'v');
        assert_eq!(
            ok(std::str::from_utf8(&exact).unwrap())["k"].len(),
            MAX_OUTPUT_BYTES - 2
        );
    }

    #[test]
    fn env_form() {
        assert_eq!(key_env_form("build-id_2"), "BUILD_ID_2");
    }

    proptest::proptest! {
        #[test]
        fn any_value_round_trips_through_a_heredoc(value in "[^\r\x00]*") {
            let delimiter = "SOP_EOF_7f3a";
            proptest::prop_assume!(!value.split('\n').any(|l| l == delimiter));
            let text = format!("k<<{delimiter}\n{value}\n{delimiter}\n");
            proptest::prop_assert_eq!(&ok(&text)["k"], &value);
        }

        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let _ = parse(&bytes);
        }
    }
}
