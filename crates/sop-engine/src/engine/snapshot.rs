//! The definition a run executes: SOP.toml and SOP.md as they were when the run was created.
//!
//! The snapshot is stored with the run and parsed again whenever a process picks the run up, so
//! editing the files later never changes a run already started.

use crate::Error;
use crate::catalog::{Entry, MAX_FILE_BYTES, ParseCache};
use crate::error::Context as _;
use serde::{Deserialize, Serialize};
use sop_core::definition::{self, Sop, SopSource};
use std::io::Read;
use std::path::Path;

/// The two files of an SOP, as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub toml: String,
    pub md: String,
}

impl Snapshot {
    /// The files of a catalog entry as the catalog read them, else as they are now.
    pub fn read(entry: &Entry) -> crate::Result<Self> {
        if let Some((toml, md)) = entry.texts() {
            return Ok(Snapshot {
                toml: toml.to_string(),
                md: md.to_string(),
            });
        }
        Ok(Snapshot {
            toml: read_limited(&entry.dir.join("SOP.toml"))?,
            md: read_limited(&entry.dir.join("SOP.md"))?,
        })
    }

    /// The form stored in the run.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("two strings always serialise")
    }

    pub fn decode(text: &str) -> crate::Result<Self> {
        serde_json::from_str(text).context("the run's stored definition is unreadable")
    }

    pub fn content_hash(&self) -> String {
        definition::content_hash(&self.toml, &self.md)
    }

    /// Parses the snapshot as SOP `name`.
    pub fn parse(&self, name: &str) -> crate::Result<Sop> {
        self.parse_with(name, None)
    }

    /// [`Snapshot::parse`] through a [`ParseCache`], which skips text parsed before.
    pub fn parse_with(&self, name: &str, cache: Option<&ParseCache>) -> crate::Result<Sop> {
        let toml_file = format!("{name}/SOP.toml");
        let md_file = format!("{name}/SOP.md");
        let source = SopSource {
            folder: name,
            toml_file: &toml_file,
            toml: &self.toml,
            md_file: &md_file,
            md: &self.md,
        };
        let parsed = match cache {
            Some(cache) => cache.parse(&source),
            None => definition::parse(&source),
        };
        parsed.map_err(|diags| {
            let mut message = format!("SOP `{name}` is invalid:\n");
            for d in &diags {
                message.push_str(&d.render());
            }
            Error::invalid(message.trim_end()).with_remedy(crate::Remedy::CheckSop {
                name: name.to_string(),
            })
        })
    }
}

fn read_limited(path: &Path) -> crate::Result<String> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::invalid(format!(
            "{} is larger than {MAX_FILE_BYTES} bytes",
            path.display()
        )));
    }
    String::from_utf8(bytes)
        .map_err(|_| Error::invalid(format!("{} is not UTF-8 text", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_parses() {
        let snap = Snapshot {
            toml: "[sop]\nname = \"demo\"\ndescription = \"d\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n".into(),
            md: "# Demo\n\n## Step 1: Hello\n\n```sh\necho hi\n```\n".into(),
        };
        let back = Snapshot::decode(&snap.encode()).unwrap();
        assert_eq!(back, snap);
        let sop = back.parse("demo").unwrap();
        assert_eq!(sop.steps.len(), 1);
        assert_eq!(sop.content_hash, snap.content_hash());
    }
}
