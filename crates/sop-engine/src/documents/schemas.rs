//! JSON Schemas (draft 2020-12) of every typed document, generated from the types themselves:
//! `docs/schemas/NAME.json` is written from [`schemas`] by a test, and a server can serve the
//! same values. A new document is one more line in [`schemas`].

use super::*;
use crate::approval::pending::PendingGate;
use schemars::JsonSchema;
use serde_json::Value;
use std::path::Path;

/// `(file stem, what prints it, schema)` for each document.
pub fn schemas() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        entry::<RunDocument>(
            "run",
            "sop status RUN, execute, done, pause, resume, cancel, retry, skip, approve, reject",
        ),
        entry::<Vec<RunSummaryDocument>>("run-list", "sop status"),
        entry::<PrunedRunDocument>("pruned-run", "sop status RUN, for a pruned run"),
        entry::<NextStepDocument>("next-step", "sop next RUN"),
        entry::<Vec<PendingGate>>("pending", "sop pending"),
        entry::<SopListDocument>("sop-list", "sop list"),
        entry::<SopDocument>("sop", "sop show NAME"),
        entry::<CheckDocument>("check", "sop check"),
        entry::<PlanDocument>("plan", "sop execute NAME --dry-run"),
        entry::<Vec<FactDocument>>("fact-list", "sop fact list"),
        entry::<SchedulesDocument>("schedule", "sop schedule"),
        entry::<Vec<NodeDocument>>("node-list", "sop nodes"),
        (
            "notification",
            "the notification webhook",
            with_description(
                output_schema::<NotificationDocument>(),
                "The JSON body the notification webhook receives (signed X-SOP-Signature-256).",
            ),
        ),
        entry::<EventDocument>("event", "sop emit EVENT"),
        entry::<EventListDocument>("event-list", "sop events"),
    ]
}

fn with_description(mut schema: Value, text: &str) -> Value {
    if let Some(map) = schema.as_object_mut() {
        map.insert("description".into(), Value::String(text.into()));
    }
    schema
}

fn entry<T: JsonSchema>(
    name: &'static str,
    command: &'static str,
) -> (&'static str, &'static str, Value) {
    let mut schema = output_schema::<T>();
    if let Some(map) = schema.as_object_mut() {
        map.insert(
            "description".into(),
            Value::String(format!("The document `{command} --json` prints.")),
        );
    }
    (name, command, schema)
}

/// The schema of `T` as it is written: every field a document always has is required (an
/// absent value is `null`, never a missing key); only fields skipped when empty are optional.
pub fn output_schema<T: JsonSchema>() -> Value {
    schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value()
}

/// Writes each schema to `dir/NAME.json` (pretty, ending in a newline) where it differs from
/// what is there; returns the names of the files it changed.
pub fn write_schemas(dir: &Path) -> std::io::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    let mut changed = Vec::new();
    for (name, _, schema) in schemas() {
        let path = dir.join(format!("{name}.json"));
        let mut text = serde_json::to_string_pretty(&schema).map_err(std::io::Error::other)?;
        text.push('\n');
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text)?;
            changed.push(format!("{name}.json"));
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed schemas are what the types say. When a document changes, this test
    /// rewrites docs/schemas and fails once, so the change shows in the diff.
    #[test]
    fn the_committed_schemas_match_the_types() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/schemas");
        let changed = write_schemas(&dir).unwrap();
        assert!(
            changed.is_empty(),
            "docs/schemas was out of date and has been rewritten: {changed:?}; commit it"
        );
    }

    #[test]
    fn every_schema_is_a_valid_draft_2020_12_schema() {
        for (name, _, schema) in schemas() {
            assert_eq!(
                schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
                "{name}"
            );
            jsonschema::draft202012::new(&schema).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}
