//! Text from outside (a webhook's variables, a step's output) made harmless for a terminal:
//! control characters that would move the cursor, clear the screen, set the window title or
//! rewrite a line an operator reads are shown as `^[`-style text instead. Colours (SGR,
//! `ESC [ … m`), newlines and tabs pass. Only what goes to a terminal is changed: piped output
//! stays byte for byte.

use std::borrow::Cow;
use std::io::IsTerminal;

/// Whether this process's stdout (`stderr` false) or stderr is a terminal.
pub fn is_terminal(stderr: bool) -> bool {
    if stderr {
        std::io::stderr().is_terminal()
    } else {
        std::io::stdout().is_terminal()
    }
}

/// `text` for stdout: shown safe when stdout is a terminal, else as it is.
pub fn for_stdout(text: &str) -> Cow<'_, str> {
    if is_terminal(false) {
        shown(text)
    } else {
        Cow::Borrowed(text)
    }
}

/// `text` with every control character but newline and tab shown as text, colours kept.
pub fn shown(text: &str) -> Cow<'_, str> {
    match shown_bytes(text.as_bytes()) {
        Cow::Borrowed(_) => Cow::Borrowed(text),
        // Only ASCII was put in place of ASCII controls and whole UTF-8 sequences.
        Cow::Owned(bytes) => Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
    }
}

/// [`shown`] for bytes that need not be UTF-8.
pub fn shown_bytes(bytes: &[u8]) -> Cow<'_, [u8]> {
    if !bytes.iter().any(|&b| needs_care(b)) {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len() + 8);
    let mut coloured = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(len) = colour_at(&bytes[i..]) {
            out.extend_from_slice(&bytes[i..i + len]);
            // Left on unless this one resets (`ESC [ m`, `ESC [ 0 m`).
            coloured = !matches!(&bytes[i + 2..i + len - 1], b"" | b"0");
            i += len;
            continue;
        }
        match b {
            b'\n' | b'\t' => out.push(b),
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => out.push(b),
            0x00..=0x1f => out.extend_from_slice(&[b'^', b + 0x40]),
            0x7f => out.extend_from_slice(b"^?"),
            // C1 controls as UTF-8 (U+0080..U+009F): `ESC`'s 8-bit twins.
            0xc2 if bytes.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)) => {
                out.extend_from_slice(format!("<U+{:04X}>", bytes[i + 1]).as_bytes());
                i += 1;
            }
            _ => out.push(b),
        }
        i += 1;
    }
    // A colour left on would carry into sop's own lines after the output.
    if coloured {
        out.extend_from_slice(b"\x1b[0m");
    }
    Cow::Owned(out)
}

fn needs_care(b: u8) -> bool {
    (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f || b == 0xc2
}

/// The length of a colour sequence (`ESC [ 1;31 m`) starting `bytes`, if one does. Concealed
/// text (`8`) is no colour: it would hide what follows.
fn colour_at(bytes: &[u8]) -> Option<usize> {
    let rest = bytes.strip_prefix(b"\x1b[")?;
    let params = rest
        .iter()
        .take_while(|b| b.is_ascii_digit() || **b == b';' || **b == b':')
        .count();
    let conceals = rest[..params].split(|b| *b == b';').any(|p| p == b"8");
    (rest.get(params) == Some(&b'm') && !conceals).then_some(2 + params + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_shown_colours_and_lines_pass() {
        assert_eq!(shown("plain\ttext\n"), "plain\ttext\n");
        assert!(matches!(shown("plain"), Cow::Borrowed(_)));
        assert_eq!(
            shown("api\u{1b}[2J\u{1b}]0;PWNED\u{7}\r  [x] done"),
            "api^[[2J^[]0;PWNED^G^M  [x] done"
        );
        assert_eq!(
            shown("\u{1b}[1;31mred\u{1b}[0m"),
            "\u{1b}[1;31mred\u{1b}[0m"
        );
        assert_eq!(shown("a\r\nb\u{9b}c é"), "a\r\nb<U+009B>c é");
        // A colour left on is ended; concealing is shown as text.
        assert_eq!(shown("\u{1b}[31mred"), "\u{1b}[31mred\u{1b}[0m");
        assert_eq!(shown("\u{1b}[8mhidden"), "^[[8mhidden");
        assert_eq!(
            shown_bytes(b"\xff\x1b[H\x7f").as_ref(),
            b"\xff^[[H^?".as_slice()
        );
    }
}
