//! `Notifications` on PostgreSQL: the primary key (user, kind, local date) makes a claim unique
//! across every process.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Date, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use wellness_domain::ports::{Notifications, StorageError};
use wellness_domain::{DueBriefing, LocalDate, NotificationKind, UserId};

use crate::Database;
use crate::error::from_diesel;
use crate::schema::notification_sends as ns;

/// Claims a send; `false` when already claimed.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    user: UserId,
    kind: NotificationKind,
    day: LocalDate,
    at: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let n = diesel::insert_into(ns::table)
        .values((
            ns::user_id.eq(user.get()),
            ns::kind.eq(kind.code()),
            ns::local_date.eq(day.date()),
            ns::sent_at.eq(at),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    Ok(n == 1)
}

// The claims and their tasks in one statement: a briefing is claimed exactly when its task is
// added, so a claimed briefing always has a task to send it, and one claimed before (by an
// earlier check, or by another instance's at the same moment) is left alone.
const QUEUE: &str = "
WITH claimed AS (
    INSERT INTO notification_sends (user_id, kind, local_date, sent_at)
    SELECT u, k, d, $4 FROM unnest($1::bigint[], $2::text[], $3::date[]) AS due(u, k, d)
    ON CONFLICT DO NOTHING
    RETURNING user_id, kind, local_date
)
INSERT INTO tasks (user_id, kind, payload)
SELECT user_id, 'briefing', jsonb_build_object('kind', kind, 'day', local_date) FROM claimed";

/// Claims each briefing of `due` not claimed before and adds its task; how many.
pub async fn queue(
    conn: &mut AsyncPgConnection,
    due: &[DueBriefing],
    at: DateTime<Utc>,
) -> Result<u32, StorageError> {
    if due.is_empty() {
        return Ok(0);
    }
    let n = diesel::sql_query(QUEUE)
        .bind::<Array<BigInt>, _>(due.iter().map(|d| d.user.get()).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(due.iter().map(|d| d.kind.code()).collect::<Vec<_>>())
        .bind::<Array<Date>, _>(due.iter().map(|d| d.day.date()).collect::<Vec<_>>())
        .bind::<Timestamptz, _>(at)
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Gives a claim back.
pub async fn release(
    conn: &mut AsyncPgConnection,
    user: UserId,
    kind: NotificationKind,
    day: LocalDate,
) -> Result<(), StorageError> {
    diesel::delete(ns::table.find((user.get(), kind.code(), day.date())))
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    Ok(())
}

/// `Notifications` over the pool.
#[derive(Debug, Clone)]
pub struct PgNotifications {
    db: Database,
}

impl PgNotifications {
    /// Over this database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait]
impl Notifications for PgNotifications {
    async fn claim(
        &self,
        user: UserId,
        kind: NotificationKind,
        day: LocalDate,
        at: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        claim(&mut *self.db.conn().await?, user, kind, day, at).await
    }

    async fn queue(&self, due: &[DueBriefing], at: DateTime<Utc>) -> Result<u32, StorageError> {
        queue(&mut *self.db.conn().await?, due, at).await
    }

    async fn release(
        &self,
        user: UserId,
        kind: NotificationKind,
        day: LocalDate,
    ) -> Result<(), StorageError> {
        release(&mut *self.db.conn().await?, user, kind, day).await
    }
}
