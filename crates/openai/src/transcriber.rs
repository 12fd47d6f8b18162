//! The [`Transcriber`] port over `/audio/transcriptions`.

use async_trait::async_trait;
use reqwest::multipart::{Form, Part};
use serde::Deserialize;
use wellness_domain::model::Locale;
use wellness_domain::ports::{Transcriber, TranscriptionError};

use crate::client::{CallError, OpenAiClient};

/// The name the voice note is sent under: Telegram's `.oga` has been refused as an invalid
/// format, the same bytes as `.ogg` are not.
const FILE_NAME: &str = "voice.ogg";
const MIME: &str = "audio/ogg";
/// OpenAI's limit for one file.
const MAX_BYTES: usize = 25 * 1024 * 1024;

/// Turns voice notes into text with an OpenAI transcription model.
#[derive(Debug, Clone)]
pub struct OpenAiTranscriber {
    client: OpenAiClient,
}

#[derive(Debug, Deserialize)]
struct TranscriptionAnswer {
    text: String,
}

/// Words the model should expect, in the user's language: food names and units are where
/// transcription goes wrong.
fn vocabulary_prompt(locale: Locale) -> &'static str {
    match locale {
        Locale::Uk => {
            "Запис про їжу: гречка, вівсянка, яйця, курка, куряче філе, сир, кисломолочний сир, \
             йогурт, банан, яблуко, молоко, хліб, рис, борщ, вареники, грам, грамів, склянка, \
             ложка, сніданок, обід, вечеря, перекус, ккал."
        }
        Locale::En => {
            "Food log: oatmeal, eggs, chicken breast, buckwheat, cottage cheese, Greek yogurt, \
             banana, apple, milk, toast, rice, grams, cup, glass, tablespoon, slice, breakfast, \
             lunch, dinner, snack, kcal."
        }
    }
}

impl OpenAiTranscriber {
    /// A transcriber calling through `client` with its transcription model.
    pub fn new(client: OpenAiClient) -> Self {
        Self { client }
    }
}

fn audio_part(audio: &[u8]) -> Part {
    let part = || Part::bytes(audio.to_vec()).file_name(FILE_NAME);
    // A constant, valid MIME type: the fallback (no content type) is never taken.
    part().mime_str(MIME).unwrap_or_else(|_| part())
}

#[async_trait]
impl Transcriber for OpenAiTranscriber {
    async fn transcribe(&self, audio: &[u8], locale: Locale) -> Result<String, TranscriptionError> {
        if audio.is_empty() {
            return Err(TranscriptionError::Rejected(
                "the voice note is empty".to_owned(),
            ));
        }
        if audio.len() > MAX_BYTES {
            return Err(TranscriptionError::Rejected(format!(
                "the voice note is {} bytes, over OpenAI's 25 MB limit",
                audio.len()
            )));
        }
        let config = self.client.config();
        let answer = self
            .client
            .post(
                "/audio/transcriptions",
                config.transcription_timeout,
                |request| {
                    let form = Form::new()
                        .part("file", audio_part(audio))
                        .text("model", config.transcription_model.clone())
                        .text("language", locale.code())
                        .text("prompt", vocabulary_prompt(locale))
                        .text("response_format", "json");
                    request.multipart(form)
                },
            )
            .await
            .map_err(|error| match error {
                CallError::QuotaExceeded => TranscriptionError::QuotaExceeded,
                CallError::Unauthorized { status } => TranscriptionError::Unavailable(format!(
                    "OpenAI refused the API key (HTTP {status}); check the configured key"
                )),
                CallError::Rejected {
                    status: 400 | 413 | 415,
                    detail,
                } => TranscriptionError::Rejected(detail),
                CallError::Rejected { detail, .. } => TranscriptionError::Unavailable(format!(
                    "OpenAI rejected the request: {detail}"
                )),
                CallError::Unavailable(detail) => TranscriptionError::Unavailable(detail),
            })?;
        let parsed: TranscriptionAnswer =
            serde_json::from_slice(&answer.body).map_err(|error| {
                TranscriptionError::Unavailable(format!(
                    "the transcription answer did not parse: {error} (request {})",
                    answer.request_id.as_deref().unwrap_or("unknown")
                ))
            })?;
        Ok(parsed.text.trim().to_owned())
    }
}
