//! `Users` on PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, NaiveTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use wellness_domain::ports::{Registration, StorageError, Users};
use wellness_domain::{
    BriefingTimes, CalorieGoal, Locale, NewUser, TelegramUserId, User, UserId, UserSettingChange,
    UserTimeZone,
};

use crate::Database;
use crate::error::{corrupt, from_diesel};
use crate::schema::users;

/// A row of `users`.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub(crate) struct UserRow {
    id: i64,
    telegram_id: i64,
    first_name: String,
    locale: String,
    time_zone: String,
    calorie_goal: i32,
    morning_time: NaiveTime,
    evening_time: NaiveTime,
    briefings_enabled: bool,
    created_at: DateTime<Utc>,
}

impl TryFrom<UserRow> for User {
    type Error = StorageError;
    fn try_from(row: UserRow) -> Result<Self, StorageError> {
        Ok(User {
            id: UserId::new(row.id).map_err(corrupt)?,
            telegram_id: TelegramUserId::new(row.telegram_id).map_err(corrupt)?,
            first_name: row.first_name,
            locale: Locale::from_code(&row.locale)
                .ok_or_else(|| corrupt(format!("locale {}", row.locale)))?,
            time_zone: UserTimeZone::parse(&row.time_zone).map_err(corrupt)?,
            calorie_goal: CalorieGoal::try_from(row.calorie_goal).map_err(corrupt)?,
            briefing_times: BriefingTimes::new(row.morning_time, row.evening_time)
                .map_err(corrupt)?,
            briefings_enabled: row.briefings_enabled,
            created_at: row.created_at,
        })
    }
}

/// Creates the user or refreshes their name; `(user, created)`.
pub async fn register(
    conn: &mut AsyncPgConnection,
    new_user: &NewUser,
) -> Result<Registration, StorageError> {
    // Every message registers its sender: almost always someone known under the same name.
    // A read then answers it without writing (no row version, no WAL, no commit to flush).
    if let Some(user) = find_by_telegram_id(conn, new_user.telegram_id).await?
        && user.first_name == new_user.first_name
    {
        return Ok(Registration {
            user,
            is_new: false,
        });
    }
    // `xmax = 0` is true only for a freshly inserted row: it tells insert from update in one trip.
    let (row, inserted): (UserRow, bool) = diesel::insert_into(users::table)
        .values((
            users::telegram_id.eq(new_user.telegram_id.get()),
            users::first_name.eq(&new_user.first_name),
            users::locale.eq(new_user.locale.code()),
        ))
        .on_conflict(users::telegram_id)
        .do_update()
        .set((
            users::first_name.eq(excluded(users::first_name)),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .returning((
            UserRow::as_returning(),
            diesel::dsl::sql::<diesel::sql_types::Bool>("xmax = 0"),
        ))
        .get_result(conn)
        .await
        .map_err(from_diesel)?;
    Ok(Registration {
        user: row.try_into()?,
        is_new: inserted,
    })
}

/// A user by Telegram id.
pub async fn find_by_telegram_id(
    conn: &mut AsyncPgConnection,
    id: TelegramUserId,
) -> Result<Option<User>, StorageError> {
    users::table
        .filter(users::telegram_id.eq(id.get()))
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()
        .map_err(from_diesel)?
        .map(User::try_from)
        .transpose()
}

/// A user by our key.
pub async fn get(conn: &mut AsyncPgConnection, id: UserId) -> Result<Option<User>, StorageError> {
    users::table
        .find(id.get())
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()
        .map_err(from_diesel)?
        .map(User::try_from)
        .transpose()
}

/// Applies one change.
pub async fn change(
    conn: &mut AsyncPgConnection,
    id: UserId,
    change: &UserSettingChange,
) -> Result<Option<User>, StorageError> {
    let target = diesel::update(users::table.find(id.get()));
    let now = users::updated_at.eq(diesel::dsl::now);
    let query = match change {
        UserSettingChange::CalorieGoal(goal) => {
            target
                .set((users::calorie_goal.eq(goal.kcal()), now))
                .returning(UserRow::as_returning())
                .get_result(conn)
                .await
        }
        UserSettingChange::TimeZone(zone) => {
            target
                .set((users::time_zone.eq(zone.name()), now))
                .returning(UserRow::as_returning())
                .get_result(conn)
                .await
        }
        UserSettingChange::Locale(locale) => {
            target
                .set((users::locale.eq(locale.code()), now))
                .returning(UserRow::as_returning())
                .get_result(conn)
                .await
        }
        UserSettingChange::BriefingTimes(times) => {
            target
                .set((
                    users::morning_time.eq(times.morning),
                    users::evening_time.eq(times.evening),
                    now,
                ))
                .returning(UserRow::as_returning())
                .get_result(conn)
                .await
        }
        UserSettingChange::BriefingsEnabled(on) => {
            target
                .set((users::briefings_enabled.eq(on), now))
                .returning(UserRow::as_returning())
                .get_result(conn)
                .await
        }
    };
    query
        .optional()
        .map_err(from_diesel)?
        .map(User::try_from)
        .transpose()
}

/// A page of users after `after`, by key.
pub async fn page(
    conn: &mut AsyncPgConnection,
    after: Option<UserId>,
    limit: i64,
) -> Result<Vec<User>, StorageError> {
    users::table
        .filter(users::id.gt(after.map_or(0, UserId::get)))
        .order(users::id)
        .limit(limit)
        .select(UserRow::as_select())
        .load(conn)
        .await
        .map_err(from_diesel)?
        .into_iter()
        .map(User::try_from)
        .collect()
}

/// Deletes a user; every owned row goes with it by cascade.
pub async fn delete(conn: &mut AsyncPgConnection, id: UserId) -> Result<bool, StorageError> {
    let n = diesel::delete(users::table.find(id.get()))
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    Ok(n > 0)
}

/// `Users` over the pool.
#[derive(Debug, Clone)]
pub struct PgUsers {
    db: Database,
}

impl PgUsers {
    /// Over this database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait]
impl Users for PgUsers {
    async fn register(&self, new_user: &NewUser) -> Result<Registration, StorageError> {
        register(&mut *self.db.conn().await?, new_user).await
    }

    async fn find_by_telegram_id(&self, id: TelegramUserId) -> Result<Option<User>, StorageError> {
        find_by_telegram_id(&mut *self.db.conn().await?, id).await
    }

    async fn get(&self, id: UserId) -> Result<Option<User>, StorageError> {
        get(&mut *self.db.conn().await?, id).await
    }

    async fn change(
        &self,
        id: UserId,
        c: &UserSettingChange,
    ) -> Result<Option<User>, StorageError> {
        change(&mut *self.db.conn().await?, id, c).await
    }

    async fn page(&self, after: Option<UserId>, limit: i64) -> Result<Vec<User>, StorageError> {
        page(&mut *self.db.conn().await?, after, limit).await
    }

    async fn delete(&self, id: UserId) -> Result<bool, StorageError> {
        delete(&mut *self.db.conn().await?, id).await
    }
}
