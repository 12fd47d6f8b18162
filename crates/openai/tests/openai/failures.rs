use std::time::{Duration, Instant};

use serde_json::json;
use wellness_domain::model::{Locale, Secret};
use wellness_domain::ports::{Assistant, AssistantError};
use wellness_sim::openai::{Endpoint, Scripted};

use crate::{assistant, assistant_with, context, start_sim, test_config};

async fn interpret_with(
    answers: Vec<Scripted>,
) -> (
    Result<wellness_domain::ports::Interpretation, AssistantError>,
    usize,
) {
    let (sim, assistant) = assistant().await;
    sim.queue(Endpoint::ChatCompletions, answers);
    let result = assistant.interpret("2 eggs", &context(Locale::En)).await;
    (result, sim.request_count(Endpoint::ChatCompletions))
}

#[tokio::test]
async fn a_refusal_is_refused_without_retrying() {
    let (result, attempts) =
        interpret_with(vec![Scripted::refusal("I can't help with that.")]).await;
    assert_eq!(
        result,
        Err(AssistantError::Refused(
            "I can't help with that.".to_owned()
        ))
    );
    assert_eq!(attempts, 1);
}

#[tokio::test]
async fn content_that_is_not_json_is_malformed() {
    let (result, attempts) = interpret_with(vec![Scripted::MalformedJson]).await;
    let Err(AssistantError::Malformed(reason)) = result else {
        panic!("{result:?}");
    };
    assert!(
        reason.contains("not JSON") && reason.contains("cut off"),
        "{reason}"
    );
    assert_eq!(attempts, 1);
}

#[tokio::test]
async fn json_that_does_not_match_the_schema_is_malformed() {
    let off_schema = [
        json!({"intent": "eat", "items": [], "calorie_goal": null, "reply": null}),
        json!({"intent": "log_food", "items": []}),
        json!({"intent": "log_food", "calorie_goal": null, "reply": null,
               "items": [{"said": "x", "lookup_name": "x", "grams": -5, "portions": null, "unit": null, "meal": null}]}),
    ];
    for content in off_schema {
        let (result, attempts) = interpret_with(vec![Scripted::json(&content)]).await;
        assert!(
            matches!(result, Err(AssistantError::Malformed(_))),
            "{content}: {result:?}"
        );
        assert_eq!(attempts, 1);
    }
}

#[tokio::test]
async fn a_rate_limit_is_waited_out_as_retry_after_ms_asks_then_succeeds() {
    let started = Instant::now();
    let (result, attempts) =
        interpret_with(vec![Scripted::rate_limited(Duration::from_millis(300))]).await;
    let waited = started.elapsed();
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(attempts, 2);
    // retry-after-ms (300 ms) rules: not the 10 ms backoff, not retry-after's whole second.
    assert!(waited >= Duration::from_millis(300), "{waited:?}");
    assert!(waited < Duration::from_millis(950), "{waited:?}");
}

#[tokio::test]
async fn insufficient_quota_is_not_retried() {
    let (result, attempts) = interpret_with(vec![Scripted::InsufficientQuota]).await;
    assert_eq!(result, Err(AssistantError::QuotaExceeded));
    assert_eq!(attempts, 1);
}

#[tokio::test]
async fn server_errors_are_retried_until_the_attempts_run_out() {
    let (result, attempts) = interpret_with(vec![Scripted::ServerError; 3]).await;
    let Err(AssistantError::Unavailable(reason)) = result else {
        panic!("{result:?}");
    };
    assert!(
        reason.contains("HTTP 500") && reason.contains("3 attempts"),
        "{reason}"
    );
    assert!(reason.contains("request req_"), "{reason}");
    assert_eq!(attempts, 3);
}

#[tokio::test]
async fn a_server_error_an_overload_and_a_dropped_connection_are_retried_into_success() {
    let (result, attempts) =
        interpret_with(vec![Scripted::ServerError, Scripted::Overloaded]).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(attempts, 3);
    let (result, attempts) = interpret_with(vec![Scripted::Disconnect]).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(attempts, 2);
}

