//! `DiaryOutbox` on PostgreSQL: rows enqueued with the entries (same transaction), claimed with
//! `FOR UPDATE SKIP LOCKED` and a lease.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Date, Double, Integer, Text, Timestamptz};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use wellness_domain::ports::{DiaryOutbox, OutboxItem, OutboxOperation, StorageError};
use wellness_domain::{FoodEntryId, LocalDate, UserId};

use crate::Database;
use crate::error::{TxError, corrupt, from_diesel};

const ENQUEUE_CREATES: &str = "
INSERT INTO food_diary_outbox (user_id, food_entry_id, operation)
SELECT e.user_id, e.id, 'create'
FROM food_entries e
JOIN credentials c
  ON c.user_id = e.user_id AND c.provider = 'fatsecret' AND c.status = 'active'
WHERE e.id = ANY($1)
  AND e.status = 'active'
  AND e.fatsecret_food_id IS NOT NULL
  AND e.fatsecret_serving_id IS NOT NULL
  AND e.fatsecret_entry_id IS NULL
  AND e.source <> 'fatsecret_diary'
ON CONFLICT (food_entry_id, operation) DO NOTHING";

/// Enqueues diary writes for freshly logged entries of users with an active FatSecret
/// connection. Call inside the transaction that inserted them.
pub async fn enqueue_creates(
    conn: &mut AsyncPgConnection,
    ids: &[FoodEntryId],
) -> Result<(), StorageError> {
    let ids: Vec<i64> = ids.iter().map(|id| id.get()).collect();
    diesel::sql_query(ENQUEUE_CREATES)
        .bind::<Array<BigInt>, _>(&ids)
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    Ok(())
}

const ENQUEUE_DELETES: &str = "
INSERT INTO food_diary_outbox (user_id, food_entry_id, operation)
SELECT e.user_id, e.id, 'delete'
FROM food_entries e
WHERE e.id = ANY($1)
  AND e.source <> 'fatsecret_diary'
  AND (e.fatsecret_entry_id IS NOT NULL
       OR EXISTS (SELECT 1 FROM food_diary_outbox o
                  WHERE o.food_entry_id = e.id AND o.operation = 'create'
                    AND o.state IN ('pending', 'in_flight', 'unknown')))
ON CONFLICT (food_entry_id, operation) DO NOTHING";

/// Enqueues diary deletes for voided entries that were (or are being) written to the diary.
/// Call inside the transaction that voided them.
pub async fn enqueue_deletes(
    conn: &mut AsyncPgConnection,
    ids: &[FoodEntryId],
) -> Result<(), StorageError> {
    let ids: Vec<i64> = ids.iter().map(|id| id.get()).collect();
    diesel::sql_query(ENQUEUE_DELETES)
        .bind::<Array<BigInt>, _>(&ids)
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    Ok(())
}

const ENQUEUE_EDIT: &str = "
INSERT INTO food_diary_outbox (user_id, food_entry_id, operation)
SELECT e.user_id, e.id, 'edit'
FROM food_entries e
WHERE e.id = $1
  AND e.source <> 'fatsecret_diary'
  AND (e.fatsecret_entry_id IS NOT NULL
       OR EXISTS (SELECT 1 FROM food_diary_outbox o
                  WHERE o.food_entry_id = e.id AND o.operation = 'create'
                    AND o.state IN ('pending', 'in_flight', 'unknown')))
ON CONFLICT (food_entry_id, operation) DO UPDATE
SET state = 'pending', attempts = 0, next_attempt_at = now(), locked_until = NULL,
    last_error = NULL, updated_at = now()
WHERE food_diary_outbox.state <> 'in_flight'";

/// Enqueues a diary edit for an entry whose portion changed, when it was (or is being) written
/// to the diary. Call inside the transaction that changed it. One row per entry: a later change
/// sets it pending again (the worker sends the grams as they are then); a row out with the
/// worker is left alone, and its `done` sets it pending again when the grams moved meanwhile.
pub async fn enqueue_edit(
    conn: &mut AsyncPgConnection,
    id: FoodEntryId,
) -> Result<(), StorageError> {
    diesel::sql_query(ENQUEUE_EDIT)
        .bind::<BigInt, _>(id.get())
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    Ok(())
}

/// An edit is done when the grams it sent are still the entry's; otherwise the entry changed
/// while the edit was out, and the row goes back to pending to send the grams now.
const EDIT_DONE: &str = "
UPDATE food_diary_outbox o
SET state = CASE WHEN e.grams = $2 THEN 'done' ELSE 'pending' END,
    attempts = CASE WHEN e.grams = $2 THEN o.attempts ELSE 0 END,
    next_attempt_at = now(), locked_until = NULL, last_error = NULL, updated_at = now()
FROM food_entries e
WHERE o.id = $1 AND e.id = o.food_entry_id";

const CLAIM: &str = "
WITH candidate AS (
    SELECT o.id, o.state AS previous
    FROM food_diary_outbox o
    WHERE (o.state IN ('pending', 'unknown') AND o.next_attempt_at <= $1)
       OR (o.state = 'in_flight' AND o.locked_until < $1)
    ORDER BY o.next_attempt_at, o.id
    LIMIT $3
    FOR UPDATE OF o SKIP LOCKED
)
UPDATE food_diary_outbox u
SET state = 'in_flight',
    locked_until = $1 + make_interval(secs => $2),
    attempts = u.attempts + 1,
    updated_at = now()
