//! iCalendar (RFC 5545): the receipt's `reply-by.ics`, and the content-line writing that the
//! closed-days feed (`serve/ics.rs`) shares.
//!
//! `reply-by.ics` is one `METHOD:PUBLISH` calendar with one VEVENT: a 15-minute event that
//! starts at `respond_by` (in UTC, `Z` form) and does not block the customer's time
//! (`TRANSP:TRANSPARENT`). A zero-length event would need `DTEND` = `DTSTART`, which RFC 5545
//! forbids, and some calendars hide events without an end. Its `UID` is `{request_id}@replyby`,
//! so a receipt sent twice updates the same event instead of adding a second one.

use chrono::{DateTime, TimeDelta, Utc};

/// The attachment's file name.
pub const FILE_NAME: &str = "reply-by.ics";
/// The attachment's content type.
pub const CONTENT_TYPE: &str = "text/calendar; method=PUBLISH; charset=UTF-8";
/// How long the reply-by event lasts in the customer's calendar.
pub const EVENT_MINUTES: i64 = 15;

/// Escapes a TEXT value (RFC 5545 §3.3.11): `\`, `;`, `,` and line breaks; other control
/// characters, which TEXT does not allow, are dropped.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value (RFC 5545 §3.2): quoted when it holds `:`, `;` or `,`; `"` and control
/// characters, which a parameter value cannot hold, are dropped.
pub fn param_value(s: &str) -> String {
    let clean: String = s.chars().filter(|c| *c != '"' && !c.is_control()).collect();
    if clean.contains([':', ';', ',']) { format!("\"{clean}\"") } else { clean }
}

/// Appends a content line folded at 75 octets (RFC 5545 §3.1), never inside a UTF-8 sequence,
/// and its CRLF.
pub fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// A UTC DATE-TIME value: `20270216T140000Z`.
pub fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// What the reply-by event says and who publishes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyBy<'a> {
    /// The request's id: the event's UID is `{request_id}@replyby`.
    pub request_id: &'a str,
    /// When the event starts.
    pub respond_by: DateTime<Utc>,
    /// When the calendar was made (`DTSTAMP`).
    pub stamp: DateTime<Utc>,
    /// The event's title, in the customer's language.
    pub summary: &'a str,
    /// The event's description, in the customer's language.
    pub description: &'a str,
    /// The organizer's name (the `team.from` name, or the company).
    pub organizer_name: &'a str,
    /// The organizer's address (`team.from`).
    pub organizer_email: &'a str,
    /// The calendar's language tag (`pt-BR`), for `LANGUAGE` on the texts.
    pub language: &'a str,
}

