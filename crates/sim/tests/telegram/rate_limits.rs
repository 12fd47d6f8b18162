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

#[tokio::test]
async fn scripted_faults_answer_5xx_garbage_or_a_hang_and_send_nothing() {
    use wellness_sim::telegram::{Fault, FaultRule};

    let sim = start_with(SimConfig::default()).await;
    sim.send_text(&ann(), "/start");
    sim.inject_fault(FaultRule::next(Fault::Status { status: 502 }).for_method("sendmessage"));
    let (status, body) = call(&sim, "sendMessage", json!({"chat_id": 1001, "text": "a"})).await;
    assert_eq!(status, 502);
    assert_eq!(
        body,
        json!({"ok": false, "error_code": 502, "description": "Bad Gateway"})
    );

    // Over the control surface too.
    let added = crate::http()
        .post(format!("{}/__sim/telegram/faults", sim.base_url()))
        .json(&json!({"fault": {"kind": "garbage"}, "method": "sendMessage"}))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 200);
    let garbage = crate::http()
        .post(format!("{}/sendMessage", sim.bot_api_url()))
        .json(&json!({"chat_id": 1001, "text": "b"}))
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 200);
    let text = garbage.text().await.unwrap();
    assert!(
        serde_json::from_str::<serde_json::Value>(&text).is_err(),
        "{text}"
    );

    sim.inject_fault(FaultRule::next(Fault::hang(Duration::from_millis(300))));
    let started = std::time::Instant::now();
    let (status, _) = call(&sim, "sendMessage", json!({"chat_id": 1001, "text": "c"})).await;
    assert_eq!(status, 504);
    assert!(started.elapsed() >= Duration::from_millis(300));

    assert_eq!(sim.faults_served(), 3);
    assert!(sim.sent().is_empty(), "a faulted call sends nothing");
    ok(&sim, "sendMessage", json!({"chat_id": 1001, "text": "d"})).await;
    assert_eq!(sim.sent().len(), 1);
}
