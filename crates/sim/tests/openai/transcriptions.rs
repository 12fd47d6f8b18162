use serde_json::Value;
use wellness_sim::openai::{Endpoint, Scripted, audio_fingerprint};
use wellness_sim::telegram::silent_voice_note;

use crate::{http, start_sim, status_and_json, transcribe, transcription_form};

#[tokio::test]
async fn registered_audio_is_transcribed_as_registered_and_other_audio_as_a_fixed_phrase() {
    let sim = start_sim().await;
    let note = silent_voice_note(2);
    let fingerprint = sim.register_transcript(&note, "200 г гречки на обід");
    assert_eq!(fingerprint, audio_fingerprint(&note));
    let (status, body) = status_and_json(
        transcribe(
            &sim,
            transcription_form(note, "voice.ogg", &[("language", "uk")]),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["text"], "200 г гречки на обід");
    assert_eq!(body["usage"]["type"], "duration");
    assert_eq!(body["usage"]["seconds"], 2.0);

    let other = silent_voice_note(3);
    let (_, uk) = status_and_json(
        transcribe(
            &sim,
            transcription_form(other.clone(), "voice.ogg", &[("language", "uk")]),
        )
        .await,
    )
    .await;
    assert_eq!(uk["text"], sim.config().default_transcript_uk.as_str());
    let (_, en) =
        status_and_json(transcribe(&sim, transcription_form(other, "voice.ogg", &[])).await).await;
    assert_eq!(en["text"], sim.config().default_transcript_en.as_str());
}

#[tokio::test]
async fn text_and_verbose_formats_are_served() {
    let sim = start_sim().await;
    let response = transcribe(
        &sim,
        transcription_form(
            silent_voice_note(1),
            "voice.ogg",
            &[("response_format", "text")],
        ),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(
        response.text().await.unwrap(),
        format!("{}\n", sim.config().default_transcript_en)
    );
    let (_, verbose) = status_and_json(
        transcribe(
            &sim,
            transcription_form(
                silent_voice_note(1),
                "voice.ogg",
                &[("response_format", "verbose_json")],
            ),
        )
        .await,
    )
    .await;
    assert_eq!(verbose["task"], "transcribe");
    assert_eq!(verbose["segments"][0]["end"], 1.0);
}

#[tokio::test]
async fn empty_non_audio_and_oga_files_are_refused_with_400() {
    let sim = start_sim().await;
    let refused = |status: u16, body: &Value| {
        (
            status,
            body["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    };
    let (status, body) =
        status_and_json(transcribe(&sim, transcription_form(Vec::new(), "voice.ogg", &[])).await)
            .await;
    let (status, message) = refused(status, &body);
    assert_eq!(status, 400);
    assert!(message.contains("too short"), "{message}");
    assert_eq!(body["error"]["code"], "audio_too_short");

    let (status, body) = status_and_json(
        transcribe(
            &sim,
            transcription_form(b"just some text".to_vec(), "voice.ogg", &[]),
        )
        .await,
    )
    .await;
    let (status, message) = refused(status, &body);
    assert_eq!(status, 400);
    assert!(message.contains("could not be decoded"), "{message}");

    let (status, body) = status_and_json(
        transcribe(
            &sim,
            transcription_form(silent_voice_note(1), "voice.oga", &[]),
        )
        .await,
    )
    .await;
    let (status, message) = refused(status, &body);
    assert_eq!(status, 400);
    assert!(message.starts_with("Invalid file format."), "{message}");
}

#[tokio::test]
async fn a_transcription_needs_multipart_with_a_file_a_model_and_a_valid_language() {
    let sim = start_sim().await;
    let response = http()
        .post(format!("{}/audio/transcriptions", sim.base_url()))
        .bearer_auth(sim.api_key())
        .json(&serde_json::json!({"model": "whisper-1"}))
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid Content-Type header")
    );

    let form = reqwest::multipart::Form::new().text("model", "whisper-1");
    let (status, body) = status_and_json(transcribe(&sim, form).await).await;
    assert_eq!(
        (status, body["error"]["param"].as_str()),
        (400, Some("file"))
    );

    let form = transcription_form(
        silent_voice_note(1),
        "voice.ogg",
        &[("language", "ukrainian")],
    );
    let (status, body) = status_and_json(transcribe(&sim, form).await).await;
    assert_eq!(
        (status, body["error"]["param"].as_str()),
        (400, Some("language"))
    );

    let form = transcription_form(
        silent_voice_note(1),
        "voice.ogg",
        &[("model", "gpt-4o-mini")],
    );
    let (status, body) = status_and_json(transcribe(&sim, form).await).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("model_not_found"))
    );
}

#[tokio::test]
async fn the_multipart_fields_and_file_are_recorded() {
    let sim = start_sim().await;
    let note = silent_voice_note(1);
    let form = transcription_form(
        note.clone(),
        "voice.ogg",
        &[
            ("language", "uk"),
            ("prompt", "гречка, яйця"),
            ("response_format", "json"),
        ],
    );
    let (status, _) = status_and_json(transcribe(&sim, form).await).await;
    assert_eq!(status, 200);
    let recorded = sim.requests_to(Endpoint::Transcriptions);
    let request = &recorded[0];
    assert_eq!(request.model.as_deref(), Some("whisper-1"));
    assert_eq!(request.field("language"), Some("uk"));
    assert_eq!(request.field("prompt"), Some("гречка, яйця"));
    let file = request.file.as_ref().unwrap();
    assert_eq!(file.field, "file");
    assert_eq!(file.file_name.as_deref(), Some("voice.ogg"));
    assert_eq!(file.content_type.as_deref(), Some("audio/ogg"));
    assert_eq!(
        (file.size, file.fingerprint.clone()),
        (note.len(), audio_fingerprint(&note))
    );
    assert!(
        request
            .header("content-type")
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );
}

#[tokio::test]
async fn transcriptions_have_their_own_queue() {
    let sim = start_sim().await;
    sim.queue(
        Endpoint::Transcriptions,
        [
            Scripted::InsufficientQuota,
            Scripted::content("два яйця"),
            Scripted::MalformedJson,
        ],
    );
    let form = || transcription_form(silent_voice_note(1), "voice.ogg", &[]);
    let (status, body) = status_and_json(transcribe(&sim, form()).await).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("insufficient_quota"))
    );
    let (_, body) = status_and_json(transcribe(&sim, form()).await).await;
    assert_eq!(body["text"], "два яйця");
    let response = transcribe(&sim, form()).await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.json::<Value>().await.is_err());
    assert_eq!(sim.summary().queued[&Endpoint::ChatCompletions], 0);
}
