//! E-mail: the team e-mail at release, the customer's receipt at receipt, and SMTP sending.
//!
//! Both messages are built by pure functions (request + times + zones + locale + ids →
//! [`Message`]) that tests read with a real MIME parser, without a server. Every message
//! carries a `Message-ID` made from its delivery id, so a message sent twice (at least once
//! delivery) is recognisably the same message.
//!
//! Dates in a receipt are written in the customer's language with chrono's localized month
//! and day names (its `unstable-locales` feature: glibc's locale data, in pure Rust), in a
//! per-language order such as `ter, 9 de março de 2027, 19:00 (America/Sao_Paulo)`, with
//! the IANA zone name so nobody has to guess which 19:00 is meant. Digits stay ASCII.

use super::Outcome;
use super::ics;
use crate::serve::store::StoredRequest;
use crate::settings::{Smtp, SmtpTls, Team};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Body, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use replyby_core::engine::rfc3339;
use std::time::Duration;

/// How long one SMTP send may take, connection included.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Looks up a receipt sentence by key (`receipt.subject` …) in the customer's language: a
/// template with `{placeholders}`; `None` falls back to the built-in English.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Why a message cannot be built (retrying will not help).
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The request's address is not one lettre can send to.
    #[error("the customer's address \"{0}\" is not an e-mail address lettre can send to")]
    Address(String),
    /// lettre refused the message.
    #[error("the message cannot be built: {0}")]
    Message(#[from] lettre::error::Error),
    /// A part of the message cannot be made.
    #[error("the message cannot be built: {0}")]
    Part(&'static str),
}

/// The built-in English of every receipt sentence (the same as the widget's `i18n/en.json`).
pub const ENGLISH: [(&str, &str); 11] = [
    ("receipt.subject", "We received your request — reply by {respond_by}"),
    ("receipt.greeting", "Hello {name},"),
    ("receipt.greeting_no_name", "Hello,"),
    ("receipt.intro", "Thank you for contacting {company}. We have received your request."),
    ("receipt.your_request", "Your request: {subject}"),
    ("receipt.release_at", "Your request reaches the team {release_at}."),
    ("receipt.with_team", "The team has it now."),
    ("receipt.respond_by", "You will hear back by {respond_by}."),
    ("receipt.add_more", "Reply to this e-mail to add anything."),
    ("receipt.automatic", "This is an automatic receipt."),
    ("receipt.event_summary", "Reply expected from {company}"),
];

pub use replyby_core::text::fill;

/// A sentence from the catalog, or the built-in English.
fn sentence(lookup: Lookup<'_>, key: &str, values: &[(&str, &str)]) -> String {
    let template = lookup(key)
        .or_else(|| ENGLISH.iter().find(|(k, _)| *k == key).map(|(_, v)| (*v).to_owned()))
        .unwrap_or_default();
    fill(&template, values)
}

/// The language part of a BCP 47 tag, lowercase: `pt-BR` → `pt`, `zh-Hant` → `zh`.
fn language(tag: &str) -> String {
    tag.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase()
}

/// chrono's locale for a BCP 47 tag: the tag's own region when chrono knows it
/// (`pt-BR` → `pt_BR`), else the language's main one; English (`en_US` names) otherwise.
fn chrono_locale(tag: &str) -> chrono::Locale {
    let parts: Vec<&str> = tag.split(['-', '_']).collect();
    let lang = language(tag);
    let region = parts.iter().skip(1).find(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()));
    if let Some(region) = region
        && let Ok(l) = chrono::Locale::try_from(format!("{lang}_{}", region.to_ascii_uppercase()).as_str())
    {
        return l;
    }
    let traditional = parts.iter().any(|p| p.eq_ignore_ascii_case("hant"));
    let main = match lang.as_str() {
        "ar" => "ar_EG",
        "cs" => "cs_CZ",
        "da" => "da_DK",
        "de" => "de_DE",
        "es" => "es_ES",
        "fi" => "fi_FI",
        "fr" => "fr_FR",
        "he" => "he_IL",
        "hi" => "hi_IN",
        "id" => "id_ID",
        "it" => "it_IT",
        "ja" => "ja_JP",
        "ko" => "ko_KR",
        "nb" | "no" => "nb_NO",
        "nl" => "nl_NL",
        "pl" => "pl_PL",
        "pt" => "pt_PT",
        "ru" => "ru_RU",
        "sv" => "sv_SE",
        "tr" => "tr_TR",
        "uk" => "uk_UA",
        "zh" if traditional => "zh_TW",
        "zh" => "zh_CN",
        _ => "en_US",
    };
    chrono::Locale::try_from(main).unwrap_or(chrono::Locale::en_US)
}

