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

static ADDRESS: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r#"[^\s<>"'(),;:\[\]]+@[^\s<>"'(),;:\[\]]+"#).expect("a valid pattern"));

/// Text from elsewhere, with anything that looks like an e-mail address replaced.
pub fn redact(text: &str) -> String {
    ADDRESS.replace_all(text, "<address>").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_smtp_answer_quoting_the_recipient_loses_the_address() {
        assert_eq!(
            redact("550 5.1.1 <jo.doe+x@example.com>: Recipient address rejected"),
            "550 5.1.1 <<address>>: Recipient address rejected"
        );
        assert_eq!(redact("HTTP 503"), "HTTP 503");
    }
}
