//! `replyby check` warnings: customer-facing text must never carry a personal contact (feature
//! `lint`: the server and the config studio report them with this code; the widget leaves it out).

use crate::Config;
use crate::config::HolidayEntry;
use regex::Regex;
use std::sync::OnceLock;

/// Local parts of shared, role-based mailboxes: fine to show customers.
const ROLE_MAILBOXES: &[&str] = &[
    "support",
    "help",
    "helpdesk",
    "info",
    "contact",
    "hello",
    "service",
    "services",
    "team",
    "sales",
    "billing",
    "office",
    "care",
    "customercare",
    "customer-care",
    "customerservice",
    "feedback",
    "noreply",
    "no-reply",
    "admin",
    "enquiries",
    "inquiries",
    "security",
    "privacy",
    "legal",
    "press",
    "abuse",
    "postmaster",
    "webmaster",
];

/// One warning: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// JSON Pointer.
    pub path: String,
    /// Plain sentence.
    pub message: String,
}

fn phone() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    // A run of digits with the usual separators, at least seven digits in all.
    R.get_or_init(|| Regex::new(r"\+?\(?\d[\d\s().\-/]{5,}\d").unwrap_or_else(|_| unreachable!()))
}

fn email() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"([A-Za-z0-9._%+\-]+)@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}").unwrap_or_else(|_| unreachable!())
    })
}

fn date_like() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"^\d{4}-\d{2}-\d{2}$").unwrap_or_else(|_| unreachable!()))
}

/// Warnings for one piece of customer-facing text.
pub fn scan(path: &str, text: &str) -> Vec<Warning> {
    let mut out = Vec::new();
    for m in phone().find_iter(text) {
        let digits = m.as_str().chars().filter(char::is_ascii_digit).count();
        if digits >= 7 && !date_like().is_match(m.as_str().trim()) {
            out.push(Warning {
                path: path.to_owned(),
                message: format!("\"{}\" looks like a phone number; customer-facing text must not carry a personal contact (use the request form)", m.as_str().trim()),
            });
        }
    }
    for c in email().captures_iter(text) {
        let local = c.get(1).map(|m| m.as_str().to_ascii_lowercase()).unwrap_or_default();
        if !ROLE_MAILBOXES.contains(&local.as_str()) {
            out.push(Warning {
                path: path.to_owned(),
                message: format!(
                    "\"{}\" looks like a personal e-mail address; use a shared mailbox such as support@ or the request form",
                    c.get(0).map(|m| m.as_str()).unwrap_or_default()
                ),
            });
        }
    }
    out
}

/// Every warning for a config's customer-facing text: names, blurbs and holiday names.
pub fn lint(config: &Config) -> Vec<Warning> {
    let mut out = scan("/company", &config.company);
    for (i, t) in config.teams.iter().enumerate() {
        out.extend(scan(&format!("/teams/{i}/name"), &t.name));
        for (j, h) in t.holidays.iter().enumerate() {
            if let HolidayEntry::Rule(r) = h {
                out.extend(scan(&format!("/teams/{i}/holidays/{j}/name"), &r.name));
                if let Some(n) = &r.note {
                    out.extend(scan(&format!("/teams/{i}/holidays/{j}/note"), n));
                }
            }
        }
    }
    for (i, c) in config.coverages.iter().enumerate() {
        out.extend(scan(&format!("/coverages/{i}/name"), &c.name));
    }
    for (i, p) in config.plans.iter().enumerate() {
        out.extend(scan(&format!("/plans/{i}/name"), &p.name));
        if let Some(b) = &p.blurb {
            out.extend(scan(&format!("/plans/{i}/blurb"), b));
        }
    }
    for (i, c) in config.changes.iter().enumerate() {
        out.extend(lint_change(&format!("/changes/{i}"), c));
    }
    out
}

/// A schedule change's customer-facing text: its name and note.
pub fn lint_change(path: &str, c: &crate::changes::Change) -> Vec<Warning> {
    let mut out = scan(&format!("{path}/name"), &c.name);
    if let Some(n) = &c.note {
        out.extend(scan(&format!("{path}/note"), n));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::scan;

    #[test]
    fn phone_numbers_are_flagged_but_dates_and_short_numbers_are_not() {
        assert_eq!(scan("/p", "Call Dave on +1 (555) 010-4477 anytime").len(), 1);
        assert_eq!(scan("/p", "ring 0151 496 0123").len(), 1);
        assert!(scan("/p", "24/7 support, replies within 4 hours").is_empty());
        assert!(scan("/p", "Closure 2027-06-11").is_empty());
        assert!(scan("/p", "Since 1999").is_empty());
    }

    #[test]
    fn personal_but_not_role_addresses_are_flagged() {
        assert_eq!(scan("/p", "mail jane.doe@acme.example").len(), 1);
        assert!(scan("/p", "write to support@acme.example").is_empty());
    }
}
