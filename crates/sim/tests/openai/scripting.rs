use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wellness_sim::openai::{Endpoint, Scripted};

use crate::{WAIT, chat, chat_body, interpretation_schema, start_sim, status_and_json};

#[tokio::test]
async fn queued_answers_come_in_order_then_deterministic_ones_again() {
    let sim = start_sim().await;
    sim.queue(
        Endpoint::ChatCompletions,
        [
            Scripted::json(&json!({"intent": "general"})),
            Scripted::refusal("I can't help with that."),
            Scripted::MalformedJson,
        ],
    );
    let body = || chat_body("2 eggs", interpretation_schema());
    let (_, first) = status_and_json(chat(&sim, body()).await).await;
    assert_eq!(
        first["choices"][0]["message"]["content"],
        "{\"intent\":\"general\"}"
    );
    let (_, second) = status_and_json(chat(&sim, body()).await).await;
    assert_eq!(second["choices"][0]["message"]["content"], Value::Null);
    assert_eq!(
        second["choices"][0]["message"]["refusal"],
        "I can't help with that."
    );
    let (_, third) = status_and_json(chat(&sim, body()).await).await;
    let cut = third["choices"][0]["message"]["content"].as_str().unwrap();
    assert!(serde_json::from_str::<Value>(cut).is_err());
    assert_eq!(third["choices"][0]["finish_reason"], "length");
    let (_, fourth) = status_and_json(chat(&sim, body()).await).await;
    let content = fourth["choices"][0]["message"]["content"].as_str().unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(content).unwrap()["intent"],
        "log_food"
    );
    let scripted: Vec<_> = sim.requests().into_iter().map(|r| r.scripted).collect();
    assert_eq!(
        scripted,
        vec![
            Some("content".to_owned()),
            Some("refusal".to_owned()),
            Some("malformed_json".to_owned()),
            None
        ]
    );
}

#[tokio::test]
async fn rate_limits_carry_retry_after_ms_and_retry_after() {
    let sim = start_sim().await;
    sim.queue(
        Endpoint::ChatCompletions,
        [Scripted::rate_limited(Duration::from_millis(1500))],
    );
    let response = chat(&sim, chat_body("2 eggs", Value::Null)).await;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    assert_eq!(header("retry-after-ms").as_deref(), Some("1500"));
    assert_eq!(header("retry-after").as_deref(), Some("2"));
    assert!(header("x-request-id").is_some());
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 429);
    assert_eq!(body["error"]["code"], "rate_limit_exceeded");
    assert_eq!(body["error"]["type"], "requests");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("gpt-4o-mini")
    );
}

#[tokio::test]
async fn insufficient_quota_is_a_429_without_retry_headers() {
    let sim = start_sim().await;
    sim.queue(Endpoint::ChatCompletions, [Scripted::InsufficientQuota]);
    let response = chat(&sim, chat_body("2 eggs", Value::Null)).await;
    assert!(!response.headers().contains_key("retry-after"));
    assert!(!response.headers().contains_key("retry-after-ms"));
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 429);
    assert_eq!(body["error"]["type"], "insufficient_quota");
    assert_eq!(body["error"]["code"], "insufficient_quota");
}

#[tokio::test]
async fn server_errors_overload_and_any_other_error_can_be_queued() {
    let sim = start_sim().await;
    sim.queue(
        Endpoint::ChatCompletions,
        [
            Scripted::ServerError,
            Scripted::Overloaded,
            Scripted::error(409, "conflict_error", Some("busy"), "Try again."),
        ],
    );
    let mut seen = Vec::new();
    for _ in 0..3 {
        let (status, body) = status_and_json(chat(&sim, chat_body("hi", Value::Null)).await).await;
        seen.push((status, body["error"]["type"].as_str().unwrap().to_owned()));
    }
    assert_eq!(
        seen,
        vec![
            (500, "server_error".to_owned()),
            (503, "server_error".to_owned()),
            (409, "conflict_error".to_owned())
        ]
    );
}

#[tokio::test]
async fn a_slow_answer_arrives_after_its_delay_and_is_recorded_at_once() {
    let sim = start_sim().await;
    sim.queue(
        Endpoint::ChatCompletions,
        [Scripted::slow(Duration::from_millis(300))],
    );
    let started = Instant::now();
    let request = crate::http()
        .post(format!("{}/chat/completions", sim.base_url()))
        .bearer_auth(sim.api_key())
        .json(&chat_body("a banana", interpretation_schema()));
    let pending = tokio::spawn(async move { status_and_json(request.send().await.unwrap()).await });
    let recorded = sim
        .wait_for_requests(Endpoint::ChatCompletions, 1, WAIT)
        .await
        .unwrap();
    assert_eq!(recorded[0].scripted.as_deref(), Some("slow"));
    let (status, _) = pending.await.unwrap();
    assert_eq!(status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn a_dropped_connection_fails_the_request_and_the_next_one_works() {
    let sim = start_sim().await;
    sim.queue(Endpoint::ChatCompletions, [Scripted::Disconnect]);
    let outcome = async {
        let response = crate::http()
            .post(format!("{}/chat/completions", sim.base_url()))
            .bearer_auth(sim.api_key())
            .json(&chat_body("2 eggs", Value::Null))
            .send()
            .await?;
        response.bytes().await
    }
    .await;
    assert!(outcome.is_err(), "{outcome:?}");
    assert_eq!(sim.requests()[0].status, None);
    let (status, _) = status_and_json(chat(&sim, chat_body("2 eggs", Value::Null)).await).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn requests_are_recorded_with_model_body_and_headers() {
    let sim = start_sim().await;
    let response = crate::http()
        .post(format!("{}/chat/completions", sim.base_url()))
        .bearer_auth(sim.api_key())
        .header("user-agent", "wellness-test")
        .header("x-unrelated", "not kept")
        .json(&chat_body("2 eggs", interpretation_schema()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let recorded = sim.requests_to(Endpoint::ChatCompletions);
    let request = &recorded[0];
    assert_eq!(request.seq, 0);
    assert_eq!(request.model.as_deref(), Some("gpt-4o-mini"));
    assert_eq!(request.status, Some(200));
    assert_eq!(
        request.header("Authorization"),
        Some(format!("Bearer {}", sim.api_key()).as_str())
    );
    assert_eq!(request.header("user-agent"), Some("wellness-test"));
    assert_eq!(request.header("x-unrelated"), None);
    assert_eq!(
        request.body.as_ref().unwrap()["response_format"]["json_schema"]["strict"],
        true
    );
    assert_eq!(
        request.messages()[1],
        ("user".to_owned(), "2 eggs".to_owned())
    );
    assert_eq!(sim.summary().requests[&Endpoint::ChatCompletions], 1);
    sim.reset();
    assert!(sim.requests().is_empty());
}