/// The order of a date and time in a language (names from chrono's locale data).
fn pattern(lang: &str) -> &'static str {
    match lang {
        "en" => "%a %-d %b %Y, %H:%M",
        "de" => "%a, %-d. %B %Y, %H:%M",
        "pt" | "es" => "%a, %-d de %B de %Y, %H:%M",
        "fr" | "it" | "nl" | "sv" | "da" | "nb" | "no" | "pl" | "ru" | "uk" | "tr" | "id" | "ar" | "he" | "hi" => {
            "%a %-d %B %Y, %H:%M"
        }
        "fi" | "cs" => "%a %-d.%-m.%Y %H:%M",
        "ja" => "%Y年%-m月%-d日(%a) %H:%M",
        "zh" => "%Y年%-m月%-d日 %A %H:%M",
        "ko" => "%Y년 %-m월 %-d일 (%a) %H:%M",
        _ => "%a %-d %b %Y, %H:%M",
    }
}

/// An instant for a reader: `Tue 9 Mar 2027, 17:00 (America/New_York)` in English, the same
/// in the language of `locale` (a BCP 47 tag such as `pt-BR`).
pub fn format_local(t: DateTime<Utc>, zone: Tz, locale: &str) -> String {
    let local = t.with_timezone(&zone);
    let text = local.format_localized(pattern(&language(locale)), chrono_locale(locale)).to_string();
    format!("{text} ({})", zone.name())
}

/// Newlines and other control characters out (for subjects and one-line excerpts).
fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_control()).map(str::trim).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ")
}

/// At most `max` characters, with `…` when cut.
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out = out.trim_end().to_owned();
        out.push('…');
        out
    }
}

/// The request's subject, or the first line of its message.
fn topic(r: &StoredRequest, max: usize) -> String {
    let subject = r.subject.as_deref().map(one_line).filter(|s| !s.is_empty());
    let text = subject.unwrap_or_else(|| one_line(r.message.lines().find(|l| !l.trim().is_empty()).unwrap_or("")));
    cut(&text, max)
}

fn instant(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// `<{delivery id}@{the sender's domain}>`: the same for every attempt of a delivery.
pub fn message_id(delivery_id: &str, from: &Mailbox) -> String {
    let id: String =
        delivery_id.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect();
    format!("<{id}@{}>", from.email.domain())
}

fn customer(r: &StoredRequest) -> Result<Mailbox, BuildError> {
    let address: Address = r.email.trim().parse().map_err(|_| BuildError::Address(r.email.clone()))?;
    let name = r.name.as_deref().map(one_line).filter(|n| !n.is_empty());
    Ok(Mailbox::new(name, address))
}

fn raw(name: &'static str, value: &str) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value.to_owned())
}

/// The team e-mail's facts.
#[derive(Debug, Clone)]
pub struct TeamEmail<'a> {
    /// The released request.
    pub request: &'a StoredRequest,
    /// `[team]`: From `team.from`, To `team.email`.
    pub team: &'a Team,
    /// The config's `company`.
    pub company: &'a str,
    /// The plan's name (`Basic`); its id is the request's `plan`.
    pub plan_name: &'a str,
    /// The team's zone: the first team of the plan's coverage.
    pub team_zone: Tz,
    /// The delivery's id, for the `Message-ID`.
    pub delivery_id: &'a str,
    /// The `Date` of the message.
    pub now: DateTime<Utc>,
}

