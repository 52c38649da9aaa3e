//! Small exact parsers and printers for the two text forms replyby uses: dates
//! (`YYYY-MM-DD`) and RFC 3339 instants; and the `{name}` placeholders of sentences. chrono's general strftime machinery would do,
//! but it adds tens of kilobytes to the widget's WebAssembly for these two shapes.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

fn digits(s: &[u8]) -> Option<u32> {
    s.iter().try_fold(0u32, |n, b| b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0')))
}

/// A real calendar date written `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(digits(&b[0..4])? as i32, digits(&b[5..7])?, digits(&b[8..10])?)
}

/// An RFC 3339 instant: `YYYY-MM-DDTHH:MM:SS`, optional fraction, then `Z` or `±HH:MM`.
pub fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    if b.len() < 20 || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let date = parse_date(&s[..10])?;
    let (h, m, sec) = (digits(&b[11..13])?, digits(&b[14..16])?, digits(&b[17..19])?);
    let mut rest = &b[19..];
    let mut nanos = 0u32;
    if rest.first() == Some(&b'.') {
        let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        let frac = &rest[1..=n.min(9)];
        nanos = digits(frac)? * 10u32.pow(9 - frac.len() as u32);
        rest = &rest[1 + n..];
    }
    let offset = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), hh @ .., b':', m1, m2] if hh.len() == 2 => {
            let v = (digits(hh)? * 60 + digits(&[*m1, *m2])?) as i64 * 60;
            if *sign == b'-' { -v } else { v }
        }
        _ => return None,
    };
    let local = date.and_hms_nano_opt(h, m, sec, nanos)?.and_utc();
    Some(local - chrono::Duration::seconds(offset))
}

/// An instant as DESIGN.md prints it: `2027-02-16T14:00:00Z` (whole seconds, UTC).
pub fn format_instant(t: DateTime<Utc>) -> String {
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", t.year(), t.month(), t.day(), t.hour(), t.minute(), t.second())
}

/// A plausible e-mail address: one `@`, something before it, a dotted domain after it, no
/// spaces or control characters, at most 254 bytes. The server and the widget's form both
/// apply exactly this check.
pub fn plausible_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && s.len() <= 254
}

/// `template` with each `{name}` replaced by its value in `args`, in one pass, so a value that
/// itself contains `{…}` (a customer's name) is never expanded again. Unknown names stay as
/// they are. (The widget's sentences and the server's e-mails both fill their templates with
/// it.)
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').and_then(|close| Some((args.iter().find(|(k, _)| *k == &after[..close])?, close))) {
            Some(((_, value), close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn email_plausibility() {
        for ok in ["a@b.example", "jo.doe+x@mail.example.com"] {
            assert!(super::plausible_email(ok), "{ok}");
        }
        for bad in ["", "a@", "@b.example", "a@b", "a b@c.example", "a@b@c.example", "a@.example", "a@example."] {
            assert!(!super::plausible_email(bad), "{bad}");
        }
    }

    use super::*;

    #[test]
    fn dates_must_be_real_and_exact() {
        assert_eq!(parse_date("2024-02-29"), NaiveDate::from_ymd_opt(2024, 2, 29));
        for bad in ["2023-02-29", "2024-2-29", "2024-02-30", "24-02-01", "2024-02-01x", "２０２４-02-01"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn instants_agree_with_chrono_rfc3339() {
        for s in [
            "2027-02-16T14:00:00Z",
            "2027-02-15T10:00:00-05:00",
            "2024-03-10T02:30:00.250+05:30",
            "2000-01-01t00:00:00z",
        ] {
            let ours = parse_instant(s);
            let chrono = DateTime::parse_from_rfc3339(s).ok().map(|t| t.to_utc());
            assert_eq!(ours, chrono, "{s}");
        }
        for bad in [
            "2027-02-16",
            "2027-02-16T14:00Z",
            "2027-02-16T14:00:00",
            "2027-02-16T14:00:00+0500",
            "2027-02-16T25:00:00Z",
        ] {
            assert_eq!(parse_instant(bad), None, "{bad}");
        }
        assert_eq!(format_instant(parse_instant("2027-02-15T10:00:00-05:00").expect("t")), "2027-02-15T15:00:00Z");
    }
}
