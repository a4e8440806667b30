//! Reading definition files without trusting them: regular files only, at most 1 MiB, UTF-8,
//! and never through a symlink that leads outside the SOP directory.

use sop_core::Diagnostic;
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Largest SOP.toml or SOP.md we read. Definitions are small; anything bigger is a mistake or
/// an attack, and reading it would slow every command down.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Refuses a path whose real location is outside the SOP directory.
pub fn outside_root(root: &Path, path: &Path, label: &str) -> Result<(), Vec<Diagnostic>> {
    match path.canonicalize() {
        Ok(real) if real.starts_with(root) => Ok(()),
        Ok(real) => Err(vec![
            Diagnostic::file(
                label,
                format!(
                    "this is a symlink leading outside the SOP directory (to {})",
                    real.display()
                ),
            )
            .with_help("copy the files into the SOP directory, or point the symlink inside it"),
        ]),
        Err(e) => Err(vec![Diagnostic::file(
            label,
            format!("cannot resolve this symlink: {e}"),
        )]),
    }
}

/// Reads one definition file: `Ok(None)` when it does not exist. Refuses symlinks leading
/// outside the SOP directory, anything that is not a regular file, files over
/// [`MAX_FILE_BYTES`] and invalid UTF-8.
pub fn read_text(root: &Path, path: &Path, label: &str) -> Result<Option<String>, Diagnostic> {
    let open = |flags| {
        OpenOptions::new()
            .read(true)
            .custom_flags(flags | libc::O_NONBLOCK)
            .open(path)
    };
    // O_NOFOLLOW makes the common case (a plain file) one system call; only a symlink pays for
    // resolving its target.
    let file = match open(libc::O_NOFOLLOW) {
        Ok(f) => f,
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            outside_root(root, path, label).map_err(|mut d| d.remove(0))?;
            open(0).map_err(|e| Diagnostic::file(label, format!("cannot read the file: {e}")))?
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Diagnostic::file(
                label,
                format!("cannot read the file: {e}"),
            ));
        }
    };
    let bytes = read_limited(file, label)?;
    String::from_utf8(bytes).map(Some).map_err(|e| {
        let bytes = e.as_bytes();
        let valid = &bytes[..e.utf8_error().valid_up_to()];
        let line_start = valid.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let mut d = Diagnostic::file(
            label,
            format!(
                "the file is not valid UTF-8 (invalid byte 0x{:02x})",
                bytes[valid.len()]
            ),
        )
        .with_help("save the file as UTF-8");
        d.line = valid.iter().filter(|b| **b == b'\n').count() as u32 + 1;
        d.col = String::from_utf8_lossy(&valid[line_start..])
            .chars()
            .count() as u32
            + 1;
        d
    })
}

fn read_limited(file: File, label: &str) -> Result<Vec<u8>, Diagnostic> {
    let meta = file
        .metadata()
        .map_err(|e| Diagnostic::file(label, format!("cannot read the file: {e}")))?;
    if !meta.is_file() {
        return Err(Diagnostic::file(label, "this is not a regular file")
            .with_help("SOP.toml and SOP.md must be plain files"));
    }
    let too_large = |size: u64| {
        Diagnostic::file(
            label,
            format!("the file is {size} bytes; the limit is 1 MiB ({MAX_FILE_BYTES} bytes)"),
        )
        .with_help("split the procedure into several SOPs, or move large content out of it")
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The size can change between the check and the read; never read past the limit.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Diagnostic::file(label, format!("cannot read the file: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}