/// The e-mail to the team at release: Reply-To the customer, so staff answer from their own
/// inbox. In English (the team's language is not configured), times in the team's zone and UTC.
pub fn team_email(t: &TeamEmail<'_>) -> Result<Message, BuildError> {
    let r = t.request;
    let who = customer(r)?;
    let respond_by = instant(r.respond_by);
    let short = respond_by.with_timezone(&t.team_zone).format("%a %-d %b, %H:%M %Z");
    let subject = format!("[replyby] {} — reply by {short}", topic(r, 60));
    let when =
        |secs: i64| format!("{} — {}", format_local(instant(secs), t.team_zone, "en"), rfc3339::format(&instant(secs)));
    let mut details = vec![
        ("Reply by", when(r.respond_by)),
        ("Plan", format!("{} ({})", t.plan_name, r.plan)),
        ("From", who.to_string()),
    ];
    if let Some(zone) = r.time_zone.as_deref().and_then(|z| z.parse::<Tz>().ok()) {
        details.push(("Their time", format!("reply by {}", format_local(respond_by, zone, "en"))));
    }
    if let Some(locale) = &r.locale {
        details.push(("Language", one_line(locale)));
    }
    if let Some(s) = r.subject.as_deref().map(one_line).filter(|s| !s.is_empty()) {
        details.push(("Subject", s));
    }
    details.push(("Received", when(r.received_at)));
    details.push(("Released", when(r.release_at)));
    details.push(("Request", r.id.clone()));
    let width = details.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 1;
    let mut body = format!("A request to {} has reached the team.\n\n", t.company);
    for (k, v) in &details {
        body.push_str(&format!("{:<width$} {v}\n", format!("{k}:")));
    }
    body.push('\n');
    body.push_str(r.message.trim_end());
    body.push_str(
        "\n\n-- \nReply to this e-mail to answer the customer; ack the request in replyby once it is handled.\n",
    );
    Ok(Message::builder()
        .from(t.team.from.clone())
        .to(t.team.email.clone())
        .reply_to(who)
        .subject(subject)
        .message_id(Some(message_id(t.delivery_id, &t.team.from)))
        .date(t.now.into())
        .raw_header(raw("X-Replyby-Request", &r.id))
        .singlepart(SinglePart::plain(body))?)
}

/// The receipt's facts.
#[derive(Debug, Clone)]
pub struct Receipt<'a> {
    /// The request just received.
    pub request: &'a StoredRequest,
    /// `[team]`: From `team.from`, Reply-To `team.email` ("reply to add anything").
    pub team: &'a Team,
    /// The config's `company`.
    pub company: &'a str,
    /// The team's zone, used when the request has no (valid) zone of its own.
    pub team_zone: Tz,
    /// The language the sentences come in (a BCP 47 tag such as `pt-BR`): the request's
    /// locale when the catalog has it, else `en`. Dates are written in the same language.
    pub locale: &'a str,
    /// The delivery's id, for the `Message-ID`.
    pub delivery_id: &'a str,
    /// The `Date` of the message and the calendar's `DTSTAMP`.
    pub now: DateTime<Utc>,
}

/// The receipt's words: everything language-dependent, for the message and its calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptText {
    /// The e-mail's subject.
    pub subject: String,
    /// The e-mail's text.
    pub body: String,
    /// The calendar event's title.
    pub event_summary: String,
    /// The calendar event's description.
    pub event_description: String,
}

/// The receipt's sentences in the customer's language (from `lookup`, else English), with
/// times in the customer's zone (else the team's).
pub fn receipt_text(r: &Receipt<'_>, lookup: Lookup<'_>) -> ReceiptText {
    let q = r.request;
    let zone = q.time_zone.as_deref().and_then(|z| z.parse::<Tz>().ok()).unwrap_or(r.team_zone);
    let release_at = format_local(instant(q.release_at), zone, r.locale);
    let respond_by = format_local(instant(q.respond_by), zone, r.locale);
    let name = q.name.as_deref().map(one_line).filter(|n| !n.is_empty());
    let subject_line = topic(q, 80);
    let values: [(&str, &str); 5] = [
        ("name", name.as_deref().unwrap_or("")),
        ("company", r.company),
        ("subject", &subject_line),
        ("release_at", &release_at),
        ("respond_by", &respond_by),
    ];
    let s = |key: &str| sentence(lookup, key, &values);
    let greeting = if name.is_some() { s("receipt.greeting") } else { s("receipt.greeting_no_name") };
    // Released at receipt: the team has it now.
    let arrival = if q.release_at <= q.received_at { s("receipt.with_team") } else { s("receipt.release_at") };
    let mut body = format!("{greeting}\n\n{}\n\n", s("receipt.intro"));
    if !subject_line.is_empty() {
        body.push_str(&format!("{}\n\n", s("receipt.your_request")));
    }
    body.push_str(&format!("{arrival}\n{}\n\n{}\n\n", s("receipt.respond_by"), s("receipt.add_more")));
    body.push_str(&format!(
        "{}\n\n-- \n{}\n",
        r.team.from.name.as_deref().unwrap_or(r.company),
        s("receipt.automatic")
    ));
    let mut description = s("receipt.respond_by");
    if !subject_line.is_empty() {
        description.push('\n');
        description.push_str(&s("receipt.your_request"));
    }
    ReceiptText {
        subject: one_line(&s("receipt.subject")),
        body,
        event_summary: one_line(&s("receipt.event_summary")),
        event_description: description,
    }
}

