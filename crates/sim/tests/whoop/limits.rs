use std::time::Duration;

use wellness_sim::whoop::{RateLimits, WhoopSimConfig};

use crate::{ann_token, get, start_sim, start_with};

fn header(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .map(|value| value.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn every_data_answer_carries_the_rate_limit_headers() {
    let sim = start_with(WhoopSimConfig::default()).await;
    let token = ann_token(&sim);
    let (_, headers, _) = get(&sim, &token, "/v2/cycle?limit=1").await;
    assert_eq!(
        header(&headers, "x-ratelimit-limit").as_deref(),
        Some("100, 100;window=60, 10000;window=86400")
    );
    assert_eq!(
        header(&headers, "x-ratelimit-remaining").as_deref(),
        Some("99")
    );
    assert_eq!(header(&headers, "x-ratelimit-reset").as_deref(), Some("60"));
    let (status, headers, _) = get(&sim, "wrong-token", "/v2/cycle").await;
    assert_eq!(status, 401);
    assert_eq!(
        header(&headers, "x-ratelimit-remaining").as_deref(),
        Some("98")
    );
}

#[tokio::test]
async fn over_the_limit_answers_429_until_the_window_frees_a_request() {
    let sim = start_with(
        WhoopSimConfig::default().with_rate_limits(RateLimits::per(3, Duration::from_secs(1))),
    )
    .await;
    let token = ann_token(&sim);
    for _ in 0..3 {
        assert_eq!(get(&sim, &token, "/v2/cycle?limit=1").await.0, 200);
    }
    let (status, headers, _) = get(&sim, &token, "/v2/cycle?limit=1").await;
    assert_eq!(status, 429);
    assert_eq!(
        header(&headers, "x-ratelimit-remaining").as_deref(),
        Some("0")
    );
    assert_eq!(header(&headers, "x-ratelimit-reset").as_deref(), Some("1"));
    assert_eq!(
        header(&headers, "x-ratelimit-limit").as_deref(),
        Some("3, 3;window=1, 10000;window=86400")
    );
    tokio::time::sleep(Duration::from_millis(1050)).await;
    assert_eq!(get(&sim, &token, "/v2/cycle?limit=1").await.0, 200);
    let stats = sim.stats();
    assert_eq!(
        (stats.data_requests, stats.served, stats.too_many_requests),
        (5, 4, 1)
    );
}

#[tokio::test]
async fn the_daily_limit_binds_when_it_has_fewer_left() {
    let limits = RateLimits {
        short: Some(wellness_sim::whoop::RateLimit::new(
            100,
            Duration::from_secs(60),
        )),
        daily: Some(wellness_sim::whoop::RateLimit::new(
            2,
            Duration::from_secs(86_400),
        )),
    };
    let sim = start_with(WhoopSimConfig::default().with_rate_limits(limits)).await;
    let token = ann_token(&sim);
    let (_, headers, _) = get(&sim, &token, "/v2/cycle?limit=1").await;
    assert_eq!(
        header(&headers, "x-ratelimit-limit").as_deref(),
        Some("2, 100;window=60, 2;window=86400")
    );
    get(&sim, &token, "/v2/cycle?limit=1").await;
    let (status, headers, _) = get(&sim, &token, "/v2/cycle?limit=1").await;
    assert_eq!(status, 429);
    assert_eq!(
        header(&headers, "x-ratelimit-reset").as_deref(),
        Some("86400")
    );
}

#[tokio::test]
async fn forced_429s_and_server_errors() {
    let sim = start_sim().await;
    let token = ann_token(&sim);
    sim.force_too_many_requests(1, Some(7));
    let (status, headers, _) = get(&sim, &token, "/v2/cycle").await;
    assert_eq!(status, 429);
    assert_eq!(header(&headers, "x-ratelimit-reset").as_deref(), Some("7"));
    sim.force_too_many_requests(1, None);
    let (status, headers, _) = get(&sim, &token, "/v2/cycle").await;
    assert_eq!(status, 429);
    assert_eq!(header(&headers, "x-ratelimit-reset"), None);
    sim.force_server_errors(1, 503);
    assert_eq!(get(&sim, &token, "/v2/cycle").await.0, 503);
    assert_eq!(get(&sim, &token, "/v2/cycle").await.0, 200);
    let stats = sim.stats();
    assert_eq!((stats.too_many_requests, stats.server_errors), (2, 1));
}

#[tokio::test]
async fn forced_garbage_is_a_200_that_does_not_parse_and_forced_hangs_hold_the_answer() {
    let sim = start_sim().await;
    let token = ann_token(&sim);
    sim.force_garbage(1);
    let (status, _, body) = get(&sim, &token, "/v2/cycle").await;
    assert_eq!(status, 200);
    assert_eq!(body, serde_json::Value::Null, "the body is not JSON");
    assert!(get(&sim, &token, "/v2/cycle").await.2["records"].is_array());

    sim.force_hangs(1, Duration::from_millis(300));
    let started = std::time::Instant::now();
    assert_eq!(get(&sim, &token, "/v2/cycle").await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let started = std::time::Instant::now();
    get(&sim, &token, "/v2/cycle").await;
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "one hang only"
    );
}

#[tokio::test]
async fn no_headers_when_limits_are_off() {
    let sim = start_sim().await;
    let (_, headers, _) = get(&sim, &ann_token(&sim), "/v2/cycle").await;
    assert_eq!(header(&headers, "x-ratelimit-limit"), None);
}
