//! The OpenAI adapter of the wellness bot.
//!
//! - [`OpenAiAssistant`]: the domain's [`Assistant`](wellness_domain::ports::Assistant) port.
//!   `interpret` asks a chat model for a strict JSON Schema answer
//!   ([`interpretation_response_format`]) and maps it to an
//!   [`Interpretation`](wellness_domain::ports::Interpretation); `answer` asks for plain text
//!   under a system prompt that allows only numbers found in the context JSON.
//! - [`OpenAiTranscriber`]: the [`Transcriber`](wellness_domain::ports::Transcriber) port over
//!   `/audio/transcriptions` (the voice note goes as `voice.ogg`, `audio/ogg`).
//! - [`OpenAiPhotoReader`]: the [`PhotoReader`](wellness_domain::ports::PhotoReader) port: a
//!   vision model (`vision_model`) reads a photo, sent as a base64 data URL, into a strict JSON
//!   Schema answer ([`photo_response_format`]): a nutrition label as printed, a meal's foods
//!   with estimated grams (never calories), or neither; failures map as for `AssistantError`
//!   below.
//! - [`OpenAiClient`]: the HTTP client all three share: base URL, API key, timeouts and the retry
//!   policy (408, 409, 429, 5xx, connection failures and timeouts; exponential backoff with
//!   jitter, honouring `retry-after-ms`, then `Retry-After`, capped; never a 429
//!   `insufficient_quota`).
//!
//! How failures map to the domain's errors:
//!
//! | what happened                                   | `AssistantError` | `TranscriptionError` |
//! |-------------------------------------------------|------------------|----------------------|
//! | 429 `insufficient_quota` (not retried)          | `QuotaExceeded`  | `QuotaExceeded`      |
//! | 408/409/429/5xx, connection failure, timeout, after the last attempt | `Unavailable` | `Unavailable` |
//! | 401/403 (not retried)                           | `Unavailable` ("refused the API key") | `Unavailable` |
//! | other 4xx (not retried)                         | `Unavailable` (`Refused` for a label photo: asking again gets the same) | `Rejected` (400/413/415), else `Unavailable` |
//! | `message.refusal`, or `finish_reason: content_filter` | `Refused`  | —                    |
//! | content that is not JSON, or not of the schema  | `Malformed`      | `Unavailable` (unreadable answer) |
//!
//! The API key is sent only in the `Authorization` header; no error or log line contains it.

mod assistant;
mod client;
mod config;
mod prompt;
mod retry;
mod schema;
mod transcriber;
mod vision;

pub use assistant::OpenAiAssistant;
pub use client::{OpenAiClient, RetryObserver};
pub use config::{ConfigError, OpenAiConfig, RetryPolicy};
pub use schema::{SCHEMA_NAME, interpretation_response_format};
pub use transcriber::OpenAiTranscriber;
pub use vision::{OpenAiPhotoReader, PHOTO_SCHEMA_NAME, photo_response_format};
