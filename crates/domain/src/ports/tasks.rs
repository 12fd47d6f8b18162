//! Work for later, kept in storage until it is done: it survives a restart and runs on
//! whichever instance claims it (claimed under a lease, retried with backoff, parked when it
//! keeps failing), like the inbox's updates.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

use crate::model::{LocalDate, NotificationKind, Provider, UserId, WearableChange};
use crate::ports::StorageError;

/// What is to be done, for whom.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TaskKind {
    /// Say in the chat that a provider was connected.
    SayConnected(Provider),
    /// The first WHOOP sync after connecting (30 days).
    FirstWhoopSync,
    /// A WHOOP webhook said a record changed: fetch it again, or forget it.
    WhoopChange(WearableChange),
    /// The hourly WHOOP sync of a connected user.
    WhoopSync,
    /// Refresh a WHOOP access token about to expire.
    WhoopTokenRefresh,
    /// The hourly import of a connected user's FatSecret diary.
    FatsecretImport,
    /// Check that a user's FatSecret tokens still work (told once when they do not).
    FatsecretTokenCheck,
    /// Send a briefing claimed when it was queued (see
    /// [`Notifications::queue`](crate::ports::Notifications::queue)).
    Briefing {
        /// Which.
        kind: NotificationKind,
        /// The user's local day it belongs to.
        day: LocalDate,
    },
}

impl TaskKind {
    /// A label for logs and metrics.
    pub fn label(&self) -> &'static str {
        match self {
            TaskKind::SayConnected(_) => "say_connected",
            TaskKind::FirstWhoopSync => "first_whoop_sync",
            TaskKind::WhoopChange(_) => "whoop_change",
            TaskKind::Briefing { .. } => "briefing",
            TaskKind::WhoopSync => "whoop_sync",
            TaskKind::WhoopTokenRefresh => "whoop_token_refresh",
            TaskKind::FatsecretImport => "fatsecret_import",
            TaskKind::FatsecretTokenCheck => "fatsecret_token_check",
        }
    }

    /// Routine work a job tick hands out per user: at most one of each kind is open for a
    /// user at a time ([`Tasks::enqueue_routine`]).
    pub fn is_routine(&self) -> bool {
        matches!(
            self,
            TaskKind::WhoopSync
                | TaskKind::WhoopTokenRefresh
                | TaskKind::FatsecretImport
                | TaskKind::FatsecretTokenCheck
        )
    }
}

/// A task to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    /// Whose.
    pub user: UserId,
    /// What.
    pub kind: TaskKind,
}

/// A task claimed by a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedTask {
    /// Its key.
    pub id: i64,
    /// Whose.
    pub user: UserId,
    /// What.
    pub kind: TaskKind,
    /// Attempts so far, this one included.
    pub attempts: i32,
}

/// Durable work for later. Every call that settles a task is fenced: it changes the task only
/// while `worker` still holds its claim (`false` otherwise: the lease ran out and another
/// worker may have it).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait Tasks: Send + Sync {
    /// Adds tasks, due now.
    async fn enqueue(&self, tasks: &[NewTask]) -> Result<(), StorageError>;
    /// Adds a task for something received under `receipt` (a webhook's key), in one
    /// transaction with the receipt; `false`, adding nothing, when that receipt was taken
    /// before.
    async fn enqueue_once(&self, receipt: &str, task: &NewTask) -> Result<bool, StorageError>;
    /// Adds the routine task `kind` for each of `users` that has none open (pending or
    /// claimed) already, so a tick that comes round while the last one's work is still queued
    /// adds nothing twice; how many were added.
    async fn enqueue_routine(&self, kind: &TaskKind, users: &[UserId])
    -> Result<u32, StorageError>;
    /// Claims the oldest due task for `lease` (a task whose worker's lease ran out is due).
    async fn claim(
        &self,
        worker: &str,
        lease: Duration,
    ) -> Result<Option<ClaimedTask>, StorageError>;
    /// Done: the task is gone.
    async fn complete(&self, id: i64, worker: &str) -> Result<bool, StorageError>;
    /// Failed for a passing reason: due again at `at`.
    async fn retry_later(
        &self,
        id: i64,
        worker: &str,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StorageError>;
    /// Failed for good (or too often): kept with its error, never claimed again.
    async fn park(&self, id: i64, worker: &str, reason: &str) -> Result<bool, StorageError>;
    /// Deletes parked tasks created before `parked_before` and receipts taken before
    /// `receipts_before`; how many rows.
    async fn purge(
        &self,
        parked_before: DateTime<Utc>,
        receipts_before: DateTime<Utc>,
    ) -> Result<u64, StorageError>;
}
