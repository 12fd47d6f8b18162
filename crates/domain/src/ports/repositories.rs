use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use thiserror::Error;

use crate::model::{
    ChatId, ConversationMessage, Credentials, Cycle, DayTotals, DueBriefing, FoodEntry,
    FoodEntryId, Grams, InboxDepth, InboxUpdate, LocalDate, NewFoodEntry, NewUser,
    NotificationKind, Nutrients, OAuthState, ParkCause, Provider, Recovery, RedriveRule, Sleep,
    StateRejected, Stored, TelegramUserId, UpdateId, User, UserId, UserSettingChange,
    WearableHistory, WearableKind, WearableSnapshot, Workout,
};
use crate::ports::WearableError;

/// Storage failed. Adapters map their own errors here so the domain never sees SQL types.
#[derive(Debug, Error)]
pub enum StorageError {
    /// The database cannot be reached or timed out: retry later.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// A row could not be read back into the model (a bug or a manual edit).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// A constraint refused the write.
    #[error("storage refused the write: {0}")]
    Rejected(String),
}

/// Result of registering someone who wrote to the bot.
#[derive(Debug, Clone, PartialEq)]
pub struct Registration {
    /// The user as stored.
    pub user: User,
    /// First time we see them.
    pub is_new: bool,
}

/// People and their settings.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait Users: Send + Sync {
    /// Creates the user on first contact; later calls refresh the name and keep the settings.
    async fn register(&self, new_user: &NewUser) -> Result<Registration, StorageError>;
    /// Finds a user by their Telegram account.
    async fn find_by_telegram_id(&self, id: TelegramUserId) -> Result<Option<User>, StorageError>;
    /// Finds a user by our key.
    async fn get(&self, id: UserId) -> Result<Option<User>, StorageError>;
    /// Applies one settings change; `None` when the user does not exist.
    async fn change(
        &self,
        id: UserId,
        change: &UserSettingChange,
    ) -> Result<Option<User>, StorageError>;
    /// A page of users in key order, after `after`: for jobs that visit everyone.
    async fn page(&self, after: Option<UserId>, limit: i64) -> Result<Vec<User>, StorageError>;
    /// Removes the user and, by cascade, every row they own. `false` when there was none.
    async fn delete(&self, id: UserId) -> Result<bool, StorageError>;
}

/// OAuth tokens, encrypted at rest by the adapter.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait CredentialStore: Send + Sync {
    /// Stores (or replaces) a user's connection to a provider.
    async fn save(&self, credentials: &Credentials) -> Result<(), StorageError>;
    /// A user's connection to a provider.
    async fn get(
        &self,
        user: UserId,
        provider: Provider,
    ) -> Result<Option<Credentials>, StorageError>;
    /// Forgets a connection. `false` when there was none.
    async fn delete(&self, user: UserId, provider: Provider) -> Result<bool, StorageError>;
    /// Marks a connection broken; `true` when it was working until now.
    async fn mark_broken(&self, user: UserId, provider: Provider) -> Result<bool, StorageError>;
    /// Records that the user was told to reconnect; `true` only the first time.
    async fn mark_user_notified(
        &self,
        user: UserId,
        provider: Provider,
    ) -> Result<bool, StorageError>;
    /// Working OAuth 2 connections whose access token expires before `before`.
    async fn expiring_before(
        &self,
        provider: Provider,
        before: DateTime<Utc>,
    ) -> Result<Vec<UserId>, StorageError>;
    /// Users with a working connection to `provider`, by id after `after`, at most `limit`.
    async fn connected(
        &self,
        provider: Provider,
        after: Option<UserId>,
        limit: i64,
    ) -> Result<Vec<UserId>, StorageError>;
    /// The user a provider's account id belongs to (a webhook names the provider's user).
    async fn user_by_external_id(
        &self,
        provider: Provider,
        external_user_id: &str,
    ) -> Result<Option<UserId>, StorageError>;
    /// Refreshes tokens under a lock held across processes: `refresher` sees the credentials as
    /// they are now (another process may have just refreshed them) and its new credentials are
    /// stored in the same transaction, so a rotated refresh token is never used twice.
    async fn refresh_locked(
        &self,
        user: UserId,
        provider: Provider,
        refresher: std::sync::Arc<dyn TokenRefresher>,
    ) -> Result<Refreshed, StorageError>;
}

