//! The request budget shared through PostgreSQL: two budgets on one database behave as one.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;
use wellness_domain::ports::{RateLimits, RequestBudget, ServerQuota};
use wellness_postgres::PgRequestBudget;
use wellness_postgres::test_support::TestDatabase;

const LONG: Duration = Duration::from_secs(30);

fn limits(per_window: u32, window_ms: u64, per_day: u32) -> RateLimits {
    RateLimits {
        per_window,
        window: Duration::from_millis(window_ms),
        per_day,
    }
}

fn budget(db: &TestDatabase, limits: RateLimits) -> Arc<PgRequestBudget> {
    Arc::new(PgRequestBudget::new(
        db.pool().unwrap(),
        "whoop",
        limits,
        Duration::from_secs(30),
    ))
}

/// (granted, finished) of each request.
type Spans = Arc<Mutex<Vec<(Instant, Instant)>>>;

#[tokio::test]
async fn two_processes_together_stay_under_one_window_limit() {
    let db = TestDatabase::migrated().await.unwrap();
    let rule = limits(5, 400, 10_000);
    let (a, b) = (budget(&db, rule), budget(&db, rule));
    let spans: Spans = Arc::default();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..20 {
        let budget = if i % 2 == 0 { a.clone() } else { b.clone() };
        let spans = spans.clone();
        tasks.push(tokio::spawn(async move {
            let permit = budget.acquire(LONG).await.unwrap();
            let granted = Instant::now();
            tokio::time::sleep(Duration::from_millis(10)).await; // the request
            let finished = Instant::now();
            drop(permit);
            spans.lock().unwrap().push((granted, finished));
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let elapsed = start.elapsed();
    let spans = spans.lock().unwrap().clone();
    // When each request went out, fewer than 5 others were in flight or had finished within
    // the window (a little slack for the two clocks: ours and PostgreSQL's).
    let window = Duration::from_millis(400 - 15);
    for (granted, _) in &spans {
        let busy = spans
            .iter()
            .filter(|(g, f)| g < granted && *f + window > *granted)
            .count();
        assert!(busy < 5, "{busy} requests counted when one was granted");
    }
    // Four waves of five: three full windows between them, and not much more.
    assert!(elapsed >= Duration::from_millis(3 * 400), "{elapsed:?}");
    assert!(
        elapsed < Duration::from_millis(3 * 400 + 600),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn the_daily_limit_refuses_with_the_time_until_a_request_leaves_the_day() {
    let db = TestDatabase::migrated().await.unwrap();
    let rule = limits(100, 1000, 3);
    let (a, b) = (budget(&db, rule), budget(&db, rule));
    for budget in [&a, &b, &a] {
        drop(budget.acquire(LONG).await.unwrap());
    }
    let refused = b.acquire(Duration::from_secs(1)).await.unwrap_err();
    assert!(
        refused.retry_after > Duration::from_secs(86_000),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_pause_seen_by_one_process_holds_the_other_too() {
    let db = TestDatabase::migrated().await.unwrap();
    let rule = limits(100, 60_000, 10_000);
    let (a, b) = (budget(&db, rule), budget(&db, rule));
    drop(a.acquire(LONG).await.unwrap());
    a.observe(&ServerQuota {
        remaining: Some(0),
        reset: Some(Duration::from_secs(1)),
    });
    // The pause reaches the database in the background.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let start = Instant::now();
    assert!(b.acquire(Duration::from_millis(200)).await.is_err());
    drop(b.acquire(LONG).await.unwrap());
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(600) && waited < Duration::from_millis(1500),
        "{waited:?}"
    );
}

#[tokio::test]
async fn a_request_of_a_crashed_process_stops_counting_after_the_longest_request() {
    let db = TestDatabase::migrated().await.unwrap();
    let rule = limits(2, 300, 10_000);
    // A process that crashed mid-request: its rows are never finished.
    let crashed = Arc::new(PgRequestBudget::new(
        db.pool().unwrap(),
        "whoop",
        rule,
        Duration::from_millis(200),
    ));
    for _ in 0..2 {
        std::mem::forget(crashed.acquire(LONG).await.unwrap());
    }
    let survivor = PgRequestBudget::new(
        db.pool().unwrap(),
        "whoop",
        rule,
        Duration::from_millis(200),
    );
    let start = Instant::now();
    drop(survivor.acquire(LONG).await.unwrap());
    // In flight for at most 200 ms, then counted as finished and out of the window 300 ms later.
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(400) && waited < Duration::from_millis(900),
        "{waited:?}"
    );
}

#[tokio::test]
async fn a_server_pause_our_own_count_explains_costs_nothing_extra() {
    let db = TestDatabase::migrated().await.unwrap();
    let rule = limits(2, 300, 10_000);
    let budget = budget(&db, rule);
    for _ in 0..2 {
        drop(budget.acquire(LONG).await.unwrap());
    }
    // The server rounds its reset up to whole seconds; our window frees in 300 ms.
    budget.observe(&ServerQuota {
        remaining: Some(0),
        reset: Some(Duration::from_secs(2)),
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let start = Instant::now();
    drop(budget.acquire(LONG).await.unwrap());
    let waited = start.elapsed();
    assert!(waited < Duration::from_millis(600), "{waited:?}");
}
