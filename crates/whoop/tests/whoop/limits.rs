use std::sync::Arc;
use std::time::{Duration, Instant};

use wellness_sim::whoop::{RateLimits, WhoopSimConfig};
use wellness_whoop::{ClientOptions, InProcessBudget};

use crate::{ANN, ann_access, client_with, fast_options, start_with};

#[tokio::test]
async fn a_burst_of_250_stays_under_100_per_5_seconds_without_a_single_429() {
    let window = Duration::from_secs(5);
    let sim =
        start_with(WhoopSimConfig::default().with_rate_limits(RateLimits::per(100, window))).await;
    let whoop = client_with(
        &sim,
        Arc::new(InProcessBudget::new(100, window, 10_000)),
        ClientOptions {
            max_budget_wait: Duration::from_secs(20),
            ..fast_options()
        },
    );
    let access = ann_access(&sim);
    let started = Instant::now();
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..250 {
        let (whoop, access) = (whoop.clone(), access.clone());
        calls.spawn(async move { whoop.profile(&access).await });
    }
    while let Some(result) = calls.join_next().await {
        assert_eq!(result.unwrap(), Ok(ANN));
    }
    let elapsed = started.elapsed();
    let stats = sim.stats();
    assert_eq!(stats.too_many_requests, 0);
    assert_eq!(stats.served, 250);
    // 100 now, 100 after one window, 50 after two: the limit allows no less than 10 s.
    let ideal = 2 * window;
    assert!(elapsed >= ideal.mul_f64(0.95), "{elapsed:?}");
    assert!(elapsed <= ideal.mul_f64(1.15), "{elapsed:?}");
}

#[tokio::test]
async fn zero_remaining_pauses_the_client_until_the_reset_instead_of_meeting_a_429() {
    let sim = start_with(
        WhoopSimConfig::default().with_rate_limits(RateLimits::per(3, Duration::from_secs(2))),
    )
    .await;
    // Our own budget is far looser: only the server's headers keep us from a 429.
    let whoop = client_with(
        &sim,
        Arc::new(InProcessBudget::new(1000, Duration::from_secs(60), 10_000)),
        fast_options(),
    );
    let access = ann_access(&sim);
    let started = Instant::now();
    for _ in 0..5 {
        assert_eq!(whoop.profile(&access).await, Ok(ANN));
    }
    assert_eq!(sim.stats().too_many_requests, 0);
    assert!(
        started.elapsed() >= Duration::from_millis(1900),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_budget_that_cannot_allow_a_request_in_time_is_rate_limited() {
    let sim = crate::start_sim().await;
    let whoop = client_with(
        &sim,
        Arc::new(InProcessBudget::new(1, Duration::from_secs(60), 10_000)),
        ClientOptions {
            max_budget_wait: Duration::from_millis(100),
            ..fast_options()
        },
    );
    let access = ann_access(&sim);
    assert_eq!(whoop.profile(&access).await, Ok(ANN));
    assert_eq!(
        whoop.profile(&access).await,
        Err(wellness_domain::ports::WearableError::RateLimited {
            retry_after_secs: 60
        })
    );
    assert_eq!(sim.stats().data_requests, 1);
}
