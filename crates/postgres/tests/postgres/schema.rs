//! Migrations: up, down and up again give the same schema; diesel's schema.rs matches it.

use std::collections::BTreeSet;

use diesel::sql_types::Text;
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use wellness_postgres::test_support::{TestDatabase, migrations_in_repo};
use wellness_postgres::{Readiness, migrate, revert_all, schema};

#[derive(QueryableByName, Debug)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// Every column, constraint and index of the public schema, one line each.
async fn describe(url: &str) -> BTreeSet<String> {
    let mut conn = AsyncPgConnection::establish(url).await.unwrap();
    let sql = "
        SELECT format('column %s.%s %s null=%s default=%s', table_name, column_name, data_type,
                      is_nullable, coalesce(column_default, '-')) AS line
        FROM information_schema.columns WHERE table_schema = 'public'
        UNION ALL
        SELECT format('constraint %s %s', conrelid::regclass, pg_get_constraintdef(oid))
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace
        UNION ALL
        SELECT format('index %s', indexdef) FROM pg_indexes WHERE schemaname = 'public'";
    sql_query(sql)
        .load::<Line>(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.line)
        .collect()
}

#[tokio::test]
async fn migrations_go_up_down_and_up_again_to_the_same_schema() {
    let db = TestDatabase::empty().await.unwrap();
    let applied = migrate(db.url()).await.unwrap();
    assert_eq!(applied.len(), migrations_in_repo());
    let first = describe(db.url()).await;
    assert!(
        first
            .iter()
            .any(|l| l.starts_with("column food_entries.kcal"))
    );

    assert_eq!(revert_all(db.url()).await.unwrap(), migrations_in_repo());
    let emptied = describe(db.url()).await;
    assert!(
        emptied
            .iter()
            .all(|l| l.contains("__diesel_schema_migrations")),
        "down migrations left {emptied:#?}"
    );

    migrate(db.url()).await.unwrap();
    assert_eq!(first, describe(db.url()).await);
}

#[tokio::test]
async fn migrating_twice_is_a_no_op_and_readiness_follows() {
    let db = TestDatabase::empty().await.unwrap();
    let pool = db.pool().unwrap();
    assert!(matches!(
        pool.readiness().await,
        Readiness::NotMigrated { pending } if pending == migrations_in_repo()
    ));
    assert_eq!(migrate(db.url()).await.unwrap().len(), migrations_in_repo());
    assert!(migrate(db.url()).await.unwrap().is_empty());
    assert_eq!(pool.readiness().await, Readiness::Ready);
}

#[tokio::test]
async fn concurrent_migrations_do_not_race() {
    let db = TestDatabase::empty().await.unwrap();
    let (a, b) = tokio::join!(migrate(db.url()), migrate(db.url()));
    assert_eq!(a.unwrap().len() + b.unwrap().len(), migrations_in_repo());
}

#[tokio::test]
async fn a_database_that_does_not_answer_is_unreachable() {
    let pool = wellness_postgres::Database::connect(
        "postgres://postgres@127.0.0.1:1/nothing",
        wellness_postgres::PoolSettings {
            max_size: 2,
            timeout: std::time::Duration::from_millis(500),
        },
    )
    .unwrap();
    let started = std::time::Instant::now();
    assert!(matches!(pool.readiness().await, Readiness::Unreachable(_)));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "fails fast"
    );
}

macro_rules! diesel_columns {
    ($($table:ident),* $(,)?) => {{
        let mut out = BTreeSet::new();
        $(
            let sql = diesel::debug_query::<diesel::pg::Pg, _>(
                &diesel::QueryDsl::select(schema::$table::table, schema::$table::all_columns),
            )
            .to_string();
            let select = sql.split(" FROM ").next().unwrap_or_default();
            for part in select.trim_start_matches("SELECT ").split(", ") {
                let column = part.rsplit('.').next().unwrap_or_default().trim_matches('"');
                out.insert(format!("{}.{}", stringify!($table), column));
            }
        )*
        out
    }};
}

#[tokio::test]
async fn diesel_schema_matches_the_migrated_database() {
    let db = TestDatabase::migrated().await.unwrap();
    let in_db: BTreeSet<String> = describe(db.url())
        .await
        .into_iter()
        .filter_map(|l| {
            let rest = l.strip_prefix("column ")?;
            let name = rest.split(' ').next()?.to_owned();
            (!name.starts_with("__diesel")).then_some(name)
        })
        .collect();
    let in_code = diesel_columns!(
        users,
        credentials,
        oauth_states,
        food_entries,
        food_diary_outbox,
        fatsecret_food_cache,
        whoop_workouts,
        whoop_sleep,
        whoop_recovery,
        whoop_cycles,
        conversation_messages,
        pending_questions,
        saved_products,
        food_meanings,
        usual_portions,
        food_choices,
        tasks,
        throttle,
        webhook_receipts,
        inbox_updates,
        notification_sends,
        job_runs,
        api_requests,
        api_budgets,
        flood_budgets,
        flood_sends,
    );
    assert_eq!(in_db, in_code);
}
