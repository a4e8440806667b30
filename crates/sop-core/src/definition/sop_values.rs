//! The values only SOP.toml and step options hold: durations in whole seconds and choices
//! among fixed words, read through the shared [`TableReader`].

use crate::Duration;
use crate::suggest;
use crate::toml_read::{Located, Reporter, TableReader, whole_seconds};

/// SOP.toml's values on top of the shared typed getters.
pub trait SopValues<'t> {
    /// A duration string such as "10m"; zero is refused because no timeout can be zero.
    fn duration(&self, r: &mut Reporter, key: &str) -> Option<Located<Duration>>;

    /// One of a fixed set of words; a near miss gets a "did you mean" hint.
    fn choice(&self, r: &mut Reporter, key: &str, words: &[&str]) -> Option<Located<&'t str>>;
}

impl<'t> SopValues<'t> for TableReader<'t, '_> {
    fn duration(&self, r: &mut Reporter, key: &str) -> Option<Located<Duration>> {
        let s = self.string(r, key)?;
        match whole_seconds(s.value) {
            Ok(d) if d.as_secs() > 0 => Some(Located {
                value: d,
                span: s.span,
            }),
            Ok(_) => {
                r.push(
                    r.at(s.span, format!("`{key}` must be longer than zero"))
                        .with_help("write e.g. \"90s\", \"10m\", \"24h\" or \"7d\""),
                );
                None
            }
            Err(e) => {
                r.push(
                    r.at(s.span, format!("`{key}`: {e}"))
                        .with_help("write a number and a unit (s, m, h, d, w), e.g. \"90s\", \"10m\", \"24h\", \"7d\" or \"1h30m\""),
                );
                None
            }
        }
    }

    fn choice(&self, r: &mut Reporter, key: &str, words: &[&str]) -> Option<Located<&'t str>> {
        let s = self.string(r, key)?;
        if words.contains(&s.value) {
            return Some(s);
        }
        let help = suggest::hint(s.value, words);
        r.push(
            r.at(
                s.span,
                format!("`{}` is not a valid `{key}`", s.value.escape_debug()),
            )
            .with_help(help),
        );
        None
    }
}
