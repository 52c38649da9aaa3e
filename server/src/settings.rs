//! The settings file, `replyby serve --settings SETTINGS.toml`: where released requests go.
//!
//! It is read once, at start, into typed values; the rest of the server never sees a raw string
//! or an environment variable. A string value `"env:NAME"` is read from the environment
//! variable NAME (the environment is a parameter, so tests need no real one). Every problem is
//! reported at once, each with its key path and a plain sentence, like the config's errors:
//!
//! ```text
//! webhooks[0].secret: not a Standard Webhooks secret (expected "whsec_" followed by base64 of 24 to 64 bytes)
//! smtp.url: unsupported scheme "http" (use smtp:// or smtps://)
//! ```
//!
//! **Invariant:** no secret (`smtp.password`, a webhook `secret`, or anything in `smtp.url`
//! after the scheme) ever appears in an error message or in `Debug` output.
//!
//! How TLS to the SMTP server is chosen, from the URL alone:
//!
//! | `smtp.url` | [`SmtpTls`] |
//! | --- | --- |
//! | `smtps://HOST[:PORT]` (port 465 by default) | [`SmtpTls::Wrapper`]: TLS from the first byte |
//! | `smtp://HOST[:PORT]` (port 587 by default), HOST not loopback | [`SmtpTls::Required`]: STARTTLS, or no mail |
//! | `smtp://HOST[:PORT]`, HOST `localhost`, `127.0.0.0/8` or `::1` | [`SmtpTls::Opportunistic`]: STARTTLS when offered |
//!
//! So plain text is only ever spoken to this machine (a local relay or a test sink).

use crate::serve::deliver::outbox;
use base64::Engine;
use lettre::message::Mailbox;
use replyby_core::suggest::did_you_mean;
use reqwest::Url;
use std::fmt;
use std::net::IpAddr;
use std::path::Path;
use toml::{Table, Value};

/// Reads an environment variable: `std::env::var(name).ok()` in the server, a map in tests.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Where released requests go, as the settings file says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Settings {
    /// `[team]`: the team's inbox and the sender of every e-mail.
    pub team: Option<Team>,
    /// `[smtp]`: how e-mail is sent.
    pub smtp: Option<Smtp>,
    /// `[receipts] enabled`: the customer gets a receipt at once.
    pub receipts_enabled: bool,
    /// `[[webhooks]]`, in file order.
    pub webhooks: Vec<Webhook>,
    /// `[metrics] token`: a bearer token that may read `GET /metrics` (staff tokens may too).
    pub metrics_token: Option<Secret>,
    /// `[retention]`: when customers' fields are erased on their own.
    pub retention: Option<Retention>,
}

/// `[retention]`: days after the ack (or the release, for a request never acked) after which a
/// request's customer fields are erased; a key left out keeps those requests for ever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// `erase_after_days`: ordinary requests.
    pub erase_after_days: Option<u32>,
    /// `spam_erase_after_days`: requests kept as suspected spam.
    pub spam_erase_after_days: Option<u32>,
}

/// `[team]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    /// Released requests are e-mailed here (Reply-To: the customer).
    pub email: Mailbox,
    /// The sender of every e-mail replyby sends.
    pub from: Mailbox,
}

/// `[smtp]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smtp {
    /// Host name or IP address (without brackets).
    pub host: String,
    /// The URL's port, else 465 for `smtps://` and 587 (submission) for `smtp://`.
    pub port: u16,
    /// How the connection is secured (see the module docs).
    pub tls: SmtpTls,
    /// The user named in the URL (`smtp://USER@HOST`), percent-decoded.
    pub user: Option<String>,
    /// `smtp.password`.
    pub password: Option<Secret>,
}

impl Smtp {
    /// The server for messages and logs, without credentials: `smtp://mail.example:587 (STARTTLS required)`.
    pub fn describe(&self) -> String {
        let (scheme, how) = match self.tls {
            SmtpTls::Wrapper => ("smtps", "TLS"),
            SmtpTls::Required => ("smtp", "STARTTLS required"),
            SmtpTls::Opportunistic => ("smtp", "STARTTLS when offered"),
        };
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        format!("{scheme}://{host}:{} ({how})", self.port)
    }
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// `smtps://`: TLS from the first byte (implicit TLS).
    Wrapper,
    /// `smtp://` to any host but this machine: STARTTLS, and no mail if the server does not offer it.
    Required,
    /// `smtp://` to a loopback host: STARTTLS when the server offers it, else plain text.
    Opportunistic,
}

/// `[[webhooks]]`: one Standard Webhooks endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    /// `https://…` (or `http://…` with `allow_private`), without credentials.
    pub url: Url,
    /// The signing key.
    pub secret: WebhookSecret,
    /// The events it takes, in file order, each once.
    pub events: Vec<Event>,
    /// Loopback and private addresses are allowed (local receivers, tests).
    pub allow_private: bool,
}

/// A webhook event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Event {
    /// `request.received`: a request is committed.
    Received,
    /// `request.released`: a request reaches the team (at `release_at`).
    Released,
    /// `request.acknowledged`: staff acked it.
    Acknowledged,
}

impl Event {
    /// Every event, in the order of a request's life.
    pub const ALL: [Event; 3] = [Event::Received, Event::Released, Event::Acknowledged];

