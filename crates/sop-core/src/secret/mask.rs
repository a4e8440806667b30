//! Replacing known secret values in text with `[redacted]`.
//!
//! Every occurrence of every secret is found (overlapping ones too) and each run of overlapping
//! occurrences becomes one `[redacted]`, so no part of a secret that overlaps another survives.
//! Values shorter than [`MIN_SECRET_CHARS`] and words such as `true` or `null` are not masked:
//! hiding every `1` or `true` in a log would wreck it while protecting nothing.

use super::REDACTED;
use std::borrow::Cow;
use std::ops::Range;

/// Values with fewer characters than this are not masked.
pub const MIN_SECRET_CHARS: usize = 4;

/// Values that are too common in output to mask, compared case-insensitively.
const TRIVIAL: &[&str] = &[
    "true",
    "false",
    "null",
    "none",
    "nil",
    "undefined",
    "[redacted]",
];

/// A set of secret values to hide in text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretMask {
    /// Longest first, without duplicates.
    secrets: Vec<String>,
}

impl SecretMask {
    /// A mask for `values`; too short or trivial ones are left out (see the module docs).
    pub fn new<I, S>(values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut secrets: Vec<String> = values
            .into_iter()
            .map(|v| v.as_ref().to_string())
            .filter(|v| maskable(v))
            .collect();
        secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        secrets.dedup();
        SecretMask { secrets }
    }

    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// The values masked, longest first.
    pub fn secrets(&self) -> &[String] {
        &self.secrets
    }

    /// The length in bytes of the longest secret (0 when there is none).
    pub fn longest(&self) -> usize {
        self.secrets.first().map_or(0, String::len)
    }

    /// `text` with every occurrence of a secret replaced by `[redacted]`.
    pub fn mask<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let spans = self.spans(text);
        if spans.is_empty() {
            return Cow::Borrowed(text);
        }
        Cow::Owned(replace(text, &spans))
    }

    /// Byte ranges of `text` covered by secrets, overlapping occurrences merged, in order.
    pub(super) fn spans(&self, text: &str) -> Vec<Range<usize>> {
        let mut found: Vec<Range<usize>> = Vec::new();
        for secret in &self.secrets {
            let mut from = 0;
            while let Some(i) = text[from..].find(secret.as_str()) {
                let start = from + i;
                found.push(start..start + secret.len());
                // The next occurrence may overlap this one: continue one character on.
                from = start + text[start..].chars().next().map_or(1, char::len_utf8);
            }
        }
        found.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(found.len());
        for r in found {
            match merged.last_mut() {
                Some(last) if r.start < last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        merged
    }
}

fn maskable(value: &str) -> bool {
    let trimmed = value.trim();
    trimmed.chars().count() >= MIN_SECRET_CHARS
        && !TRIVIAL.iter().any(|t| trimmed.eq_ignore_ascii_case(t))
}

/// `text` with each of `spans` (sorted, disjoint) replaced by `[redacted]`.
pub(super) fn replace(text: &str, spans: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in spans {
        out.push_str(&text[at..span.start]);
        out.push_str(REDACTED);
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_occurrence_of_every_secret_is_hidden() {
        let mask = SecretMask::new(["hunter22", "s3cr3t-token"]);
        assert_eq!(
            mask.mask("login hunter22 with s3cr3t-token, again hunter22"),
            "login [redacted] with [redacted], again [redacted]"
        );
        assert!(matches!(mask.mask("nothing here"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_longer_secret_wins_over_one_it_contains() {
        let mask = SecretMask::new(["abcd", "abcdefgh"]);
        assert_eq!(mask.mask("xabcdefghx abcd"), "x[redacted]x [redacted]");
        assert_eq!(mask.secrets(), ["abcdefgh", "abcd"]);
    }

    #[test]
    fn overlapping_secrets_leave_no_part_visible() {
        let mask = SecretMask::new(["abcdef", "defghi"]);
        assert_eq!(mask.mask("_abcdefghi_"), "_[redacted]_");
        let mask = SecretMask::new(["aaaa"]);
        assert_eq!(mask.mask("aaaaaa b"), "[redacted] b");
    }

    #[test]
    fn short_and_trivial_values_are_not_masked() {
        let mask = SecretMask::new(["abc", "true", "FALSE", " null ", "", "1", "[redacted]"]);
        assert!(mask.is_empty(), "{mask:?}");
        assert_eq!(mask.mask("abc true 1"), "abc true 1");
    }

    #[test]
    fn multibyte_text_and_secrets() {
        let mask = SecretMask::new(["pässwörd"]);
        assert_eq!(mask.mask("→pässwörd←"), "→[redacted]←");
    }

    proptest::proptest! {
        #[test]
        fn no_secret_survives_masking(
            secrets in proptest::collection::vec("[a-c]{4,7}", 1..4),
            text in "[a-c ]{0,60}",
        ) {
            let mask = SecretMask::new(&secrets);
            let masked = mask.mask(&text);
            for s in &secrets {
                proptest::prop_assert!(!masked.contains(s.as_str()), "{} in {}", s, masked);
            }
        }

        #[test]
        fn text_without_secrets_is_unchanged(text in "[d-z ]{0,60}") {
            let mask = SecretMask::new(["abcd", "bcde"]);
            proptest::prop_assert_eq!(mask.mask(&text), text.as_str());
        }
    }
}
