use serde_json::{Value, json};

use crate::{WAIT, http, ok, start_sim};

#[tokio::test]
async fn another_process_can_drive_the_simulator_over_http() {
    let sim = start_sim().await;
    let control = format!("{}/__sim/telegram", sim.base_url());
    let client = http();
    let user = json!({"id": 2001, "first_name": "Olena", "language_code": "uk"});

    let injected: Value = client
        .post(format!("{control}/messages"))
        .json(&json!({"user": user, "text": "/start"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let update_id = injected["update_id"].as_i64().unwrap();
    assert_eq!(injected["message"]["entities"][0]["type"], "bot_command");

    let waiting = {
        let client = client.clone();
        let control = control.clone();
        tokio::spawn(async move {
            client
                .get(format!(
                    "{control}/sent?chat_id=2001&wait_ms={}",
                    WAIT.as_millis()
                ))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        })
    };
    let updates = ok(&sim, "getUpdates", json!({"offset": update_id})).await;
    assert_eq!(updates[0]["message"]["from"]["first_name"], "Olena");
    ok(
        &sim,
        "sendMessage",
        json!({"chat_id": 2001, "text": "Привіт!",
               "reply_markup": {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}}),
    )
    .await;
    let sent = waiting.await.unwrap();
    assert_eq!(sent[0]["text"], "Привіт!");
    assert_eq!(sent[0]["seq"], 0);
    let message_id = sent[0]["message_id"].as_i64().unwrap();

    let pressed: Value = client
        .post(format!("{control}/callback"))
        .json(&json!({"user": user, "message_id": message_id, "callback_data": "ok"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(pressed["callback_query"]["data"], "ok");

    let voice: Value = client
        .post(format!("{control}/voice"))
        .json(&json!({"user": user, "duration": 2}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(voice["message"]["voice"]["duration"], 2);

    let history: Value = client
        .get(format!("{control}/chats/2001/messages"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(history.as_array().unwrap().len(), 3);
    assert_eq!(history[1]["from_bot"], true);

    let state: Value = client
        .get(format!("{control}/state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["sent_count"], 1);
    assert_eq!(state["chats"], json!([2001]));

    let reset = client
        .post(format!("{control}/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 200);
    assert!(sim.sent().is_empty());
    assert!(sim.pending_updates().is_empty());
}

#[tokio::test]
async fn pressing_a_missing_button_over_http_is_a_400() {
    let sim = start_sim().await;
    let response = http()
        .post(format!("{}/__sim/telegram/callback", sim.base_url()))
        .json(&json!({"user": {"id": 1, "first_name": "A"}, "message_id": 5, "callback_data": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}
