use serde_json::{Value, json};
use wellness_sim::openai::Endpoint;

use crate::{chat, chat_body, http, interpretation_schema, start_sim, status_and_json};

fn content_json(body: &Value) -> Value {
    let content = body["choices"][0]["message"]["content"].as_str().unwrap();
    serde_json::from_str(content).unwrap()
}

#[tokio::test]
async fn answers_a_strict_schema_with_json_that_matches_it() {
    let sim = start_sim().await;
    let response = chat(
        &sim,
        chat_body("2 eggs and 200 g гречки for lunch", interpretation_schema()),
    )
    .await;
    assert!(
        response
            .headers()
            .get("x-request-id")
            .is_some_and(|v| v.to_str().unwrap().starts_with("req_"))
    );
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["id"].as_str().unwrap().starts_with("chatcmpl-"));
    assert_eq!(body["object"], "chat.completion");
    assert_eq!(body["model"], "gpt-4o-mini");
    assert_eq!(body["choices"][0]["finish_reason"], "stop");
    assert_eq!(body["choices"][0]["message"]["role"], "assistant");
    assert_eq!(body["choices"][0]["message"]["refusal"], Value::Null);
    let usage = &body["usage"];
    assert_eq!(
        usage["total_tokens"].as_u64(),
        Some(
            usage["prompt_tokens"].as_u64().unwrap() + usage["completion_tokens"].as_u64().unwrap()
        )
    );
    assert_eq!(
        content_json(&body),
        json!({
            "intent": "log_food",
            "items": [
                {"said": "eggs", "lookup_name": "egg", "grams": null, "portions": 2.0,
                 "unit": null, "meal": "lunch"},
                {"said": "гречки", "lookup_name": "buckwheat", "grams": 200.0, "portions": null,
                 "unit": null, "meal": "lunch"}
            ],
            "calorie_goal": null,
            "reply": null
        })
    );
}

#[tokio::test]
async fn reads_goals_deletions_questions_and_small_talk() {
    let sim = start_sim().await;
    let cases = [
        ("set my goal to 2200", "set_goal"),
        ("delete the last entry", "delete_entry"),
        ("скільки я сьогодні з'їв?", "query_data"),
        ("склянка молока", "log_food"),
        ("hello there", "general"),
    ];
    for (said, intent) in cases {
        let (_, body) =
            status_and_json(chat(&sim, chat_body(said, interpretation_schema())).await).await;
        let answer = content_json(&body);
        assert_eq!(answer["intent"], intent, "{said}: {answer}");
        if intent == "set_goal" {
            assert_eq!(answer["calorie_goal"], 2200);
        }
        if intent == "general" {
            assert!(answer["reply"].is_string());
        }
        if said == "склянка молока" {
            assert_eq!(answer["items"][0]["unit"], "glass");
            assert_eq!(answer["items"][0]["portions"], 1.0);
        }
    }
}

#[tokio::test]
async fn any_schema_gets_an_answer_of_its_own_shape() {
    let sim = start_sim().await;
    let format = json!({
        "type": "json_schema",
        "json_schema": {"name": "other", "strict": true, "schema": {
            "type": "object",
            "properties": {"mood": {"type": "string", "enum": ["good", "bad"]}, "score": {"type": "integer"}},
            "required": ["mood", "score"],
            "additionalProperties": false
        }}
    });
    let (_, body) = status_and_json(chat(&sim, chat_body("hi", format)).await).await;
    assert_eq!(content_json(&body), json!({"mood": "good", "score": 0}));
}

#[tokio::test]
async fn plain_answers_use_only_numbers_found_in_the_context() {
    let sim = start_sim().await;
    let body = json!({
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": "Use only numbers from the context."},
            {"role": "system", "content": "{\"today\":{\"kcal\":1375,\"entries\":3},\"calorie_goal_kcal\":2100}"},
            {"role": "user", "content": "How many calories do I have left?"}
        ]
    });
    let (status, body) = status_and_json(chat(&sim, body).await).await;
    assert_eq!(status, 200);
    let answer = body["choices"][0]["message"]["content"].as_str().unwrap();
    assert!(
        answer.contains("1375") && answer.contains("2100"),
        "{answer}"
    );
    assert!(
        !answer.contains("entries"),
        "entries are not an energy figure: {answer}"
    );
}

#[tokio::test]
async fn a_wrong_key_gets_401_invalid_api_key_in_openais_envelope() {
    let sim = start_sim().await;
    let response = http()
        .post(format!("{}/chat/completions", sim.base_url()))
        .bearer_auth("sk-wrong-key-123456789")
        .json(&chat_body("2 eggs", json!(null)))
        .send()
        .await
        .unwrap();
    assert!(response.headers().contains_key("x-request-id"));
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "invalid_api_key");
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert_eq!(body["error"]["param"], Value::Null);
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("Incorrect API key provided: sk-***6789"),
        "{message}"
    );

    let response = http()
        .post(format!("{}/chat/completions", sim.base_url()))
        .json(&chat_body("2 eggs", json!(null)))
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], Value::Null);
    assert_eq!(
        sim.requests_to(Endpoint::ChatCompletions)[1].status,
        Some(401)
    );
}

#[tokio::test]
async fn a_strict_schema_that_breaks_strict_rules_is_refused_with_400() {
    let sim = start_sim().await;
    let mut format = interpretation_schema();
    format["json_schema"]["schema"]["required"] = json!(["intent", "items"]);
    let (status, body) = status_and_json(chat(&sim, chat_body("2 eggs", format)).await).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["param"], "response_format");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("Invalid schema for response_format 'interpretation'")
            && message.contains("Missing 'calorie_goal'"),
        "{message}"
    );
}

#[tokio::test]
async fn malformed_requests_and_unknown_paths_are_refused_like_openai() {
    let sim = start_sim().await;
    let (status, body) = status_and_json(
        chat(
            &sim,
            json!({"messages": [{"role": "user", "content": "x"}]}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["error"]["message"].as_str()),
        (400, Some("you must provide a model parameter"))
    );
    let (status, body) = status_and_json(chat(&sim, json!({"model": "gpt-4o-mini"})).await).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("missing_required_parameter"))
    );
    let response = http()
        .post(format!("{}/chat/completions", sim.base_url()))
        .bearer_auth(sim.api_key())
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let response = http()
        .post(format!("{}/embeddings", sim.base_url()))
        .bearer_auth(sim.api_key())
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 404);
    assert_eq!(
        body["error"]["message"],
        "Invalid URL (POST /v1/embeddings)"
    );
}
