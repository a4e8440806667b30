//! The shape of each field of a cron expression, checked before croner reads it: croner also
//! takes Quartz's extensions and forms crontab refuses (`5/20`, an empty list item, a name as a
//! step, `sat-sun`), some of which it reads as a schedule that never fires. Only what
//! crontab(5) and our documentation describe is accepted; croner still checks the ranges.

/// Checks every field of a five- or six-field expression; `fields` names them in order (with
/// what each takes, for the message).
pub fn check(parts: &[&str], fields: &[(&str, &str)]) -> Result<(), String> {
    for (part, (name, takes)) in parts.iter().zip(fields) {
        check_field(part, name).map_err(|why| {
            format!(
                "the {name} field `{part}` is not valid: {why} ({name} takes {takes}, `*`, lists `a,b`, ranges `a-b` and steps `*/n` or `a-b/n`)"
            )
        })?;
    }
    Ok(())
}

fn check_field(field: &str, name: &str) -> Result<(), String> {
    let days = name == "day-of-week";
    let day_field = days || name == "day-of-month";
    for item in field.split(',') {
        if item.is_empty() {
            return Err("its list has an empty item".into());
        }
        let (base, step) = match item.split_once('/') {
            Some((base, step)) => (base, Some(step)),
            None => (item, None),
        };
        if let Some(step) = step
            && (step.is_empty() || !step.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(format!("the step `{step}` is not a number"));
        }
        if base == "*" || (day_field && base == "?") {
            continue;
        }
        if base.is_empty() {
            return Err("a step needs `*` or a range before its `/` (`*/n`, `a-b/n`)".into());
        }
        match base.split_once('-') {
            Some((from_text, to_text)) => {
                if from_text.is_empty() || to_text.is_empty() {
                    return Err(format!(
                        "the range `{base}` needs a value on each side of its `-` (`a-b`)"
                    ));
                }
                let from = value(from_text, name)?;
                let to = range_end(from, to_text, name)?;
                if from > to {
                    return Err(format!(
                        "the range `{base}` runs backwards; split it where the field ends instead (`{}`)",
                        split_suggestion(from_text, to_text, name)
                    ));
                }
            }
            None => {
                value(base, name)?;
                if step.is_some() {
                    return Err(format!(
                        "a step follows `*` or a range (`*/n`, `a-b/n`), not a single value like `{base}`"
                    ));
                }
            }
        }
    }
    Ok(())
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
/// `SUN-SUN` meant every day. Call after [`check`] passed.
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
        let parts: Vec<&str> = e.split_whitespace().collect();
        check(&parts, &FIVE)
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
