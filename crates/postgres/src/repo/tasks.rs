//! `Tasks` on PostgreSQL: the inbox's claim (oldest due first, `FOR UPDATE SKIP LOCKED`, under
//! a lease on the database's clock) for work that is not a Telegram update. Settling is fenced
//! by the claim: only the worker that holds it changes the row. Done tasks are deleted.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Double, Integer, Jsonb, Nullable, Text, Timestamptz};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use wellness_domain::ports::{ClaimedTask, NewTask, StorageError, TaskKind, Tasks};
use wellness_domain::{LocalDate, NotificationKind, Provider, UserId};

use crate::Database;
use crate::error::{TxError, corrupt, from_diesel};

fn kind_code(kind: &TaskKind) -> &'static str {
    match kind {
        TaskKind::SayConnected(Provider::Whoop) => "say_whoop_connected",
        TaskKind::SayConnected(Provider::Fatsecret) => "say_fatsecret_connected",
        TaskKind::FirstWhoopSync => "first_whoop_sync",
        TaskKind::WhoopChange(_) => "whoop_change",
        TaskKind::Briefing { .. } => "briefing",
        TaskKind::WhoopSync => "whoop_sync",
        TaskKind::WhoopTokenRefresh => "whoop_token_refresh",
        TaskKind::FatsecretImport => "fatsecret_import",
        TaskKind::FatsecretTokenCheck => "fatsecret_token_check",
    }
}

/// What a task carries beyond its kind, as JSON text.
fn payload(kind: &TaskKind) -> Result<Option<String>, StorageError> {
    match kind {
        TaskKind::WhoopChange(change) => serde_json::to_string(change)
            .map(Some)
            .map_err(|e| corrupt(format!("a WHOOP change does not serialise: {e}"))),
        TaskKind::Briefing { kind, day } => Ok(Some(
            serde_json::json!({ "kind": kind.code(), "day": day.date() }).to_string(),
        )),
        _ => Ok(None),
    }
}

fn kind_of(code: &str, payload: Option<serde_json::Value>) -> Result<TaskKind, StorageError> {
    Ok(match code {
        "say_whoop_connected" => TaskKind::SayConnected(Provider::Whoop),
        "say_fatsecret_connected" => TaskKind::SayConnected(Provider::Fatsecret),
        "first_whoop_sync" => TaskKind::FirstWhoopSync,
        "whoop_change" => TaskKind::WhoopChange(
            payload
                .and_then(|p| serde_json::from_value(p).ok())
                .ok_or_else(|| corrupt("a whoop_change task without its change"))?,
        ),
        "whoop_sync" => TaskKind::WhoopSync,
        "whoop_token_refresh" => TaskKind::WhoopTokenRefresh,
        "fatsecret_import" => TaskKind::FatsecretImport,
        "fatsecret_token_check" => TaskKind::FatsecretTokenCheck,
        "briefing" => briefing(payload.as_ref())
            .ok_or_else(|| corrupt("a briefing task without its kind and day"))?,
        other => return Err(corrupt(format!("task kind {other}"))),
    })
}

/// A briefing task's payload: `{"kind": "morning_briefing", "day": "2026-06-01"}`.
fn briefing(payload: Option<&serde_json::Value>) -> Option<TaskKind> {
    let payload = payload?;
    let kind = NotificationKind::from_code(payload.get("kind")?.as_str()?)?;
    let day = payload
        .get("day")?
        .as_str()?
        .parse::<chrono::NaiveDate>()
        .ok()?;
    Some(TaskKind::Briefing {
        kind,
        day: LocalDate::from_calendar(day),
    })
}

/// Adds tasks, due now, in one statement.
pub async fn enqueue(conn: &mut AsyncPgConnection, tasks: &[NewTask]) -> Result<(), StorageError> {
    if tasks.is_empty() {
        return Ok(());
    }
    let users: Vec<i64> = tasks.iter().map(|t| t.user.get()).collect();
    let kinds: Vec<&str> = tasks.iter().map(|t| kind_code(&t.kind)).collect();
    let payloads = tasks
        .iter()
        .map(|t| payload(&t.kind))
        .collect::<Result<Vec<_>, _>>()?;
    diesel::sql_query(
        "INSERT INTO tasks (user_id, kind, payload) \
         SELECT u, k, p::jsonb FROM unnest($1::bigint[], $2::text[], $3::text[]) AS t(u, k, p)",
    )
    .bind::<Array<BigInt>, _>(users)
    .bind::<Array<Text>, _>(kinds)
    .bind::<Array<Nullable<Text>>, _>(payloads)
    .execute(conn)
    .await
    .map_err(from_diesel)?;
    Ok(())
}