/// The `reply-by.ics` calendar, CRLF line ends, folded.
pub fn reply_by(e: &ReplyBy<'_>) -> String {
    let end = e.respond_by + TimeDelta::minutes(EVENT_MINUTES);
    let lang = param_value(e.language);
    let lang = if lang.is_empty() { String::new() } else { format!(";LANGUAGE={lang}") };
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//replyby//reply-by//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", escape_text(&format!("{}@replyby", e.request_id))),
        format!("DTSTAMP:{}", utc(e.stamp)),
        format!("DTSTART:{}", utc(e.respond_by)),
        format!("DTEND:{}", utc(end)),
        format!("SUMMARY{lang}:{}", escape_text(e.summary)),
        format!("DESCRIPTION{lang}:{}", escape_text(e.description)),
        format!("ORGANIZER;CN={}:mailto:{}", param_value(e.organizer_name), e.organizer_email),
        "SEQUENCE:0".to_owned(),
        "STATUS:CONFIRMED".to_owned(),
        "TRANSP:TRANSPARENT".to_owned(),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ] {
        fold(&line, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ical::property::Property;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("RFC 3339").to_utc()
    }

    fn prop(props: &[Property], name: &str) -> Option<String> {
        props.iter().find(|p| p.name == name).and_then(|p| p.value.clone())
    }

    fn example() -> String {
        reply_by(&ReplyBy {
            request_id: "req_0123456789abcdef",
            respond_by: at("2027-03-09T22:00:00Z"),
            stamp: at("2027-03-09T13:59:30Z"),
            summary: "Resposta esperada de Acme, Inc.",
            description: "Você receberá uma resposta até ter., 9 de mar. de 2027, 19:00 (America/Sao_Paulo).\nSua solicitação: Roteador; pisca",
            organizer_name: "Acme Support: São Paulo",
            organizer_email: "support@acme.example",
            language: "pt-BR",
        })
    }

    #[test]
    fn the_receipt_calendar_is_one_published_event_at_respond_by() {
        let text = example();
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(!text.replace("\r\n", "").contains('\n'), "only CRLF line ends");
        assert!(text.split("\r\n").all(|l| l.len() <= 75), "folded at 75 octets:\n{text}");
        let cals: Vec<_> = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()))
            .collect::<Result<Vec<_>, _>>()
            .expect("a real parser reads it");
        assert_eq!(cals.len(), 1);
        let cal = &cals[0];
        assert_eq!(prop(&cal.properties, "METHOD").as_deref(), Some("PUBLISH"));
        assert_eq!(prop(&cal.properties, "VERSION").as_deref(), Some("2.0"));
        assert_eq!(cal.events.len(), 1);
        let e = &cal.events[0].properties;
        assert_eq!(prop(e, "UID").as_deref(), Some("req_0123456789abcdef@replyby"));
        assert_eq!(prop(e, "DTSTART").as_deref(), Some("20270309T220000Z"));
        assert_eq!(prop(e, "DTEND").as_deref(), Some("20270309T221500Z"));
        assert_eq!(prop(e, "DTSTAMP").as_deref(), Some("20270309T135930Z"));
        // The parser unfolds but leaves TEXT escapes in place.
        assert_eq!(prop(e, "SUMMARY").as_deref(), Some("Resposta esperada de Acme\\, Inc."));
        let description = prop(e, "DESCRIPTION").expect("description");
        assert!(
            description.contains("19:00 (America/Sao_Paulo).\\nSua solicitação: Roteador\\; pisca"),
            "{description}"
        );
        let summary = e.iter().find(|p| p.name == "SUMMARY").expect("summary");
        assert_eq!(
            summary.params.as_ref().map(|p| p[0].clone()),
            Some(("LANGUAGE".to_owned(), vec!["pt-BR".to_owned()]))
        );
        let organizer = e.iter().find(|p| p.name == "ORGANIZER").expect("organizer");
        assert_eq!(organizer.value.as_deref(), Some("mailto:support@acme.example"));
        assert_eq!(
            organizer.params.as_ref().map(|p| p[0].clone()),
            Some(("CN".to_owned(), vec!["Acme Support: São Paulo".to_owned()]))
        );
    }

    #[test]
    fn the_same_request_gives_the_same_calendar() {
        assert_eq!(example(), example());
    }

    #[test]
    fn long_utf8_lines_fold_at_75_octets_between_characters() {
        // 2-, 3- and 4-byte characters, so a naive cut at 75 bytes would land inside one.
        let value = "é€😀".repeat(30);
        let mut out = String::new();
        fold(&format!("SUMMARY:{value}"), &mut out);
        let lines: Vec<&str> = out.strip_suffix("\r\n").expect("CRLF").split("\r\n").collect();
        assert!(lines.len() >= 4, "{lines:?}");
        assert!(lines.iter().all(|l| l.len() <= 75), "{lines:?}");
        assert!(lines.iter().skip(1).all(|l| l.starts_with(' ')));
        // The first line is filled as far as a whole character allows.
        assert!(lines[0].len() > 75 - 4, "{}", lines[0].len());
        let unfolded: String = lines.iter().enumerate().map(|(i, l)| if i == 0 { *l } else { &l[1..] }).collect();
        assert_eq!(unfolded, format!("SUMMARY:{value}"));
        // And a real parser reads the folded value back whole.
        let text = format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n{out}END:VEVENT\r\nEND:VCALENDAR\r\n");
        let cal = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()))
            .next()
            .expect("one calendar")
            .expect("valid");
        assert_eq!(prop(&cal.events[0].properties, "SUMMARY"), Some(value));
    }

    #[test]
    fn text_and_parameter_values_are_escaped() {
        assert_eq!(escape_text("a\\b;c,d\ne\r\nf\rg\u{7}h\ti"), "a\\\\b\\;c\\,d\\ne\\nf\\ngh\ti");
        assert_eq!(param_value("Acme Support"), "Acme Support");
        assert_eq!(param_value("Acme, Inc."), "\"Acme, Inc.\"");
        assert_eq!(param_value("The \"best\" team"), "The best team");
    }
}
