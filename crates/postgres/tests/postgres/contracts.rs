//! The contract suites of `wellness_domain::testing::contracts` against the PostgreSQL
//! adapters; the in-memory doubles pass the same suites in the domain's tests.

use std::time::Duration;

use wellness_domain::testing::contracts;
use wellness_postgres::{
    Database, PgConversations, PgJobRuns, PgNotifications, PgPendingQuestions, PgPersonalFoods,
    PoolSettings,
};

use crate::fixtures::{db, user};

/// A pool whose server does not answer (nothing listens on port 1).
fn unreachable() -> Database {
    Database::connect(
        "postgres://postgres@127.0.0.1:1/nothing",
        PoolSettings {
            max_size: 1,
            timeout: Duration::from_millis(500),
        },
    )
    .unwrap()
}

#[tokio::test]
async fn notifications_keep_the_contract() {
    let (_guard, pool) = db().await;
    let (a, b) = (user(&pool, 1).await.id, user(&pool, 2).await.id);
    contracts::notifications(&PgNotifications::new(pool), a, b).await;
    contracts::notifications_unavailable(&PgNotifications::new(unreachable()), a).await;
}

#[tokio::test]
async fn job_runs_keep_the_contract() {
    let (_guard, pool) = db().await;
    contracts::job_runs(&PgJobRuns::new(pool)).await;
    contracts::job_runs_unavailable(&PgJobRuns::new(unreachable())).await;
}

#[tokio::test]
async fn conversations_keep_the_contract() {
    let (_guard, pool) = db().await;
    let (a, b) = (user(&pool, 1).await.id, user(&pool, 2).await.id);
    contracts::conversations(&PgConversations::new(pool), a, b).await;
    contracts::conversations_unavailable(&PgConversations::new(unreachable()), a).await;
}

#[tokio::test]
async fn pending_questions_keep_the_contract() {
    let (_guard, pool) = db().await;
    let (a, b) = (user(&pool, 1).await.id, user(&pool, 2).await.id);
    contracts::pending_questions(&PgPendingQuestions::new(pool), a, b).await;
    contracts::pending_questions_unavailable(&PgPendingQuestions::new(unreachable()), a).await;
}

#[tokio::test]
async fn personal_foods_keep_the_contracts() {
    let (_guard, pool) = db().await;
    let (a, b) = (user(&pool, 1).await.id, user(&pool, 2).await.id);
    contracts::saved_products(&PgPersonalFoods::new(pool.clone()), a, b).await;
    contracts::food_memory(&PgPersonalFoods::new(pool), a, b).await;
    contracts::saved_products_unavailable(&PgPersonalFoods::new(unreachable()), a).await;
    contracts::food_memory_unavailable(&PgPersonalFoods::new(unreachable()), a).await;
}
