//! Errors of the simulator's own API (not WHOOP answers).

use std::time::Duration;

use super::records::RecordRef;

/// Errors of the WHOOP simulator's control API.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    /// The settings are not usable (a redirect URI with a scheme WHOOP refuses, ...).
    #[error("invalid simulator settings: {0}")]
    Config(String),
    /// No member with this id.
    #[error("no WHOOP member {0}")]
    UnknownUser(i64),
    /// A member with this id exists already.
    #[error("WHOOP member {0} exists already")]
    UserExists(i64),
    /// The member has no such record.
    #[error("no record {0:?}")]
    RecordNotFound(RecordRef),
    /// The record cannot be stored as given.
    #[error("invalid record: {0}")]
    InvalidRecord(String),
    /// A webhook could not be sent.
    #[error("webhook not delivered: {0}")]
    Webhook(String),
    /// A wait ended before the expected happened.
    #[error("timed out after {waited:?}: {what}")]
    Timeout { waited: Duration, what: String },
}

impl From<crate::serve::BindFailure> for SimError {
    fn from(failure: crate::serve::BindFailure) -> Self {
        SimError::Bind {
            addr: failure.addr,
            source: failure.source,
        }
    }
}
