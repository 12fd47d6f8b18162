//! HTTP routes: `/v1/chat/completions`, `/v1/audio/transcriptions` and the control surface
//! (`/__sim/openai/…`).

use std::collections::BTreeMap;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use rand::Rng as _;
use rand::distr::Alphanumeric;
use serde_json::{Value, json};

use super::audio::{SUPPORTED_EXTENSIONS, audio_fingerprint, duration_secs, extension, sniff};
use super::chat::{self, CUT_OFF_JSON};
use super::control;
use super::error::ApiError;
use super::lies;
use super::multipart;
use super::script::{Endpoint, Scripted};
use super::state::{RECORDED_HEADERS, RecordedFile, RecordedRequest, SimState};

/// Attaches every route of the OpenAI simulator.
pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .service(web::scope(control::PREFIX).configure(control::routes))
        .route("/v1/chat/completions", web::post().to(chat_completions))
        .route("/v1/audio/transcriptions", web::post().to(transcriptions));
}

/// Any other path: OpenAI's 404.
pub(crate) async fn not_found(request: HttpRequest) -> HttpResponse {
    Reply::Error(ApiError::unknown_url(
        request.method().as_str(),
        request.path(),
    ))
    .into_response(&request_id())
}

/// What a request gets.
enum Reply {
    Json(Value),
    Text(String),
    /// 200 with a body that is not what the content type promises.
    Raw(&'static str),
    Error(ApiError),
    /// The connection closes before the answer is complete.
    Drop,
}

impl Reply {
    fn status(&self) -> Option<u16> {
        match self {
            Reply::Json(_) | Reply::Text(_) | Reply::Raw(_) => Some(200),
            Reply::Error(error) => Some(error.status),
            Reply::Drop => None,
        }
    }

