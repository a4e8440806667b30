//! Command-line values that may also come from standard input (`-`) or a file (`@PATH`), for
//! inputs too large for one argument (the kernel caps each at 128 KiB), such as a webhook's
//! JSON payload or a generated expression.

use crate::exit::Fail;
use std::io::Read;

/// The most we read from standard input or a file for one value.
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// The value of `flag` as given: `-` reads standard input, `@PATH` reads the file, anything
/// else is the value itself. At most one value of a command may read standard input; the
/// caller passes `stdin_taken` to enforce that.
pub fn resolve(value: &str, flag: &str, stdin_taken: &mut bool) -> anyhow::Result<String> {
    if value == "-" {
        if *stdin_taken {
            return Err(Fail::invalid(format!(
                "{flag}: standard input is already read by another argument; give this one \
                 inline or as @FILE"
            )));
        }
        *stdin_taken = true;
        return read_limited(std::io::stdin().lock(), flag, "standard input");
    }
    if let Some(path) = value.strip_prefix('@') {
        if path.is_empty() {
            return Err(Fail::invalid(format!(
                "{flag}: `@` must be followed by a file name, e.g. @payload.json"
            )));
        }
        let file = std::fs::File::open(path)
            .map_err(|e| Fail::invalid(format!("{flag}: cannot read {path}: {e}")))?;
        return read_limited(file, flag, path);
    }
    Ok(value.to_string())
}

fn read_limited(input: impl Read, flag: &str, what: &str) -> anyhow::Result<String> {
    let mut bytes = Vec::new();
    input
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Fail::invalid(format!("{flag}: cannot read {what}: {e}")))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(Fail::invalid(format!(
            "{flag}: {what} is larger than the limit of {} MiB",
            MAX_INPUT_BYTES / (1024 * 1024)
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|e| Fail::invalid(format!("{flag}: {what} is not valid UTF-8 ({e})")))?;
    // A file or a heredoc ends with a newline that is not part of the value.
    Ok(text.strip_suffix('\n').unwrap_or(&text).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_values_are_kept_and_files_are_read() {
        let mut taken = false;
        assert_eq!(resolve("x > 1", "EXPR", &mut taken).unwrap(), "x > 1");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vars.json");
        std::fs::write(&path, "{\"a\": 1}\n").unwrap();
        let arg = format!("@{}", path.display());
        assert_eq!(resolve(&arg, "--vars", &mut taken).unwrap(), "{\"a\": 1}");
        assert!(!taken);
    }

    #[test]
    fn missing_files_and_a_bare_at_are_errors() {
        let mut taken = false;
        let err = resolve("@/nonexistent/x.json", "--vars", &mut taken).unwrap_err();
        assert!(
            err.to_string()
                .contains("--vars: cannot read /nonexistent/x.json"),
            "{err}"
        );
        let err = resolve("@", "--vars", &mut taken).unwrap_err();
        assert!(
            err.to_string().contains("must be followed by a file name"),
            "{err}"
        );
    }

    #[test]
    fn standard_input_is_read_once() {
        let mut taken = true;
        let err = resolve("-", "--vars", &mut taken).unwrap_err();
        assert!(err.to_string().contains("already read"), "{err}");
    }
}
