//! Per-user limits shared by every instance: how often one user may do a costly thing.

use async_trait::async_trait;
use chrono::Duration;

use crate::model::UserId;
use crate::ports::StorageError;

/// What a user is limited in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Throttled {
    /// Messages that may cost an outside call (text and voice: OpenAI, Whisper).
    Message,
    /// `/sync` (WHOOP's and FatSecret's requests are shared by everyone).
    Sync,
}

impl Throttled {
    /// Its key in storage.
    pub fn code(self) -> &'static str {
        match self {
            Throttled::Message => "message",
            Throttled::Sync => "sync",
        }
    }
}

/// How a use went against its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    /// Within the limit.
    Allowed,
    /// Over it.
    Exceeded {
        /// The first use over the limit in this window (the one to explain).
        first: bool,
        /// When the window ends.
        retry_after: Duration,
    },
}

/// A limit: at most `limit` uses per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Uses allowed in a window.
    pub limit: u32,
    /// The window.
    pub window: Duration,
}

/// Counts uses per user in fixed windows.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait Throttle: Send + Sync {
    /// Records one use of `what` by `user`, and how it went against `limit`.
    async fn hit(&self, user: UserId, what: Throttled, limit: Limit) -> Result<Hit, StorageError>;
}
