use std::time::Duration;

use serde_json::json;
use wellness_sim::telegram::{RateLimits, SimConfig, SimError};

use crate::{ann, fails, ok, start_sim, start_with};

async fn keyboard_message(sim: &wellness_sim::telegram::TelegramSim) -> i64 {
    sim.send_text(&ann(), "/log");
    let message = ok(
        sim,
        "sendMessage",
        json!({"chat_id": 1001, "text": "Which meal?",
               "reply_markup": {"inline_keyboard": [
                   [{"text": "Breakfast", "callback_data": "meal:breakfast"}],
                   [{"text": "Help", "url": "https://example.org/help"}]]}}),
    )
    .await;
    ok(sim, "getUpdates", json!({"offset": -1})).await;
    message["message_id"].as_i64().unwrap()
}

#[tokio::test]
async fn pressing_a_button_sends_a_callback_query_with_the_message() {
    let sim = start_sim().await;
    let message_id = keyboard_message(&sim).await;
    let update_id = sim
        .press_button(&ann(), message_id, "meal:breakfast")
        .unwrap();
    let updates = ok(&sim, "getUpdates", json!({"offset": update_id})).await;
    let query = &updates[0]["callback_query"];
    assert_eq!(updates[0]["update_id"], update_id);
    assert_eq!(query["data"], "meal:breakfast");
    assert_eq!(query["from"]["id"], 1001);
    assert!(query["chat_instance"].is_string());
    assert_eq!(query["message"]["message_id"], message_id);
    assert_eq!(query["message"]["text"], "Which meal?");
    assert_eq!(
        query["message"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"],
        "meal:breakfast"
    );
}

#[tokio::test]
async fn a_button_can_be_pressed_by_its_label() {
    let sim = start_sim().await;
    let message_id = keyboard_message(&sim).await;
    let update_id = sim
        .press_button_labeled(&ann(), message_id, "Breakfast")
        .unwrap();
    let updates = ok(&sim, "getUpdates", json!({"offset": update_id})).await;
    assert_eq!(updates[0]["callback_query"]["data"], "meal:breakfast");
}

#[tokio::test]
async fn only_existing_callback_buttons_can_be_pressed() {
    let sim = start_sim().await;
    let message_id = keyboard_message(&sim).await;
    assert!(matches!(
        sim.press_button(&ann(), message_id, "meal:dinner"),
        Err(SimError::ButtonNotFound { .. })
    ));
    assert!(matches!(
        sim.press_button_labeled(&ann(), message_id, "Help"),
        Err(SimError::ButtonNotFound { .. })
    ));
    assert!(matches!(
        sim.press_button(&ann(), 999, "meal:breakfast"),
        Err(SimError::MessageNotFound { .. })
    ));
}

#[tokio::test]
async fn a_callback_query_can_be_answered_once() {
    let sim = start_sim().await;
    let message_id = keyboard_message(&sim).await;
    let update_id = sim
        .press_button(&ann(), message_id, "meal:breakfast")
        .unwrap();
    let updates = ok(&sim, "getUpdates", json!({"offset": update_id})).await;
    let id = updates[0]["callback_query"]["id"].clone();
    assert_eq!(
        ok(
            &sim,
            "answerCallbackQuery",
            json!({"callback_query_id": id, "text": "Saved"})
        )
        .await,
        json!(true)
    );
    assert_eq!(
        fails(
            &sim,
            "answerCallbackQuery",
            json!({"callback_query_id": id})
        )
        .await,
        (
            400,
            "Bad Request: query is too old and response timeout expired or query ID is invalid"
                .to_owned()
        )
    );
    let answers = sim.callback_answers();
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].text.as_deref(), Some("Saved"));
}

#[tokio::test]
async fn a_late_answer_is_too_old() {
    let sim = start_with(SimConfig {
        callback_query_timeout: Duration::from_millis(100),
        ..SimConfig::default().with_rate_limits(RateLimits::disabled())
    })
    .await;
    let message_id = keyboard_message(&sim).await;
    let update_id = sim
        .press_button(&ann(), message_id, "meal:breakfast")
        .unwrap();
    let updates = ok(&sim, "getUpdates", json!({"offset": update_id})).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(
        fails(
            &sim,
            "answerCallbackQuery",
            json!({"callback_query_id": updates[0]["callback_query"]["id"]})
        )
        .await
        .0,
        400
    );
    assert_eq!(
        fails(
            &sim,
            "answerCallbackQuery",
            json!({"callback_query_id": "123"})
        )
        .await
        .0,
        400
    );
}

#[tokio::test]
async fn the_keyboard_can_be_removed_after_a_press() {
    let sim = start_sim().await;
    let message_id = keyboard_message(&sim).await;
    let edited = ok(
        &sim,
        "editMessageReplyMarkup",
        json!({"chat_id": 1001, "message_id": message_id}),
    )
    .await;
    assert!(edited.get("reply_markup").is_none());
    assert!(
        sim.press_button(&ann(), message_id, "meal:breakfast")
            .is_err()
    );
}
