//! The `$SOP_OUTPUT` file of an attempt: created empty and private, then read and checked.

use super::env::{MAX_ENV_ENTRY, output_env_name};
use sop_core::step_output::{self, MAX_OUTPUT_BYTES, OutputFileError, OutputProblem, Outputs};
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Creates the file empty and private to the user, replacing any earlier attempt's. A file
/// that is empty already is left as it is: truncating it would still write its inode (new
/// times), for every step that outputs nothing.
pub fn fresh_file(path: &Path) -> std::io::Result<File> {
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)?;
    if file.metadata()?.len() > 0 {
        file.set_len(0)?;
    }
    Ok(file)
}

/// Later steps get each output as an environment variable; one the kernel would not pass on
/// fails this attempt, where it was written, rather than every later step at its start.
pub fn check_output_sizes(step: u32, outputs: Outputs) -> Result<Outputs, OutputFileError> {
    let problems: Vec<OutputProblem> = outputs
        .iter()
        .filter_map(|(key, value)| {
            let env = output_env_name(step, key);
            let bytes = env.len() + 1 + value.len();
            (bytes > MAX_ENV_ENTRY).then(|| OutputProblem {
                line: 0,
                message: format!(
                    "output `{key}` is {} bytes: later steps get it as {env}, and Linux passes at \
                     most {MAX_ENV_ENTRY} bytes per environment variable; write large data to a \
                     file in the working directory and output its path",
                    value.len()
                ),
            })
        })
        .collect();
    if problems.is_empty() {
        Ok(outputs)
    } else {
        Err(OutputFileError { problems })
    }
}

pub fn read_outputs(path: &Path) -> Result<Outputs, OutputFileError> {
    let whole_file = |message: String| OutputFileError {
        problems: vec![OutputProblem { line: 0, message }],
    };
    let missing = |e: std::io::Error| {
        whole_file(format!(
            "cannot read {}: {e}; a step must not delete its $SOP_OUTPUT file",
            path.display()
        ))
    };
    // Most steps write no outputs: one stat instead of open, read and close.
    if std::fs::metadata(path).map_err(missing)?.len() == 0 {
        return Ok(Outputs::new());
    }
    let file = File::open(path).map_err(missing)?;
    let mut bytes = Vec::new();
    // One byte past the limit is enough to tell the parser the file is too large.
    file.take(MAX_OUTPUT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| whole_file(format!("cannot read {}: {e}", path.display())))?;
    step_output::parse(&bytes)
}
