//! One step of a run: status, attempts, timing, captured output and the outputs it declared.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sop_core::run::StepStatus;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// How much of a step's output is kept: the last 64 KiB.
pub const OUTPUT_TAIL_LIMIT: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StepRun {
    pub run_id: String,
    /// 1-based.
    pub number: u32,
    pub title: String,
    pub status: StepStatus,
    pub attempts: u32,
    pub exit_code: Option<i32>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<u64>,
    /// The last [`OUTPUT_TAIL_LIMIT`] bytes of stdout and stderr; empty once pruned.
    #[serde(with = "super::lossy_bytes")]
    #[schemars(with = "String")]
    pub output_tail: Vec<u8>,
    /// Bytes of output in total, including what the tail dropped.
    pub output_size: u64,
    /// SHA-256 (hex) of the whole output.
    pub output_sha256: Option<String>,
    /// The process group of the running command, so another process can signal it.
    pub process_group: Option<i32>,
    /// A person's note (`sop done --note`, `sop skip --reason`).
    pub note: Option<String>,
    /// `key=value` pairs the step wrote to `$SOP_OUTPUT`.
    pub outputs: BTreeMap<String, String>,
}

impl StepRun {
    /// The output tail as text; invalid UTF-8 is replaced.
    pub fn output_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.output_tail)
    }
}

/// Captured output of a step, as the engine measured it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepOutput {
    /// The end of the output; the store keeps only its last [`OUTPUT_TAIL_LIMIT`] bytes.
    pub tail: Vec<u8>,
    pub total_size: u64,
    pub sha256: Option<String>,
}

impl StepOutput {
    /// `tail` cut to its last [`OUTPUT_TAIL_LIMIT`] bytes.
    pub fn kept_tail(&self) -> &[u8] {
        let start = self.tail.len().saturating_sub(OUTPUT_TAIL_LIMIT);
        &self.tail[start..]
    }
}

/// Fields to change on a step; `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepPatch {
    pub status: Option<StepStatus>,
    pub attempts: Option<u32>,
    pub exit_code: Option<Option<i32>>,
    pub started_at: Option<Option<DateTime<Utc>>>,
    pub finished_at: Option<Option<DateTime<Utc>>>,
    pub duration_ms: Option<Option<u64>>,
    pub output: Option<StepOutput>,
    pub process_group: Option<Option<i32>>,
    pub note: Option<Option<String>>,
    pub outputs: Option<BTreeMap<String, String>>,
}

impl StepPatch {
    pub fn status(status: StepStatus) -> Self {
        StepPatch {
            status: Some(status),
            ..StepPatch::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_last_64k_are_kept() {
        let mut tail = vec![b'a'; 10];
        tail.extend(vec![b'b'; OUTPUT_TAIL_LIMIT]);
        let out = StepOutput {
            tail,
            total_size: 10 + OUTPUT_TAIL_LIMIT as u64,
            sha256: None,
        };
        assert_eq!(out.kept_tail().len(), OUTPUT_TAIL_LIMIT);
        assert!(out.kept_tail().iter().all(|&b| b == b'b'));
    }

    #[test]
    fn output_serialises_as_lossy_text() {
        let step = StepRun {
            run_id: "r".into(),
            number: 1,
            title: "t".into(),
            status: StepStatus::Succeeded,
            attempts: 1,
            exit_code: Some(0),
            started_at: None,
            finished_at: None,
            duration_ms: Some(3),
            output_tail: b"ok\xff\n".to_vec(),
            output_size: 4,
            output_sha256: None,
            process_group: None,
            note: None,
            outputs: BTreeMap::new(),
        };
        let json = serde_json::to_value(&step).unwrap();
        assert_eq!(json["output_tail"], "ok\u{fffd}\n");
        assert_eq!(json["status"], "succeeded");
    }
}
