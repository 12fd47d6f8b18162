use std::time::{Duration, Instant};

use serde_json::json;
use wellness_sim::telegram::SimConfig;

use crate::{ann, bob, call, fails, ok, start_sim, start_with};

fn ids(result: &serde_json::Value) -> Vec<i64> {
    result
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["update_id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn user_text_arrives_as_a_message_update_with_bot_command_entities() {
    let sim = start_sim().await;
    let update_id = sim.send_text(&ann(), "/start@wellness_sim_bot hello");
    let updates = ok(&sim, "getUpdates", json!({})).await;
    let update = &updates[0];
    assert_eq!(update["update_id"], update_id);
    let message = &update["message"];
    assert_eq!(message["message_id"], 1);
    assert_eq!(
        message["from"],
        json!({"id": 1001, "is_bot": false, "first_name": "Ann", "language_code": "uk"})
    );
    assert_eq!(
        message["chat"],
        json!({"id": 1001, "type": "private", "first_name": "Ann"})
    );
    assert_eq!(message["text"], "/start@wellness_sim_bot hello");
    assert_eq!(
        message["entities"],
        json!([{"type": "bot_command", "offset": 0, "length": 23}])
    );
}

#[tokio::test]
async fn offset_confirms_earlier_updates() {
    let sim = start_sim().await;
    let first = sim.send_text(&ann(), "one");
    let second = sim.send_text(&ann(), "two");
    let third = sim.send_text(&bob(), "three");
    assert_eq!(
        ids(&ok(&sim, "getUpdates", json!({})).await),
        vec![first, second, third]
    );
    // Without an offset nothing is confirmed.
    assert_eq!(
        ids(&ok(&sim, "getUpdates", json!({"limit": 1})).await),
        vec![first]
    );
    assert_eq!(
        ids(&ok(&sim, "getUpdates", json!({"offset": second})).await),
        vec![second, third]
    );
    assert_eq!(
        ids(&ok(&sim, "getUpdates", json!({"offset": third + 1})).await),
        Vec::<i64>::new()
    );
    assert!(sim.pending_updates().is_empty());
}

#[tokio::test]
async fn negative_offset_keeps_only_the_last_updates() {
    let sim = start_sim().await;
    for text in ["1", "2", "3", "4"] {
        sim.send_text(&ann(), text);
    }
    let result = ok(&sim, "getUpdates", json!({"offset": -2})).await;
    assert_eq!(result.as_array().unwrap().len(), 2);
    assert_eq!(result[0]["message"]["text"], "3");
    assert_eq!(
        sim.pending_updates().len(),
        2,
        "earlier updates are forgotten"
    );
}

#[tokio::test]
async fn long_poll_is_held_until_an_update_arrives() {
    let sim = std::sync::Arc::new(start_sim().await);
    let poller = {
        let sim = sim.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let result = ok(&sim, "getUpdates", json!({"timeout": 10})).await;
            (started.elapsed(), result)
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let update_id = sim.send_text(&ann(), "late");
    let (elapsed, result) = poller.await.unwrap();
    assert!(elapsed >= Duration::from_millis(250), "held: {elapsed:?}");
    assert!(
        elapsed < Duration::from_secs(5),
        "answered on arrival: {elapsed:?}"
    );
    assert_eq!(ids(&result), vec![update_id]);
}

#[tokio::test]
async fn long_poll_returns_an_empty_list_after_the_timeout() {
    let sim = start_sim().await;
    let started = Instant::now();
    let result = ok(&sim, "getUpdates", json!({"timeout": 1})).await;
    assert_eq!(result, json!([]));
    assert!(started.elapsed() >= Duration::from_millis(950));
}

#[tokio::test]
async fn a_second_poller_terminates_the_first_with_409() {
    let sim = std::sync::Arc::new(start_sim().await);
    let first = {
        let sim = sim.clone();
        tokio::spawn(async move { call(&sim, "getUpdates", json!({"timeout": 10})).await })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let second = {
        let sim = sim.clone();
        tokio::spawn(async move { call(&sim, "getUpdates", json!({"timeout": 1})).await })
    };
    let (status, body) = first.await.unwrap();
    assert_eq!(status, 409);
    assert_eq!(
        body["description"],
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
    );
    assert_eq!(second.await.unwrap().0, 200);
}

#[tokio::test]
async fn limit_is_clamped_to_1_through_100() {
    let sim = start_sim().await;
    for i in 0..3 {
        sim.send_text(&ann(), &format!("{i}"));
    }
    assert_eq!(
        ok(&sim, "getUpdates", json!({"limit": 0}))
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        ok(&sim, "getUpdates", json!({"limit": 500}))
            .await
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn allowed_updates_filters_later_updates() {
    let sim = start_sim().await;
    ok(
        &sim,
        "getUpdates",
        json!({"allowed_updates": ["callback_query"]}),
    )
    .await;
    sim.send_text(&ann(), "ignored");
    assert_eq!(ok(&sim, "getUpdates", json!({})).await, json!([]));
    ok(&sim, "getUpdates", json!({"allowed_updates": []})).await;
    sim.send_text(&ann(), "wanted");
    assert_eq!(
        ok(&sim, "getUpdates", json!({})).await[0]["message"]["text"],
        "wanted"
    );
}

#[tokio::test]
async fn get_updates_is_409_while_a_webhook_is_set() {
    let sim = start_sim().await;
    let answer = call(
        &sim,
        "setWebhook",
        json!({"url": "http://127.0.0.1:9/hook"}),
    )
    .await
    .1;
    assert_eq!(
        answer,
        json!({"ok": true, "result": true, "description": "Webhook was set"})
    );
    assert_eq!(
        fails(&sim, "getUpdates", json!({})).await,
        (
            409,
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
                .to_owned()
        )
    );
    let answer = call(&sim, "deleteWebhook", json!({})).await.1;
    assert_eq!(answer["description"], "Webhook was deleted");
    ok(&sim, "getUpdates", json!({})).await;
}

#[tokio::test]
async fn update_ids_start_where_configured() {
    let sim = start_with(SimConfig {
        first_update_id: 500,
        ..SimConfig::default()
    })
    .await;
    assert_eq!(sim.send_text(&ann(), "x"), 500);
    assert_eq!(sim.send_text(&ann(), "y"), 501);
}
