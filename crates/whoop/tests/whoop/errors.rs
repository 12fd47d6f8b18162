use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use wellness_domain::ports::{Wearable, WearableError};
use wellness_whoop::{ClientOptions, Unlimited};

use crate::{ANN, ann, ann_access, client, client_with, fast_options, start_sim};

#[tokio::test]
async fn an_expired_access_token_is_unauthorized() {
    let sim = start_sim().await;
    let whoop = client(&sim);
    let access = ann_access(&sim);
    sim.expire_access_tokens(ANN);
    let since = Utc::now() - chrono::Duration::days(2);
    assert_eq!(
        whoop.cycles(&access, ann(), since).await,
        Err(WearableError::Unauthorized)
    );
    assert_eq!(sim.stats().data_requests, 1, "a 401 is not retried");
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff_then_unavailable() {
    let sim = start_sim().await;
    let whoop = client(&sim);
    let access = ann_access(&sim);
    sim.force_server_errors(2, 502);
    assert_eq!(whoop.profile(&access).await, Ok(ANN));
    assert_eq!(sim.stats().data_requests, 3);

    sim.force_server_errors(3, 500);
    let failed = whoop.profile(&access).await;
    assert!(
        matches!(&failed, Err(WearableError::Unavailable(m)) if m.contains("500") && m.contains("3 attempts")),
        "{failed:?}"
    );
}

#[tokio::test]
async fn a_slow_answer_times_out_and_is_unavailable() {
    let sim = start_sim().await;
    let whoop = client_with(
        &sim,
        Arc::new(Unlimited),
        ClientOptions {
            request_timeout: Duration::from_millis(150),
            max_retries: 1,
            ..fast_options()
        },
    );
    let access = ann_access(&sim);
    sim.set_response_delay(Duration::from_millis(400));
    let started = Instant::now();
    let failed = whoop.profile(&access).await;
    assert!(
        matches!(&failed, Err(WearableError::Unavailable(m)) if m.contains("in time")),
        "{failed:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_short_429_is_waited_out_and_the_call_succeeds() {
    let sim = start_sim().await;
    let whoop = client(&sim);
    let access = ann_access(&sim);
    sim.force_too_many_requests(1, Some(1));
    let started = Instant::now();
    assert_eq!(whoop.profile(&access).await, Ok(ANN));
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(sim.stats().too_many_requests, 1);
}

#[tokio::test]
async fn a_long_429_is_rate_limited_with_the_reset_or_60_seconds_without_one() {
    let sim = start_sim().await;
    let whoop = client(&sim);
    let access = ann_access(&sim);
    sim.force_too_many_requests(1, Some(30));
    assert_eq!(
        whoop.profile(&access).await,
        Err(WearableError::RateLimited {
            retry_after_secs: 30
        })
    );
    sim.force_too_many_requests(1, None);
    assert_eq!(
        whoop.profile(&access).await,
        Err(WearableError::RateLimited {
            retry_after_secs: 60
        })
    );
}

#[tokio::test]
async fn each_retry_is_told_to_the_observer_and_a_page_that_is_not_json_is_not_retried() {
    use std::sync::atomic::{AtomicU32, Ordering};

    let sim = start_sim().await;
    let whoop = client(&sim);
    let retries = Arc::new(AtomicU32::new(0));
    let counted = retries.clone();
    whoop.observe_retries(Arc::new(move || {
        counted.fetch_add(1, Ordering::SeqCst);
    }));
    let access = ann_access(&sim);
    sim.force_too_many_requests(1, Some(1));
    sim.force_server_errors(1, 503);
    assert_eq!(whoop.profile(&access).await, Ok(ANN));
    assert_eq!(retries.load(Ordering::SeqCst), 2, "a 429 waited out, a 503");

    sim.force_garbage(1);
    let since = Utc::now() - chrono::Duration::days(2);
    let failed = whoop.cycles(&access, ann(), since).await;
    assert!(
        matches!(&failed, Err(WearableError::Unavailable(m)) if m.contains("did not parse")),
        "{failed:?}"
    );
    assert_eq!(retries.load(Ordering::SeqCst), 2);
}