/// The customer's receipt: the text in their language and zone, and `reply-by.ics`.
pub fn receipt(r: &Receipt<'_>, lookup: Lookup<'_>) -> Result<Message, BuildError> {
    let q = r.request;
    let text = receipt_text(r, lookup);
    let calendar = ics::reply_by(&ics::ReplyBy {
        request_id: &q.id,
        respond_by: instant(q.respond_by),
        stamp: r.now,
        summary: &text.event_summary,
        description: &text.event_description,
        organizer_name: r.team.from.name.as_deref().unwrap_or(r.company),
        organizer_email: r.team.from.email.as_ref(),
        language: r.locale,
    });
    let calendar_type =
        ContentType::parse(ics::CONTENT_TYPE).map_err(|_| BuildError::Part("the calendar's content type"))?;
    // Base64 keeps the calendar's CRLF line ends exactly as written.
    let calendar = Body::new_with_encoding(calendar, lettre::message::header::ContentTransferEncoding::Base64)
        .map_err(|_| BuildError::Part("the calendar's encoding"))?;
    Ok(Message::builder()
        .from(r.team.from.clone())
        .to(customer(q)?)
        .reply_to(r.team.email.clone())
        .subject(text.subject)
        .message_id(Some(message_id(r.delivery_id, &r.team.from)))
        .date(r.now.into())
        // RFC 3834: automatic, so autoresponders (out-of-office) do not answer it.
        .raw_header(raw("Auto-Submitted", "auto-generated"))
        .raw_header(raw("X-Auto-Response-Suppress", "All"))
        .raw_header(raw("Content-Language", r.locale))
        .raw_header(raw("X-Replyby-Request", &q.id))
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(text.body))
                .singlepart(Attachment::new(ics::FILE_NAME.to_owned()).body(calendar, calendar_type)),
        )?)
}

/// Sends mail through the `[smtp]` server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    timeout: Duration,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("timeout", &self.timeout).finish_non_exhaustive()
    }
}

impl Mailer {
    /// A mailer for the settings' SMTP server with the usual [`TIMEOUT`].
    pub fn new(smtp: &Smtp) -> Result<Mailer, String> {
        Mailer::with_timeout(smtp, TIMEOUT)
    }

    /// A mailer with another time limit (tests). `smtps://` is implicit TLS; `smtp://` is
    /// STARTTLS, required unless the host is loopback (then used when offered).
    pub fn with_timeout(smtp: &Smtp, timeout: Duration) -> Result<Mailer, String> {
        let params = TlsParameters::new(smtp.host.clone()).map_err(|e| format!("TLS for {}: {e}", smtp.describe()))?;
        let tls = match smtp.tls {
            SmtpTls::Wrapper => Tls::Wrapper(params),
            SmtpTls::Required => Tls::Required(params),
            SmtpTls::Opportunistic => Tls::Opportunistic(params),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.clone())
            .port(smtp.port)
            .tls(tls)
            .timeout(Some(timeout));
        if let (Some(user), Some(password)) = (&smtp.user, &smtp.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
        }
        Ok(Mailer { transport: builder.build(), timeout })
    }

    /// One attempt. Accepted is [`Outcome::Delivered`]; anything else is [`Outcome::Retry`]
    /// with the reason, which says "permanent" for a 5xx (the outbox decides whether to give up).
    pub async fn send(&self, message: &Message) -> Outcome {
        match tokio::time::timeout(self.timeout, self.transport.send(message.clone())).await {
            Ok(Ok(_)) => Outcome::Delivered,
            Ok(Err(e)) => Outcome::Retry { after: None, reason: smtp_reason(&e) },
            Err(_) => Outcome::Retry { after: None, reason: "SMTP timed out".to_owned() },
        }
    }
}

