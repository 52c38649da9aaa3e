//! Weekly hours: `"HH:MM-HH:MM"` intervals per weekday.

use chrono::Weekday;

/// One local interval of a day, in minutes after local midnight of its start date.
/// `end` may exceed 1440: the interval runs past midnight (an overnight shift or `24:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Interval {
    /// Start, 0 ≤ start < 1440.
    pub start: u16,
    /// End, start < end < start + 1440.
    pub end: u16,
}

impl Interval {
    /// Parses `"09:00-17:00"`, `"22:00-06:00"` (overnight) or `"00:00-24:00"`.
    pub fn parse(text: &str) -> Result<Interval, String> {
        let (a, b) =
            text.split_once('-').ok_or_else(|| format!("interval \"{text}\" must look like \"09:00-17:00\""))?;
        let start = parse_clock(a.trim(), false).map_err(|e| format!("interval \"{text}\": {e}"))?;
        let end = parse_clock(b.trim(), true).map_err(|e| format!("interval \"{text}\": {e}"))?;
        if start == end {
            return Err(format!("interval \"{text}\" is empty (start equals end)"));
        }
        let end = if end < start { end + 1440 } else { end };
        Ok(Interval { start, end })
    }

    /// True when the interval ends after local midnight.
    pub fn is_overnight(&self) -> bool {
        self.end > 1440
    }
}

impl std::fmt::Display for Interval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let end = if self.end == 1440 { 1440 } else { self.end % 1440 };
        write!(f, "{:02}:{:02}-{:02}:{:02}", self.start / 60, self.start % 60, end / 60, end % 60)
    }
}

fn parse_clock(text: &str, may_be_24: bool) -> Result<u16, String> {
    let bytes = text.as_bytes();
    let ok_shape =
        bytes.len() == 5 && bytes[2] == b':' && bytes.iter().enumerate().all(|(i, b)| i == 2 || b.is_ascii_digit());
    if !ok_shape {
        return Err(format!("\"{text}\" is not a time of day HH:MM"));
    }
    let h = u16::from(bytes[0] - b'0') * 10 + u16::from(bytes[1] - b'0');
    let m = u16::from(bytes[3] - b'0') * 10 + u16::from(bytes[4] - b'0');
    if h == 24 && m == 0 {
        return if may_be_24 { Ok(1440) } else { Err("24:00 may only end an interval".to_owned()) };
    }
    if h > 23 || m > 59 {
        return Err(format!("\"{text}\" is not a time of day (00:00 to 23:59, or 24:00 at an end)"));
    }
    Ok(h * 60 + m)
}

/// Parses an `hours` key: `mon`, `mon-fri`, or a wrapping range such as `sun-thu`.
pub fn parse_days(key: &str) -> Result<Vec<Weekday>, String> {
    let one = |s: &str| {
        parse_weekday(s).ok_or_else(|| format!("\"{s}\" is not a day (use mon, tue, wed, thu, fri, sat, sun)"))
    };
    match key.split_once('-') {
        None => Ok(vec![one(key)?]),
        Some((a, b)) => {
            let (a, b) = (one(a)?, one(b)?);
            let mut days = vec![a];
            let mut d = a;
            while d != b {
                d = d.succ();
                days.push(d);
            }
            Ok(days)
        }
    }
}

/// `mon` … `sun`, or the full English name, any case.
pub fn parse_weekday(s: &str) -> Option<Weekday> {
    let s = s.trim().to_ascii_lowercase();
    let days = [
        ("mon", "monday", Weekday::Mon),
        ("tue", "tuesday", Weekday::Tue),
        ("wed", "wednesday", Weekday::Wed),
        ("thu", "thursday", Weekday::Thu),
        ("fri", "friday", Weekday::Fri),
        ("sat", "saturday", Weekday::Sat),
        ("sun", "sunday", Weekday::Sun),
    ];
    days.iter().find(|(short, long, _)| s == *short || s == *long).map(|d| d.2)
}

/// Parses a day's list of intervals, rejecting overlaps; `path` prefixes the errors.
pub(crate) fn parse_day(list: &[String], path: &str, errors: &mut crate::ConfigErrors) -> Vec<Interval> {
    let mut parsed: Vec<(usize, Interval)> = Vec::new();
    for (i, text) in list.iter().enumerate() {
        match Interval::parse(text) {
            Ok(iv) => parsed.push((i, iv)),
            Err(e) => errors.push(format!("{path}/{i}"), e),
        }
    }
    crate::sort::sort_by_key(&mut parsed, |(_, iv)| *iv);
    for pair in parsed.windows(2) {
        let ((_, a), (j, b)) = (pair[0], pair[1]);
        if b.start < a.end {
            errors.push(format!("{path}/{j}"), format!("interval \"{b}\" overlaps \"{a}\" on the same day"));
        }
    }
    parsed.into_iter().map(|(_, iv)| iv).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_day_overnight_and_24() {
        assert_eq!(Interval::parse("09:00-17:00"), Ok(Interval { start: 540, end: 1020 }));
        assert_eq!(Interval::parse("22:00-06:00"), Ok(Interval { start: 1320, end: 1800 }));
        assert_eq!(Interval::parse("00:00-24:00"), Ok(Interval { start: 0, end: 1440 }));
        assert_eq!(Interval::parse("22:00-06:00").map(|i| i.to_string()), Ok("22:00-06:00".to_owned()));
    }

    #[test]
    fn rejects_bad_intervals() {
        for bad in ["9-17", "09:00", "25:00-26:00", "09:60-10:00", "24:00-06:00", "10:00-10:00", "ab:cd-10:00"] {
            assert!(Interval::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn day_ranges_wrap_around_the_week() {
        assert_eq!(parse_days("mon-fri").map(|d| d.len()), Ok(5));
        assert_eq!(
            parse_days("sun-thu"),
            Ok(vec![Weekday::Sun, Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu])
        );
        assert!(parse_days("mon-frx").is_err());
    }
}
