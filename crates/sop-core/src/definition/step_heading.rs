//! Recognises a step heading, `Step N: Title`, and explains near misses.

use crate::suggest;

#[derive(Debug, PartialEq, Eq)]
pub enum StepHeading<'a> {
    Step {
        number: u32,
        title: &'a str,
    },
    /// It reads like a step heading but is not well formed; the reason says why.
    Malformed(String),
    /// An ordinary heading.
    Other,
}

/// Classifies the text of a level-2 heading.
pub fn parse(text: &str) -> StepHeading<'_> {
    let word_end = text
        .find(|c: char| !c.is_alphabetic())
        .unwrap_or(text.len());
    let word = &text[..word_end];
    if !word.eq_ignore_ascii_case("step") {
        let looks_like_step = !word.eq_ignore_ascii_case("steps")
            && suggest::closest(word, ["step"]).is_some()
            && text[word_end..]
                .trim_start()
                .starts_with(|c: char| c.is_ascii_digit());
        return if looks_like_step {
            StepHeading::Malformed(format!("`{word}` should be `Step`"))
        } else {
            StepHeading::Other
        };
    }
    let rest = text[word_end..].trim_start();
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    if digits == 0 {
        return StepHeading::Malformed("expected a step number after `Step`".into());
    }
    let Ok(number) = rest[..digits].parse::<u32>() else {
        return StepHeading::Malformed("the step number is too large".into());
    };
    if number == 0 {
        return StepHeading::Malformed("steps are numbered from 1".into());
    }
    let Some(title) = rest[digits..].trim_start().strip_prefix(':') else {
        return StepHeading::Malformed(format!("expected `:` after `Step {number}`"));
    };
    let title = title.trim();
    if title.is_empty() {
        return StepHeading::Malformed(format!("step {number} has no title after the `:`"));
    }
    StepHeading::Step { number, title }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_headings() {
        assert_eq!(
            parse("Step 1: Assess Impact"),
            StepHeading::Step {
                number: 1,
                title: "Assess Impact"
            }
        );
        assert_eq!(
            parse("step 12 :  Roll `back` "),
            StepHeading::Step {
                number: 12,
                title: "Roll `back`"
            }
        );
    }

    #[test]
    fn ordinary_headings() {
        assert_eq!(parse("Overview"), StepHeading::Other);
        assert_eq!(parse("Steps at a glance"), StepHeading::Other);
        assert_eq!(parse("Stepping stones"), StepHeading::Other);
    }

    #[test]
    fn near_misses_are_explained() {
        let reason = |s| match parse(s) {
            StepHeading::Malformed(r) => r,
            other => panic!("{s}: {other:?}"),
        };
        assert!(reason("Step one: x").contains("number"));
        assert!(reason("Step 2 Deploy").contains("`:`"));
        assert!(reason("Step 0: x").contains("from 1"));
        assert!(reason("Step 3:").contains("no title"));
        assert!(reason("Setp 3: x").contains("`Setp` should be `Step`"));
        assert!(reason("Step 99999999999: x").contains("too large"));
    }
}
