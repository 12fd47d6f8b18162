//! `Inbox` on PostgreSQL: updates stored before the 200, claimed one chat at a time.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Jsonb, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use wellness_domain::ports::{Inbox, StorageError};
use wellness_domain::{ChatId, InboxDepth, InboxUpdate, ParkCause, RedriveRule, Stored, UpdateId};

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

/// An update as Telegram sent it, for [`store_batch`]: the raw JSON text is stored as is (the
/// webhook has checked it is JSON), so it is neither parsed into a tree nor serialised again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawUpdate {
    /// Telegram's update_id: the deduplication key.
    pub update_id: UpdateId,
    /// The chat it belongs to, when it has one.
    pub chat_id: Option<ChatId>,
    /// The body, a JSON object.
    pub payload: String,
}

#[derive(QueryableByName)]
struct InsertedId {
    #[diesel(sql_type = BigInt)]
    update_id: i64,
}

/// One statement for any number of rows: the arrays are bound as three parameters, so the
/// statement is prepared once and its plan reused whatever the batch size.
const STORE_BATCH: &str = "
INSERT INTO inbox_updates (update_id, chat_id, payload)
SELECT u, c, p::jsonb FROM unnest($1::int8[], $2::int8[], $3::text[]) AS t(u, c, p)
ON CONFLICT (update_id) DO NOTHING
RETURNING update_id";

/// Stores many updates in one statement (one transaction, one commit): the group commit of the
/// webhook. The answer has one outcome per update, in order: `New` for the first occurrence of
/// an update_id that was not stored yet, `Duplicate` for one already stored and for a repeat
/// within the batch. All or nothing: on error none of them is stored (see
/// [`store_batch_isolated`] for a batch that should not fail because of one bad row).
pub async fn store_batch(
    conn: &mut AsyncPgConnection,
    updates: &[RawUpdate],
) -> Result<Vec<Stored>, StorageError> {
    store_batch_diesel(conn, updates).await.map_err(from_diesel)
}

