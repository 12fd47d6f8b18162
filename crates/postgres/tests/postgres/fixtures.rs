use chrono::{DateTime, TimeZone, Utc};
use wellness_domain::ports::Users;
use wellness_domain::{Locale, NewUser, TelegramUserId, User};
use wellness_postgres::test_support::TestDatabase;
use wellness_postgres::{Database, PgUsers};

pub async fn db() -> (TestDatabase, Database) {
    let test_db = TestDatabase::migrated().await.expect("test database");
    let pool = test_db.pool().expect("pool");
    (test_db, pool)
}

pub async fn user(db: &Database, telegram_id: i64) -> User {
    PgUsers::new(db.clone())
        .register(&NewUser {
            telegram_id: TelegramUserId::new(telegram_id).unwrap(),
            first_name: format!("user{telegram_id}"),
            locale: Locale::Uk,
        })
        .await
        .expect("register")
        .user
}

pub fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}
