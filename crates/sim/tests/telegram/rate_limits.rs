use std::time::Duration;

use serde_json::json;
use wellness_sim::telegram::{RateLimit, RateLimits, SimConfig};

use crate::{ann, bob, call, ok, start_with};

fn limited(per_chat: Option<RateLimit>, global: Option<RateLimit>) -> SimConfig {
    SimConfig::default().with_rate_limits(RateLimits { per_chat, global })
}

#[tokio::test]
async fn second_message_to_a_chat_within_the_window_gets_429_with_retry_after() {
    let window = Duration::from_millis(300);
    let sim = start_with(limited(Some(RateLimit::new(1, window)), None)).await;
    sim.send_text(&ann(), "/start");
    ok(&sim, "sendMessage", json!({"chat_id": 1001, "text": "one"})).await;
    let (status, body) = call(&sim, "sendMessage", json!({"chat_id": 1001, "text": "two"})).await;
    assert_eq!(status, 429);
    assert_eq!(
        body,
        json!({"ok": false, "error_code": 429,
               "description": "Too Many Requests: retry after 1",
               "parameters": {"retry_after": 1}})
    );
    assert_eq!(sim.too_many_requests_count(), 1);
    assert_eq!(sim.sent().len(), 1, "a refused message is not sent");

    tokio::time::sleep(window).await;
    ok(&sim, "sendMessage", json!({"chat_id": 1001, "text": "two"})).await;
}

#[tokio::test]
async fn edits_count_against_the_chat_limit() {
    let sim = start_with(limited(
        Some(RateLimit::new(1, Duration::from_secs(2))),
        None,
    ))
    .await;
    sim.send_text(&ann(), "/start");
    let sent = ok(&sim, "sendMessage", json!({"chat_id": 1001, "text": "one"})).await;
    let (status, body) = call(
        &sim,
        "editMessageText",
        json!({"chat_id": 1001, "message_id": sent["message_id"], "text": "two"}),
    )
    .await;
    assert_eq!(status, 429);
    assert_eq!(body["parameters"]["retry_after"], 2);
}

#[tokio::test]
async fn chat_actions_are_not_counted() {
    let sim = start_with(limited(
        Some(RateLimit::new(1, Duration::from_secs(5))),
        None,
    ))
    .await;
    sim.send_text(&ann(), "/start");
    for _ in 0..3 {
        ok(
            &sim,
            "sendChatAction",
            json!({"chat_id": 1001, "action": "typing"}),
        )
        .await;
    }
    ok(&sim, "sendMessage", json!({"chat_id": 1001, "text": "one"})).await;
}

#[tokio::test]
async fn global_limit_applies_across_chats() {
    let sim = start_with(limited(
        None,
        Some(RateLimit::new(2, Duration::from_secs(1))),
    ))
    .await;
    sim.send_text(&ann(), "/start");
    sim.send_text(&bob(), "/start");
    ok(&sim, "sendMessage", json!({"chat_id": 1001, "text": "1"})).await;
    ok(&sim, "sendMessage", json!({"chat_id": 1002, "text": "2"})).await;
    let (status, _) = call(&sim, "sendMessage", json!({"chat_id": 1001, "text": "3"})).await;
    assert_eq!(status, 429);
}

#[tokio::test]
async fn disabled_limits_let_every_message_through() {
    let sim = start_with(SimConfig::default().with_rate_limits(RateLimits::disabled())).await;
    sim.send_text(&ann(), "/start");
    for i in 0..50 {
        ok(
            &sim,
            "sendMessage",
            json!({"chat_id": 1001, "text": format!("{i}")}),
        )
        .await;
    }
    assert_eq!(sim.too_many_requests_count(), 0);
}

#[tokio::test]
async fn default_limits_are_one_per_second_per_chat() {
    let sim = start_with(SimConfig::default()).await;
    sim.send_text(&ann(), "/start");
    ok(&sim, "sendMessage", json!({"chat_id": 1001, "text": "1"})).await;
    let (status, body) = call(&sim, "sendMessage", json!({"chat_id": 1001, "text": "2"})).await;
    assert_eq!(status, 429);
    assert_eq!(body["parameters"]["retry_after"], 1);
}

#[tokio::test]
async fn forced_429_refuses_the_next_sends() {
    let sim = start_with(SimConfig::default().with_rate_limits(RateLimits::disabled())).await;
    sim.send_text(&ann(), "/start");
    sim.force_too_many_requests(2, 7);
    for _ in 0..2 {
        let (status, body) = call(&sim, "sendMessage", json!({"chat_id": 1001, "text": "x"})).await;
        assert_eq!(status, 429);
        assert_eq!(body["description"], "Too Many Requests: retry after 7");
    }
    ok(&sim, "sendMessage", json!({"chat_id": 1001, "text": "x"})).await;
    assert_eq!(sim.too_many_requests_count(), 2);
}