/// Produces new tokens from the current ones (called under the refresh lock).
#[async_trait]
pub trait TokenRefresher: Send + Sync {
    /// New credentials, or `None` when the current ones are fine as they are.
    async fn refresh(&self, current: &Credentials) -> Result<Option<Credentials>, WearableError>;
}

/// What a locked refresh did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refreshed {
    /// The credentials to use now (new, or the current ones when still fresh).
    Fresh(Credentials),
    /// The provider refused; nothing was stored.
    Failed(WearableError),
    /// The user has no such connection.
    NotConnected,
}

/// What logging entries did.
#[derive(Debug, Clone, PartialEq)]
pub struct Logged {
    /// The entries as stored (the earlier ones when this was a repeat).
    pub entries: Vec<FoodEntry>,
    /// `false` when every entry was already there (the same update processed again).
    pub created: bool,
}

/// The food diary we keep.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait FoodLog: Send + Sync {
    /// Stores entries in one transaction, idempotently by (user, idempotency key).
    async fn log(&self, entries: &[NewFoodEntry]) -> Result<Logged, StorageError>;
    /// The sum of a user's active entries on a local day, computed by the database.
    async fn day_totals(&self, user: UserId, day: LocalDate) -> Result<DayTotals, StorageError>;
    /// A user's active entries on a local day, in the order they were logged.
    async fn entries_on(
        &self,
        user: UserId,
        day: LocalDate,
    ) -> Result<Vec<FoodEntry>, StorageError>;
    /// Totals of each local day from `from` to `to` (both included) that has active entries,
    /// in date order, summed by the database.
    async fn daily_totals(
        &self,
        user: UserId,
        from: LocalDate,
        to: LocalDate,
    ) -> Result<Vec<(LocalDate, DayTotals)>, StorageError>;
    /// The latest active entry.
    async fn latest(&self, user: UserId) -> Result<Option<FoodEntry>, StorageError>;
    /// Voids a user's entries; returns those that were active until now.
    async fn void(&self, user: UserId, ids: &[FoodEntryId])
    -> Result<Vec<FoodEntry>, StorageError>;
    /// Voids a user's active entries whose idempotency key starts with `prefix` (everything
    /// logged from one message); returns those voided now.
    async fn void_by_key_prefix(
        &self,
        user: UserId,
        prefix: &str,
    ) -> Result<Vec<FoodEntry>, StorageError>;
    /// Changes the portion of an active entry; `None` when there is no such active entry.
    async fn change_portion(
        &self,
        user: UserId,
        id: FoodEntryId,
        grams: Grams,
        nutrients: Nutrients,
    ) -> Result<Option<FoodEntry>, StorageError>;
    /// One entry of a user (active or voided).
    async fn get(&self, user: UserId, id: FoodEntryId) -> Result<Option<FoodEntry>, StorageError>;
}

/// How many records an upsert wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Upserted {
    /// New records.
    pub inserted: u64,
    /// Records that changed (re-scored, ended).
    pub updated: u64,
}

