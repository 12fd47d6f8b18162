//! `Inbox` on PostgreSQL: updates stored before the 200, claimed one chat at a time.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Jsonb, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use wellness_domain::ports::{Inbox, StorageError};
use wellness_domain::{ChatId, InboxDepth, InboxUpdate, Stored, UpdateId};

use crate::Database;
use crate::error::{corrupt, from_diesel};
use crate::schema::inbox_updates as iu;

/// Stores an update unless its update_id is already there.
pub async fn store(
    conn: &mut AsyncPgConnection,
    update_id: UpdateId,
    chat_id: Option<ChatId>,
    payload: &serde_json::Value,
) -> Result<Stored, StorageError> {
    let n = diesel::insert_into(iu::table)
        .values((
            iu::update_id.eq(update_id.get()),
            iu::chat_id.eq(chat_id.map(|c| c.0)),
            iu::payload.eq(payload),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    Ok(if n == 1 {
        Stored::New
    } else {
        Stored::Duplicate
    })
}

#[derive(QueryableByName)]
struct ClaimedRow {
    #[diesel(sql_type = BigInt)]
    update_id: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    chat_id: Option<i64>,
    #[diesel(sql_type = Jsonb)]
    payload: serde_json::Value,
    #[diesel(sql_type = Integer)]
    attempts: i32,
    #[diesel(sql_type = Timestamptz)]
    received_at: DateTime<Utc>,
}

/// The claim. An update is eligible when it is the oldest open update of its chat (so a chat's
/// updates run one at a time, in update_id order) and it is either pending and due, or was
/// claimed by a worker whose lease ran out (that worker died). SKIP LOCKED lets many workers
/// claim different chats at once without waiting on each other.
const CLAIM: &str = "
WITH candidate AS (
    SELECT i.update_id
    FROM inbox_updates i
    WHERE ((i.state = 'pending' AND i.next_attempt_at <= now())
           OR (i.state = 'processing' AND i.locked_until < now()))
      AND NOT EXISTS (
          SELECT 1 FROM inbox_updates o
          WHERE o.chat_id = i.chat_id
            AND o.update_id < i.update_id
            AND o.state IN ('pending', 'processing'))
    ORDER BY i.update_id
    LIMIT 1
    FOR UPDATE OF i SKIP LOCKED
)
UPDATE inbox_updates u
SET state = 'processing',
    locked_by = $1,
    locked_until = now() + make_interval(secs => $2),
    attempts = u.attempts + 1
FROM candidate
WHERE u.update_id = candidate.update_id
RETURNING u.update_id, u.chat_id, u.payload, u.attempts, u.received_at";

/// Claims the next update for `lease`.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    worker: &str,
    lease: Duration,
) -> Result<Option<InboxUpdate>, StorageError> {
    let row: Option<ClaimedRow> = diesel::sql_query(CLAIM)
        .bind::<Text, _>(worker)
        .bind::<diesel::sql_types::Double, _>(lease.num_milliseconds() as f64 / 1000.0)
        .get_result(conn)
        .await
        .optional()
        .map_err(from_diesel)?;
    row.map(|r| {
        Ok(InboxUpdate {
            update_id: UpdateId::new(r.update_id).map_err(corrupt)?,
            chat_id: r.chat_id.map(ChatId),
            payload: r.payload,
            attempts: r.attempts,
            received_at: r.received_at,
        })
    })
    .transpose()
}

/// Extends `worker`'s claim on an update to `lease` from now; `false` when it is not theirs.
pub async fn extend_lease(
    conn: &mut AsyncPgConnection,
    update_id: UpdateId,
    worker: &str,
    lease: Duration,
) -> Result<bool, StorageError> {
    // The database's clock, as the claim's.
    let n = diesel::sql_query(
        "UPDATE inbox_updates SET locked_until = now() + make_interval(secs => $3) \
         WHERE update_id = $1 AND locked_by = $2 AND state = 'processing'",
    )
    .bind::<BigInt, _>(update_id.get())
    .bind::<Text, _>(worker)
    .bind::<diesel::sql_types::Double, _>(lease.as_seconds_f64())
    .execute(conn)
    .await
    .map_err(from_diesel)?;
    Ok(n == 1)
}

/// Marks an update done.
pub async fn complete(
    conn: &mut AsyncPgConnection,
    update_id: UpdateId,
) -> Result<(), StorageError> {
    diesel::update(iu::table.find(update_id.get()))
        .set((
            iu::state.eq("done"),
            iu::processed_at.eq(diesel::dsl::now),
            iu::locked_by.eq(None::<String>),
            iu::locked_until.eq(None::<DateTime<Utc>>),
        ))
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    Ok(())
}

/// Releases an update to be retried at `retry_at`.
pub async fn retry_later(
    conn: &mut AsyncPgConnection,
    update_id: UpdateId,
    error: &str,
    retry_at: DateTime<Utc>,
) -> Result<(), StorageError> {
    diesel::update(iu::table.find(update_id.get()))
        .set((
            iu::state.eq("pending"),
            iu::next_attempt_at.eq(retry_at),
            iu::last_error.eq(error),
            iu::locked_by.eq(None::<String>),
            iu::locked_until.eq(None::<DateTime<Utc>>),
        ))
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    Ok(())
}

/// Parks an update: no more attempts, the error kept.
pub async fn park(
    conn: &mut AsyncPgConnection,
    update_id: UpdateId,
    error: &str,
) -> Result<(), StorageError> {
    diesel::update(iu::table.find(update_id.get()))
        .set((
            iu::state.eq("parked"),
            iu::last_error.eq(error),
            iu::processed_at.eq(diesel::dsl::now),
            iu::locked_by.eq(None::<String>),
            iu::locked_until.eq(None::<DateTime<Utc>>),
        ))
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    Ok(())
}

/// Counts of open updates by state.
pub async fn depth(conn: &mut AsyncPgConnection) -> Result<InboxDepth, StorageError> {
    let rows: Vec<(String, i64)> = iu::table
        .filter(iu::state.ne("done"))
        .group_by(iu::state)
        .select((iu::state, diesel::dsl::count_star()))
        .load(conn)
        .await
        .map_err(from_diesel)?;
    let mut d = InboxDepth::default();
    for (state, n) in rows {
        match state.as_str() {
            "pending" => d.pending = n,
            "processing" => d.in_progress = n,
            "parked" => d.parked = n,
            _ => {}
        }
    }
    Ok(d)
}

/// `Inbox` over the pool.
#[derive(Debug, Clone)]
pub struct PgInbox {
    db: Database,
}

impl PgInbox {
    /// Over this database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait]
impl Inbox for PgInbox {
    async fn store(
        &self,
        update_id: UpdateId,
        chat_id: Option<ChatId>,
        payload: &serde_json::Value,
    ) -> Result<Stored, StorageError> {
        store(&mut *self.db.conn().await?, update_id, chat_id, payload).await
    }

    async fn claim(
        &self,
        worker: &str,
        lease: Duration,
    ) -> Result<Option<InboxUpdate>, StorageError> {
        claim(&mut *self.db.conn().await?, worker, lease).await
    }

    async fn extend_lease(
        &self,
        update_id: UpdateId,
        worker: &str,
        lease: Duration,
    ) -> Result<bool, StorageError> {
        extend_lease(&mut *self.db.conn().await?, update_id, worker, lease).await
    }

    async fn complete(&self, update_id: UpdateId) -> Result<(), StorageError> {
        complete(&mut *self.db.conn().await?, update_id).await
    }

    async fn retry_later(
        &self,
        update_id: UpdateId,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        retry_later(&mut *self.db.conn().await?, update_id, error, retry_at).await
    }

    async fn park(&self, update_id: UpdateId, error: &str) -> Result<(), StorageError> {
        park(&mut *self.db.conn().await?, update_id, error).await
    }

    async fn depth(&self) -> Result<InboxDepth, StorageError> {
        depth(&mut *self.db.conn().await?).await
    }
}
