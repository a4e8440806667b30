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
        match base.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (value(from, name)?, value(to, name)?);
                if from > to {
                    return Err(format!(
                        "the range `{base}` runs backwards; list its ends instead (`a,b`)"
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
            ("0 0 * * sat-sun", "the range `sat-sun` runs backwards"),
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
}
