//! A step process's environment as `execve` takes it: `NAME=value` entries sorted by name, as
//! `std::process::Command` passes them. The part every step of a run shares is built once per
//! run; each step adds its own few names, which win over a shared one of the same name.

use std::ffi::{CStr, CString, OsStr, OsString};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::sync::Arc;

/// Entries sorted by name, no name twice.
#[derive(Debug, Clone, Default)]
pub struct Environ {
    shared: Arc<[CString]>,
    own: Vec<CString>,
}

impl Environ {
    /// The environment of `pairs`; a name given twice keeps its later value.
    pub fn shared(pairs: impl IntoIterator<Item = (OsString, OsString)>) -> io::Result<Self> {
        Ok(Environ {
            shared: sorted(pairs)?.into(),
            own: Vec::new(),
        })
    }

    /// This environment with `pairs` added, each replacing a shared entry of its name.
    pub fn with(&self, pairs: impl IntoIterator<Item = (OsString, OsString)>) -> io::Result<Self> {
        Ok(Environ {
            shared: Arc::clone(&self.shared),
            own: sorted(pairs)?,
        })
    }

    /// Every entry, in order.
    pub fn entries(&self) -> impl Iterator<Item = &CStr> {
        let (mut shared, mut own) = (self.shared.iter().peekable(), self.own.iter().peekable());
        std::iter::from_fn(move || {
            let next = match (shared.peek(), own.peek()) {
                (Some(s), Some(o)) => match name(s).cmp(name(o)) {
                    std::cmp::Ordering::Less => shared.next(),
                    std::cmp::Ordering::Greater => own.next(),
                    std::cmp::Ordering::Equal => {
                        shared.next();
                        own.next()
                    }
                },
                (Some(_), None) => shared.next(),
                (None, _) => own.next(),
            };
            next.map(CString::as_c_str)
        })
    }

    /// Every entry as its name and value, in order.
    #[cfg_attr(
        all(
            target_os = "linux",
            any(target_arch = "x86_64", target_arch = "aarch64")
        ),
        allow(dead_code)
    )]
    pub fn pairs(&self) -> impl Iterator<Item = (&OsStr, &OsStr)> {
        self.entries().map(|e| {
            let bytes = e.to_bytes();
            let key = name(e);
            let value = bytes.get(key.len() + 1..).unwrap_or_default();
            (OsStr::from_bytes(key), OsStr::from_bytes(value))
        })
    }

    /// Whether a shared entry has this name.
    pub fn shares(&self, wanted: &str) -> bool {
        self.shared.iter().any(|e| name(e) == wanted.as_bytes())
    }
}

/// The name of an entry: the bytes before its first `=`.
fn name(entry: &CStr) -> &[u8] {
    let bytes = entry.to_bytes();
    let end = bytes.iter().position(|&b| b == b'=').unwrap_or(bytes.len());
    &bytes[..end]
}

fn sorted(pairs: impl IntoIterator<Item = (OsString, OsString)>) -> io::Result<Vec<CString>> {
    let mut entries = pairs
        .into_iter()
        .map(|(k, v)| entry(&k, &v))
        .collect::<io::Result<Vec<_>>>()?;
    // Stable, so of two entries with one name the later stays second, and replaces the first.
    entries.sort_by(|a, b| name(a).cmp(name(b)));
    entries.dedup_by(|later, kept| {
        let same = name(later) == name(kept);
        if same {
            std::mem::swap(later, kept);
        }
        same
    });
    Ok(entries)
}

fn entry(key: &OsStr, value: &OsStr) -> io::Result<CString> {
    let mut bytes = Vec::with_capacity(key.len() + value.len() + 1);
    bytes.extend_from_slice(key.as_bytes());
    bytes.push(b'=');
    bytes.extend_from_slice(value.as_bytes());
    CString::new(bytes).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "a NUL byte in an environment variable",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
        list.iter().map(|(k, v)| (k.into(), v.into())).collect()
    }

    fn texts(env: &Environ) -> Vec<String> {
        env.entries()
            .map(|e| e.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn entries_are_sorted_by_name_and_a_later_value_wins() {
        // By name, not by the whole entry: `A` before `A0` though `=` sorts after `0`.
        let base =
            Environ::shared(pairs(&[("B", "1"), ("A0", "x"), ("A", "2"), ("B", "3")])).unwrap();
        assert_eq!(texts(&base), ["A=2", "A0=x", "B=3"]);
        let step = base.with(pairs(&[("C", "4"), ("A", "5")])).unwrap();
        assert_eq!(texts(&step), ["A=5", "A0=x", "B=3", "C=4"]);
        assert_eq!(
            texts(&base),
            ["A=2", "A0=x", "B=3"],
            "the shared part is unchanged"
        );
        assert!(base.shares("A0") && !base.shares("C"));
        let pairs: Vec<_> = step.pairs().collect();
        assert_eq!(pairs[1], (OsStr::new("A0"), OsStr::new("x")));
    }

    #[test]
    fn a_nul_byte_is_refused() {
        let e = Environ::shared(pairs(&[("A", "a\0b")])).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
    }
}
