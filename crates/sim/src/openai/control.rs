//! The control surface over HTTP, for a simulator in another process (the standalone binary or
//! the sandbox). Everything the Rust API does is here too:
//!
//! | method and path                    | body / query                                              | answer |
//! |------------------------------------|-----------------------------------------------------------|--------|
//! | `POST /__sim/openai/script`        | `{"endpoint":"chat_completions","answers":[{"kind":"server_error"}],"times":1}` | `{"queued"}` |
//! | `POST /__sim/openai/transcripts`   | `{"audio_base64":"…","text":"…"}` or `{"fingerprint":"fnv1a64:…","text":"…"}` | `{"fingerprint"}` |
//! | `GET  /__sim/openai/requests`      | `?endpoint=&after_seq=&wait_ms=`                          | `[RecordedRequest]` |
//! | `GET  /__sim/openai/state`         |                                                           | `OpenAiSimSummary` |
//! | `POST /__sim/openai/reset`         |                                                           | `{}` |
//!
//! `endpoint` is `chat_completions` or `transcriptions`; answers are [`super::Scripted`] as JSON
//! (`{"kind":"rate_limited","retry_after_ms":200}`, `{"kind":"content","content":"…"}`, ...).
//! `times` repeats the list (default 1).

use std::time::Duration;

use actix_web::{HttpResponse, web};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::json;

use super::audio::audio_fingerprint;
use super::script::{Endpoint, Scripted};
use super::state::SimState;

/// Where the control surface lives.
pub(crate) const PREFIX: &str = "/__sim/openai";

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/script", web::post().to(script))
        .route("/transcripts", web::post().to(register_transcript))
        .route("/requests", web::get().to(requests))
        .route("/state", web::get().to(summary))
        .route("/reset", web::post().to(reset));
}

fn bad_request(message: impl std::fmt::Display) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({ "error": message.to_string() }))
}

#[derive(Deserialize)]
struct ScriptRequest {
    endpoint: Endpoint,
    answers: Vec<Scripted>,
    #[serde(default = "one")]
    times: usize,
}

fn one() -> usize {
    1
}

async fn script(state: web::Data<SimState>, body: web::Json<ScriptRequest>) -> HttpResponse {
    let ScriptRequest {
        endpoint,
        answers,
        times,
    } = body.into_inner();
    let queued = answers.len() * times;
    state.enqueue(endpoint, std::iter::repeat_n(answers, times).flatten());
    HttpResponse::Ok().json(json!({ "queued": queued }))
}

#[derive(Deserialize)]
struct TranscriptRequest {
    audio_base64: Option<String>,
    fingerprint: Option<String>,
    text: String,
}

async fn register_transcript(
    state: web::Data<SimState>,
    body: web::Json<TranscriptRequest>,
) -> HttpResponse {
    let TranscriptRequest {
        audio_base64,
        fingerprint,
        text,
    } = body.into_inner();
    let fingerprint = match (audio_base64, fingerprint) {
        (Some(encoded), _) => match base64::engine::general_purpose::STANDARD.decode(encoded) {
            Ok(audio) => audio_fingerprint(&audio),
            Err(error) => return bad_request(format!("audio_base64: {error}")),
        },
        (None, Some(fingerprint)) => fingerprint,
        (None, None) => return bad_request("audio_base64 or fingerprint is required"),
    };
    state.register_transcript(fingerprint.clone(), text);
    HttpResponse::Ok().json(json!({ "fingerprint": fingerprint }))
}

#[derive(Deserialize)]
struct RequestsQuery {
    endpoint: Option<Endpoint>,
    after_seq: Option<u64>,
    /// Hold the request until a matching record exists, up to this long.
    wait_ms: Option<u64>,
}

async fn requests(state: web::Data<SimState>, query: web::Query<RequestsQuery>) -> HttpResponse {
    let RequestsQuery {
        endpoint,
        after_seq,
        wait_ms,
    } = query.into_inner();
    if let Some(wait_ms) = wait_ms {
        let wait = Duration::from_millis(wait_ms.min(60_000));
        state
            .wait_for_requests(wait, |records| {
                records
                    .iter()
                    .any(|r| {
                        endpoint.is_none_or(|e| r.endpoint == e)
                            && after_seq.is_none_or(|after| r.seq > after)
                    })
                    .then_some(())
            })
            .await;
    }
    HttpResponse::Ok().json(state.requests(endpoint, after_seq))
}

async fn summary(state: web::Data<SimState>) -> HttpResponse {
    HttpResponse::Ok().json(state.summary())
}

async fn reset(state: web::Data<SimState>) -> HttpResponse {
    state.reset();
    HttpResponse::Ok().json(json!({}))
}
