//! Finding the run a person named: a full id or any unique prefix of one.

use crate::Error;
use sop_store::{Run, Store, StoreError};

/// The run whose id is `id` or starts with it. A name that matches no run, or several, is a
/// mistake in the command line (exit 2), with how to find the right id.
pub fn find_run(store: &dyn Store, id: &str) -> crate::Result<Run> {
    match store.find_run(id) {
        Ok(run) => Ok(run),
        Err(StoreError::NotFound { what: "run", .. }) => Err(Error::not_found(format!(
            "no run `{}`",
            shown_id(id.trim())
        ))
        .with_remedy(crate::Remedy::ListRuns)),
        Err(e @ StoreError::AmbiguousPrefix { .. }) => Err(Error::invalid(e.to_string())),
        Err(e) => Err(e.into()),
    }
}

/// A run id as typed, safe to show: control characters escaped, quotes left as they are.
fn shown_id(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::shown_id;

    #[test]
    fn quotes_stay_and_control_characters_are_escaped() {
        assert_eq!(shown_id("it's"), "it's");
        assert_eq!(shown_id("a\nb"), "a\\nb");
    }
}
