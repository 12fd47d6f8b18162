//! How FatSecret failures become the domain's errors.
//!
//! | What happened                                         | `DiaryError` (writes: create, edit, delete) | `DiaryError` (day) | `CatalogError` |
//! |-------------------------------------------------------|------------------|--------------|----------------|
//! | connection refused / failed before the request went out | `Unavailable`  | `Unavailable` | `Unavailable` |
//! | timeout or broken connection after it went out        | `OutcomeUnknown` | `Unavailable` | `Unavailable` |
//! | HTTP 5xx                                              | `OutcomeUnknown` | `Unavailable` | `Unavailable` |
//! | HTTP 429                                              | `Unavailable`    | `Unavailable` | `Unavailable` |
//! | other HTTP 4xx                                        | `Rejected`       | `Rejected`    | `Unavailable` |
//! | 200 with an answer that does not parse                | `OutcomeUnknown` | `Unavailable` | `Unavailable` |
//! | error 9 (invalid or revoked access token)             | `Revoked`        | `Revoked`     | `Unavailable` |
//! | error 6 / 7 (timestamp, nonce): retried once, then    | `Unavailable`    | `Unavailable` | `Unavailable` |
//! | any other error code (2–5, 8, 101, 106, ...)          | `Rejected`       | `Rejected`    | `Unavailable` |
//!
//! A write is never retried after it may have reached FatSecret; the 6/7 retry is safe because
//! FatSecret refused the request before doing anything. Messages never contain tokens or
//! secrets: reqwest errors lose their URL, and FatSecret's messages are scrubbed of the token.

use thiserror::Error;
use wellness_domain::ports::{CatalogError, DiaryError};

/// The client could not be built.
#[derive(Debug, Error)]
pub enum ClientError {
    /// A root URL is not an http(s) URL.
    #[error("the FatSecret {which} URL must start with http:// or https://, got {url:?}")]
    InvalidUrl {
        /// "API" or "auth".
        which: &'static str,
        /// What was given.
        url: String,
    },
    /// The consumer key or secret is empty.
    #[error("the FatSecret consumer key and secret must not be empty")]
    MissingConsumer,
    /// The HTTP client could not be created (TLS setup).
    #[error("cannot create the HTTP client: {0}")]
    Http(#[source] reqwest::Error),
}

/// A step of the three-legged connect flow failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConnectError {
    /// FatSecret refused the step (bad signature, used or unknown request token, wrong
    /// verifier): start the connection again.
    #[error("FatSecret refused: HTTP {status}: {message}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// FatSecret's text, scrubbed of tokens.
        message: String,
    },
    /// FatSecret could not be reached or failed: try again later.
    #[error("FatSecret unavailable: {0}")]
    Unavailable(String),
    /// The answer lacked the tokens.
    #[error("FatSecret's answer was malformed: {0}")]
    Malformed(String),
}

/// One failed call, before it is mapped for the domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Nothing reached FatSecret (connection refused, DNS, connect timeout).
    NotSent(String),
    /// The request went out; no complete answer came back (timeout, reset).
    NoAnswer(String),
    /// An HTTP status other than 200.
    Status { status: u16, body: String },
    /// `{"error":{"code":N,"message":".."}}`.
    Api { code: u32, message: String },
    /// A 200 answer that did not parse.
    Malformed(String),
}

/// Whether a call may have changed the diary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    Read,
    Write,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::NotSent(reason) => write!(f, "not sent: {reason}"),
            Failure::NoAnswer(reason) => write!(f, "no answer: {reason}"),
            Failure::Status { status, body } => write!(f, "HTTP {status}: {body}"),
            Failure::Api { code, message } => write!(f, "error {code}: {message}"),
            Failure::Malformed(reason) => write!(f, "malformed answer: {reason}"),
        }
    }
}

impl Failure {
    /// Whether FatSecret refused for a stale timestamp or a used nonce (safe to re-sign once).
    pub fn is_timestamp_or_nonce(&self) -> bool {
        matches!(self, Failure::Api { code: 6 | 7, .. })
    }