/// WHOOP records we keep.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait WearableStore: Send + Sync {
    /// Inserts or updates workouts by WHOOP id.
    async fn upsert_workouts(&self, records: &[Workout]) -> Result<Upserted, StorageError>;
    /// Inserts or updates sleeps by WHOOP id.
    async fn upsert_sleeps(&self, records: &[Sleep]) -> Result<Upserted, StorageError>;
    /// Inserts or updates recoveries by cycle id.
    async fn upsert_recoveries(&self, records: &[Recovery]) -> Result<Upserted, StorageError>;
    /// Inserts or updates cycles by WHOOP id.
    async fn upsert_cycles(&self, records: &[Cycle]) -> Result<Upserted, StorageError>;
    /// Removes one record (a `*.deleted` webhook). `false` when it was not there.
    async fn delete(
        &self,
        user: UserId,
        kind: WearableKind,
        whoop_id: &str,
    ) -> Result<bool, StorageError>;
    /// Where the next sync of a kind starts: the latest start stored, or the start of the
    /// oldest record still open or unscored (those are fetched again).
    async fn sync_point(
        &self,
        user: UserId,
        kind: WearableKind,
    ) -> Result<Option<DateTime<Utc>>, StorageError>;
    /// The latest sleep, recovery, cycle and recent workouts, as known at `now`.
    async fn snapshot(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<WearableSnapshot, StorageError>;
    /// The scored numbers placed in `[from, to)`, each list in time order.
    async fn history(
        &self,
        user: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<WearableHistory, StorageError>;
}

/// Conversation history: context for the assistant.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait Conversations: Send + Sync {
    /// Appends messages in the order given (one statement: a question and its reply).
    async fn append(&self, messages: &[ConversationMessage]) -> Result<(), StorageError>;
    /// A user's messages since `since`, oldest first, at most the latest `limit`.
    async fn recent(
        &self,
        user: UserId,
        since: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ConversationMessage>, StorageError>;
    /// Deletes every message older than `before`; returns how many.
    async fn delete_older_than(&self, before: DateTime<Utc>) -> Result<u64, StorageError>;
}

/// The question the bot is waiting for an answer to, one per user.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait PendingQuestions: Send + Sync {
    /// Waits for an answer to `question` (replacing any earlier one of the user's).
    async fn ask(
        &self,
        user: UserId,
        question: &crate::conversation::PendingQuestion,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError>;
    /// Stops waiting and returns what was waited for, unless it expired by `now`: the next
    /// message answers the question or moves on, so either way it is asked no more.
    async fn take(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<crate::conversation::PendingQuestion>, StorageError>;
}

/// Inbound Telegram updates: stored first, processed after, never lost.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait Inbox: Send + Sync {
    /// Stores a raw update; a redelivered update_id is a `Duplicate`.
    async fn store(
        &self,
        update_id: UpdateId,
        chat_id: Option<ChatId>,
        payload: &serde_json::Value,
    ) -> Result<Stored, StorageError>;
    /// Claims the next update to process for `lease`: the oldest of a chat with nothing in
    /// progress, whose retry time has come, or whose previous claim's lease ran out.
    async fn claim(
        &self,
        worker: &str,
        lease: Duration,
    ) -> Result<Option<InboxUpdate>, StorageError>;
    /// Keeps a claim alive while it is still being handled: the lease runs `lease` from now.
    /// `false` when `worker` no longer holds it (its lease ran out and another took it).
    async fn extend_lease(
        &self,
        update_id: UpdateId,
        worker: &str,
        lease: Duration,
    ) -> Result<bool, StorageError>;
    /// Marks an update processed. Like every settling call it is fenced: it changes the update
    /// only while `worker` still holds its claim (`false` otherwise: the lease ran out and
    /// another worker may have it).
    async fn complete(&self, update_id: UpdateId, worker: &str) -> Result<bool, StorageError>;
    /// Releases an update to be tried again at `retry_at`, keeping the error.
    async fn retry_later(
        &self,
        update_id: UpdateId,
        worker: &str,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<bool, StorageError>;
    /// Gives up on an update after too many attempts, keeping the error and its `cause`.
    async fn park(
        &self,
        update_id: UpdateId,
        worker: &str,
        error: &str,
        cause: ParkCause,
    ) -> Result<bool, StorageError>;
    /// Sends the parked updates `rule` admits back to pending, due now, with their attempts
    /// reset and their re-drives counted (the last error is kept); how many.
    async fn redrive(&self, rule: &RedriveRule) -> Result<u64, StorageError>;
    /// How many updates wait, by state.
    async fn depth(&self) -> Result<InboxDepth, StorageError>;
    /// Deletes updates done before `done_before` and parked before `parked_before`; how many.
    async fn purge(
        &self,
        done_before: DateTime<Utc>,
        parked_before: DateTime<Utc>,
    ) -> Result<u64, StorageError>;
}

/// Pending OAuth connections.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait OAuthStates: Send + Sync {
    /// Stores a new state.
    async fn create(&self, state: &OAuthState) -> Result<(), StorageError>;
    /// Uses a state once: the second use, an expired or an unknown state is refused.
    async fn consume(
        &self,
        provider: Provider,
        state: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<OAuthState, StateRejected>, StorageError>;
    /// Uses an OAuth 1.0a state once, found by the request token the callback carries.
    async fn consume_request_token(
        &self,
        provider: Provider,
        request_token: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<OAuthState, StateRejected>, StorageError>;
    /// Deletes states that expired before `before`; returns how many.
    async fn purge_expired(&self, before: DateTime<Utc>) -> Result<u64, StorageError>;
    /// Looks a state up without using it (to refuse an expired link before leaving for the provider).
    async fn check(
        &self,
        provider: Provider,
        state: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<OAuthState, StateRejected>, StorageError>;
}

/// What the bot sent on its own, so it is sent once per user, kind and local day.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait Notifications: Send + Sync {
    /// Claims the right to send; `false` when it was already claimed (by any process).
    async fn claim(
        &self,
        user: UserId,
        kind: NotificationKind,
        day: LocalDate,
        at: DateTime<Utc>,
    ) -> Result<bool, StorageError>;
    /// Claims each of `due` not claimed before and adds its durable task
    /// ([`TaskKind::Briefing`](crate::ports::TaskKind::Briefing)), claim and task together, so
    /// a claimed briefing always has its task and is queued once however many instances check;
    /// how many were queued.
    async fn queue(&self, due: &[DueBriefing], at: DateTime<Utc>) -> Result<u32, StorageError>;
    /// Gives a claim back after the send failed, so a later tick tries again.
    async fn release(
        &self,
        user: UserId,
        kind: NotificationKind,
        day: LocalDate,
    ) -> Result<(), StorageError>;
}

/// What an outbox row asks of the external diary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxOperation {
    /// Write the entry.
    Create,
    /// Delete the entry written earlier.
    Delete,
    /// Change the portion of the entry written earlier to the entry's grams now.
    Edit,
}

/// A claimed outbox row: an entry to write to, change in or delete from the user's FatSecret
/// diary.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxItem {
    /// The row.
    pub id: i64,
    /// What to do.
    pub operation: OutboxOperation,
    /// `true` when an earlier attempt went out without an answer (or its lease ran out): the
    /// diary must be read before anything is sent again.
    pub outcome_unknown: bool,
    /// Attempts so far, this one included.
    pub attempts: u32,
    /// The entry as stored now.
    pub entry: FoodEntry,
}

/// The FatSecret diary outbox. Rows are enqueued by the [`FoodLog`] adapter in the same
/// transaction as the entries (for users with an active FatSecret connection; deletes when a
/// synced entry is voided; edits when its portion changes, one row per entry that a later
/// change sets pending again).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait DiaryOutbox: Send + Sync {
    /// Claims up to `limit` due rows for `lease` (a row whose lease ran out counts as unknown).
    async fn claim(
        &self,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<OutboxItem>, StorageError>;
    /// Done; for a create, links the entry to the diary's `food_entry_id`. An edit whose entry
    /// changed again while it was out stays pending (the next one sends the grams now).
    async fn done(&self, item: &OutboxItem, link: Option<String>) -> Result<(), StorageError>;
    /// Sent without an answer: read the diary at `retry_at` before sending again.
    async fn unknown(
        &self,
        id: i64,
        retry_at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StorageError>;
    /// Nothing was written: try again at `retry_at`.
    async fn retry(
        &self,
        id: i64,
        retry_at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StorageError>;
    /// Given up (rejected, revoked, not connected).
    async fn fail(&self, id: i64, error: &str) -> Result<(), StorageError>;
    /// Entries imported from the diary: links already ours are skipped by the caller.
    async fn linked_entry_ids(
        &self,
        user: UserId,
        since: LocalDate,
    ) -> Result<Vec<String>, StorageError>;
}

/// FatSecret lookups kept for a while (the catalogue's terms allow 24 hours).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait CatalogCache: Send + Sync {
    /// The answer stored for `query` at or after `fresh_since`: `Some(None)` is a cached "not
    /// found", `None` a miss.
    async fn get(
        &self,
        query: &str,
        fresh_since: DateTime<Utc>,
    ) -> Result<Option<Option<crate::ports::FoodFacts>>, StorageError>;
    /// Stores (or replaces) the answer for `query`.
    async fn put(
        &self,
        query: &str,
        facts: Option<crate::ports::FoodFacts>,
        at: DateTime<Utc>,
    ) -> Result<(), StorageError>;
}
