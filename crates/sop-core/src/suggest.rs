//! "Did you mean ...?" hints: the closest known word to a misspelt one. Every suggestion the
//! program makes (keys, values, SOP names, variables, settings) comes from here, so a typo is
//! recognised the same way wherever it is made.

/// The candidate closest to `word`, if it is close enough to be a plausible typo, or else the
/// one candidate `word` is a clear abbreviation or stem of (`retry` for `retries`, `secret` for
/// `secret_env`, `incident` for `incident-response`).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    let candidates: Vec<&str> = candidates.into_iter().collect();
    candidates
        .iter()
        // Optimal string alignment: Levenshtein plus adjacent transpositions, which are the
        // most common typo (`nmae` for `name`).
        .map(|c| (strsim::osa_distance(&word, &c.to_ascii_lowercase()), *c))
        .filter(|(d, c)| *d <= (c.chars().count() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
        .or_else(|| same_stem(&word, &candidates))
}

/// The candidate sharing the longest beginning with `word`, when that beginning is at least four
/// characters and three quarters of the shorter word, and no other candidate shares as much.
fn same_stem<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let shared = |c: &str| {
        word.chars()
            .zip(c.to_ascii_lowercase().chars())
            .take_while(|(a, b)| a == b)
            .count()
    };
    let scored: Vec<(usize, &str)> = candidates
        .iter()
        .map(|c| (shared(c), *c))
        .filter(|(n, c)| {
            let shorter = word.chars().count().min(c.chars().count());
            *n >= 4 && *n * 4 >= shorter * 3
        })
        .collect();
    let best = scored.iter().map(|(n, _)| *n).max()?;
    let mut top = scored.iter().filter(|(n, _)| *n == best);
    match (top.next(), top.next()) {
        (Some((_, c)), None) => Some(c),
        _ => None,
    }
}

/// `did you mean `x`?` when a candidate is close, else the list of valid words.
pub fn hint(word: &str, candidates: &[&str]) -> String {
    match closest(word, candidates.iter().copied()) {
        Some(c) => format!("did you mean `{c}`?"),
        None => format!("expected one of: {}", list(candidates)),
    }
}

/// `a`, `b` and `c` formatting for help texts.
pub fn list(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} or {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpositions_and_small_typos_are_suggested() {
        let keys = ["name", "description", "priority", "execution_mode"];
        assert_eq!(closest("nmae", keys), Some("name"));
        assert_eq!(closest("prioity", keys), Some("priority"));
        assert_eq!(closest("execution-mode", keys), Some("execution_mode"));
        assert_eq!(closest("Name", keys), Some("name"));
    }

    #[test]
    fn stems_and_abbreviations_are_suggested_when_unambiguous() {
        let options = ["timeout", "retries", "continue_on_error", "approval"];
        assert_eq!(closest("retry", options), Some("retries"));
        assert_eq!(
            closest("secret", ["type", "path", "secret_env"]),
            Some("secret_env")
        );
        assert_eq!(
            closest("incident", ["daily-backup", "incident-response"]),
            Some("incident-response")
        );
        // `time` begins both, so neither is suggested.
        assert_eq!(closest("time", ["timeout", "timezone"]), None);
        assert_eq!(closest("tim", ["timeout"]), None);
    }

    #[test]
    fn calendar_keys_are_suggested_by_the_same_rule() {
        assert_eq!(closest("peeple", ["people", "name"]), Some("people"));
        assert_eq!(closest("windows", ["window"]), Some("window"));
        assert_eq!(closest("durration", ["name", "duration"]), Some("duration"));
    }

    #[test]
    fn unrelated_words_get_no_suggestion() {
        assert_eq!(closest("colour", ["name", "icon"]), None);
        assert_eq!(closest("colour", ["people", "name"]), None);
        assert_eq!(
            hint("zzz", &["auto", "supervised"]),
            "expected one of: `auto` or `supervised`"
        );
    }
}
