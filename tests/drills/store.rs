//! What the database holds, read directly: the drills check rows, not replies.

use std::collections::BTreeMap;

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use wellness_domain::ports::Users;
use wellness_domain::{TelegramUserId, UserId};
use wellness_postgres::{Database, PgUsers, PoolSettings};

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// A pool over `url`.
pub fn pool(url: &str) -> Database {
    Database::connect(url, PoolSettings::default()).unwrap()
}

/// Our user id of a Telegram user.
pub async fn user_id(db: &Database, telegram_id: i64) -> UserId {
    PgUsers::new(db.clone())
        .find_by_telegram_id(TelegramUserId::new(telegram_id).unwrap())
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no user for Telegram id {telegram_id}"))
        .id
}

/// Rows per WHOOP id of one table (`whoop_workouts`, `whoop_sleep`, `whoop_cycles` by
/// `whoop_id`; `whoop_recovery` by `cycle_id`) for a user.
pub async fn rows_by_whoop_id(db: &Database, table: &str, user: UserId) -> BTreeMap<String, i64> {
    let key = if table == "whoop_recovery" {
        "cycle_id"
    } else {
        "whoop_id"
    };
    // The table and column names are fixed by the callers; only the user is a parameter.
    let sql = format!(
        "SELECT {key}::text AS id, count(*) AS n FROM {table} WHERE user_id = $1 GROUP BY {key}"
    );
    let mut conn = db.conn().await.unwrap();
    diesel::sql_query(sql)
        .bind::<BigInt, _>(user.get())
        .load::<Counted>(&mut *conn)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.id, c.n))
        .collect()
}

#[derive(QueryableByName)]
struct Keyed {
    #[diesel(sql_type = Text)]
    idempotency_key: String,
}

/// The idempotency keys of a user's food entries, one per row.
pub async fn food_entry_keys(db: &Database, user: UserId) -> Vec<String> {
    let mut conn = db.conn().await.unwrap();
    diesel::sql_query(
        "SELECT idempotency_key FROM food_entries WHERE user_id = $1 ORDER BY idempotency_key",
    )
    .bind::<BigInt, _>(user.get())
    .load::<Keyed>(&mut *conn)
    .await
    .unwrap()
    .into_iter()
    .map(|k| k.idempotency_key)
    .collect()
}