#[tokio::test]
async fn a_conflict_is_retried_but_a_bad_request_is_not() {
    let (result, attempts) =
        interpret_with(vec![Scripted::error(409, "conflict", None, "busy")]).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(attempts, 2);
    let (result, attempts) = interpret_with(vec![Scripted::error(
        400,
        "invalid_request_error",
        Some("context_length_exceeded"),
        "This model's maximum context length is 128000 tokens.",
    )])
    .await;
    let Err(AssistantError::Unavailable(reason)) = result else {
        panic!("{result:?}");
    };
    assert!(
        reason.contains("rejected") && reason.contains("context_length_exceeded"),
        "{reason}"
    );
    assert_eq!(attempts, 1);
}

#[tokio::test]
async fn a_slow_answer_times_out_and_each_attempt_is_cut_short() {
    let sim = start_sim().await;
    let mut config = test_config(&sim);
    config.chat_timeout = Duration::from_millis(250);
    config.retry.max_attempts = 2;
    let assistant = assistant_with(config);
    sim.queue_times(
        Endpoint::ChatCompletions,
        Scripted::slow(Duration::from_secs(3)),
        2,
    );
    let started = Instant::now();
    let result = assistant.interpret("2 eggs", &context(Locale::En)).await;
    let Err(AssistantError::Unavailable(reason)) = result else {
        panic!("{result:?}");
    };
    assert!(
        reason.contains("timed out") && reason.contains("2 attempts"),
        "{reason}"
    );
    assert_eq!(sim.request_count(Endpoint::ChatCompletions), 2);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_wrong_key_is_unavailable_with_a_clear_message_that_does_not_show_the_key() {
    let sim = start_sim().await;
    let key = "sk-not-the-right-key-Zq9X";
    let mut config = test_config(&sim);
    config.api_key = Secret::new(key);
    let assistant = assistant_with(config);
    let result = assistant.interpret("2 eggs", &context(Locale::En)).await;
    let Err(AssistantError::Unavailable(reason)) = &result else {
        panic!("{result:?}");
    };
    assert!(
        reason.contains("refused the API key") && reason.contains("401"),
        "{reason}"
    );
    let shown = format!("{result:?} {}", result.as_ref().unwrap_err());
    assert!(!shown.contains(key) && !shown.contains("Zq9X"), "{shown}");
    assert_eq!(sim.request_count(Endpoint::ChatCompletions), 1);
    assert_eq!(sim.requests()[0].status, Some(401));
}

#[tokio::test]
async fn answers_fail_the_same_ways() {
    let (sim, assistant) = assistant().await;
    sim.queue(
        Endpoint::ChatCompletions,
        [
            Scripted::refusal("No."),
            Scripted::InsufficientQuota,
            Scripted::content("  "),
        ],
    );
    let context = context(Locale::En);
    assert_eq!(
        assistant.answer("how am I doing?", &context).await,
        Err(AssistantError::Refused("No.".to_owned()))
    );
    assert_eq!(
        assistant.answer("how am I doing?", &context).await,
        Err(AssistantError::QuotaExceeded)
    );
    assert!(matches!(
        assistant.answer("how am I doing?", &context).await,
        Err(AssistantError::Malformed(_))
    ));
    assert_eq!(sim.request_count(Endpoint::ChatCompletions), 3);
}

#[tokio::test]
async fn each_retry_is_told_to_the_observer() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    let sim = start_sim().await;
    let client = wellness_openai::OpenAiClient::new(test_config(&sim)).unwrap();
    let retries = Arc::new(AtomicU32::new(0));
    let counted = retries.clone();
    client.observe_retries(Arc::new(move || {
        counted.fetch_add(1, Ordering::SeqCst);
    }));
    let assistant = wellness_openai::OpenAiAssistant::new(client);
    sim.queue(
        Endpoint::ChatCompletions,
        [
            Scripted::rate_limited(Duration::from_millis(20)),
            Scripted::ServerError,
        ],
    );
    let result = assistant.interpret("2 eggs", &context(Locale::En)).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(retries.load(Ordering::SeqCst), 2);
    sim.queue(Endpoint::ChatCompletions, [Scripted::MalformedJson]);
    let malformed = assistant.interpret("2 eggs", &context(Locale::En)).await;
    assert!(matches!(malformed, Err(AssistantError::Malformed(_))));
    assert_eq!(retries.load(Ordering::SeqCst), 2, "not retried");
}
