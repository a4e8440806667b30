//! The severity words conditions order by rank: the spec's four priority levels, and the words
//! monitoring systems send for them, each placed on one of the four.
//!
//! Alertmanager's rules say `info`, `warning` and `critical`; PagerDuty's events `info`,
//! `warning`, `error` and `critical`; many trackers `medium`. Without them, a condition written
//! in the sender's words (`severity >= 'warning'`) could not rank a `critical` alert at all.

use crate::Priority;

/// Words other than the level names themselves, with the level each stands for.
const SYNONYMS: &[(&str, Priority)] = &[
    ("info", Priority::Low),
    ("informational", Priority::Low),
    ("medium", Priority::Normal),
    ("moderate", Priority::Normal),
    ("warning", Priority::Normal),
    ("warn", Priority::Normal),
    ("error", Priority::High),
];

/// The level `word` names, in any case and ignoring surrounding blanks: a priority
/// (`"High"`) or a synonym of one (`"warning"` is `normal`). `None` for any other word.
pub fn severity_level(word: &str) -> Option<Priority> {
    let word = word.trim();
    Priority::from_word(word).or_else(|| {
        SYNONYMS
            .iter()
            .find(|(synonym, _)| synonym.eq_ignore_ascii_case(word))
            .map(|&(_, level)| level)
    })
}

/// The words ranked, for messages: the four levels, then their synonyms.
pub fn severity_words() -> String {
    let levels: Vec<&str> = Priority::ALL.iter().map(|p| p.as_str()).collect();
    let synonyms: Vec<&str> = SYNONYMS.iter().map(|(word, _)| *word).collect();
    format!("{}, or {}", levels.join(", "), synonyms.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_synonyms_in_any_case() {
        assert_eq!(severity_level("CRITICAL"), Some(Priority::Critical));
        assert_eq!(severity_level(" high "), Some(Priority::High));
        assert_eq!(severity_level("Warning"), Some(Priority::Normal));
        assert_eq!(severity_level("medium"), Some(Priority::Normal));
        assert_eq!(severity_level("info"), Some(Priority::Low));
        assert_eq!(severity_level("error"), Some(Priority::High));
        assert_eq!(severity_level("urgent"), None);
        assert_eq!(severity_level(""), None);
    }

    #[test]
    fn the_message_names_every_word() {
        let words = severity_words();
        for (synonym, _) in SYNONYMS {
            assert!(words.contains(synonym), "{synonym}");
        }
        for level in Priority::ALL {
            assert!(words.contains(level.as_str()), "{level}");
        }
    }
}
