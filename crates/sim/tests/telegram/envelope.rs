use serde_json::json;

use crate::{ann, call, fails, http, ok, start_sim};

#[tokio::test]
async fn get_me_returns_the_bot_in_the_ok_envelope() {
    let sim = start_sim().await;
    let (status, body) = call(&sim, "getMe", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(body["ok"], true);
    assert_eq!(body["result"]["is_bot"], true);
    assert_eq!(body["result"]["id"], sim.bot().id);
    assert_eq!(body["result"]["username"], "wellness_sim_bot");
}

#[tokio::test]
async fn wrong_token_is_401_unauthorized() {
    let sim = start_sim().await;
    let response = http()
        .post(format!("{}/bot123:wrong/getMe", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"ok": false, "error_code": 401, "description": "Unauthorized"})
    );
}

#[tokio::test]
async fn unknown_method_is_404_not_found() {
    let sim = start_sim().await;
    assert_eq!(
        fails(&sim, "sendTelepathy", json!({})).await,
        (404, "Not Found".to_owned())
    );
}

#[tokio::test]
async fn method_names_are_case_insensitive() {
    let sim = start_sim().await;
    assert_eq!(ok(&sim, "GETME", json!({})).await["is_bot"], true);
}

#[tokio::test]
async fn accepts_get_with_a_query_string_and_urlencoded_forms() {
    let sim = start_sim().await;
    sim.send_text(&ann(), "hi");
    let response = http()
        .get(format!("{}/getUpdates?offset=0&limit=1", sim.bot_api_url()))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["result"].as_array().unwrap().len(), 1);

    let response = http()
        .post(format!("{}/sendMessage", sim.bot_api_url()))
        .form(&[
            ("chat_id", "1001"),
            ("text", "<b>form</b>"),
            ("parse_mode", "HTML"),
            (
                "reply_markup",
                r#"{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}"#,
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["result"]["text"], "form");
    assert_eq!(body["result"]["entities"][0]["type"], "bold");
    assert_eq!(
        body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"],
        "a"
    );
}

#[tokio::test]
async fn unknown_chat_is_chat_not_found() {
    let sim = start_sim().await;
    assert_eq!(
        fails(&sim, "sendMessage", json!({"chat_id": 42, "text": "hi"})).await,
        (400, "Bad Request: chat not found".to_owned())
    );
    assert_eq!(
        fails(
            &sim,
            "sendMessage",
            json!({"chat_id": "@ann", "text": "hi"})
        )
        .await,
        (400, "Bad Request: chat not found".to_owned())
    );
    assert_eq!(
        fails(&sim, "sendMessage", json!({"text": "hi"})).await,
        (400, "Bad Request: chat_id is empty".to_owned())
    );
}

#[tokio::test]
async fn chat_id_may_be_a_string_once_the_user_has_written() {
    let sim = start_sim().await;
    sim.send_text(&ann(), "/start");
    let message = ok(
        &sim,
        "sendMessage",
        json!({"chat_id": "1001", "text": "hi"}),
    )
    .await;
    assert_eq!(message["chat"]["id"], 1001);
    assert_eq!(message["chat"]["type"], "private");
    assert_eq!(message["chat"]["first_name"], "Ann");
    assert_eq!(message["from"]["id"], sim.bot().id);
    assert!(
        message["from"].get("can_join_groups").is_none(),
        "getMe-only fields"
    );
    assert!(message["date"].as_i64().unwrap() > 1_700_000_000);
}

#[tokio::test]
async fn a_user_who_blocked_the_bot_cannot_be_messaged() {
    let sim = start_sim().await;
    sim.send_text(&ann(), "/start");
    sim.set_blocked(&ann(), true);
    assert_eq!(
        fails(&sim, "sendMessage", json!({"chat_id": 1001, "text": "hi"})).await,
        (403, "Forbidden: bot was blocked by the user".to_owned())
    );
}

#[tokio::test]
async fn unknown_paths_are_404_in_the_telegram_envelope() {
    let sim = start_sim().await;
    let response = http()
        .get(format!("{}/nope", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["description"], "Not Found");
}
