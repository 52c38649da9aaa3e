//! Errors: config problems carry their JSON path; engine errors name what was asked.

use std::fmt;

/// One problem in a config, at a JSON Pointer path (`/teams/1/timezone`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConfigError {
    /// JSON Pointer (RFC 6901) to the offending value; empty for the whole document.
    pub path: String,
    /// A plain sentence, lowercase, no final period.
    pub message: String,
}

impl ConfigError {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError { path: path.into(), message: message.into() }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "/: {}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Every problem found in a config, in document order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl ConfigErrors {
    pub(crate) fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(ConfigError::new(path, message));
    }
    /// True when no problem was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The problems.
    pub fn iter(&self) -> impl Iterator<Item = &ConfigError> {
        self.0.iter()
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// An engine question that has no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// No coverage with that id.
    #[error("unknown coverage \"{0}\"")]
    UnknownCoverage(String),
    /// No plan with that id.
    #[error("unknown plan \"{0}\"")]
    UnknownPlan(String),
    /// No team with that id.
    #[error("unknown team \"{0}\"")]
    UnknownTeam(String),
    /// No holiday preset with that id.
    #[error("unknown holiday preset \"{id}\"{hint}")]
    UnknownPreset {
        /// What was asked for.
        id: String,
        /// ` (did you mean "…"?)`, or how preset ids are formed.
        hint: String,
    },
    /// A bundled preset whose data does not read (a build with broken generated data).
    #[error("holiday preset \"{id}\" cannot be read: {message}")]
    BadPreset {
        /// The preset.
        id: String,
        /// What is wrong.
        message: String,
    },
    /// The coverage has no open time within the search horizon.
    #[error("coverage \"{coverage}\" never opens within {days} days of {from}")]
    NeverOpens {
        /// Coverage id.
        coverage: String,
        /// The instant searched from (RFC 3339).
        from: String,
        /// The horizon.
        days: u32,
    },
    /// The target cannot be reached within the search horizon.
    #[error("coverage \"{coverage}\" does not reach the reply target within {days} days of {from}")]
    TargetUnreachable {
        /// Coverage id.
        coverage: String,
        /// The instant searched from (RFC 3339).
        from: String,
        /// The horizon.
        days: u32,
    },
    /// A range of dates that is backwards or too long to publish.
    #[error("{0}")]
    BadRange(String),
    /// A date or instant outside what the engine handles (years 1900–2500).
    #[error("{0} is out of range (years 1900 to 2500)")]
    OutOfRange(String),
}
