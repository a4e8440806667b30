//! The shape of each field of a cron expression, checked before croner reads it: croner also
//! takes Quartz's extensions and forms crontab refuses (`5/20`, an empty list item, a name as a
//! step, `sat-sun`), some of which it reads as a schedule that never fires. Only what
//! crontab(5) and our documentation describe is accepted. Values are held to each field's
//! range here too, so that every problem is found with the token it concerns (for the caret);
//! croner's own checks remain behind them.

use std::ops::Range;

/// The whitespace-separated fields of `expression`, each with its byte offset in it, so a
/// problem can be shown at its own column however many spaces stand between the fields.
pub fn split(expression: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in expression.char_indices().chain([(expression.len(), ' ')]) {
        match (start, c.is_whitespace()) {
            (None, false) => start = Some(i),
            (Some(s), true) => {
                out.push((s, &expression[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// One field that is wrong: its position among the fields, the bytes of the expression at
/// fault (the bad token where there is one, else the field), and a message naming the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: usize,
    pub span: Range<usize>,
    pub message: String,
}

/// Checks every field of a five- or six-field expression, each given with its byte offset in
/// the expression; `fields` names them in order (with what each takes, for the message). Every
/// wrong field is reported, the first problem of each.
pub fn check(parts: &[(usize, &str)], fields: &[(&str, &str)]) -> Vec<FieldProblem> {
    parts
        .iter()
        .zip(fields)
        .enumerate()
        .filter_map(|(field, ((start, part), (name, takes)))| {
            let bad = check_field(part, name).err()?;
            Some(FieldProblem {
                field,
                span: start + bad.at.start..start + bad.at.end,
                message: format!(
                    "the {name} field `{part}` is not valid: {} ({name} takes {takes}, `*`, lists `a,b`, ranges `a-b` and steps `*/n` or `a-b/n`)",
                    bad.why
                ),
            })
        })
        .collect()
}

/// Why a field is wrong, and the bytes of the field at fault.
struct Bad {
    at: Range<usize>,
    why: String,
}

/// `len` bytes of the field from `start`, at least one so that a caret shows.
fn bad(start: usize, len: usize, why: impl Into<String>) -> Bad {
    Bad {
        at: start..start + len.max(1),
        why: why.into(),
    }
}

fn check_field(field: &str, name: &str) -> Result<(), Bad> {
    let days = name == "day-of-week";
    let day_field = days || name == "day-of-month";
    let mut next = 0;
    for item in field.split(',') {
        let at = next;
        next += item.len() + 1;
        if item.is_empty() {
            // The comma that leaves the item empty: the one after it, or before it at the end.
            return Err(bad(
                at.saturating_sub(usize::from(at == field.len())),
                1,
                "its list has an empty item",
            ));
        }
        let (base, step) = match item.split_once('/') {
            Some((base, step)) => (base, Some(step)),
            None => (item, None),
        };
        if let Some(step) = step {
            let step_at = at + base.len() + 1;
            if step.is_empty() || !step.bytes().all(|b| b.is_ascii_digit()) {
                // An empty step is shown at its `/`.
                let (from, len) = if step.is_empty() {
                    (step_at - 1, 1)
                } else {
                    (step_at, step.len())
                };
                return Err(bad(from, len, format!("the step `{step}` is not a number")));
            }
            // croner counts steps in 16 bits.
            match step.parse::<u16>() {
                Ok(0) => {
                    return Err(bad(
                        step_at,
                        step.len(),
                        "a step of 0 never moves on; steps start at 1",
                    ));
                }
                Ok(_) => {}
                Err(_) => {
                    return Err(bad(
                        step_at,
                        step.len(),
                        format!("the step `{step}` is too large"),
                    ));
                }
            }
        }
        if base == "*" || (day_field && base == "?") {
            continue;
        }
        if base.is_empty() {
            return Err(bad(
                at,
                1,
                "a step needs `*` or a range before its `/` (`*/n`, `a-b/n`)",
            ));
        }
        match base.split_once('-') {
            Some((from_text, to_text)) => {
                if from_text.is_empty() || to_text.is_empty() {
                    return Err(bad(
                        at,
                        base.len(),
                        format!("the range `{base}` needs a value on each side of its `-` (`a-b`)"),
                    ));
                }
                let to_at = at + from_text.len() + 1;
                let from = value(from_text, name).map_err(|why| bad(at, from_text.len(), why))?;
                let to =
                    range_end(from, to_text, name).map_err(|why| bad(to_at, to_text.len(), why))?;
                in_bounds(from_text, from, name).map_err(|why| bad(at, from_text.len(), why))?;
                in_bounds(to_text, to, name).map_err(|why| bad(to_at, to_text.len(), why))?;
                if from > to {
                    return Err(bad(
                        at,
                        base.len(),
                        format!(
                            "the range `{base}` runs backwards; split it where the field ends instead (`{}`)",
                            split_suggestion(from_text, to_text, name)
                        ),
                    ));
                }
            }
            None => {
                let v = value(base, name).map_err(|why| bad(at, base.len(), why))?;
                if step.is_some() {
                    return Err(bad(
                        at,
                        item.len(),
                        format!(
                            "a step follows `*` or a range (`*/n`, `a-b/n`), not a single value like `{base}`"
                        ),
                    ));
                }
                in_bounds(base, v, name).map_err(|why| bad(at, base.len(), why))?;
            }
        }
    }
    Ok(())
}

/// The values a field takes, first and last (the day of week's 7 is Sunday again).
fn bounds(field: &str) -> (u32, u32) {
    match field {
        "second" | "minute" => (0, 59),
        "hour" => (0, 23),
        "day-of-month" => (1, 31),
        "month" => (1, 12),
        _ => (0, 7),
    }
}

/// Refuses a value (written `text`) outside the field's bounds.
fn in_bounds(text: &str, v: u32, field: &str) -> Result<(), String> {
    let (low, high) = bounds(field);
    if (low..=high).contains(&v) {
        Ok(())
    } else {
        Err(format!("`{text}` is out of range"))
    }
}

/// The end of a range starting at `from`: `SUN` ends a day-of-week range as 7 when the range
/// starts after Sunday (`FRI-SUN` is Friday to Sunday), and as 0 when it starts on it.
fn range_end(from: u32, text: &str, field: &str) -> Result<u32, String> {
    let to = value(text, field)?;
    let sunday_name = field == "day-of-week" && text.eq_ignore_ascii_case("sun");
    Ok(if sunday_name && from > 0 { 7 } else { to })
}

/// A backwards range `from-to` written as the two ranges it means: to the end of the field,
/// then from its start (`22-2` as `22-23,0-2`, `FRI-MON` as `FRI-SAT,SUN-MON`).
fn split_suggestion(from: &str, to: &str, field: &str) -> String {
    let named = !from.bytes().all(|b| b.is_ascii_digit());
    let (first, last) = match field {
        "second" | "minute" => ("0", "59"),
        "hour" => ("0", "23"),
        "day-of-month" => ("1", "31"),
        "month" if named => ("JAN", "DEC"),
        "month" => ("1", "12"),
        _ if named => ("SUN", "SAT"),
        _ => ("0", "6"),
    };
    let part = |a: &str, b: &str| {
        if a.eq_ignore_ascii_case(b) {
            a.to_string()
        } else {
            format!("{a}-{b}")
        }
    };
    format!("{},{}", part(from, last), part(first, to))
}

/// The expression with every month and day name written as its number, as croner is to read
/// it: croner reads a `SUN` that ends a range as 7 whatever the range's start, so that
/// `SUN-SUN` meant every day. Call after [`check`] found nothing.
pub fn numbered(parts: &[&str], fields: &[(&str, &str)]) -> String {
    parts
        .iter()
        .zip(fields)
        .map(|(part, (name, _))| {
            if !matches!(*name, "month" | "day-of-week") {
                return (*part).to_string();
            }
            part.split(',')
                .map(|item| numbered_item(item, name))
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn numbered_item(item: &str, name: &str) -> String {
    let (base, step) = match item.split_once('/') {
        Some((base, step)) => (base, Some(step)),
        None => (item, None),
    };
    let number =
        |text: &str| value(text, name).map_or_else(|_| text.to_string(), |v| v.to_string());
    let base = match base.split_once('-') {
        Some((from, to)) => {
            let to = match value(from, name) {
                Ok(start) => {
                    range_end(start, to, name).map_or_else(|_| to.to_string(), |v| v.to_string())
                }
                Err(_) => number(to),
            };
            format!("{}-{to}", number(from))
        }
        None if base == "*" || base == "?" => base.to_string(),
        None => number(base),
    };
    match step {
        Some(step) => format!("{base}/{step}"),
        None => base,
    }
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// A number, or in the month and day-of-week fields a name, as its number (Sunday 0).
fn value(text: &str, field: &str) -> Result<u32, String> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().map_err(|_| format!("`{text}` is too large"));
    }
    let lower = text.to_ascii_lowercase();
    let names: &[&str] = match field {
        "month" => &MONTHS,
        "day-of-week" => &DAYS,
        _ => &[],
    };
    let offset = u32::from(field == "month");
    names
        .iter()
        .position(|n| *n == lower)
        .map(|i| i as u32 + offset)
        .ok_or_else(|| format!("`{text}` is neither a number nor a name it takes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIVE: [(&str, &str); 5] = [
        ("minute", "0-59"),
        ("hour", "0-23"),
        ("day-of-month", "1-31"),
        ("month", "1-12 or JAN-DEC"),
        ("day-of-week", "0-7 or SUN-SAT"),
    ];

    fn check5(e: &str) -> Result<(), String> {
        match check(&split(e), &FIVE).first() {
            None => Ok(()),
            Some(p) => Err(p.message.clone()),
        }
    }

    /// The bytes of `e` each problem points at, with where they start.
    fn pointed(e: &str) -> Vec<(usize, &str)> {
        check(&split(e), &FIVE)
            .iter()
            .map(|p| (p.span.start, &e[p.span.clone()]))
            .collect()
    }

    #[test]
    fn fields_are_split_with_their_offsets_whatever_the_spacing() {
        assert_eq!(
            split(" 0  2\t*\u{a0}* *"),
            [(1, "0"), (4, "2"), (6, "*"), (9, "*"), (11, "*")]
        );
        assert_eq!(split(""), []);
    }

    #[test]
    fn each_problem_points_at_its_token() {
        for (e, at) in [
            ("0 25 * * *", vec![(2, "25")]),
            ("*/0 * * * *", vec![(2, "0")]),
            ("*/x * * * *", vec![(2, "x")]),
            ("*/ * * * *", vec![(1, "/")]),
            ("*/99999 * * * *", vec![(2, "99999")]),
            ("0 0 * * FOO", vec![(8, "FOO")]),
            ("0 0 * *  mon-FOO", vec![(13, "FOO")]),
            ("0 0 * * 1-8", vec![(10, "8")]),
            ("0 0 0 * *", vec![(4, "0")]),
            ("0 22-2 * * *", vec![(2, "22-2")]),
            ("0 0-23,1- * * *", vec![(7, "1-")]),
            ("1,,2 * * * *", vec![(2, ",")]),
            (", * * * *", vec![(0, ",")]),
            ("5, * * * *", vec![(1, ",")]),
            ("0,5/20 * * * *", vec![(2, "5/20")]),
            ("/5 * * * *", vec![(0, "/")]),
            ("0 0 * jan 7L", vec![(10, "7L")]),
            ("61 25 * 13 *", vec![(0, "61"), (3, "25"), (8, "13")]),
        ] {
            assert_eq!(pointed(e), at, "{e}");
        }
        let two = check(&split("61  0 * * sun-xyz"), &FIVE);
        assert_eq!(two.iter().map(|p| p.field).collect::<Vec<_>>(), [0, 4]);
        assert!(
            two[1]
                .message
                .starts_with("the day-of-week field `sun-xyz` is not valid: `xyz` is neither")
        );
    }

    #[test]
    fn crontab_forms_pass() {
        for e in [
            "* * * * *",
            "*/15 0-23/2 1,15 JAN-mar mon-FRI",
            "5-59/20 9 1-7 */2 0,7",
            "0 9 ? * 5-7",
        ] {
            assert_eq!(check5(e), Ok(()), "{e}");
        }
    }

    #[test]
    fn forms_crontab_refuses_are_refused_saying_why() {
        for (e, why) in [
            (", * * * *", "its list has an empty item"),
            ("1,,2 * * * *", "its list has an empty item"),
            ("0 0 5, * *", "its list has an empty item"),
            ("5/20 * * * *", "not a single value like `5`"),
            ("0 0 * * mon/2", "not a single value like `mon`"),
            ("0 0 * * */mon", "the step `mon` is not a number"),
            ("0 0 * * sat-mon", "the range `sat-mon` runs backwards"),
            ("0 0 * * sun-sat", ""),
            ("0 0 * * fri-sun", ""),
            ("0 0 * * 7-sun", ""),
            (
                "-1 * * * *",
                "the range `-1` needs a value on each side of its `-`",
            ),
            (
                "1- * * * *",
                "the range `1-` needs a value on each side of its `-`",
            ),
            ("/5 * * * *", "a step needs `*` or a range before its `/`"),
            ("0 0 * * 7L", "`7L` is neither a number nor a name it takes"),
            ("0 0 15W * *", "`15W` is neither"),
            ("0 0 * * 1#2", "`1#2` is neither"),
            ("0 0 * jan *", ""),
            ("0 0 * * */0", "a step of 0 never moves on"),
            ("*/70000 * * * *", "the step `70000` is too large"),
            ("0 0 * 0 *", "`0` is out of range"),
            ("0 24 * * *", "`24` is out of range"),
            ("0 0 32 * *", "`32` is out of range"),
            ("0 0 * * 0-8", "`8` is out of range"),
            ("0 0 * * 99999999999", "`99999999999` is too large"),
            ("60-61/2 * * * *", "`60` is out of range"),
        ] {
            match check5(e) {
                Ok(()) => assert!(why.is_empty(), "{e} passed"),
                Err(m) => assert!(!why.is_empty() && m.contains(why), "{e}: {m}"),
            }
        }
        assert_eq!(
            check5("5/20 * * * *").unwrap_err(),
            "the minute field `5/20` is not valid: a step follows `*` or a range (`*/n`, `a-b/n`), \
             not a single value like `5` (minute takes 0-59, `*`, lists `a,b`, ranges `a-b` and \
             steps `*/n` or `a-b/n`)"
        );
    }

    #[test]
    fn a_backwards_range_is_shown_as_the_two_ranges_it_means() {
        for (e, split) in [
            ("0 22-2 * * *", "`22-23,0-2`"),
            ("0 0 * * FRI-MON", "`FRI-SAT,SUN-MON`"),
            ("0 0 * * SAT-MON", "`SAT,SUN-MON`"),
            ("0 0 * NOV-FEB *", "`NOV-DEC,JAN-FEB`"),
            ("0 0 * * 5-1", "`5-6,0-1`"),
        ] {
            let why = check5(e).unwrap_err();
            assert!(why.contains(split), "{e}: {why}");
        }
    }

    #[test]
    fn names_are_numbered_with_sunday_ending_a_range_as_seven_unless_it_starts_it() {
        for (e, numbered5) in [
            ("0 0 * * SUN-SUN", "0 0 * * 0-0"),
            ("0 0 * * 0-SUN/3", "0 0 * * 0-0/3"),
            ("0 0 * * FRI-SUN", "0 0 * * 5-7"),
            ("0 0 * * 7-sun", "0 0 * * 7-7"),
            ("0 0 * jan-Mar/2,DEC mon,SUN,*/2", "0 0 * 1-3/2,12 1,0,*/2"),
            ("*/5 1-2 ? * ?", "*/5 1-2 ? * ?"),
        ] {
            let parts: Vec<&str> = e.split_whitespace().collect();
            assert_eq!(numbered(&parts, &FIVE), numbered5, "{e}");
        }
    }
}
