//! Day names as the condition language and the calendar files spell them.

use chrono::Weekday;

/// The lower-case English name `day_of_week` evaluates to: `"monday"` .. `"sunday"`.
pub fn day_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

/// Monday to Friday.
pub fn is_weekday(day: Weekday) -> bool {
    !matches!(day, Weekday::Sat | Weekday::Sun)
}

/// Reads `mon`, `Monday`, `TUE`, ... (three-letter or full English name, any case).
pub fn parse_day(text: &str) -> Option<Weekday> {
    let lower = text.trim().to_ascii_lowercase();
    [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ]
    .into_iter()
    .find(|d| {
        let name = day_name(*d);
        lower == name || lower == name[..3]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_names_in_any_case() {
        assert_eq!(parse_day("mon"), Some(Weekday::Mon));
        assert_eq!(parse_day("Saturday"), Some(Weekday::Sat));
        assert_eq!(parse_day("SUN"), Some(Weekday::Sun));
        assert_eq!(parse_day("mo"), None);
        assert_eq!(parse_day("funday"), None);
    }

    #[test]
    fn weekdays_are_monday_to_friday() {
        assert!(is_weekday(Weekday::Fri) && !is_weekday(Weekday::Sat));
        assert_eq!(day_name(Weekday::Wed), "wednesday");
    }
}