// The partial unique index `tasks_one_open_routine` refuses a second open task of a routine
// kind for a user; those rows are skipped.
const ROUTINE: &str = "INSERT INTO tasks (user_id, kind) SELECT u, $2 FROM unnest($1::bigint[]) AS t(u) \
     ON CONFLICT DO NOTHING";

/// Adds the routine task `kind` for each user without one open; how many.
pub async fn enqueue_routine(
    conn: &mut AsyncPgConnection,
    kind: &TaskKind,
    users: &[UserId],
) -> Result<u32, StorageError> {
    if !kind.is_routine() {
        return Err(corrupt(format!("{} is not a routine task", kind.label())));
    }
    if users.is_empty() {
        return Ok(0);
    }
    let n = diesel::sql_query(ROUTINE)
        .bind::<Array<BigInt>, _>(users.iter().map(|u| u.get()).collect::<Vec<_>>())
        .bind::<Text, _>(kind_code(kind))
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

const RECEIPT: &str = "INSERT INTO webhook_receipts (key) VALUES ($1) ON CONFLICT (key) DO NOTHING";

/// Stores `receipt` and, when it is new, the task, in one transaction.
pub async fn enqueue_once(
    conn: &mut AsyncPgConnection,
    receipt: &str,
    task: &NewTask,
) -> Result<bool, StorageError> {
    conn.transaction::<_, TxError, _>(async |tx| {
        let taken = diesel::sql_query(RECEIPT)
            .bind::<Text, _>(receipt)
            .execute(tx)
            .await?;
        if taken == 0 {
            return Ok(false);
        }
        enqueue(tx, std::slice::from_ref(task)).await?;
        Ok(true)
    })
    .await
    .map_err(StorageError::from)
}

const CLAIM: &str = "
WITH candidate AS (
    SELECT id FROM tasks
    WHERE state IN ('pending', 'processing')
      AND ((state = 'pending' AND run_at <= now())
           OR (state = 'processing' AND locked_until < now()))
    ORDER BY run_at, id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
)
UPDATE tasks t
SET state = 'processing',
    locked_by = $1,
    locked_until = now() + make_interval(secs => $2),
    attempts = t.attempts + 1
FROM candidate
WHERE t.id = candidate.id
RETURNING t.id, t.user_id, t.kind, t.attempts, t.payload";

#[derive(QueryableByName)]
struct ClaimedRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    user_id: i64,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Integer)]
    attempts: i32,
    #[diesel(sql_type = Nullable<Jsonb>)]
    payload: Option<serde_json::Value>,
}

/// Claims the oldest due task for `lease`.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    worker: &str,
    lease: Duration,
) -> Result<Option<ClaimedTask>, StorageError> {
    let row: Option<ClaimedRow> = diesel::sql_query(CLAIM)
        .bind::<Text, _>(worker)
        .bind::<Double, _>(lease.as_seconds_f64())
        .get_result(conn)
        .await
        .optional()
        .map_err(from_diesel)?;
    let Some(r) = row else { return Ok(None) };
    let kind = match kind_of(&r.kind, r.payload) {
        Ok(kind) => kind,
        Err(e) => {
            // A kind this version does not know (a newer instance's, during a rolling
            // deploy): given back for a minute, its attempt not counted, rather than held for
            // a lease or parked: an instance that knows it takes it.
            diesel::sql_query(UNKNOWN)
                .bind::<BigInt, _>(r.id)
                .bind::<Text, _>(worker)
                .bind::<Text, _>(e.to_string())
                .execute(conn)
                .await
                .map_err(from_diesel)?;
            return Err(e);
        }
    };
    Ok(Some(ClaimedTask {
        id: r.id,
        user: UserId::new(r.user_id).map_err(corrupt)?,
        kind,
        attempts: r.attempts,
    }))
}