    /// The name in the settings and in an event's `type`: `request.received` …
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Received => outbox::RECEIVED,
            Event::Released => outbox::RELEASED,
            Event::Acknowledged => outbox::ACKNOWLEDGED,
        }
    }

    /// From its name.
    pub fn parse(s: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secret string (the SMTP password): `Debug` and `Display` print `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A Standard Webhooks signing secret, decoded: the key bytes behind `whsec_…`. `Debug` and
/// `Display` print `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

impl WebhookSecret {
    /// Shortest key the Standard Webhooks specification allows, in bytes.
    pub const MIN_BYTES: usize = 24;
    /// Longest key the Standard Webhooks specification allows, in bytes.
    pub const MAX_BYTES: usize = 64;

    /// Parses `whsec_` + base64 (padding optional) of 24 to 64 bytes. The error never holds
    /// any part of the secret.
    pub fn parse(s: &str) -> Result<WebhookSecret, String> {
        const EXPECTED: &str =
            "not a Standard Webhooks secret (expected \"whsec_\" followed by base64 of 24 to 64 bytes)";
        let Some(b64) = s.strip_prefix("whsec_") else {
            return Err(format!("{EXPECTED}; it does not start with \"whsec_\""));
        };
        let lenient = base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
        );
        let key =
            lenient.decode(b64.trim()).map_err(|_| format!("{EXPECTED}; the part after \"whsec_\" is not base64"))?;
        if !(Self::MIN_BYTES..=Self::MAX_BYTES).contains(&key.len()) {
            return Err(format!("{EXPECTED}; it decodes to {} bytes", key.len()));
        }
        Ok(WebhookSecret(key))
    }

    /// The key bytes (what HMAC-SHA256 signs with).
    pub fn key(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// One problem in the settings file: its key path (`webhooks[1].events`; empty for the file
/// as a whole) and a plain sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError {
    /// Key path, e.g. `smtp.url` or `webhooks[0].secret`.
    pub path: String,
    /// What is wrong, lowercase, no final period.
    pub message: String,
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() { f.write_str(&self.message) } else { write!(f, "{}: {}", self.path, self.message) }
    }
}

/// Every problem in a settings file, one per line when displayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsErrors(pub Vec<SettingsError>);

impl fmt::Display for SettingsErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SettingsErrors {}

impl Settings {
    /// Reads and checks a settings file.
    pub fn load(path: &Path, env: Env<'_>) -> Result<Settings, SettingsErrors> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            SettingsErrors(vec![SettingsError {
                path: String::new(),
                message: format!("cannot read {}: {e}", path.display()),
            }])
        })?;
        Settings::parse(&text, env)
    }

    /// Checks the text of a settings file.
    pub fn parse(text: &str, env: Env<'_>) -> Result<Settings, SettingsErrors> {
        let table: Table = match toml::from_str(text) {
            Ok(t) => t,
            Err(e) => {
                // `message()` only: the error's Display quotes the source line, which may hold a secret.
                let at = e.span().map(|s| line_column(text, s.start));
                let message = match at {
                    Some((line, column)) => format!("line {line}, column {column}: {}", e.message().trim()),
                    None => e.message().trim().to_owned(),
                };
                let message = format!("not valid TOML: {message}");
                return Err(SettingsErrors(vec![SettingsError { path: String::new(), message }]));
            }
        };
        let mut w = Walker { errors: Vec::new(), env };
        let settings = w.settings(&table);
        if w.errors.is_empty() { Ok(settings) } else { Err(SettingsErrors(w.errors)) }
    }

    /// What the outbox needs to schedule deliveries (the secrets and transports stay here).
    pub fn routes(&self) -> outbox::Routes {
        outbox::Routes {
            webhooks: self
                .webhooks
                .iter()
                .map(|w| (w.url.to_string(), w.events.iter().map(|e| e.as_str().to_owned()).collect()))
                .collect(),
            team_email: self.team.as_ref().map(|t| t.email.email.to_string()),
            receipts: self.receipts_enabled,
        }
    }

    /// The webhook endpoint with this URL (a delivery's `target`).
    pub fn webhook(&self, url: &str) -> Option<&Webhook> {
        self.webhooks.iter().find(|w| w.url.as_str() == url)
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

/// "a string", "a list" …: what a value is, for type errors (never the value itself).
fn kind(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a number",
        Value::Boolean(_) => "true or false",
        Value::Datetime(_) => "a date-time",
        Value::Array(_) => "a list",
        Value::Table(_) => "a table",
    }
}

/// Is this host this machine: `localhost`, `*.localhost`, 127.0.0.0/8 or ::1?
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']').trim_end_matches('.');
    match host.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost") || host.to_ascii_lowercase().ends_with(".localhost"),
    }
}

const TOP: [&str; 6] = ["team", "smtp", "receipts", "webhooks", "metrics", "retention"];
const METRICS: [&str; 1] = ["token"];
const RETENTION: [&str; 2] = ["erase_after_days", "spam_erase_after_days"];
const TEAM: [&str; 2] = ["email", "from"];
const SMTP: [&str; 2] = ["url", "password"];
const RECEIPTS: [&str; 1] = ["enabled"];
const WEBHOOK: [&str; 4] = ["url", "secret", "events", "allow_private"];

/// Walks the parsed TOML, collecting every problem.
struct Walker<'e> {
    errors: Vec<SettingsError>,
    env: Env<'e>,
}