fn smtp_reason(e: &lettre::transport::smtp::Error) -> String {
    let mut inner: &dyn std::error::Error = e;
    let mut text = e.to_string();
    while let Some(next) = inner.source() {
        let s = next.to_string();
        if !text.contains(&s) {
            text = format!("{text}: {s}");
        }
        inner = next;
    }
    if e.is_permanent() {
        format!("permanent SMTP error (the server refused the message): {text}")
    } else if e.is_transient() {
        format!("transient SMTP error: {text}")
    } else if e.is_timeout() {
        format!("SMTP timed out: {text}")
    } else if e.is_tls() {
        format!("TLS with the SMTP server failed: {text}")
    } else {
        format!("SMTP: {text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::{MessageParser, MimeHeaders};
    use std::sync::{Arc, Mutex};
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("RFC 3339").to_utc()
    }

    fn team() -> Team {
        Team {
            email: "support@acme.example".parse().expect("mailbox"),
            from: "Acme Support <support@acme.example>".parse().expect("mailbox"),
        }
    }

    /// A night request: Monday 2027-03-08 22:46 in São Paulo, held until New York opens.
    fn request() -> StoredRequest {
        StoredRequest {
            id: "req_0123456789abcdef".into(),
            idempotency_key: "k".into(),
            body_hash: "h".into(),
            plan: "basic".into(),
            email: "ana@example.com.br".into(),
            name: Some("Ana Souza".into()),
            subject: Some("Roteador".into()),
            message: "O roteador pisca vermelho.\nJá reiniciei duas vezes.".into(),
            time_zone: Some("America/Sao_Paulo".into()),
            locale: Some("pt-BR".into()),
            received_at: at("2027-03-09T01:46:40Z").timestamp(),
            release_at: at("2027-03-09T14:00:00Z").timestamp(),
            respond_by: at("2027-03-09T22:00:00Z").timestamp(),
            acked_at: None,
            spam: None,
        }
    }

    /// The text part, with the CRLF line ends of the wire turned back into `\n`.
    fn text(m: &mail_parser::Message<'_>) -> String {
        m.body_text(0).expect("a text body").replace("\r\n", "\n")
    }

    #[test]
    fn the_team_email_replies_to_the_customer_with_times_in_the_team_zone() {
        let r = request();
        let t = team();
        let m = team_email(&TeamEmail {
            request: &r,
            team: &t,
            company: "Acme Networks",
            plan_name: "Basic",
            team_zone: chrono_tz::America::New_York,
            delivery_id: "dlv_team_1",
            now: at("2027-03-09T14:00:05Z"),
        })
        .expect("built");
        let raw = m.formatted();
        let p = MessageParser::default().parse(&raw).expect("MIME");
        assert_eq!(p.from().and_then(|a| a.first()).and_then(|a| a.address()), Some("support@acme.example"));
        assert_eq!(p.from().and_then(|a| a.first()).and_then(|a| a.name()), Some("Acme Support"));
        assert_eq!(p.to().and_then(|a| a.first()).and_then(|a| a.address()), Some("support@acme.example"));
        let reply_to = p.reply_to().and_then(|a| a.first()).expect("Reply-To");
        assert_eq!((reply_to.name(), reply_to.address()), (Some("Ana Souza"), Some("ana@example.com.br")));
        assert_eq!(p.subject(), Some("[replyby] Roteador — reply by Tue 9 Mar, 17:00 EST"));
        assert_eq!(p.message_id(), Some("dlv_team_1@acme.example"));
        assert_eq!(p.date().map(|d| d.to_timestamp()), Some(at("2027-03-09T14:00:05Z").timestamp()));
        let body = text(&p);
        for want in [
            "O roteador pisca vermelho.\nJá reiniciei duas vezes.",
            "Reply by:   Tue 9 Mar 2027, 17:00 (America/New_York) — 2027-03-09T22:00:00Z",
            "Plan:       Basic (basic)",
            "From:       Ana Souza <ana@example.com.br>",
            "Their time: reply by Tue 9 Mar 2027, 19:00 (America/Sao_Paulo)",
            "Received:   Mon 8 Mar 2027, 20:46 (America/New_York) — 2027-03-09T01:46:40Z",
            "Released:   Tue 9 Mar 2027, 09:00 (America/New_York) — 2027-03-09T14:00:00Z",
            "Request:    req_0123456789abcdef",
            "Language:   pt-BR",
        ] {
            assert!(body.contains(want), "{want:?} not in:\n{body}");
        }
    }

    #[test]
    fn the_team_email_subject_is_the_first_line_without_a_subject() {
        let mut r = request();
        r.subject = None;
        r.message = "\n  The router blinks red and I have tried everything the manual says, twice\nmore".into();
        r.name = None;
        let t = team();
        let m = team_email(&TeamEmail {
            request: &r,
            team: &t,
            company: "Acme",
            plan_name: "Basic",
            team_zone: chrono_tz::Europe::Berlin,
            delivery_id: "dlv/2",
            now: at("2027-03-09T14:00:05Z"),
        })
        .expect("built");
        let raw = m.formatted();
        let p = MessageParser::default().parse(&raw).expect("MIME");
        assert_eq!(
            p.subject(),
            Some(
                "[replyby] The router blinks red and I have tried everything the manua… — reply by Tue 9 Mar, 23:00 CET"
            )
        );
        assert_eq!(p.reply_to().and_then(|a| a.first()).and_then(|a| a.name()), None);
        assert_eq!(p.message_id(), Some("dlv_2@acme.example"));
    }

    fn receipt_for<'a>(r: &'a StoredRequest, t: &'a Team, locale: &'a str) -> Receipt<'a> {
        Receipt {
            request: r,
            team: t,
            company: "Acme Networks",
            team_zone: chrono_tz::America::New_York,
            locale,
            delivery_id: "dlv_receipt_1",
            now: at("2027-03-09T01:46:41Z"),
        }
    }

    /// A catalog as the widget's `i18n/pt.json` has it (`receipt.*` keys).
    fn portuguese(key: &str) -> Option<String> {
        Some(
            match key {
                "receipt.subject" => "Recebemos sua solicitação — resposta até {respond_by}",
                "receipt.greeting" => "Olá, {name},",
                "receipt.greeting_no_name" => "Olá,",
                "receipt.intro" => "{company} agradece o seu contato. Recebemos sua solicitação.",
                "receipt.your_request" => "Sua solicitação: {subject}",
                "receipt.release_at" => "Sua solicitação chegará à equipe {release_at}.",
                "receipt.with_team" => "A equipe já está com ela.",
                "receipt.respond_by" => "Você receberá uma resposta até {respond_by}.",
                "receipt.add_more" => "Para acrescentar alguma informação, basta responder a este e-mail.",
                "receipt.automatic" => "Esta é uma confirmação de recebimento automática.",
                "receipt.event_summary" => "Resposta esperada de {company}",
                _ => return None,
            }
            .to_owned(),
        )
    }

    #[test]
    fn the_receipt_speaks_the_customers_language_in_their_zone_with_a_calendar() {
        let r = request();
        let t = team();
        let m = receipt(&receipt_for(&r, &t, "pt-BR"), &portuguese).expect("built");
        let raw = m.formatted();
        let p = MessageParser::default().parse(&raw).expect("MIME");
        assert_eq!(p.from().and_then(|a| a.first()).and_then(|a| a.address()), Some("support@acme.example"));
        let to = p.to().and_then(|a| a.first()).expect("To");
        assert_eq!((to.name(), to.address()), (Some("Ana Souza"), Some("ana@example.com.br")));
        assert_eq!(p.reply_to().and_then(|a| a.first()).and_then(|a| a.address()), Some("support@acme.example"));
        assert_eq!(p.message_id(), Some("dlv_receipt_1@acme.example"));
        assert_eq!(p.header_raw("Auto-Submitted").map(str::trim), Some("auto-generated"));
        assert_eq!(p.header_raw("Content-Language").map(str::trim), Some("pt-BR"));
        assert_eq!(
            p.subject(),
            Some("Recebemos sua solicitação — resposta até ter, 9 de março de 2027, 19:00 (America/Sao_Paulo)")
        );
        let body = text(&p);
        for want in [
            "Olá, Ana Souza,",
            "Acme Networks agradece o seu contato.",
            "Sua solicitação: Roteador",
            "Sua solicitação chegará à equipe ter, 9 de março de 2027, 11:00 (America/Sao_Paulo).",
            "Você receberá uma resposta até ter, 9 de março de 2027, 19:00 (America/Sao_Paulo).",
            "Acme Support",
        ] {
            assert!(body.contains(want), "{want:?} not in:\n{body}");
        }
        // The message itself is not echoed to whatever address was typed in.
        assert!(!body.contains("pisca vermelho"), "{body}");

        let ics = p.attachments().find(|a| a.attachment_name() == Some("reply-by.ics")).expect("reply-by.ics");
        let ctype = ics.content_type().expect("content type");
        assert_eq!((ctype.ctype(), ctype.subtype()), ("text", Some("calendar")));
        assert_eq!(ctype.attribute("method"), Some("PUBLISH"));
        assert_eq!(ctype.attribute("charset").map(str::to_ascii_uppercase).as_deref(), Some("UTF-8"));
        let calendar = std::str::from_utf8(ics.contents()).expect("UTF-8");
        assert!(calendar.contains("\r\n") && !calendar.replace("\r\n", "").contains('\n'), "CRLF only");
        let cal = ical::IcalParser::new(std::io::BufReader::new(calendar.as_bytes()))
            .next()
            .expect("a calendar")
            .expect("valid");
        let e = &cal.events[0].properties;
        let get = |n: &str| e.iter().find(|p| p.name == n).and_then(|p| p.value.clone());
        assert_eq!(get("DTSTART").as_deref(), Some("20270309T220000Z"));
        assert_eq!(get("UID").as_deref(), Some("req_0123456789abcdef@replyby"));
        assert_eq!(get("DTSTAMP").as_deref(), Some("20270309T014641Z"));
        assert_eq!(get("SUMMARY").as_deref(), Some("Resposta esperada de Acme Networks"));
    }

    #[test]
    fn a_receipt_falls_back_to_english_and_the_team_zone() {
        let mut r = request();
        r.time_zone = Some("Mars/Olympus".into());
        r.name = None;
        r.subject = None;
        r.message = "Router down".into();
        let t = team();
        let m = receipt(&receipt_for(&r, &t, "en"), &|_| None).expect("built");
        let raw = m.formatted();
        let p = MessageParser::default().parse(&raw).expect("MIME");
        assert_eq!(p.subject(), Some("We received your request — reply by Tue 9 Mar 2027, 17:00 (America/New_York)"));
        let body = text(&p);
        for want in [
            "Hello,\n",
            "Thank you for contacting Acme Networks. We have received your request.",
            "Your request: Router down",
            "Your request reaches the team Tue 9 Mar 2027, 09:00 (America/New_York).",
            "You will hear back by Tue 9 Mar 2027, 17:00 (America/New_York).",
            "Reply to this e-mail to add anything.",
            "This is an automatic receipt.",
        ] {
            assert!(body.contains(want), "{want:?} not in:\n{body}");
        }
    }

    #[test]
    fn a_request_released_at_once_is_with_the_team_now() {
        let mut r = request();
        r.release_at = r.received_at;
        let t = team();
        let words = receipt_text(&receipt_for(&r, &t, "en"), &|_| None);
        assert!(words.body.contains("The team has it now."), "{}", words.body);
        assert!(!words.body.contains("reaches the team"), "{}", words.body);
    }

    #[test]
    fn the_same_delivery_builds_the_same_message() {
        let r = request();
        let t = team();
        let a = receipt(&receipt_for(&r, &t, "pt-BR"), &portuguese).expect("built");
        let b = receipt(&receipt_for(&r, &t, "pt-BR"), &portuguese).expect("built");
        let id = |m: &Message| {
            MessageParser::default().parse(&m.formatted()).and_then(|p| p.message_id().map(str::to_owned))
        };
        assert_eq!(id(&a), id(&b));
        assert_eq!(id(&a).as_deref(), Some("dlv_receipt_1@acme.example"));
    }

    #[test]
    fn placeholders_are_filled_once() {
        assert_eq!(
            fill("Hello {name}, by {when}.", &[("name", "{when}"), ("when", "09:00")]),
            "Hello {when}, by 09:00."
        );
        assert_eq!(fill("{unknown} {name", &[("name", "x")]), "{unknown} {name");
    }

    #[test]
    fn dates_are_written_in_the_readers_language() {
        let t = at("2027-02-16T14:00:00Z");
        let sp = chrono_tz::America::Sao_Paulo;
        assert_eq!(format_local(t, sp, "en"), "Tue 16 Feb 2027, 11:00 (America/Sao_Paulo)");
        assert_eq!(format_local(t, sp, "pt-BR"), "ter, 16 de fevereiro de 2027, 11:00 (America/Sao_Paulo)");
        assert_eq!(format_local(t, chrono_tz::Europe::Berlin, "de"), "Di, 16. Februar 2027, 15:00 (Europe/Berlin)");
        assert_eq!(format_local(t, chrono_tz::Asia::Tokyo, "ja"), "2027年2月16日(火) 23:00 (Asia/Tokyo)");
        assert_eq!(format_local(t, chrono_tz::Asia::Shanghai, "zh-Hans"), "2027年2月16日 星期二 22:00 (Asia/Shanghai)");
        assert_eq!(format_local(t, chrono_tz::Europe::Helsinki, "fi"), "ti 16.2.2027 16:00 (Europe/Helsinki)");
        // Unknown languages read English.
        assert_eq!(format_local(t, chrono_tz::UTC, "tlh"), "Tue 16 Feb 2027, 14:00 (UTC)");
    }

    /// A scripted SMTP server on 127.0.0.1 (no STARTTLS, no AUTH): RCPT to `busy@…` is 451,
    /// to `nobody@…` 550; accepted messages are kept.
    async fn smtp_server() -> (u16, Arc<Mutex<Vec<String>>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let kept: Arc<Mutex<Vec<String>>> = Arc::default();
        let store = kept.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read);
                    let _ = write.write_all(b"220 fake ESMTP\r\n").await;
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let command = line.trim_end().to_ascii_uppercase();
                        let answer: &[u8] = if command.starts_with("EHLO") {
                            b"250-fake\r\n250 8BITMIME\r\n"
                        } else if command.starts_with("RCPT") && command.contains("BUSY@") {
                            b"451 4.3.0 mailbox busy, try later\r\n"
                        } else if command.starts_with("RCPT") && command.contains("NOBODY@") {
                            b"550 5.1.1 no such user\r\n"
                        } else if command == "DATA" {
                            let _ = write.write_all(b"354 go ahead\r\n").await;
                            let mut data = String::new();
                            loop {
                                line.clear();
                                if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                                    return;
                                }
                                if line == ".\r\n" {
                                    break;
                                }
                                data.push_str(&line);
                            }
                            store.lock().expect("lock").push(data);
                            b"250 2.0.0 queued\r\n"
                        } else if command == "QUIT" {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            return;
                        } else {
                            b"250 ok\r\n"
                        };
                        let _ = write.write_all(answer).await;
                    }
                });
            }
        });
        (port, kept)
    }

    fn message_to(to: &str) -> Message {
        Message::builder()
            .from("Acme Support <support@acme.example>".parse().expect("from"))
            .to(to.parse().expect("to"))
            .subject("hi")
            .message_id(Some("<dlv_1@acme.example>".into()))
            .singlepart(SinglePart::plain("hello".to_owned()))
            .expect("message")
    }

    fn local_smtp(port: u16, tls: SmtpTls) -> Smtp {
        Smtp { host: "127.0.0.1".into(), port, tls, user: None, password: None }
    }

    #[tokio::test]
    async fn smtp_answers_become_outcomes() {
        let (port, kept) = smtp_server().await;
        let mailer =
            Mailer::with_timeout(&local_smtp(port, SmtpTls::Opportunistic), Duration::from_secs(5)).expect("mailer");
        assert_eq!(mailer.send(&message_to("ana@example.com")).await, Outcome::Delivered);
        let kept_text = kept.lock().expect("lock").join("");
        assert!(kept_text.contains("Message-ID: <dlv_1@acme.example>"), "{kept_text}");
        match mailer.send(&message_to("busy@example.com")).await {
            Outcome::Retry { after: None, reason } => {
                assert!(reason.starts_with("transient SMTP error"), "{reason}");
                assert!(reason.contains("451"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        match mailer.send(&message_to("nobody@example.com")).await {
            Outcome::Retry { after: None, reason } => {
                assert!(reason.starts_with("permanent SMTP error"), "{reason}");
                assert!(reason.contains("550"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn starttls_required_refuses_a_server_without_it() {
        let (port, kept) = smtp_server().await;
        let mailer =
            Mailer::with_timeout(&local_smtp(port, SmtpTls::Required), Duration::from_secs(5)).expect("mailer");
        match mailer.send(&message_to("ana@example.com")).await {
            Outcome::Retry { reason, .. } => assert!(reason.to_lowercase().contains("tls"), "{reason}"),
            other => panic!("{other:?}"),
        }
        assert!(kept.lock().expect("lock").is_empty(), "a message went out in plain text");
    }

    #[test]
    fn a_mailer_can_be_made_outside_a_runtime() {
        // `serve` makes its mailer before it starts the runtime.
        assert!(Mailer::new(&local_smtp(25, SmtpTls::Opportunistic)).is_ok());
    }

    #[tokio::test]
    async fn an_smtp_server_that_is_not_there_is_a_retry() {
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
        let mailer =
            Mailer::with_timeout(&local_smtp(port, SmtpTls::Opportunistic), Duration::from_secs(5)).expect("mailer");
        assert!(matches!(mailer.send(&message_to("ana@example.com")).await, Outcome::Retry { after: None, .. }));
    }
}