    fn into_response(self, request_id: &str) -> HttpResponse {
        let status = match &self {
            Reply::Error(error) => {
                StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
            _ => StatusCode::OK,
        };
        let mut response = HttpResponse::build(status);
        response
            .insert_header(("x-request-id", request_id))
            .insert_header(("openai-version", "2020-10-01"))
            .insert_header(("openai-processing-ms", "42"));
        match self {
            Reply::Json(body) => response.json(body),
            Reply::Text(text) => response
                .content_type("text/plain; charset=utf-8")
                .body(text),
            Reply::Raw(body) => response.content_type("application/json").body(body),
            Reply::Error(error) => {
                for (name, value) in error.headers() {
                    response.insert_header((name, value));
                }
                response.json(error.to_json())
            }
            Reply::Drop => response
                .content_type("application/json")
                .body(crate::faults::DroppedBody),
        }
    }
}

fn request_id() -> String {
    format!("req_{:032x}", rand::random::<u128>())
}

fn completion_id() -> String {
    let suffix: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(29)
        .map(char::from)
        .collect();
    format!("chatcmpl-{suffix}")
}

fn authorize(request: &HttpRequest, state: &SimState) -> Result<(), ApiError> {
    let token = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(ApiError::missing_api_key)?;
    if token == state.config.api_key {
        Ok(())
    } else {
        Err(ApiError::invalid_api_key(token))
    }
}

fn new_record(endpoint: Endpoint, request: &HttpRequest) -> RecordedRequest {
    let headers = RECORDED_HEADERS
        .iter()
        .filter_map(|name| {
            let value = request.headers().get(*name)?.to_str().ok()?;
            Some(((*name).to_owned(), value.to_owned()))
        })
        .collect();
    RecordedRequest {
        seq: 0,
        endpoint,
        model: None,
        body: None,
        fields: BTreeMap::new(),
        file: None,
        headers,
        status: None,
        scripted: None,
        received_at: chrono::Utc::now(),
    }
}

/// Records the request with what it gets, waits `delay`, answers.
async fn finish(
    state: &SimState,
    mut record: RecordedRequest,
    reply: Reply,
    delay: Duration,
) -> HttpResponse {
    record.status = reply.status();
    let endpoint = record.endpoint;
    state.record(record);
    if let Reply::Error(error) = &reply {
        tracing::debug!(%endpoint, %error, "openai simulator answers an error");
    }
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    reply.into_response(&request_id())
}

/// Reads the body, or the error OpenAI gives for one too large.
async fn read_body(payload: web::Payload, limit: usize) -> Result<Bytes, ApiError> {
    match payload.to_bytes_limited(limit).await {
        Ok(Ok(body)) => Ok(body),
        Ok(Err(_)) => Err(ApiError::invalid_request(
            "Could not read the request body.",
        )),
        Err(_) => Err(ApiError::invalid_request(format!(
            "Maximum content size limit ({limit}) exceeded."
        ))),
    }
}

/// What a scripted answer that is an error (or a drop) turns into; `None` for the others.
fn scripted_failure(scripted: &Scripted, model: &str, state: &SimState) -> Option<Reply> {
    Some(match scripted {
        Scripted::RateLimited { retry_after } => Reply::Error(ApiError::rate_limited(
            model,
            &state.config.organization,
            *retry_after,
        )),
        Scripted::InsufficientQuota => Reply::Error(ApiError::insufficient_quota()),
        Scripted::ServerError => Reply::Error(ApiError::server_error()),
        Scripted::Overloaded => Reply::Error(ApiError::overloaded()),
        Scripted::Error {
            status,
            kind,
            code,
            message,
        } => {
            let mut error = ApiError::new(*status, kind, message.clone());
            error.code.clone_from(code);
            Reply::Error(error)
        }
        Scripted::Disconnect => Reply::Drop,
        Scripted::Content { .. }
        | Scripted::Refusal { .. }
        | Scripted::MalformedJson
        | Scripted::Lie { .. }
        | Scripted::Slow { .. } => return None,
    })
}

async fn chat_completions(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<SimState>,
) -> HttpResponse {
    let mut record = new_record(Endpoint::ChatCompletions, &request);
    let body = match read_body(payload, state.config.max_json_bytes).await {
        Ok(body) => body,
        Err(error) => return finish(&state, record, Reply::Error(error), Duration::ZERO).await,
    };
    record.body = serde_json::from_slice(&body).ok();
    record.model = record
        .body
        .as_ref()
        .and_then(|b| b.get("model"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Err(error) = authorize(&request, &state) {
        return finish(&state, record, Reply::Error(error), Duration::ZERO).await;
    }
    let chat = match chat::parse_request(record.body.as_ref()) {
        Ok(chat) => chat,
        Err(error) => return finish(&state, record, Reply::Error(error), Duration::ZERO).await,
    };
    let scripted = state.next_scripted(Endpoint::ChatCompletions);
    record.scripted = scripted.as_ref().map(|s| s.kind().to_owned());
    let id = completion_id();
    let prompt_tokens = chat.prompt_tokens();
    let answer = |content: Option<&str>, refusal: Option<&str>, finish_reason: &str| {
        Reply::Json(chat::completion(
            &id,
            &chat.model,
            content,
            refusal,
            finish_reason,
            prompt_tokens,
        ))
    };
    let mut delay = Duration::ZERO;
    let sight = chat
        .images
        .iter()
        .find_map(|image| state.sight(&audio_fingerprint(image)));
    let reply = match &scripted {
        Some(Scripted::Content { content }) => answer(Some(content), None, "stop"),
        Some(Scripted::Refusal { refusal }) => answer(None, Some(refusal), "stop"),
        Some(Scripted::MalformedJson) => answer(Some(CUT_OFF_JSON), None, "length"),
        Some(Scripted::Lie { lie }) => answer(Some(&lies::content(*lie, &chat)), None, "stop"),
        Some(other) => match scripted_failure(other, &chat.model, &state) {
            Some(reply) => reply,
            None => {
                if let Scripted::Slow { delay: pause } = other {
                    delay = *pause;
                }
                answer(
                    Some(&chat.deterministic_content(sight.as_ref())),
                    None,
                    "stop",
                )
            }
        },
        None => answer(
            Some(&chat.deterministic_content(sight.as_ref())),
            None,
            "stop",
        ),
    };
    finish(&state, record, reply, delay).await
}

/// Transcription models the endpoint knows.
fn known_transcription_model(model: &str) -> bool {
    model == "whisper-1"
        || model.starts_with("gpt-4o-transcribe")
        || model.starts_with("gpt-4o-mini-transcribe")
}

const RESPONSE_FORMATS: [&str; 5] = ["json", "text", "srt", "verbose_json", "vtt"];

/// A validated transcription request.
struct Transcription {
    model: String,
    language: Option<String>,
    format: String,
    audio: Vec<u8>,
}

fn validate_transcription(
    fields: &BTreeMap<String, String>,
    file: Option<multipart::Part>,
    max_bytes: usize,
) -> Result<Transcription, ApiError> {
    let Some(file) = file else {
        return Err(ApiError::missing_parameter("file"));
    };
    let model = fields
        .get("model")
        .filter(|m| !m.is_empty())
        .ok_or_else(|| ApiError::invalid_request("you must provide a model parameter"))?
        .clone();
    if !known_transcription_model(&model) {
        return Err(ApiError::new(
            404,
            "invalid_request_error",
            format!("The model `{model}` does not exist or you do not have access to it."),
        )
        .with_param("model")
        .with_code("model_not_found"));
    }
    let extension = file.file_name.as_deref().and_then(extension);
    if !extension.is_some_and(|e| SUPPORTED_EXTENSIONS.contains(&e.as_str())) {
        let listed = SUPPORTED_EXTENSIONS
            .iter()
            .map(|e| format!("'{e}'"))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(ApiError::invalid_request(format!(
            "Invalid file format. Supported formats: [{listed}]"
        )));
    }
    if file.bytes.is_empty() {
        return Err(ApiError::invalid_request(
            "Audio file is too short. Minimum audio length is 0.1 seconds.",
        )
        .with_param("file")
        .with_code("audio_too_short"));
    }
    if file.bytes.len() > max_bytes {
        return Err(ApiError::invalid_request(format!(
            "Maximum content size limit ({max_bytes}) exceeded ({} bytes read)",
            file.bytes.len()
        )));
    }
    if sniff(&file.bytes).is_none() {
        return Err(ApiError::invalid_request(
            "The audio file could not be decoded or its format is not supported.",
        )
        .with_param("file"));
    }
    let language = fields.get("language").filter(|l| !l.is_empty()).cloned();
    if let Some(language) = &language
        && !(language.len() == 2 && language.chars().all(|c| c.is_ascii_lowercase()))
    {
        return Err(ApiError::invalid_request(format!(
            "Invalid language '{language}'. Language parameter must be specified in ISO-639-1 \
             format."
        ))
        .with_param("language")
        .with_code("invalid_value"));
    }
    let format = fields
        .get("response_format")
        .cloned()
        .unwrap_or_else(|| "json".to_owned());
    if !RESPONSE_FORMATS.contains(&format.as_str()) {
        return Err(ApiError::invalid_request(format!(
            "Invalid value: '{format}'. Supported values are: 'json', 'text', 'srt', \
             'verbose_json', and 'vtt'."
        ))
        .with_param("response_format")
        .with_code("invalid_value"));
    }
    if model != "whisper-1" && !matches!(format.as_str(), "json" | "text") {
        return Err(ApiError::invalid_request(format!(
            "response_format '{format}' is not compatible with model '{model}'. Use 'json' or \
             'text' instead."
        ))
        .with_param("response_format")
        .with_code("unsupported_value"));
    }
    Ok(Transcription {
        model,
        language,
        format,
        audio: file.bytes,
    })
}

/// `00:00:03,000` (SRT) or `00:00:03.000` (VTT).
fn timestamp(seconds: f64, separator: char) -> String {
    // A voice note's length in ms: small and positive.
    let millis = (seconds * 1000.0).round() as u64;
    format!(
        "{:02}:{:02}:{:02}{separator}{:03}",
        millis / 3_600_000,
        millis / 60_000 % 60,
        millis / 1000 % 60,
        millis % 1000
    )
}

fn render_transcript(job: &Transcription, text: &str) -> Reply {
    let seconds = duration_secs(&job.audio);
    let usage = if job.model == "whisper-1" {
        json!({"type": "duration", "seconds": seconds.ceil()})
    } else {
        let output = text.chars().count() / 4 + 1;
        // Roughly 10 audio tokens a second.
        let input = (seconds * 10.0).ceil() as usize;
        json!({
            "type": "tokens",
            "input_tokens": input,
            "output_tokens": output,
            "total_tokens": input + output,
            "input_token_details": {"audio_tokens": input, "text_tokens": 0},
        })
    };
    match job.format.as_str() {
        "text" => Reply::Text(format!("{text}\n")),
        "srt" => Reply::Text(format!(
            "1\n{} --> {}\n{text}\n\n",
            timestamp(0.0, ','),
            timestamp(seconds, ',')
        )),
        "vtt" => Reply::Text(format!(
            "WEBVTT\n\n{} --> {}\n{text}\n\n",
            timestamp(0.0, '.'),
            timestamp(seconds, '.')
        )),
        "verbose_json" => {
            let language = match job.language.as_deref() {
                Some("uk") => "ukrainian",
                _ => "english",
            };
            Reply::Json(json!({
                "task": "transcribe",
                "language": language,
                "duration": seconds,
                "text": text,
                "segments": [{
                    "id": 0, "seek": 0, "start": 0.0, "end": seconds, "text": format!(" {text}"),
                    "tokens": [], "temperature": 0.0, "avg_logprob": -0.25,
                    "compression_ratio": 1.0, "no_speech_prob": 0.01,
                }],
                "usage": usage,
            }))
        }
        _ => Reply::Json(json!({"text": text, "usage": usage})),
    }
}

async fn transcriptions(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<SimState>,
) -> HttpResponse {
    let mut record = new_record(Endpoint::Transcriptions, &request);
    // Room for the multipart framing and the other fields around a file at the limit.
    let limit = state.config.max_audio_bytes.saturating_add(1024 * 1024);
    let body = match read_body(payload, limit).await {
        Ok(body) => body,
        Err(error) => return finish(&state, record, Reply::Error(error), Duration::ZERO).await,
    };
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let parts = if content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        multipart::boundary(&content_type).and_then(|b| multipart::parse(&body, &b))
    } else {
        None
    };
    let mut file = None;
    for part in parts.iter().flatten() {
        if part.file_name.is_some() || part.name == "file" {
            if part.name == "file" {
                file = Some(part.clone());
            }
            record.file = Some(RecordedFile {
                field: part.name.clone(),
                file_name: part.file_name.clone(),
                content_type: part.content_type.clone(),
                size: part.bytes.len(),
                fingerprint: audio_fingerprint(&part.bytes),
            });
        } else {
            let text = String::from_utf8_lossy(&part.bytes).into_owned();
            record.fields.insert(part.name.clone(), text);
        }
    }
    record.model = record.fields.get("model").cloned();
    if let Err(error) = authorize(&request, &state) {
        return finish(&state, record, Reply::Error(error), Duration::ZERO).await;
    }
    if parts.is_none() {
        let error = if content_type
            .to_ascii_lowercase()
            .starts_with("multipart/form-data")
        {
            ApiError::invalid_request("Could not parse multipart form")
        } else {
            ApiError::invalid_request(format!(
                "Invalid Content-Type header ({content_type}), expected multipart/form-data. \
                 (HINT: If you're using curl, you can pass -H 'Content-Type: \
                 multipart/form-data')"
            ))
        };
        return finish(&state, record, Reply::Error(error), Duration::ZERO).await;
    }
    let job = match validate_transcription(&record.fields, file, state.config.max_audio_bytes) {
        Ok(job) => job,
        Err(error) => return finish(&state, record, Reply::Error(error), Duration::ZERO).await,
    };
    let scripted = state.next_scripted(Endpoint::Transcriptions);
    record.scripted = scripted.as_ref().map(|s| s.kind().to_owned());
    let deterministic = || {
        state
            .transcript(&audio_fingerprint(&job.audio))
            .unwrap_or_else(|| match job.language.as_deref() {
                Some("uk") => state.config.default_transcript_uk.clone(),
                _ => state.config.default_transcript_en.clone(),
            })
    };
    let mut delay = Duration::ZERO;
    let reply = match &scripted {
        Some(Scripted::Content { content: text } | Scripted::Refusal { refusal: text }) => {
            render_transcript(&job, text)
        }
        Some(Scripted::MalformedJson) => Reply::Raw("{\"text\": \"I had"),
        Some(other) => match scripted_failure(other, &job.model, &state) {
            Some(reply) => reply,
            None => {
                if let Scripted::Slow { delay: pause } = other {
                    delay = *pause;
                }
                render_transcript(&job, &deterministic())
            }
        },
        None => render_transcript(&job, &deterministic()),
    };
    finish(&state, record, reply, delay).await
}