async fn store_batch_diesel(
    conn: &mut AsyncPgConnection,
    updates: &[RawUpdate],
) -> Result<Vec<Stored>, diesel::result::Error> {
    let mut first = std::collections::HashSet::with_capacity(updates.len());
    let (mut ids, mut chats, mut payloads) = (
        Vec::with_capacity(updates.len()),
        Vec::with_capacity(updates.len()),
        Vec::with_capacity(updates.len()),
    );
    for u in updates {
        // A repeat within the batch is not sent: its first occurrence decides.
        if first.insert(u.update_id.get()) {
            ids.push(u.update_id.get());
            chats.push(u.chat_id.map(|c| c.0));
            payloads.push(u.payload.as_str());
        }
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let inserted: Vec<InsertedId> = diesel::sql_query(STORE_BATCH)
        .bind::<Array<BigInt>, _>(&ids)
        .bind::<Array<Nullable<BigInt>>, _>(&chats)
        .bind::<Array<Text>, _>(&payloads)
        .load(conn)
        .await?;
    let mut new: std::collections::HashSet<i64> =
        inserted.into_iter().map(|r| r.update_id).collect();
    // The first occurrence of a newly stored id takes `New`; `remove` leaves repeats `Duplicate`.
    Ok(updates
        .iter()
        .map(|u| {
            if new.remove(&u.update_id.get()) {
                Stored::New
            } else {
                Stored::Duplicate
            }
        })
        .collect())
}

/// [`store_batch`], except that when PostgreSQL refuses the batch itself (a row it cannot take,
/// such as a `\u0000` escape jsonb does not accept), each update is stored on its own, so one
/// bad update fails alone instead of failing the updates that happened to share its batch.
/// When the database cannot be reached, every update fails.
pub async fn store_batch_isolated(
    conn: &mut AsyncPgConnection,
    updates: &[RawUpdate],
) -> Vec<Result<Stored, StorageError>> {
    match store_batch_diesel(conn, updates).await {
        Ok(stored) => stored.into_iter().map(Ok).collect(),
        Err(diesel::result::Error::DatabaseError(kind, _))
            if updates.len() > 1
                && !matches!(
                    kind,
                    diesel::result::DatabaseErrorKind::ClosedConnection
                        | diesel::result::DatabaseErrorKind::SerializationFailure
                ) =>
        {
            let mut out: Vec<Result<Stored, StorageError>> = Vec::with_capacity(updates.len());
            let mut first = std::collections::HashMap::with_capacity(updates.len());
            for (i, u) in updates.iter().enumerate() {
                // A repeat within the batch shares the fate of its first occurrence.
                let result = match first.get(&u.update_id.get()).and_then(|&j| out.get(j)) {
                    Some(Ok(_)) => Ok(Stored::Duplicate),
                    Some(Err(e)) => Err(copy(e)),
                    None => {
                        first.insert(u.update_id.get(), i);
                        store_batch(conn, std::slice::from_ref(u))
                            .await
                            .map(|s| s.into_iter().next().unwrap_or(Stored::Duplicate))
                    }
                };
                out.push(result);
            }
            out
        }
        Err(e) => {
            let e = from_diesel(e);
            updates.iter().map(|_| Err(copy(&e))).collect()
        }
    }
}

/// The same error for another update of the batch.
fn copy(e: &StorageError) -> StorageError {
    match e {
        StorageError::Unavailable(m) => StorageError::Unavailable(m.clone()),
        StorageError::Corrupt(m) => StorageError::Corrupt(m.clone()),
        StorageError::Rejected(m) => StorageError::Rejected(m.clone()),
    }
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
/// claim different chats at once without waiting on each other. The first condition repeats
/// the open indexes' predicate so the planner may use them (`inbox_updates_open_order` walks
/// open updates in claim order) instead of walking every done update by primary key.
const CLAIM: &str = "
WITH candidate AS (
    SELECT i.update_id
    FROM inbox_updates i
    WHERE i.state IN ('pending', 'processing')
      AND ((i.state = 'pending' AND i.next_attempt_at <= now())
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

/// The rows `worker` holds: claimed by it and not settled since. Settling goes only through
/// here, so a worker whose lease ran out (and whose update another worker took) changes nothing.
type Held<'a> = diesel::dsl::Filter<
    diesel::dsl::Find<iu::table, i64>,
    diesel::dsl::And<
        diesel::dsl::Eq<iu::locked_by, &'a str>,
        diesel::dsl::Eq<iu::state, &'static str>,
    >,
>;

/// The update `worker` holds (see [`Held`]).
fn held(update_id: UpdateId, worker: &str) -> Held<'_> {
    iu::table
        .find(update_id.get())
        .filter(iu::locked_by.eq(worker).and(iu::state.eq("processing")))
}

/// Marks an update done.
pub async fn complete(
    conn: &mut AsyncPgConnection,
    update_id: UpdateId,
    worker: &str,
) -> Result<bool, StorageError> {
    let n = diesel::update(held(update_id, worker))
        .set((
            iu::state.eq("done"),
            iu::processed_at.eq(diesel::dsl::now),
            iu::locked_by.eq(None::<String>),
            iu::locked_until.eq(None::<DateTime<Utc>>),
        ))
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    Ok(n == 1)
}

/// Releases an update to be retried at `retry_at`.
pub async fn retry_later(
    conn: &mut AsyncPgConnection,
    update_id: UpdateId,
    worker: &str,
    error: &str,
    retry_at: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let n = diesel::update(held(update_id, worker))
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
    Ok(n == 1)
}

/// Parks an update: no more attempts, the error and its cause kept.
pub async fn park(
    conn: &mut AsyncPgConnection,
    update_id: UpdateId,
    worker: &str,
    error: &str,
    cause: ParkCause,
) -> Result<bool, StorageError> {
    let n = diesel::update(held(update_id, worker))
        .set((
            iu::state.eq("parked"),
            iu::park_cause.eq(cause.as_str()),
            iu::last_error.eq(error),
            iu::processed_at.eq(diesel::dsl::now),
            iu::locked_by.eq(None::<String>),
            iu::locked_until.eq(None::<DateTime<Utc>>),
        ))
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    Ok(n == 1)
}

/// Sends the parked updates `rule` admits back to pending: due now, attempts from zero, one
/// more re-drive counted, the last error kept (it says what the outage was). Outages alone go
/// through the partial index `inbox_updates_redrivable`.
pub async fn redrive(
    conn: &mut AsyncPgConnection,
    rule: &RedriveRule,
) -> Result<u64, StorageError> {
    let admitted = iu::state
        .eq("parked")
        .and(iu::received_at.ge(rule.received_after))
        .and(iu::redrives.lt(rule.max_redrives));
    let back = (
        iu::state.eq("pending"),
        iu::attempts.eq(0),
        iu::next_attempt_at.eq(diesel::dsl::now),
        iu::processed_at.eq(None::<DateTime<Utc>>),
        iu::park_cause.eq(None::<String>),
        iu::redrives.eq(iu::redrives + 1),
    );
    let n = if rule.faults_too {
        diesel::update(iu::table.filter(admitted))
            .set(back)
            .execute(conn)
            .await
    } else {
        let outage = iu::park_cause.eq(ParkCause::Outage.as_str());
        diesel::update(iu::table.filter(admitted.and(outage)))
            .set(back)
            .execute(conn)
            .await
    }
    .map_err(from_diesel)?;
    Ok(n as u64)
}

/// Deletes updates done before `done_before` and parked before `parked_before` (both by when
/// they were settled); how many.
pub async fn purge(
    conn: &mut AsyncPgConnection,
    done_before: DateTime<Utc>,
    parked_before: DateTime<Utc>,
) -> Result<u64, StorageError> {
    let done = iu::state.eq("done").and(iu::processed_at.lt(done_before));
    let parked = iu::state
        .eq("parked")
        .and(iu::processed_at.lt(parked_before));
    let n = diesel::delete(iu::table.filter(done.or(parked)))
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    Ok(n as u64)
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

    /// The highest update id ever stored (`None` for an empty inbox).
    pub async fn last_update_id(&self) -> Result<Option<UpdateId>, StorageError> {
        let last: Option<i64> = iu::table
            .select(diesel::dsl::max(iu::update_id))
            .first(&mut *self.db.conn().await?)
            .await
            .map_err(from_diesel)?;
        last.map(|id| {
            UpdateId::new(id).map_err(|e| corrupt(format!("inbox_updates.update_id: {e}")))
        })
        .transpose()
    }

    /// Stores a batch in one statement on one pooled connection ([`store_batch_isolated`]): one
    /// outcome per update, in order. Without a connection every update fails.
    pub async fn store_batch(&self, updates: &[RawUpdate]) -> Vec<Result<Stored, StorageError>> {
        match self.db.conn().await {
            Ok(mut conn) => store_batch_isolated(&mut conn, updates).await,
            Err(e) => updates.iter().map(|_| Err(copy(&e))).collect(),
        }
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

    async fn complete(&self, update_id: UpdateId, worker: &str) -> Result<bool, StorageError> {
        complete(&mut *self.db.conn().await?, update_id, worker).await
    }

    async fn retry_later(
        &self,
        update_id: UpdateId,
        worker: &str,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        retry_later(
            &mut *self.db.conn().await?,
            update_id,
            worker,
            error,
            retry_at,
        )
        .await
    }

    async fn park(
        &self,
        update_id: UpdateId,
        worker: &str,
        error: &str,
        cause: ParkCause,
    ) -> Result<bool, StorageError> {
        park(&mut *self.db.conn().await?, update_id, worker, error, cause).await
    }

    async fn redrive(&self, rule: &RedriveRule) -> Result<u64, StorageError> {
        redrive(&mut *self.db.conn().await?, rule).await
    }

    async fn depth(&self) -> Result<InboxDepth, StorageError> {
        depth(&mut *self.db.conn().await?).await
    }

    async fn purge(
        &self,
        done_before: DateTime<Utc>,
        parked_before: DateTime<Utc>,
    ) -> Result<u64, StorageError> {
        purge(&mut *self.db.conn().await?, done_before, parked_before).await
    }
}

#[cfg(test)]
mod tests {
    use diesel_async::SimpleAsyncConnection;

    use super::*;
    use crate::test_support::TestDatabase;

    #[derive(QueryableByName)]
    struct PlanLine {
        #[diesel(sql_type = Text)]
        line: String,
    }

    /// The claim runs for every update and every idle worker's poll. With days of done updates
    /// in the table and no statistics yet (a new table), it must still find the oldest open
    /// update through an index of open updates, not by walking every done one.
    #[tokio::test]
    async fn the_claim_does_not_walk_done_updates() {
        let test_db = TestDatabase::migrated().await.unwrap();
        let db = test_db.pool().unwrap();
        let mut conn = db.conn().await.unwrap();
        conn.batch_execute(
            "ALTER TABLE inbox_updates SET (autovacuum_enabled = false);
             -- Each update's life: stored, claimed, done (three row versions, as in use).
             INSERT INTO inbox_updates (update_id, chat_id, payload)
             SELECT g, g % 500, '{}' FROM generate_series(1, 5000) g;
             UPDATE inbox_updates SET state = 'processing';
             UPDATE inbox_updates SET state = 'done', processed_at = now();
             INSERT INTO inbox_updates (update_id, chat_id, payload) VALUES (5001, 7, '{}');
             CREATE FUNCTION plan_of(q text) RETURNS SETOF text LANGUAGE plpgsql AS $f$
             DECLARE r text;
             BEGIN
                 FOR r IN EXECUTE 'EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ' || q LOOP
                     RETURN NEXT r;
                 END LOOP;
             END $f$;",
        )
        .await
        .unwrap();
        let claim = CLAIM.replace("$1", "'w1'").replace("$2", "60");
        let plan: Vec<PlanLine> = diesel::sql_query("SELECT plan_of($1) AS line")
            .bind::<Text, _>(&claim)
            .load(&mut *conn)
            .await
            .unwrap();
        let plan: Vec<&str> = plan.iter().map(|p| p.line.as_str()).collect();
        let text = plan.join("\n");
        assert!(
            !text.contains("Index Scan using inbox_updates_pkey on inbox_updates i"),
            "the candidate was found by walking the primary key:\n{text}"
        );
        // The old plan touched some 13,000 buffers here; the open index touches a handful.
        let hits: u64 = plan[..2]
            .iter()
            .find_map(|l| l.trim().strip_prefix("Buffers: shared hit="))
            .and_then(|n| n.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no buffer count in:\n{text}"));
        assert!(hits < 200, "{hits} buffers for one claim:\n{text}");
        assert!(
            plan[0].contains("rows=1"),
            "the open update was claimed:\n{text}"
        );
    }
}
