//! SOPs parsed once per text: a server reads the same unchanged files on every delivery, and
//! parsing them is most of what reading the catalog costs.
//!
//! The key is the exact text of both files (and the names messages give them), so an edited
//! file is a different key and never an old answer; no file times are trusted.

use sop_core::Diagnostic;
use sop_core::definition::{self, Sop, SopSource};
use std::collections::HashMap;
use std::sync::Mutex;

/// Beyond this many remembered SOPs the memory starts over (a catalog rarely holds more).
const CAPACITY: usize = 4096;

type Parsed = Result<Sop, Vec<Diagnostic>>;

/// What `(folder, SOP.toml's name, SOP.md's name)` was last parsed from, and the outcome.
struct Remembered {
    toml: String,
    md: String,
    parsed: Parsed,
}

/// Remembers the latest parse of each SOP folder. Owned by whoever reads the catalog
/// repeatedly (the `Service`); shared by its threads.
#[derive(Default)]
pub struct ParseCache {
    parsed: Mutex<HashMap<(String, String, String), Remembered>>,
}

impl ParseCache {
    /// `definition::parse(source)`, or the outcome of the same text parsed before.
    pub fn parse(&self, source: &SopSource) -> Parsed {
        let key = (
            source.folder.to_string(),
            source.toml_file.to_string(),
            source.md_file.to_string(),
        );
        if let Some(r) = self.lock().get(&key)
            && r.toml == source.toml
            && r.md == source.md
        {
            return r.parsed.clone();
        }
        // Parsed outside the lock: threads parsing different SOPs never wait on each other.
        let parsed = definition::parse(source);
        let mut map = self.lock();
        if map.len() >= CAPACITY && !map.contains_key(&key) {
            map.clear();
        }
        map.insert(
            key,
            Remembered {
                toml: source.toml.to_string(),
                md: source.md.to_string(),
                parsed: parsed.clone(),
            },
        );
        parsed
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String, String), Remembered>> {
        // Nothing panics while the map is held; a poisoned map still holds sound entries.
        self.parsed.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source<'a>(toml: &'a str, md: &'a str) -> SopSource<'a> {
        SopSource {
            folder: "demo",
            toml_file: "demo/SOP.toml",
            toml,
            md_file: "demo/SOP.md",
            md,
        }
    }

    const TOML: &str = "[sop]\nname = \"demo\"\n\n[[triggers]]\ntype = \"manual\"\n";

    #[test]
    fn the_same_text_gives_the_same_sop_and_an_edit_is_seen() {
        let cache = ParseCache::default();
        let one = "## Step 1: One\n- do it\n";
        let two = "## Step 1: One\n- do it\n\n## Step 2: Two\n- and this\n";
        let first = cache.parse(&source(TOML, one)).unwrap();
        assert_eq!(first.steps.len(), 1);
        assert_eq!(cache.parse(&source(TOML, one)).unwrap().steps.len(), 1);
        // Same length, same folder: only the text tells them apart.
        let edited = "## Step 1: Two\n- do it\n";
        assert_eq!(
            cache.parse(&source(TOML, edited)).unwrap().steps[0].title,
            "Two"
        );
        assert_eq!(cache.parse(&source(TOML, two)).unwrap().steps.len(), 2);
        assert!(cache.parse(&source("[sop\n", one)).is_err());
    }
}
