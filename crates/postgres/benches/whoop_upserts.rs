//! Storage benchmark: WHOOP sleep records upserted through the adapter (one WHOOP page of 25,
//! and larger batches) next to a raw multi-row INSERT of the same rows, in the same run, on the
//! real PostgreSQL. Run with `make bench`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use diesel_async::SimpleAsyncConnection;
use wellness_domain::ports::{Users, WearableStore};
use wellness_domain::*;
use wellness_postgres::test_support::TestDatabase;
use wellness_postgres::{Database, PgUsers, PgWearableStore};

const USERS: i64 = 20;
const PER_USER: i64 = 1500;

fn records(users: &[UserId], version: i64) -> Vec<Sleep> {
    let base = Utc.with_ymd_and_hms(2024, 1, 1, 22, 0, 0).unwrap();
    let mut out = Vec::new();
    for (u, user) in users.iter().enumerate() {
        for i in 0..PER_USER {
            let start = base + chrono::Duration::days(i);
            out.push(Sleep {
                whoop_id: format!("{u:04}-{i:06}-0000-0000-000000000000"),
                cycle_id: (u as i64) * 1_000_000 + i,
                user_id: *user,
                times: RecordTimes {
                    start,
                    end: Some(start + chrono::Duration::hours(8)),
                    timezone_offset: RecordedOffset::parse("+02:00").unwrap(),
                    updated_at: start + chrono::Duration::hours(9 + version),
                },
                nap: false,
                score: Scored::Scored(SleepScore {
                    in_bed_milli: 28_800_000,
                    awake_milli: 1_800_000 + i,
                    light_milli: 14_000_000,
                    slow_wave_milli: 6_000_000,
                    rem_milli: 7_000_000,
                    cycle_count: 4,
                    disturbance_count: 10,
                    performance: Percent::new(90.0).ok(),
                    efficiency: Percent::new(91.5).ok(),
                    consistency: Percent::new(80.0).ok(),
                    respiratory_rate: Some(15.2),
                }),
            });
        }
    }
    out
}

/// The same rows as one hand-written multi-row INSERT per batch (values are our own numbers and
/// ids, so inlining them is safe here; the application itself only uses bound parameters).
fn raw_insert(batch: &[Sleep]) -> String {
    let mut sql = String::from(
        "INSERT INTO whoop_sleep (whoop_id, cycle_id, user_id, start_at, end_at, timezone_offset, nap, score_state, \
         in_bed_milli, awake_milli, light_milli, slow_wave_milli, rem_milli, cycle_count, disturbance_count, \
         performance_pct, efficiency_pct, consistency_pct, respiratory_rate, whoop_updated_at) VALUES ",
    );
    for (i, s) in batch.iter().enumerate() {
        let sc = s.score.score().unwrap();
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&format!(
            "('{}',{},{},'{}','{}','{}',{},'SCORED',{},{},{},{},{},{},{},{},{},{},{},'{}')",
            s.whoop_id,
            s.cycle_id,
            s.user_id.get(),
            s.times.start.to_rfc3339(),
            s.times.end.unwrap().to_rfc3339(),
            s.times.timezone_offset,
            s.nap,
            sc.in_bed_milli,
            sc.awake_milli,
            sc.light_milli,
            sc.slow_wave_milli,
            sc.rem_milli,
            sc.cycle_count,
            sc.disturbance_count,
            sc.performance.unwrap().get(),
            sc.efficiency.unwrap().get(),
            sc.consistency.unwrap().get(),
            sc.respiratory_rate.unwrap(),
            s.times.updated_at.to_rfc3339(),
        ));
    }
    sql.push_str(" ON CONFLICT (whoop_id) DO NOTHING");
    sql
}

async fn clear(db: &Database) {
    db.conn()
        .await
        .unwrap()
        .batch_execute("TRUNCATE whoop_sleep")
        .await
        .unwrap();
}

fn rate(n: usize, elapsed: Duration) -> f64 {
    n as f64 / elapsed.as_secs_f64()
}

#[tokio::main]
async fn main() {
    let test_db = TestDatabase::migrated()
        .await
        .expect("a test database (is PostgreSQL up?)");
    let db = test_db.pool().unwrap();
    let users_repo = PgUsers::new(db.clone());
    let mut users = Vec::new();
    for t in 1..=USERS {
        let reg = users_repo
            .register(&NewUser {
                telegram_id: TelegramUserId::new(t).unwrap(),
                first_name: "bench".into(),
                locale: Locale::En,
            })
            .await
            .unwrap();
        users.push(reg.user.id);
    }
    let store = PgWearableStore::new(db.clone());
    let first = records(&users, 0);
    let rescored = records(&users, 1);
    let n = first.len();
    println!(
        "whoop_upserts: {n} sleep records ({USERS} users x {PER_USER}), PostgreSQL at {}",
        wellness_postgres::test_support::server_url()
    );
    println!("{:<44} {:>12} {:>14}", "case", "seconds", "records/s");

    for batch in [25usize, 500] {
        clear(&db).await;
        let started = Instant::now();
        for chunk in first.chunks(batch) {
            store.upsert_sleeps(chunk).await.unwrap();
        }
        let t = started.elapsed();
        println!(
            "{:<44} {:>12.3} {:>14.0}",
            format!("adapter upsert, new rows, batch {batch}"),
            t.as_secs_f64(),
            rate(n, t)
        );

        let started = Instant::now();
        for chunk in first.chunks(batch) {
            store.upsert_sleeps(chunk).await.unwrap();
        }
        let t = started.elapsed();
        println!(
            "{:<44} {:>12.3} {:>14.0}",
            format!("adapter upsert, unchanged rows, batch {batch}"),
            t.as_secs_f64(),
            rate(n, t)
        );

        let started = Instant::now();
        for chunk in rescored.chunks(batch) {
            store.upsert_sleeps(chunk).await.unwrap();
        }
        let t = started.elapsed();
        println!(
            "{:<44} {:>12.3} {:>14.0}",
            format!("adapter upsert, re-scored rows, batch {batch}"),
            t.as_secs_f64(),
            rate(n, t)
        );

        clear(&db).await;
        let mut conn = db.conn().await.unwrap();
        let statements: Vec<String> = first.chunks(batch).map(raw_insert).collect();
        let started = Instant::now();
        for sql in &statements {
            conn.batch_execute(sql).await.unwrap();
        }
        let t = started.elapsed();
        println!(
            "{:<44} {:>12.3} {:>14.0}",
            format!("raw multi-row INSERT, new rows, batch {batch}"),
            t.as_secs_f64(),
            rate(n, t)
        );
    }
}