impl Walker<'_> {
    fn err(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.errors.push(SettingsError { path: path.into(), message: message.into() });
    }

    fn unknown_keys(&mut self, prefix: &str, table: &Table, known: &[&str]) {
        for key in table.keys() {
            if !known.contains(&key.as_str()) {
                let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                let hint = match did_you_mean(key, known.iter().copied()) {
                    Some(k) => format!(" (did you mean \"{k}\"?)"),
                    None => format!(" (known: {})", known.join(", ")),
                };
                self.err(path, format!("unknown key{hint}"));
            }
        }
    }

    fn table<'t>(&mut self, path: &str, v: &'t Value) -> Option<&'t Table> {
        match v {
            Value::Table(t) => Some(t),
            other => {
                self.err(path, format!("expected a table ([{path}]), found {}", kind(other)));
                None
            }
        }
    }

    /// A string, with `env:NAME` resolved. `secret`: the value is never quoted in a message.
    fn string(&mut self, path: &str, v: &Value, secret: bool) -> Option<String> {
        let Value::String(s) = v else {
            self.err(path, format!("expected a string, found {}", kind(v)));
            return None;
        };
        let Some(name) = s.strip_prefix("env:") else { return Some(s.clone()) };
        let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            let shown = if secret { String::new() } else { format!(" \"{name}\"") };
            self.err(path, format!("\"env:\" must be followed by an environment variable name{shown}"));
            return None;
        }
        match (self.env)(name) {
            Some(value) if !value.is_empty() => Some(value),
            Some(_) => {
                self.err(path, format!("environment variable {name} is empty"));
                None
            }
            None => {
                self.err(path, format!("environment variable {name} is not set"));
                None
            }
        }
    }

    fn boolean(&mut self, path: &str, v: &Value) -> Option<bool> {
        match v {
            Value::Boolean(b) => Some(*b),
            other => {
                self.err(path, format!("expected true or false, found {}", kind(other)));
                None
            }
        }
    }

    fn mailbox(&mut self, path: &str, v: &Value) -> Option<Mailbox> {
        let s = self.string(path, v, false)?;
        match s.trim().parse::<Mailbox>() {
            Ok(m) => Some(m),
            Err(_) => {
                self.err(
                    path,
                    format!(
                        "\"{s}\" is not an e-mail address (write \"name@example.com\" or \"Name <name@example.com>\")"
                    ),
                );
                None
            }
        }
    }

    fn settings(&mut self, top: &Table) -> Settings {
        self.unknown_keys("", top, &TOP);
        let team = top.get("team").and_then(|v| self.team(v));
        let smtp = top.get("smtp").and_then(|v| self.smtp(v));
        let receipts_enabled = top.get("receipts").and_then(|v| self.receipts(v)).unwrap_or(false);
        let webhooks = top.get("webhooks").map(|v| self.webhooks(v)).unwrap_or_default();
        let metrics_token = top.get("metrics").and_then(|v| self.metrics(v));
        let retention = top.get("retention").and_then(|v| self.retention(v));

        // Cross-checks, only where the parts themselves were readable (one problem, one message).
        if top.contains_key("team") && !top.contains_key("smtp") {
            self.err("team", "e-mailing the team needs an [smtp] section");
        }
        if receipts_enabled {
            let mut missing = Vec::new();
            if !top.contains_key("smtp") {
                missing.push("an [smtp] section");
            }
            if !top.contains_key("team") {
                missing.push("team.from (the sender)");
            }
            if !missing.is_empty() {
                self.err("receipts.enabled", format!("receipts need {}", missing.join(" and ")));
            }
        }
        Settings { team, smtp, receipts_enabled, webhooks, metrics_token, retention }
    }

    fn retention(&mut self, v: &Value) -> Option<Retention> {
        let t = self.table("retention", v)?;
        self.unknown_keys("retention", t, &RETENTION);
        let mut days = |key: &str| {
            let path = format!("retention.{key}");
            match t.get(key)? {
                Value::Integer(n) if (1..=36_500).contains(n) => Some(*n as u32),
                Value::Integer(n) => {
                    self.err(path, format!("{n} is not between 1 and 36500 days"));
                    None
                }
                other => {
                    self.err(path, format!("expected a whole number of days, found {}", kind(other)));
                    None
                }
            }
        };
        let erase_after_days = days("erase_after_days");
        let spam_erase_after_days = days("spam_erase_after_days");
        Some(Retention { erase_after_days, spam_erase_after_days })
    }

    fn metrics(&mut self, v: &Value) -> Option<Secret> {
        let t = self.table("metrics", v)?;
        self.unknown_keys("metrics", t, &METRICS);
        let token = self.string("metrics.token", t.get("token")?, true)?;
        if token.trim().chars().count() < 16 {
            self.err("metrics.token", "too short: use at least 16 random characters");
            return None;
        }
        Some(Secret(token.trim().to_owned()))
    }

    fn team(&mut self, v: &Value) -> Option<Team> {
        let t = self.table("team", v)?;
        self.unknown_keys("team", t, &TEAM);
        let email = match t.get("email") {
            Some(v) => self.mailbox("team.email", v),
            None => {
                self.err("team.email", "missing (the address released requests are e-mailed to)");
                None
            }
        };
        let from = match t.get("from") {
            Some(v) => self.mailbox("team.from", v),
            None => {
                self.err(
                    "team.from",
                    "missing (the sender of every e-mail, e.g. \"Acme Support <support@acme.example>\")",
                );
                None
            }
        };
        Some(Team { email: email?, from: from? })
    }

    fn smtp(&mut self, v: &Value) -> Option<Smtp> {
        let t = self.table("smtp", v)?;
        self.unknown_keys("smtp", t, &SMTP);
        let password = match t.get("password") {
            Some(v) => self.string("smtp.password", v, true).map(Secret).map(Some),
            None => Some(None),
        };
        let Some(url) = t.get("url") else {
            self.err("smtp.url", "missing (e.g. \"smtps://USER@mail.example\")");
            return None;
        };
        // The URL may carry a user (and, wrongly, a password): it is never quoted.
        let url = self.string("smtp.url", url, true)?;
        let mut smtp = self.smtp_url(&url)?;
        let password = password?;
        match (&smtp.user, &password) {
            (Some(_), None) => self.err("smtp.password", "missing (smtp.url names a user)"),
            (None, Some(_)) => self.err("smtp.password", "given, but smtp.url names no user (write smtp://USER@HOST)"),
            _ => {}
        }
        smtp.password = password;
        Some(smtp)
    }

    fn smtp_url(&mut self, s: &str) -> Option<Smtp> {
        const PATH: &str = "smtp.url";
        let scheme = s.split_once("://").map(|(scheme, _)| scheme.to_ascii_lowercase());
        let Ok(url) = Url::parse(s) else {
            match scheme {
                Some(scheme) if scheme != "smtp" && scheme != "smtps" => {
                    self.err(PATH, format!("unsupported scheme \"{scheme}\" (use smtp:// or smtps://)"))
                }
                _ => self.err(PATH, "not a URL (expected smtp://HOST[:PORT] or smtps://HOST[:PORT])"),
            }
            return None;
        };
        let implicit_tls = match url.scheme() {
            "smtps" => true,
            "smtp" => false,
            other => {
                let other: String = other.chars().take(20).collect();
                self.err(PATH, format!("unsupported scheme \"{other}\" (use smtp:// or smtps://)"));
                return None;
            }
        };
        let mut ok = true;
        if url.password().is_some() {
            self.err(PATH, "holds a password; put it in smtp.password (e.g. \"env:REPLYBY_SMTP_PASSWORD\") instead");
            ok = false;
        }
        if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
            self.err(PATH, "only smtp[s]://[USER@]HOST[:PORT] is understood (no path, query or fragment)");
            ok = false;
        }
        let host = match url.host() {
            Some(url::Host::Domain(d)) if !d.is_empty() => d.to_owned(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            _ => {
                self.err(PATH, "has no host (expected smtp://HOST[:PORT] or smtps://HOST[:PORT])");
                return None;
            }
        };
        let user = match url.username() {
            "" => None,
            u => match percent_encoding::percent_decode_str(u).decode_utf8() {
                Ok(u) => Some(u.into_owned()),
                Err(_) => {
                    self.err(PATH, "the user name is not UTF-8 once percent-decoded");
                    ok = false;
                    None
                }
            },
        };
        if !ok {
            return None;
        }
        let tls = if implicit_tls {
            SmtpTls::Wrapper
        } else if is_loopback_host(&host) {
            SmtpTls::Opportunistic
        } else {
            SmtpTls::Required
        };
        let port = url.port().unwrap_or(if implicit_tls { 465 } else { 587 });
        Some(Smtp { host, port, tls, user, password: None })
    }

    fn receipts(&mut self, v: &Value) -> Option<bool> {
        let t = self.table("receipts", v)?;
        self.unknown_keys("receipts", t, &RECEIPTS);
        match t.get("enabled") {
            Some(v) => self.boolean("receipts.enabled", v),
            None => Some(false),
        }
    }

    fn webhooks(&mut self, v: &Value) -> Vec<Webhook> {
        let Value::Array(list) = v else {
            self.err("webhooks", format!("expected a list of tables ([[webhooks]]), found {}", kind(v)));
            return Vec::new();
        };
        let mut out: Vec<Webhook> = Vec::new();
        let mut seen: Vec<(String, usize)> = Vec::new();
        for (i, item) in list.iter().enumerate() {
            let path = format!("webhooks[{i}]");
            let Value::Table(t) = item else {
                self.err(&path, format!("expected a table ([[webhooks]]), found {}", kind(item)));
                continue;
            };
            if let Some(w) = self.webhook(&path, t) {
                // The outbox knows an endpoint by its URL (deliveries, 410-disabling): one entry each.
                if let Some((_, first)) = seen.iter().find(|(u, _)| *u == w.url.as_str()) {
                    self.err(format!("{path}.url"), format!("the same URL as webhooks[{first}]; list its events once"));
                    continue;
                }
                seen.push((w.url.to_string(), i));
                out.push(w);
            }
        }
        out
    }

    fn webhook(&mut self, path: &str, t: &Table) -> Option<Webhook> {
        self.unknown_keys(path, t, &WEBHOOK);
        let allow_private = match t.get("allow_private") {
            Some(v) => self.boolean(&format!("{path}.allow_private"), v),
            None => Some(false),
        };
        let url = match t.get("url") {
            Some(v) => {
                let p = format!("{path}.url");
                self.string(&p, v, false).and_then(|s| self.webhook_url(&p, &s, allow_private.unwrap_or(false)))
            }
            None => {
                self.err(format!("{path}.url"), "missing (the endpoint, e.g. \"https://hooks.example.com/replyby\")");
                None
            }
        };
        let secret = match t.get("secret") {
            Some(v) => {
                let p = format!("{path}.secret");
                self.string(&p, v, true).and_then(|s| match WebhookSecret::parse(&s) {
                    Ok(secret) => Some(secret),
                    Err(message) => {
                        self.err(&p, message);
                        None
                    }
                })
            }
            None => {
                self.err(format!("{path}.secret"), "missing (the endpoint's whsec_… signing secret)");
                None
            }
        };
        let events = match t.get("events") {
            Some(v) => self.events(&format!("{path}.events"), v),
            None => {
                let all: Vec<String> = Event::ALL.iter().map(|e| format!("\"{e}\"")).collect();
                self.err(format!("{path}.events"), format!("missing (a list of: {})", all.join(", ")));
                None
            }
        };
        Some(Webhook { url: url?, secret: secret?, events: events?, allow_private: allow_private? })
    }

    fn webhook_url(&mut self, path: &str, s: &str, allow_private: bool) -> Option<Url> {
        let Ok(url) = Url::parse(s) else {
            // Not quoted: webhook URLs often carry a token in their path.
            self.err(path, "not a URL (expected https://HOST/PATH)");
            return None;
        };
        match url.scheme() {
            "https" => {}
            "http" if allow_private => {}
            "http" => {
                self.err(
                    path,
                    "plain http:// is only allowed with allow_private = true (local receivers); use https://",
                );
                return None;
            }
            other => {
                self.err(path, format!("unsupported scheme \"{other}\" (use https://)"));
                return None;
            }
        }
        if !url.username().is_empty() || url.password().is_some() {
            // Targets are shown to staff (deliveries, the staff page): no credentials in them.
            self.err(path, "credentials in the URL are not allowed (they would be shown to staff); the signature authenticates replyby");
            return None;
        }
        if url.fragment().is_some() {
            self.err(path, "a #fragment is never sent; remove it");
            return None;
        }
        let host = match url.host() {
            Some(url::Host::Domain(d)) => d.to_owned(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            None => {
                self.err(path, "has no host (expected https://HOST/PATH)");
                return None;
            }
        };
        if !allow_private {
            let private = match host.parse::<IpAddr>() {
                Ok(ip) => !crate::serve::deliver::webhook::is_public(ip),
                Err(_) => is_loopback_host(&host),
            };
            if private {
                self.err(
                    path,
                    format!(
                        "\"{host}\" is a loopback or private address; set allow_private = true for a local receiver"
                    ),
                );
                return None;
            }
        }
        Some(url)
    }

    fn events(&mut self, path: &str, v: &Value) -> Option<Vec<Event>> {
        let names: Vec<&str> = Event::ALL.iter().map(|e| e.as_str()).collect();
        let Value::Array(list) = v else {
            self.err(path, format!("expected a list of event names, found {}", kind(v)));
            return None;
        };
        if list.is_empty() {
            self.err(path, format!("empty; list at least one of {}", names.join(", ")));
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for (i, item) in list.iter().enumerate() {
            let p = format!("{path}[{i}]");
            let Some(s) = self.string(&p, item, false) else {
                ok = false;
                continue;
            };
            match Event::parse(&s) {
                Some(e) if out.contains(&e) => {
                    self.err(p, format!("\"{e}\" is listed twice"));
                    ok = false;
                }
                Some(e) => out.push(e),
                None => {
                    let hint = match did_you_mean(&s, names.iter().copied()) {
                        Some(n) => format!(" (did you mean \"{n}\"?)"),
                        None => format!(" (known: {})", names.join(", ")),
                    };
                    self.err(p, format!("unknown event \"{s}\"{hint}"));
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    fn env(name: &str) -> Option<String> {
        match name {
            "REPLYBY_SMTP_PASSWORD" => Some("hunter2-smtp".into()),
            "REPLYBY_WEBHOOK_SECRET" => Some(SECRET.into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    fn parse(text: &str) -> Result<Settings, SettingsErrors> {
        Settings::parse(text, &env)
    }

    /// The errors of a file, as displayed; panics if it is valid.
    fn errors(text: &str) -> Vec<String> {
        match parse(text) {
            Ok(s) => panic!("expected errors, got {s:?}"),
            Err(e) => e.0.iter().map(ToString::to_string).collect(),
        }
    }

    fn has(errors: &[String], want: &str) {
        assert!(errors.iter().any(|e| e == want), "{want:?} not among:\n{}", errors.join("\n"));
    }

    const FULL: &str = r#"
[team]
email = "support@acme.example"                 # released requests are e-mailed here
from = "Acme Support <support@acme.example>"

[smtp]
url = "smtps://mailer%40acme@mail.acme.example"
password = "env:REPLYBY_SMTP_PASSWORD"

[receipts]
enabled = true

[[webhooks]]
url = "https://hooks.acme.example/replyby"
secret = "env:REPLYBY_WEBHOOK_SECRET"
events = ["request.received", "request.released", "request.acknowledged"]
allow_private = false

[[webhooks]]
url = "http://127.0.0.1:9099/hooks"
secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
events = ["request.released"]
allow_private = true
"#;

    #[test]
    fn the_design_example_reads_into_typed_values() {
        let s = parse(FULL).expect("valid");
        let team = s.team.as_ref().expect("team");
        assert_eq!(team.email.email.to_string(), "support@acme.example");
        assert_eq!(
            (team.from.name.as_deref(), team.from.email.to_string()),
            (Some("Acme Support"), "support@acme.example".into())
        );
        let smtp = s.smtp.as_ref().expect("smtp");
        assert_eq!((smtp.host.as_str(), smtp.port, smtp.tls), ("mail.acme.example", 465, SmtpTls::Wrapper));
        assert_eq!(smtp.user.as_deref(), Some("mailer@acme"));
        assert_eq!(smtp.password.as_ref().map(Secret::expose), Some("hunter2-smtp"));
        assert!(s.receipts_enabled);
        assert_eq!(s.webhooks.len(), 2);
        assert_eq!(s.webhooks[0].url.as_str(), "https://hooks.acme.example/replyby");
        assert_eq!(s.webhooks[0].events, Event::ALL.to_vec());
        assert_eq!(s.webhooks[0].secret.key().len(), 24);
        assert!(!s.webhooks[0].allow_private);
        assert_eq!(
            (s.webhooks[1].events.as_slice(), s.webhooks[1].allow_private),
            ([Event::Released].as_slice(), true)
        );
        let routes = s.routes();
        assert_eq!(routes.team_email.as_deref(), Some("support@acme.example"));
        assert!(routes.receipts);
        assert_eq!(routes.webhooks[1], ("http://127.0.0.1:9099/hooks".to_owned(), vec![outbox::RELEASED.to_owned()]));
        assert!(s.webhook("http://127.0.0.1:9099/hooks").is_some());
    }

    #[test]
    fn secrets_print_as_stars() {
        let s = parse(FULL).expect("valid");
        let debug = format!("{s:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(!debug.contains("MfKQ9r8G"), "{debug}");
        assert!(debug.contains("***"));
        assert_eq!(Secret("x".into()).to_string(), "***");
        assert_eq!(s.webhooks[0].secret.to_string(), "***");
    }

    #[test]
    fn an_empty_file_sends_nothing() {
        assert_eq!(parse("").expect("valid"), Settings::default());
    }

    #[test]
    fn smtp_tls_follows_the_url() {
        let smtp = |url: &str| parse(&format!("[smtp]\nurl = \"{url}\"\n")).expect("valid").smtp.expect("smtp");
        let local = smtp("smtp://127.0.0.1:2525");
        assert_eq!((local.host.as_str(), local.port, local.tls), ("127.0.0.1", 2525, SmtpTls::Opportunistic));
        assert_eq!(smtp("smtp://localhost").tls, SmtpTls::Opportunistic);
        let v6 = smtp("smtp://[::1]:25");
        assert_eq!((v6.host.as_str(), v6.tls), ("::1", SmtpTls::Opportunistic));
        assert_eq!(v6.describe(), "smtp://[::1]:25 (STARTTLS when offered)");
        let remote = smtp("smtp://mail.example");
        assert_eq!((remote.port, remote.tls), (587, SmtpTls::Required));
        assert_eq!(remote.describe(), "smtp://mail.example:587 (STARTTLS required)");
        assert_eq!(smtp("smtps://mail.example:2465").describe(), "smtps://mail.example:2465 (TLS)");
    }

    #[test]
    fn a_toml_syntax_error_names_line_and_column_and_not_the_secret() {
        let e = errors("[smtp]\nurl = \"smtp://localhost\"\npassword = \"s3cr3t-value\n");
        assert_eq!(e.len(), 1);
        assert!(e[0].starts_with("not valid TOML: line 3, column "), "{e:?}");
        assert!(!e[0].contains("s3cr3t"), "{e:?}");
        let e = errors("[team]\nemail = \"a@b.example\"\nemail = \"c@d.example\"\n");
        assert!(e[0].contains("line 3"), "{e:?}");
    }

    #[test]
    fn unknown_keys_suggest_the_known_one() {
        let e = errors(&format!(
            "[recipts]\nenabled = true\n\n[[webhooks]]\nurl = \"https://h.example/x\"\nsecret = \"{SECRET}\"\nevnts = [\"request.received\"]\ncolour = 1\n"
        ));
        has(&e, "recipts: unknown key (did you mean \"receipts\"?)");
        has(&e, "webhooks[0].evnts: unknown key (did you mean \"events\"?)");
        has(&e, "webhooks[0].colour: unknown key (known: url, secret, events, allow_private)");
        has(
            &e,
            "webhooks[0].events: missing (a list of: \"request.received\", \"request.released\", \"request.acknowledged\")",
        );
    }

    #[test]
    fn wrong_types_are_named_without_values() {
        let e = errors(
            "team = 3\n[smtp]\nurl = 25\npassword = 1234\n[receipts]\nenabled = \"yes\"\n[webhooks]\nurl = \"x\"\n",
        );
        has(&e, "team: expected a table ([team]), found an integer");
        has(&e, "smtp.url: expected a string, found an integer");
        has(&e, "smtp.password: expected a string, found an integer");
        has(&e, "receipts.enabled: expected true or false, found a string");
        has(&e, "webhooks: expected a list of tables ([[webhooks]]), found a table");
        assert!(!e.join("\n").contains("1234"));
    }

    #[test]
    fn environment_variables_must_be_set_and_not_empty() {
        let e = errors(
            "[smtp]\nurl = \"smtp://u@localhost\"\npassword = \"env:REPLYBY_SMTP_PASSWORD_TYPO\"\n\
             [[webhooks]]\nurl = \"env:EMPTY\"\nsecret = \"env:9bad\"\nevents = [\"request.received\"]\n",
        );
        has(&e, "smtp.password: environment variable REPLYBY_SMTP_PASSWORD_TYPO is not set");
        has(&e, "webhooks[0].url: environment variable EMPTY is empty");
        has(&e, "webhooks[0].secret: \"env:\" must be followed by an environment variable name");
    }

    #[test]
    fn smtp_urls_are_checked_without_quoting_them() {
        let e = errors("[smtp]\nurl = \"http://mail.example\"\n");
        has(&e, "smtp.url: unsupported scheme \"http\" (use smtp:// or smtps://)");
        let e = errors("[smtp]\nurl = \"smtp://user:pa55word@mail.example\"\n");
        has(&e, "smtp.url: holds a password; put it in smtp.password (e.g. \"env:REPLYBY_SMTP_PASSWORD\") instead");
        assert!(!e.join("\n").contains("pa55word"));
        let e = errors("[smtp]\nurl = \"not a url pa55\"\n");
        has(&e, "smtp.url: not a URL (expected smtp://HOST[:PORT] or smtps://HOST[:PORT])");
        assert!(!e.join("\n").contains("pa55"));
        let e = errors("[smtp]\nurl = \"smtp://mail.example/inbox?x=1\"\n");
        has(&e, "smtp.url: only smtp[s]://[USER@]HOST[:PORT] is understood (no path, query or fragment)");
        let e = errors("[smtp]\nurl = \"smtp://me@mail.example\"\n");
        has(&e, "smtp.password: missing (smtp.url names a user)");
        let e = errors("[smtp]\nurl = \"smtp://mail.example\"\npassword = \"x\"\n");
        has(&e, "smtp.password: given, but smtp.url names no user (write smtp://USER@HOST)");
        let e = errors("[smtp]\npassword = \"x\"\n");
        has(&e, "smtp.url: missing (e.g. \"smtps://USER@mail.example\")");
    }

    #[test]
    fn addresses_are_parsed_as_mailboxes() {
        let e = errors(
            "[team]\nemail = \"support@\"\nfrom = \"Acme <support@acme.example\"\n[smtp]\nurl = \"smtp://localhost\"\n",
        );
        has(
            &e,
            "team.email: \"support@\" is not an e-mail address (write \"name@example.com\" or \"Name <name@example.com>\")",
        );
        has(
            &e,
            "team.from: \"Acme <support@acme.example\" is not an e-mail address (write \"name@example.com\" or \"Name <name@example.com>\")",
        );
        let e = errors("[team]\nemail = \"support@acme.example\"\n[smtp]\nurl = \"smtp://localhost\"\n");
        has(&e, "team.from: missing (the sender of every e-mail, e.g. \"Acme Support <support@acme.example>\")");
    }

    #[test]
    fn e_mail_needs_smtp_and_receipts_need_a_sender() {
        let e = errors("[team]\nemail = \"s@acme.example\"\nfrom = \"s@acme.example\"\n");
        has(&e, "team: e-mailing the team needs an [smtp] section");
        let e = errors("[receipts]\nenabled = true\n");
        has(&e, "receipts.enabled: receipts need an [smtp] section and team.from (the sender)");
        let e = errors("[smtp]\nurl = \"smtp://localhost\"\n[receipts]\nenabled = true\n");
        has(&e, "receipts.enabled: receipts need team.from (the sender)");
        // Off is fine without either.
        assert!(!parse("[receipts]\nenabled = false\n").expect("valid").receipts_enabled);
    }

    #[test]
    fn webhook_secrets_follow_standard_webhooks() {
        let hook = |secret: &str| {
            format!(
                "[[webhooks]]\nurl = \"https://h.example/x\"\nsecret = \"{secret}\"\nevents = [\"request.received\"]\n"
            )
        };
        const MSG: &str = "webhooks[0].secret: not a Standard Webhooks secret (expected \"whsec_\" followed by base64 of 24 to 64 bytes)";
        let e = errors(&hook("whsec_c2hvcnQ="));
        has(&e, &format!("{MSG}; it decodes to 5 bytes"));
        assert!(!e.join("\n").contains("c2hvcnQ"));
        has(&errors(&hook("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")), &format!("{MSG}; it does not start with \"whsec_\""));
        has(&errors(&hook("whsec_not*base64!!")), &format!("{MSG}; the part after \"whsec_\" is not base64"));
        // 64 bytes is the most; padding is optional.
        let b64 = base64::engine::general_purpose::STANDARD;
        assert!(parse(&hook(&format!("whsec_{}", b64.encode([7u8; 64])))).is_ok());
        has(&errors(&hook(&format!("whsec_{}", b64.encode([7u8; 65])))), &format!("{MSG}; it decodes to 65 bytes"));
        assert!(parse(&hook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).is_ok());
    }

    #[test]
    fn webhook_urls_and_events_are_checked() {
        let hook = |url: &str, events: &str, extra: &str| {
            format!("[[webhooks]]\nurl = \"{url}\"\nsecret = \"{SECRET}\"\nevents = {events}\n{extra}")
        };
        let e = errors(&hook(
            "ftp://h.example/x",
            "[\"request.recieved\", \"request.released\", \"request.released\", \"done\"]",
            "",
        ));
        has(&e, "webhooks[0].url: unsupported scheme \"ftp\" (use https://)");
        has(
            &errors(&hook("hooks.example/T0/secret-token", "[\"request.received\"]", "")),
            "webhooks[0].url: not a URL (expected https://HOST/PATH)",
        );
        has(&e, "webhooks[0].events[0]: unknown event \"request.recieved\" (did you mean \"request.received\"?)");
        has(&e, "webhooks[0].events[2]: \"request.released\" is listed twice");
        has(
            &e,
            "webhooks[0].events[3]: unknown event \"done\" (known: request.received, request.released, request.acknowledged)",
        );
        has(
            &errors(&hook("https://h.example/x", "[]", "")),
            "webhooks[0].events: empty; list at least one of request.received, request.released, request.acknowledged",
        );
        has(
            &errors(&hook("http://hooks.example/x", "[\"request.received\"]", "")),
            "webhooks[0].url: plain http:// is only allowed with allow_private = true (local receivers); use https://",
        );
        has(
            &errors(&hook("https://user:pw@hooks.example/x", "[\"request.received\"]", "")),
            "webhooks[0].url: credentials in the URL are not allowed (they would be shown to staff); the signature authenticates replyby",
        );
        for host in ["127.0.0.1", "10.1.2.3", "[::1]", "[fd00::1]", "169.254.169.254", "localhost"] {
            has(
                &errors(&hook(&format!("https://{host}/x"), "[\"request.received\"]", "")),
                &format!(
                    "webhooks[0].url: \"{}\" is a loopback or private address; set allow_private = true for a local receiver",
                    host.trim_start_matches('[').trim_end_matches(']')
                ),
            );
        }
        assert!(parse(&hook("https://[fd00::1]/x", "[\"request.received\"]", "allow_private = true")).is_ok());
        has(
            &errors(&hook("https://h.example/x", "[\"request.received\"]", "allow_private = \"no\"")),
            "webhooks[0].allow_private: expected true or false, found a string",
        );
        let twice = format!(
            "{}\n{}",
            hook("https://h.example/x", "[\"request.received\"]", ""),
            hook("https://h.example/x", "[\"request.released\"]", "")
        );
        has(&errors(&twice), "webhooks[1].url: the same URL as webhooks[0]; list its events once");
        let e = errors("[[webhooks]]\n");
        has(&e, "webhooks[0].url: missing (the endpoint, e.g. \"https://hooks.example.com/replyby\")");
        has(&e, "webhooks[0].secret: missing (the endpoint's whsec_… signing secret)");
        has(&errors("webhooks = [1]\n"), "webhooks[0]: expected a table ([[webhooks]]), found an integer");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        // The file of the hand-off integration test (server/tests/handoff.rs).
        let text = "[team]\nemail = \"support@\"\nfrom = \"Acme <support@acme.example>\"\n\n[smtp]\nurl = \"http://mail.example\"\n\
                    password = \"env:REPLYBY_NOT_SET_ANYWHERE\"\n\n[[webhooks]]\nurl = \"https://hooks.example/x\"\n\
                    secret = \"whsec_c2hvcnQ=\"\nevnts = [\"request.received\"]\n";
        let all = parse(text).expect_err("invalid");
        let shown = all.to_string();
        for want in [
            "team.email",
            "smtp.url",
            "smtp.password",
            "REPLYBY_NOT_SET_ANYWHERE",
            "webhooks[0].secret",
            "webhooks[0].evnts",
        ] {
            assert!(shown.contains(want), "{want} not in:\n{shown}");
        }
        assert!(!shown.contains("c2hvcnQ"), "{shown}");
        assert_eq!(shown.lines().count(), all.0.len());
    }

    #[test]
    fn load_reads_a_file_and_names_an_unreadable_one() {
        let dir = std::env::temp_dir().join(format!("replyby-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("settings.toml");
        std::fs::write(&path, FULL).expect("write");
        assert!(Settings::load(&path, &env).is_ok());
        let missing = dir.join("missing.toml");
        let e = Settings::load(&missing, &env).expect_err("missing").to_string();
        assert!(e.starts_with(&format!("cannot read {}", missing.display())), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_metrics_section_is_optional_its_token_a_secret_and_checked() {
        assert_eq!(parse("").expect("empty").metrics_token, None);
        let s = parse("[metrics]\ntoken = \"env:REPLYBY_SMTP_PASSWORD\"\n").expect_err("short");
        assert_eq!(s.to_string(), "metrics.token: too short: use at least 16 random characters");
        let s = parse("[metrics]\ntoken = \"0123456789abcdef-scrape\"\n").expect("valid");
        assert_eq!(s.metrics_token.as_ref().map(Secret::expose), Some("0123456789abcdef-scrape"));
        assert!(!format!("{s:?}").contains("0123456789abcdef"), "the token in Debug");
        has(&errors("[metrics]\ntokn = \"x\"\n"), "metrics.tokn: unknown key (did you mean \"token\"?)");
        has(&errors("[metrics]\ntoken = 5\n"), "metrics.token: expected a string, found an integer");
    }

    #[test]
    fn retention_counts_whole_days_for_each_kind_of_request() {
        let s = parse("[retention]\nerase_after_days = 90\nspam_erase_after_days = 7\n").expect("valid");
        assert_eq!(s.retention, Some(Retention { erase_after_days: Some(90), spam_erase_after_days: Some(7) }));
        assert_eq!(parse("[retention]\n").expect("valid").retention.and_then(|r| r.erase_after_days), None);
        let e = errors("[retention]\nerase_after_days = 0\nspam_erase_after_days = \"7\"\nerase_after_dais = 3\n");
        has(&e, "retention.erase_after_days: 0 is not between 1 and 36500 days");
        has(&e, "retention.spam_erase_after_days: expected a whole number of days, found a string");
        has(&e, "retention.erase_after_dais: unknown key (did you mean \"erase_after_days\"?)");
    }
}
