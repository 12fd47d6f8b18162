//! `Notifications` on PostgreSQL: the primary key (user, kind, local date) makes a claim unique
//! across every process.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use wellness_domain::ports::{Notifications, StorageError};
use wellness_domain::{LocalDate, NotificationKind, UserId};

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

    async fn release(
        &self,
        user: UserId,
        kind: NotificationKind,
        day: LocalDate,
    ) -> Result<(), StorageError> {
        release(&mut *self.db.conn().await?, user, kind, day).await
    }
}
