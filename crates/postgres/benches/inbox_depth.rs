//! What `/metrics` costs on a big inbox: `Inbox::depth` (counted on every scrape) and the
//! retention job's purge, on one million updates (990,000 done, 10,000 waiting or parked), on
//! the real PostgreSQL. Run with `make bench`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use chrono::Utc;
use diesel_async::SimpleAsyncConnection;
use wellness_domain::ports::Inbox;
use wellness_postgres::PgInbox;
use wellness_postgres::test_support::TestDatabase;

const DONE: i64 = 990_000;
const WAITING: i64 = 8_000;
const PARKED: i64 = 2_000;

/// The median of `runs` timings of `f`.
async fn median<F, Fut>(runs: usize, mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        f().await;
        times.push(started.elapsed());
    }
    times.sort();
    times[runs / 2]
}

#[tokio::main]
async fn main() {
    let test_db = TestDatabase::migrated()
        .await
        .expect("a test database (is PostgreSQL up?)");
    let db = test_db.pool().unwrap();
    let inbox = PgInbox::new(db.clone());
    let fill = format!(
        "INSERT INTO inbox_updates (update_id, chat_id, payload, state, processed_at)
         SELECT n, n % 5000, '{{\"message\":{{\"text\":\"2 eggs and toast\"}}}}'::jsonb,
                CASE WHEN n <= {DONE} THEN 'done'
                     WHEN n <= {DONE} + {PARKED} THEN 'parked'
                     ELSE 'pending' END,
                CASE WHEN n <= {DONE} + {PARKED} THEN now() - (n % 96) * interval '1 hour' END
         FROM generate_series(1, {DONE} + {PARKED} + {WAITING}) AS n;
         ANALYZE inbox_updates;"
    );
    let started = Instant::now();
    db.conn().await.unwrap().batch_execute(&fill).await.unwrap();
    println!(
        "inbox_depth: {} updates stored in {:.1} s",
        DONE + PARKED + WAITING,
        started.elapsed().as_secs_f64()
    );
    let depth = inbox.depth().await.unwrap();
    assert_eq!((depth.pending, depth.parked), (WAITING, PARKED));
    let took = median(51, || async {
        inbox.depth().await.unwrap();
    })
    .await;
    println!(
        "  depth (every /metrics scrape), median of 51: {:.2} ms",
        took.as_secs_f64() * 1000.0
    );
    // The same count without the partial index of the waiting rows: a scan of the whole table.
    let mut conn = db.conn().await.unwrap();
    conn.batch_execute("DROP INDEX inbox_updates_waiting; DROP INDEX inbox_updates_parked;")
        .await
        .unwrap();
    let without = median(11, || async {
        inbox.depth().await.unwrap();
    })
    .await;
    println!(
        "  depth without the partial indexes, median of 11: {:.2} ms",
        without.as_secs_f64() * 1000.0
    );
    conn.batch_execute(
        "CREATE INDEX inbox_updates_waiting ON inbox_updates (state) WHERE state <> 'done';
         CREATE INDEX inbox_updates_parked ON inbox_updates (processed_at) WHERE state = 'parked';",
    )
    .await
    .unwrap();
    drop(conn);
    // The retention job: done over 48 hours ago (half of them), parked over 30 days (none).
    let started = Instant::now();
    let purged = inbox
        .purge(
            Utc::now() - chrono::Duration::hours(48),
            Utc::now() - chrono::Duration::days(30),
        )
        .await
        .unwrap();
    println!(
        "  retention purge: {purged} updates deleted in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let took = median(51, || async {
        inbox.depth().await.unwrap();
    })
    .await;
    println!(
        "  depth after the purge, median of 51: {:.2} ms",
        took.as_secs_f64() * 1000.0
    );
}
