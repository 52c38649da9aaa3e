//! The service's log: `tracing` to stderr, as JSON lines (the default) or text
//! (`serve --log-format text|json`, or `REPLYBY_LOG_FORMAT`), level from `RUST_LOG`.
//!
//! **Invariant:** no log line carries personal data or a secret: no e-mail address, name,
//! subject or message, no token. Lines name requests, deliveries and staff by id; error text
//! from elsewhere (an SMTP server's answer may quote an address) goes through [`redact`].

use std::sync::LazyLock;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object a line (for a log pipeline).
    Json,
    /// Human-readable lines.
    Text,
}

/// Installs the subscriber: stderr, `RUST_LOG` or `info`.
pub fn init(format: Format) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        Format::Json => builder.json().init(),
        Format::Text => builder.with_ansi(false).init(),
    }
}

// Hand-written rules over a regex rather than a crate: no scrubbing crate knows what our
// delivery errors look like (an SMTP answer, reqwest's error naming the URL, a receiver's reply).
static ADDRESS: LazyLock<regex::Regex> = LazyLock::new(|| regex::Regex::new(r#"\S*@\S*"#).expect("a valid pattern"));
static URL: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r#"(?i)\b(https?|smtps?)://(?:[^\s/@]*@)?([^\s/?#)]+)[^\s)]*"#).expect("a valid pattern")
});
static HTTP_STATUS: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r#"^HTTP \d{3}[^:]*"#).expect("a valid pattern"));

/// Error text from elsewhere, as it may go into a log line:
/// - a receiver's answer (`HTTP 400 Bad Request: <what it said>`) keeps only its status: what
///   it said may echo the customer's name or message;
/// - a URL keeps only its scheme and host: a webhook's path or query often is its secret;
/// - anything with an `@` in it becomes `<address>`, whatever characters the local part has
///   (the intake accepts `jo)x@example.com`; a narrower pattern let such a one through).
///
/// Staff still see the whole text on the staff page; only the log is scrubbed.
pub fn redact(text: impl std::fmt::Display) -> String {
    let text = &text.to_string();
    if let Some(status) = HTTP_STATUS.find(text) {
        return status.as_str().trim_end().to_owned();
    }
    let text = URL.replace_all(text, "$1://$2/…");
    ADDRESS.replace_all(&text, "<address>").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_smtp_answer_quoting_the_recipient_loses_the_address() {
        assert_eq!(
            redact("550 5.1.1 <jo.doe+x@example.com>: Recipient address rejected"),
            "550 5.1.1 <address> Recipient address rejected"
        );
        assert_eq!(redact("HTTP 503"), "HTTP 503");
    }

    #[test]
    fn an_address_with_odd_characters_is_still_an_address() {
        for a in ["jo)x@example.com", "\"jo,doe\"@example.com", "a(b)@c", "(jo@example.com)", "x;y@z.example"] {
            let out = redact(format!("the customer's address {a} is refused"));
            assert!(!out.contains('@') && !out.contains("jo") && !out.contains("example"), "{a}: {out}");
        }
    }

    #[test]
    fn a_receivers_reply_keeps_only_its_status() {
        assert_eq!(redact("HTTP 400 Bad Request: {\"name\":\"Zebulon\"}"), "HTTP 400 Bad Request");
        assert_eq!(redact("HTTP 302 Found: redirects are not followed (Location: https://x/secret)"), "HTTP 302 Found");
    }

    #[test]
    fn a_url_keeps_only_its_host() {
        assert_eq!(
            redact("error sending request for url (https://hooks.example/services/T0/B0/Secret-99?k=v)"),
            "error sending request for url (https://hooks.example/…)"
        );
        assert_eq!(
            redact("http://user:pw@h.example:8080/p is no longer in the settings"),
            "http://h.example:8080/… is no longer in the settings"
        );
        assert_eq!(redact("smtp://127.0.0.1:25"), "smtp://127.0.0.1:25/…");
    }
}