FROM candidate
WHERE u.id = candidate.id
RETURNING u.id, u.user_id, u.food_entry_id, u.operation, candidate.previous, u.attempts";

#[derive(QueryableByName)]
struct ClaimedRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    user_id: i64,
    #[diesel(sql_type = BigInt)]
    food_entry_id: i64,
    #[diesel(sql_type = Text)]
    operation: String,
    #[diesel(sql_type = Text)]
    previous: String,
    #[diesel(sql_type = Integer)]
    attempts: i32,
}

#[derive(QueryableByName)]
struct LinkRow {
    #[diesel(sql_type = Text)]
    fatsecret_entry_id: String,
}

/// The FatSecret diary outbox.
#[derive(Debug, Clone)]
pub struct PgDiaryOutbox {
    db: Database,
}

impl PgDiaryOutbox {
    /// The outbox on `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    async fn set_state(
        &self,
        id: i64,
        state: &str,
        retry_at: Option<DateTime<Utc>>,
        error: &str,
    ) -> Result<(), StorageError> {
        let mut conn = self.db.conn().await?;
        diesel::sql_query(
            "UPDATE food_diary_outbox SET state = $2, next_attempt_at = COALESCE($3, next_attempt_at),
             locked_until = NULL, last_error = $4, updated_at = now() WHERE id = $1",
        )
        .bind::<BigInt, _>(id)
        .bind::<Text, _>(state)
        .bind::<diesel::sql_types::Nullable<Timestamptz>, _>(retry_at)
        .bind::<Text, _>(error)
        .execute(&mut conn)
        .await
        .map_err(from_diesel)?;
        Ok(())
    }
}

#[async_trait]
impl DiaryOutbox for PgDiaryOutbox {
    async fn claim(
        &self,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<OutboxItem>, StorageError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<ClaimedRow> = diesel::sql_query(CLAIM)
            .bind::<Timestamptz, _>(now)
            .bind::<Double, _>(lease.num_milliseconds() as f64 / 1000.0)
            .bind::<BigInt, _>(i64::from(limit))
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        let mut items = Vec::with_capacity(rows.len());
        for row in rows {
            let user = UserId::new(row.user_id).map_err(corrupt)?;
            let entry_id = FoodEntryId::new(row.food_entry_id).map_err(corrupt)?;
            let Some(entry) = crate::repo::food::get(&mut conn, user, entry_id).await? else {
                continue;
            };
            let operation = match row.operation.as_str() {
                "create" => OutboxOperation::Create,
                "delete" => OutboxOperation::Delete,
                "edit" => OutboxOperation::Edit,
                other => return Err(corrupt(format!("outbox operation {other}"))),
            };
            items.push(OutboxItem {
                id: row.id,
                operation,
                // A lease that ran out means the call may have gone out.
                outcome_unknown: row.previous != "pending",
                attempts: u32::try_from(row.attempts).unwrap_or(0),
                entry,
            });
        }
        Ok(items)
    }

    async fn done(&self, item: &OutboxItem, link: Option<String>) -> Result<(), StorageError> {
        let mut conn = self.db.conn().await?;
        let id = item.id;
        let entry = item.entry.id.get();
        conn.transaction::<_, TxError, _>(async |tx| {
            if let Some(link) = &link {
                diesel::sql_query(
                    "UPDATE food_entries SET fatsecret_entry_id = $2
                     WHERE id = $1 AND fatsecret_entry_id IS NULL",
                )
                .bind::<BigInt, _>(entry)
                .bind::<Text, _>(link)
                .execute(tx)
                .await?;
            }
            if item.operation == OutboxOperation::Edit {
                diesel::sql_query(EDIT_DONE)
                    .bind::<BigInt, _>(id)
                    .bind::<Double, _>(item.entry.grams.get())
                    .execute(tx)
                    .await?;
                return Ok(());
            }
            diesel::sql_query(
                "UPDATE food_diary_outbox SET state = 'done', locked_until = NULL,
                 last_error = NULL, updated_at = now() WHERE id = $1",
            )
            .bind::<BigInt, _>(id)
            .execute(tx)
            .await?;
            Ok(())
        })
        .await
        .map_err(StorageError::from)
    }

    async fn unknown(
        &self,
        id: i64,
        retry_at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StorageError> {
        self.set_state(id, "unknown", Some(retry_at), error).await
    }

    async fn retry(
        &self,
        id: i64,
        retry_at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StorageError> {
        self.set_state(id, "pending", Some(retry_at), error).await
    }

    async fn fail(&self, id: i64, error: &str) -> Result<(), StorageError> {
        self.set_state(id, "failed", None, error).await
    }

    async fn linked_entry_ids(
        &self,
        user: UserId,
        since: LocalDate,
    ) -> Result<Vec<String>, StorageError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<LinkRow> = diesel::sql_query(
            "SELECT fatsecret_entry_id FROM food_entries
             WHERE user_id = $1 AND local_date >= $2 AND fatsecret_entry_id IS NOT NULL",
        )
        .bind::<BigInt, _>(user.get())
        .bind::<Date, _>(since.date())
        .load(&mut conn)
        .await
        .map_err(from_diesel)?;
        Ok(rows.into_iter().map(|r| r.fatsecret_entry_id).collect())
    }
}
