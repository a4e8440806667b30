//! A daily span of local wall-clock time such as `09:00-18:00` (start inclusive, end exclusive).

use chrono::{NaiveTime, Timelike};
use std::fmt;
use std::str::FromStr;

/// `HH:MM-HH:MM` in local time. `24:00` may close a range; a range whose end is before its start
/// wraps past midnight (`22:00-06:00` covers the night).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoursRange {
    /// Minutes after midnight, `0..1440`.
    start: u32,
    /// Minutes after midnight, `1..=1440`.
    end: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid hours `{input}`: {reason}")]
pub struct HoursRangeError {
    pub input: String,
    pub reason: &'static str,
}

impl HoursRange {
    /// The spec's business hours: 09:00 ≤ local time < 18:00.
    pub const BUSINESS: HoursRange = HoursRange {
        start: 9 * 60,
        end: 18 * 60,
    };

    /// Whether the range covers a local wall-clock time.
    pub fn contains(&self, time: NaiveTime) -> bool {
        let minute = time.hour() * 60 + time.minute();
        if self.wraps() {
            minute >= self.start || minute < self.end
        } else {
            minute >= self.start && minute < self.end
        }
    }

    /// True for ranges that run past midnight, such as `22:00-06:00`.
    pub fn wraps(&self) -> bool {
        self.end <= self.start
    }

    /// For a wrapping range: whether `time` lies in the part after midnight, which belongs to
    /// the coverage that started the day before.
    pub fn in_tail(&self, time: NaiveTime) -> bool {
        self.wraps() && time.hour() * 60 + time.minute() < self.end
    }
}

fn parse_clock(s: &str, allow_24: bool) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    if !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    match (h, m) {
        (24, 0) if allow_24 => Some(1440),
        (0..=23, 0..=59) => Some(h * 60 + m),
        _ => None,
    }
}

impl FromStr for HoursRange {
    type Err = HoursRangeError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason| HoursRangeError {
            input: input.to_string(),
            reason,
        };
        let (a, b) = input
            .split_once('-')
            .ok_or_else(|| err("write a start and an end, e.g. \"09:00-18:00\""))?;
        let start = parse_clock(a, false)
            .ok_or_else(|| err("the start is not a time of day like \"09:00\""))?;
        let end = parse_clock(b, true)
            .ok_or_else(|| err("the end is not a time of day like \"18:00\" (or \"24:00\")"))?;
        if start == end {
            return Err(err(
                "start and end are equal; use \"00:00-24:00\" for the whole day",
            ));
        }
        Ok(HoursRange { start, end })
    }
}

impl fmt::Display for HoursRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn start_is_inclusive_and_end_exclusive() {
        let r: HoursRange = "09:00-18:00".parse().unwrap();
        assert_eq!(r, HoursRange::BUSINESS);
        assert!(!r.contains(t(8, 59)));
        assert!(r.contains(t(9, 0)));
        assert!(r.contains(t(17, 59)));
        assert!(!r.contains(t(18, 0)));
    }

    #[test]
    fn a_range_may_wrap_past_midnight() {
        let r: HoursRange = "22:00-06:00".parse().unwrap();
        assert!(r.wraps());
        assert!(r.contains(t(23, 0)) && r.contains(t(0, 0)) && r.contains(t(5, 59)));
        assert!(!r.contains(t(6, 0)) && !r.contains(t(21, 59)));
        assert!(r.in_tail(t(1, 0)) && !r.in_tail(t(23, 0)));
    }

    #[test]
    fn the_whole_day_is_written_with_24_00() {
        let r: HoursRange = "00:00-24:00".parse().unwrap();
        assert!(r.contains(t(0, 0)) && r.contains(t(23, 59)));
        assert_eq!(r.to_string(), "00:00-24:00");
    }

    #[test]
    fn rejects_malformed_ranges_with_a_reason() {
        for bad in [
            "",
            "9-18",
            "09:00",
            "09:00-",
            "25:00-26:00",
            "09:60-10:00",
            "24:00-10:00",
            "10:00-10:00",
            "a:bc-18:00",
            "09:00-18:00:00",
        ] {
            let e = bad.parse::<HoursRange>().unwrap_err();
            assert!(!e.reason.is_empty(), "{bad}");
        }
    }
}
