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