const UNKNOWN: &str = "UPDATE tasks SET state = 'pending', locked_by = NULL, locked_until = NULL, \
     attempts = attempts - 1, last_error = $3, run_at = now() + interval '1 minute' \
     WHERE id = $1 AND locked_by = $2 AND state = 'processing'";

// Each settling statement requires the claim: `worker` holds the task, whatever its lease says
// (a late finish of a task nobody else took is still the truth).
const COMPLETE: &str =
    "DELETE FROM tasks WHERE id = $1 AND locked_by = $2 AND state = 'processing'";
const RETRY: &str = "UPDATE tasks SET state = 'pending', locked_by = NULL, locked_until = NULL, \
     last_error = $3, run_at = $4 WHERE id = $1 AND locked_by = $2 AND state = 'processing'";
const PARK: &str = "UPDATE tasks SET state = 'parked', locked_by = NULL, locked_until = NULL, \
     last_error = $3 WHERE id = $1 AND locked_by = $2 AND state = 'processing'";

const PURGE_PARKED: &str = "DELETE FROM tasks WHERE state = 'parked' AND created_at < $1";
const PURGE_RECEIPTS: &str = "DELETE FROM webhook_receipts WHERE received_at < $1";

/// Runs a settling statement; `true` when the worker still held the task.
async fn settled(
    query: impl diesel_async::methods::ExecuteDsl<AsyncPgConnection> + Send,
    conn: &mut AsyncPgConnection,
) -> Result<bool, StorageError> {
    let n = query.execute(conn).await.map_err(from_diesel)?;
    Ok(n == 1)
}

/// `Tasks` over the pool.
#[derive(Debug, Clone)]
pub struct PgTasks {
    db: Database,
}

impl PgTasks {
    /// Over `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait]
impl Tasks for PgTasks {
    async fn enqueue(&self, tasks: &[NewTask]) -> Result<(), StorageError> {
        enqueue(&mut *self.db.conn().await?, tasks).await
    }

    async fn enqueue_routine(
        &self,
        kind: &TaskKind,
        users: &[UserId],
    ) -> Result<u32, StorageError> {
        enqueue_routine(&mut *self.db.conn().await?, kind, users).await
    }

    async fn enqueue_once(&self, receipt: &str, task: &NewTask) -> Result<bool, StorageError> {
        enqueue_once(&mut *self.db.conn().await?, receipt, task).await
    }

    async fn claim(
        &self,
        worker: &str,
        lease: Duration,
    ) -> Result<Option<ClaimedTask>, StorageError> {
        claim(&mut *self.db.conn().await?, worker, lease).await
    }

    async fn complete(&self, id: i64, worker: &str) -> Result<bool, StorageError> {
        let query = diesel::sql_query(COMPLETE)
            .bind::<BigInt, _>(id)
            .bind::<Text, _>(worker);
        settled(query, &mut *self.db.conn().await?).await
    }

    async fn retry_later(
        &self,
        id: i64,
        worker: &str,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let query = diesel::sql_query(RETRY)
            .bind::<BigInt, _>(id)
            .bind::<Text, _>(worker)
            .bind::<Text, _>(reason)
            .bind::<Timestamptz, _>(at);
        settled(query, &mut *self.db.conn().await?).await
    }

    async fn purge(
        &self,
        parked_before: DateTime<Utc>,
        receipts_before: DateTime<Utc>,
    ) -> Result<u64, StorageError> {
        let mut conn = self.db.conn().await?;
        let tasks = diesel::sql_query(PURGE_PARKED)
            .bind::<Timestamptz, _>(parked_before)
            .execute(&mut *conn)
            .await
            .map_err(from_diesel)?;
        let receipts = diesel::sql_query(PURGE_RECEIPTS)
            .bind::<Timestamptz, _>(receipts_before)
            .execute(&mut *conn)
            .await
            .map_err(from_diesel)?;
        Ok((tasks + receipts) as u64)
    }

    async fn park(&self, id: i64, worker: &str, reason: &str) -> Result<bool, StorageError> {
        let query = diesel::sql_query(PARK)
            .bind::<BigInt, _>(id)
            .bind::<Text, _>(worker)
            .bind::<Text, _>(reason);
        settled(query, &mut *self.db.conn().await?).await
    }
}