    /// Whether FatSecret answered with this error code.
    pub fn is_code(&self, wanted: u32) -> bool {
        matches!(self, Failure::Api { code, .. } if *code == wanted)
    }

    pub fn into_diary(self, effect: Effect) -> DiaryError {
        let text = self.to_string();
        let unknown_if_write = |text: String| match effect {
            Effect::Write => DiaryError::OutcomeUnknown(text),
            Effect::Read => DiaryError::Unavailable(text),
        };
        match self {
            Failure::NotSent(_) => DiaryError::Unavailable(text),
            Failure::NoAnswer(_) | Failure::Malformed(_) => unknown_if_write(text),
            Failure::Status { status, .. } if status >= 500 => unknown_if_write(text),
            Failure::Status { status: 429, .. } => DiaryError::Unavailable(text),
            Failure::Status { .. } => DiaryError::Rejected(text),
            Failure::Api { code: 9, .. } => DiaryError::Revoked,
            Failure::Api { code: 6 | 7, .. } => DiaryError::Unavailable(text),
            Failure::Api { .. } => DiaryError::Rejected(text),
        }
    }

    pub fn into_catalog(self) -> CatalogError {
        CatalogError::Unavailable(self.to_string())
    }

    pub fn into_connect(self) -> ConnectError {
        match self {
            Failure::Status { status, body } if (400..500).contains(&status) && status != 429 => {
                ConnectError::Refused {
                    status,
                    message: body,
                }
            }
            Failure::Malformed(reason) => ConnectError::Malformed(reason),
            other => ConnectError::Unavailable(other.to_string()),
        }
    }
}

/// A reqwest error as a failure: before or after the request went out. The URL (which holds
/// the signature, and the token for GETs) is dropped.
pub(crate) fn transport_failure(error: reqwest::Error) -> Failure {
    let not_sent = error.is_connect() || error.is_builder();
    let error = error.without_url();
    if not_sent {
        Failure::NotSent(error.to_string())
    } else {
        Failure::NoAnswer(error.to_string())
    }
}

/// Replaces every occurrence of the given secrets in `text` with `***`, then keeps the first
/// 300 characters (replacing first: a cut through a secret would leave its first characters).
pub(crate) fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut text = text.to_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        text = text.replace(secret, "***");
    }
    text.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: u32) -> Failure {
        Failure::Api {
            code,
            message: "m".into(),
        }
    }

    #[test]
    fn writes_that_may_have_happened_are_outcome_unknown() {
        let timeout = Failure::NoAnswer("timed out".into());
        assert!(matches!(
            timeout.clone().into_diary(Effect::Write),
            DiaryError::OutcomeUnknown(_)
        ));
        assert!(matches!(
            timeout.into_diary(Effect::Read),
            DiaryError::Unavailable(_)
        ));
        let server_error = Failure::Status {
            status: 500,
            body: String::new(),
        };
        assert!(matches!(
            server_error.into_diary(Effect::Write),
            DiaryError::OutcomeUnknown(_)
        ));
        assert!(matches!(
            Failure::NotSent("refused".into()).into_diary(Effect::Write),
            DiaryError::Unavailable(_)
        ));
    }

    #[test]
    fn fatsecret_error_codes_map_to_revoked_unavailable_or_rejected() {
        assert_eq!(api(9).into_diary(Effect::Write), DiaryError::Revoked);
        assert!(matches!(
            api(7).into_diary(Effect::Write),
            DiaryError::Unavailable(_)
        ));
        for code in [2, 5, 8, 101, 106] {
            assert!(matches!(
                api(code).into_diary(Effect::Write),
                DiaryError::Rejected(_)
            ));
        }
    }

    #[test]
    fn scrubbing_hides_tokens() {
        assert_eq!(
            scrub("Invalid access token: 'tok123'", &["tok123", ""]),
            "Invalid access token: '***'"
        );
    }
}
