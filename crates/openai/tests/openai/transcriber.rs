use std::time::Duration;

use wellness_domain::model::{Locale, Secret};
use wellness_domain::ports::{Transcriber, TranscriptionError};
use wellness_openai::OpenAiConfig;
use wellness_sim::openai::{Endpoint, Scripted};
use wellness_sim::telegram::silent_voice_note;

use crate::{start_sim, test_config, transcriber, transcriber_with};

#[tokio::test]
async fn transcribes_a_voice_note_sent_as_voice_ogg_with_language_and_food_vocabulary() {
    let (sim, transcriber) = transcriber().await;
    let note = silent_voice_note(2);
    sim.register_transcript(&note, " 200 г гречки на обід ");
    let text = transcriber.transcribe(&note, Locale::Uk).await.unwrap();
    assert_eq!(text, "200 г гречки на обід");

    let recorded = sim.requests_to(Endpoint::Transcriptions);
    let request = &recorded[0];
    assert_eq!(
        request.model.as_deref(),
        Some(OpenAiConfig::DEFAULT_TRANSCRIPTION_MODEL)
    );
    assert_eq!(request.field("language"), Some("uk"));
    assert_eq!(request.field("response_format"), Some("json"));
    assert!(request.field("prompt").unwrap().contains("гречка"));
    let file = request.file.as_ref().unwrap();
    assert_eq!(file.field, "file");
    assert_eq!(file.file_name.as_deref(), Some("voice.ogg"));
    assert_eq!(file.content_type.as_deref(), Some("audio/ogg"));
    assert_eq!(file.size, note.len());
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {}", sim.api_key()).as_str())
    );
}

#[tokio::test]
async fn english_speakers_get_an_english_prompt_and_language() {
    let (sim, transcriber) = transcriber().await;
    let text = transcriber
        .transcribe(&silent_voice_note(1), Locale::En)
        .await
        .unwrap();
    assert_eq!(text, sim.config().default_transcript_en);
    let request = &sim.requests_to(Endpoint::Transcriptions)[0];
    assert_eq!(request.field("language"), Some("en"));
    assert!(request.field("prompt").unwrap().contains("oatmeal"));
}

#[tokio::test]
async fn audio_that_is_not_audio_is_rejected_and_empty_audio_is_not_sent() {
    let (sim, transcriber) = transcriber().await;
    let result = transcriber
        .transcribe(b"definitely not audio", Locale::En)
        .await;
    let Err(TranscriptionError::Rejected(reason)) = result else {
        panic!("{result:?}");
    };
    assert!(
        reason.contains("HTTP 400") && reason.contains("could not be decoded"),
        "{reason}"
    );
    assert_eq!(sim.request_count(Endpoint::Transcriptions), 1);
    assert!(matches!(
        transcriber.transcribe(&[], Locale::En).await,
        Err(TranscriptionError::Rejected(_))
    ));
    assert_eq!(sim.request_count(Endpoint::Transcriptions), 1);
}

#[tokio::test]
async fn quota_is_not_retried_and_outages_are_retried_until_they_pass_or_attempts_run_out() {
    let (sim, transcriber) = transcriber().await;
    let note = silent_voice_note(1);
    sim.queue(Endpoint::Transcriptions, [Scripted::InsufficientQuota]);
    assert_eq!(
        transcriber.transcribe(&note, Locale::Uk).await,
        Err(TranscriptionError::QuotaExceeded)
    );
    assert_eq!(sim.request_count(Endpoint::Transcriptions), 1);

    sim.queue(
        Endpoint::Transcriptions,
        [
            Scripted::rate_limited(Duration::from_millis(30)),
            Scripted::Disconnect,
        ],
    );
    assert!(transcriber.transcribe(&note, Locale::Uk).await.is_ok());
    assert_eq!(sim.request_count(Endpoint::Transcriptions), 4);

    sim.queue_times(Endpoint::Transcriptions, Scripted::Overloaded, 3);
    let result = transcriber.transcribe(&note, Locale::Uk).await;
    let Err(TranscriptionError::Unavailable(reason)) = result else {
        panic!("{result:?}");
    };
    assert!(
        reason.contains("HTTP 503") && reason.contains("3 attempts"),
        "{reason}"
    );
    assert_eq!(sim.request_count(Endpoint::Transcriptions), 7);
}

#[tokio::test]
async fn an_unreadable_answer_a_slow_answer_and_a_wrong_key_are_unavailable() {
    let sim = start_sim().await;
    let mut config = test_config(&sim);
    config.transcription_timeout = Duration::from_millis(250);
    config.retry.max_attempts = 1;
    let transcriber = transcriber_with(config.clone());
    let note = silent_voice_note(1);
    sim.queue(
        Endpoint::Transcriptions,
        [
            Scripted::MalformedJson,
            Scripted::slow(Duration::from_secs(3)),
        ],
    );
    let unreadable = transcriber.transcribe(&note, Locale::En).await;
    assert!(
        matches!(&unreadable, Err(TranscriptionError::Unavailable(r)) if r.contains("did not parse")),
        "{unreadable:?}"
    );
    let slow = transcriber.transcribe(&note, Locale::En).await;
    assert!(
        matches!(&slow, Err(TranscriptionError::Unavailable(r)) if r.contains("timed out")),
        "{slow:?}"
    );
    config.api_key = Secret::new("sk-wrong-key-for-voice-Wq7");
    let result = transcriber_with(config).transcribe(&note, Locale::En).await;
    let Err(TranscriptionError::Unavailable(reason)) = &result else {
        panic!("{result:?}");
    };
    assert!(
        reason.contains("refused the API key") && !reason.contains("Wq7"),
        "{reason}"
    );
    assert_eq!(sim.request_count(Endpoint::Transcriptions), 3);
}
