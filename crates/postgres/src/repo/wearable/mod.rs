//! `WearableStore` on PostgreSQL: idempotent upserts on WHOOP's ids.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use diesel::sql_types::{BigInt, Nullable, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use wellness_domain::ports::{StorageError, Upserted, WearableStore};
use wellness_domain::{
    Cycle, Recovery, ScoreAt, Sleep, UserId, WearableHistory, WearableKind, WearableSnapshot,
    Workout,
};

use crate::Database;
use crate::error::from_diesel;
use crate::schema::{whoop_cycles, whoop_recovery, whoop_sleep, whoop_workouts};

/// How many recent workouts a snapshot carries.
const RECENT_WORKOUTS: i64 = 5;
/// How far back a snapshot looks for workouts.
const RECENT_WINDOW: Duration = Duration::days(2);

mod rows;

use rows::{CycleRow, RecoveryRow, SleepRow, WorkoutRow};
pub use rows::{upsert_cycles, upsert_recoveries, upsert_sleeps, upsert_workouts};

// ---------- reads ----------

/// A score and its instant, as read.
type Score = (DateTime<Utc>, Option<f64>);

/// A sleep that ends in a span started at most this long before it.
const LONGEST_SLEEP: Duration = Duration::days(1);

/// The scored numbers placed in `[from, to)`: three queries pipelined on one connection, each
/// walking its `(user_id, start_at)` or `(user_id, whoop_created_at)` index.
pub async fn history(
    conn: &mut AsyncPgConnection,
    user: UserId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<WearableHistory, StorageError> {
    let uid = user.get();
    let conn: &AsyncPgConnection = conn;
    let sleep = whoop_sleep::table
        .filter(whoop_sleep::user_id.eq(uid))
        .filter(whoop_sleep::start_at.ge(from - LONGEST_SLEEP))
        .filter(whoop_sleep::start_at.lt(to))
        .filter(whoop_sleep::end_at.ge(from))
        .filter(whoop_sleep::end_at.lt(to))
        .filter(whoop_sleep::nap.eq(false))
        .filter(whoop_sleep::score_state.eq("SCORED"))
        .order(whoop_sleep::end_at)
        .select((whoop_sleep::end_at, whoop_sleep::performance_pct))
        .load::<Score>(&mut &*conn);
    let recovery = whoop_recovery::table
        .filter(whoop_recovery::user_id.eq(uid))
        .filter(whoop_recovery::whoop_created_at.ge(from))
        .filter(whoop_recovery::whoop_created_at.lt(to))
        .filter(whoop_recovery::score_state.eq("SCORED"))
        .order(whoop_recovery::whoop_created_at)
        .select((
            whoop_recovery::whoop_created_at,
            whoop_recovery::recovery_score,
        ))
        .load::<Score>(&mut &*conn);
    let strain = whoop_cycles::table
        .filter(whoop_cycles::user_id.eq(uid))
        .filter(whoop_cycles::start_at.ge(from))
        .filter(whoop_cycles::start_at.lt(to))
        .filter(whoop_cycles::score_state.eq("SCORED"))
        .order(whoop_cycles::start_at)
        .select((whoop_cycles::start_at, whoop_cycles::strain))
        .load::<Score>(&mut &*conn);
    let (sleep, recovery, strain) = tokio::join!(sleep, recovery, strain);
    let scores = |rows: QueryResult<Vec<Score>>| {
        rows.map_err(from_diesel).map(|rows| {
            rows.into_iter()
                .filter_map(|(at, value)| value.map(|value| ScoreAt { at, value }))
                .collect::<Vec<_>>()
        })
    };
    Ok(WearableHistory {
        sleep_performance: scores(sleep)?,
        recovery: scores(recovery)?,
        strain: scores(strain)?,
    })
}

#[derive(QueryableByName)]
struct SyncPoint {
    #[diesel(sql_type = Nullable<Timestamptz>)]
    point: Option<DateTime<Utc>>,
}

/// Where the next sync of a kind starts.
pub async fn sync_point(
    conn: &mut AsyncPgConnection,
    user: UserId,
    kind: WearableKind,
) -> Result<Option<DateTime<Utc>>, StorageError> {
    // The table and column names are fixed per kind; only the user id is a (bound) parameter.
    let sql = match kind {
        WearableKind::Workout => {
            "SELECT COALESCE(MIN(start_at) FILTER (WHERE score_state = 'PENDING_SCORE'), MAX(start_at)) AS point \
             FROM whoop_workouts WHERE user_id = $1"
        }
        WearableKind::Sleep => {
            "SELECT COALESCE(MIN(start_at) FILTER (WHERE score_state = 'PENDING_SCORE'), MAX(start_at)) AS point \
             FROM whoop_sleep WHERE user_id = $1"
        }
        WearableKind::Cycle => {
            "SELECT COALESCE(MIN(start_at) FILTER (WHERE score_state = 'PENDING_SCORE' OR end_at IS NULL), MAX(start_at)) AS point \
             FROM whoop_cycles WHERE user_id = $1"
        }
        // Recoveries have no start of their own: WHOOP filters them by their cycle's start.
        WearableKind::Recovery => {
            "SELECT COALESCE(MIN(c.start_at) FILTER (WHERE r.score_state = 'PENDING_SCORE'), MAX(c.start_at)) AS point \
             FROM whoop_recovery r JOIN whoop_cycles c ON c.whoop_id = r.cycle_id WHERE r.user_id = $1"
        }
    };
    let row: SyncPoint = diesel::sql_query(sql)
        .bind::<BigInt, _>(user.get())
        .get_result(conn)
        .await
        .map_err(from_diesel)?;
    Ok(row.point)
}

/// The latest records as known at `now`: four queries pipelined on one connection, so they
/// cost about one round trip instead of four.
pub async fn snapshot(
    conn: &mut AsyncPgConnection,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<WearableSnapshot, StorageError> {
    let uid = user.get();
    // A shared reference lets diesel-async send every query before the first answer is read.
    let conn: &AsyncPgConnection = conn;
    let sleep = whoop_sleep::table
        .filter(whoop_sleep::user_id.eq(uid))
        .filter(whoop_sleep::nap.eq(false))
        .filter(whoop_sleep::end_at.le(now))
        .order(whoop_sleep::start_at.desc())
        .select(SleepRow::as_select())
        .first(&mut &*conn);
    let recovery = whoop_recovery::table
        .filter(whoop_recovery::user_id.eq(uid))
        .filter(whoop_recovery::whoop_created_at.le(now))
        .order(whoop_recovery::whoop_created_at.desc())
        .select(RecoveryRow::as_select())
        .first(&mut &*conn);
    let cycle = whoop_cycles::table
        .filter(whoop_cycles::user_id.eq(uid))
        .filter(whoop_cycles::start_at.le(now))
        .order(whoop_cycles::start_at.desc())
        .select(CycleRow::as_select())
        .first(&mut &*conn);
    let workouts = whoop_workouts::table
        .filter(whoop_workouts::user_id.eq(uid))
        .filter(whoop_workouts::start_at.le(now))
        .filter(whoop_workouts::start_at.ge(now - RECENT_WINDOW))
        .order(whoop_workouts::start_at.desc())
        .limit(RECENT_WORKOUTS)
        .select(WorkoutRow::as_select())
        .load(&mut &*conn);
    let (sleep, recovery, cycle, workouts) = tokio::join!(sleep, recovery, cycle, workouts);
    let last_sleep = sleep
        .optional()
        .map_err(from_diesel)?
        .map(Sleep::try_from)
        .transpose()?;
    let latest_recovery = recovery
        .optional()
        .map_err(from_diesel)?
        .map(Recovery::try_from)
        .transpose()?;
    let latest_cycle = cycle
        .optional()
        .map_err(from_diesel)?
        .map(Cycle::try_from)
        .transpose()?;
    let recent_workouts = workouts
        .map_err(from_diesel)?
        .into_iter()
        .map(Workout::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(WearableSnapshot {
        last_sleep,
        latest_recovery,
        latest_cycle,
        recent_workouts,
    })
}

/// Removes one record of a user. For recoveries the id may be the cycle id or the sleep UUID
/// (WHOOP's v2 webhooks are ambiguous about which).
pub async fn delete(
    conn: &mut AsyncPgConnection,
    user: UserId,
    kind: WearableKind,
    whoop_id: &str,
) -> Result<bool, StorageError> {
    let uid = user.get();
    let n = match kind {
        WearableKind::Workout => {
            diesel::delete(
                whoop_workouts::table
                    .filter(whoop_workouts::user_id.eq(uid))
                    .filter(whoop_workouts::whoop_id.eq(whoop_id)),
            )
            .execute(conn)
            .await
        }
        WearableKind::Sleep => {
            diesel::delete(
                whoop_sleep::table
                    .filter(whoop_sleep::user_id.eq(uid))
                    .filter(whoop_sleep::whoop_id.eq(whoop_id)),
            )
            .execute(conn)
            .await
        }
        WearableKind::Recovery => match whoop_id.parse::<i64>() {
            Ok(cycle) => {
                diesel::delete(
                    whoop_recovery::table
                        .filter(whoop_recovery::user_id.eq(uid))
                        .filter(whoop_recovery::cycle_id.eq(cycle)),
                )
                .execute(conn)
                .await
            }
            Err(_) => {
                diesel::delete(
                    whoop_recovery::table
                        .filter(whoop_recovery::user_id.eq(uid))
                        .filter(whoop_recovery::sleep_id.eq(whoop_id)),
                )
                .execute(conn)
                .await
            }
        },
        WearableKind::Cycle => match whoop_id.parse::<i64>() {
            Ok(cycle) => {
                diesel::delete(
                    whoop_cycles::table
                        .filter(whoop_cycles::user_id.eq(uid))
                        .filter(whoop_cycles::whoop_id.eq(cycle)),
                )
                .execute(conn)
                .await
            }
            Err(_) => Ok(0),
        },
    }
    .map_err(from_diesel)?;
    Ok(n > 0)
}

/// `WearableStore` over the pool.
#[derive(Debug, Clone)]
pub struct PgWearableStore {
    db: Database,
}

impl PgWearableStore {
    /// Over this database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait]
impl WearableStore for PgWearableStore {
    async fn upsert_workouts(&self, records: &[Workout]) -> Result<Upserted, StorageError> {
        upsert_workouts(&mut *self.db.conn().await?, records).await
    }

    async fn upsert_sleeps(&self, records: &[Sleep]) -> Result<Upserted, StorageError> {
        upsert_sleeps(&mut *self.db.conn().await?, records).await
    }

    async fn upsert_recoveries(&self, records: &[Recovery]) -> Result<Upserted, StorageError> {
        upsert_recoveries(&mut *self.db.conn().await?, records).await
    }

    async fn upsert_cycles(&self, records: &[Cycle]) -> Result<Upserted, StorageError> {
        upsert_cycles(&mut *self.db.conn().await?, records).await
    }

    async fn delete(
        &self,
        user: UserId,
        kind: WearableKind,
        whoop_id: &str,
    ) -> Result<bool, StorageError> {
        delete(&mut *self.db.conn().await?, user, kind, whoop_id).await
    }

    async fn sync_point(
        &self,
        user: UserId,
        kind: WearableKind,
    ) -> Result<Option<DateTime<Utc>>, StorageError> {
        sync_point(&mut *self.db.conn().await?, user, kind).await
    }

    async fn snapshot(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<WearableSnapshot, StorageError> {
        snapshot(&mut *self.db.conn().await?, user, now).await
    }

    async fn history(
        &self,
        user: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<WearableHistory, StorageError> {
        history(&mut *self.db.conn().await?, user, from, to).await
    }
}
