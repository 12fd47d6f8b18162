use base64::Engine as _;
use serde_json::{Value, json};
use wellness_sim::telegram::silent_voice_note;

use crate::{
    WAIT, chat, chat_body, http, start_sim, status_and_json, transcribe, transcription_form,
};

#[tokio::test]
async fn another_process_can_script_and_inspect_the_simulator_over_http() {
    let sim = start_sim().await;
    let control = sim.control_url();
    let client = http();
    let post =
        |path: &str, body: Value| client.post(format!("{control}/{path}")).json(&body).send();

    let queued: Value = post(
        "script",
        json!({"endpoint": "chat_completions",
               "answers": [{"kind": "rate_limited", "retry_after_ms": 10}, {"kind": "server_error"}],
               "times": 2}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(queued["queued"], 4);
    let note = silent_voice_note(1);
    let registered: Value = post(
        "transcripts",
        json!({"audio_base64": base64::engine::general_purpose::STANDARD.encode(&note),
               "text": "a banana"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert!(
        registered["fingerprint"]
            .as_str()
            .unwrap()
            .starts_with("fnv1a64:")
    );
    let state: Value = client
        .get(format!("{control}/state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["queued"]["chat_completions"], 4);
    assert_eq!(state["transcripts"], 1);

    let waiting = {
        let client = client.clone();
        let control = control.clone();
        tokio::spawn(async move {
            client
                .get(format!(
                    "{control}/requests?endpoint=transcriptions&wait_ms={}",
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
    let (_, body) =
        status_and_json(transcribe(&sim, transcription_form(note, "voice.ogg", &[])).await).await;
    assert_eq!(body["text"], "a banana");
    let seen = waiting.await.unwrap();
    assert_eq!(seen[0]["endpoint"], "transcriptions");
    assert_eq!(seen[0]["file"]["file_name"], "voice.ogg");

    let (status, _) = status_and_json(chat(&sim, chat_body("hi", Value::Null)).await).await;
    assert_eq!(status, 429);
    let requests: Value = client
        .get(format!("{control}/requests?endpoint=chat_completions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(requests[0]["status"], 429);
    assert_eq!(requests[0]["scripted"], "rate_limited");

    post("reset", json!({})).await.unwrap();
    let state: Value = client
        .get(format!("{control}/state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["queued"]["chat_completions"], 0);
    assert_eq!(state["requests"]["transcriptions"], 0);
}

#[tokio::test]
async fn a_bad_script_is_refused() {
    let sim = start_sim().await;
    let response = http()
        .post(format!("{}/script", sim.control_url()))
        .json(&json!({"endpoint": "embeddings", "answers": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
}
