use chrono::{DateTime, Utc};

use super::{ChatId, UpdateId};

/// An update from Telegram, stored as received before anything is done with it.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxUpdate {
    /// Telegram's update_id (unique).
    pub update_id: UpdateId,
    /// The chat it belongs to: updates of one chat are processed one at a time, in order.
    pub chat_id: Option<ChatId>,
    /// The raw JSON update.
    pub payload: serde_json::Value,
    /// How many times processing was tried.
    pub attempts: i32,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
}

/// What storing an update did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// Stored for processing.
    New,
    /// Already there (a redelivery): acknowledged and ignored.
    Duplicate,
}

/// How many updates wait, by state: for /metrics and readiness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InboxDepth {
    /// Waiting or being retried.
    pub pending: i64,
    /// Claimed by a worker now.
    pub in_progress: i64,
    /// Given up on after too many attempts.
    pub parked: i64,
}

/// Why an update was parked, which decides whether it may be tried again on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParkCause {
    /// A passing failure outlasted every attempt (Telegram, OpenAI or the database could not
    /// be reached): the update itself is fine, and is re-driven once the outage is over.
    Outage,
    /// The update failed for a reason of its own (a permanent error, a panic, a hang, an
    /// unreadable update): trying it again would fail the same way, so it waits for an
    /// operator.
    Fault,
}

impl ParkCause {
    /// Its stored name: "outage" or "fault".
    pub fn as_str(self) -> &'static str {
        match self {
            ParkCause::Outage => "outage",
            ParkCause::Fault => "fault",
        }
    }
}

/// Which parked updates a re-drive sends back to pending: the rule, as data, that the storage
/// applies in one statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedriveRule {
    /// Only updates received at or after this (older answers are stale: Telegram itself stops
    /// redelivering an update after 24 hours).
    pub received_after: DateTime<Utc>,
    /// Only updates re-driven fewer times than this, so an outage that never ends cannot send
    /// an update round for ever.
    pub max_redrives: i32,
    /// Faults too (and updates parked before causes were recorded), for an operator after a
    /// fix is deployed; otherwise outages only.
    pub faults_too: bool,
}
