//! Settings of the OpenAI adapter.

use std::time::Duration;

use thiserror::Error;
use wellness_domain::model::Secret;
use wellness_domain::retry::{Backoff, Jitter};

/// How failed calls are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (at least 1).
    pub max_attempts: u32,
    /// The waits between attempts when the server asks for none: 0.5 s doubling up to 8 s,
    /// less up to 25 % jitter.
    pub backoff: Backoff,
    /// The longest wait a `retry-after-ms` or `Retry-After` header can ask for; longer asks
    /// are cut to this.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// The official SDKs' policy: 3 attempts, 0.5 s doubling up to 8 s; a server's ask is
    /// honoured up to 20 s (a chat reply should not wait longer).
    fn default() -> Self {
        Self {
            max_attempts: 3,
            backoff: Backoff::new(Duration::from_millis(500), Duration::from_secs(8))
                .with_jitter(Jitter::Down(25)),
            max_retry_after: Duration::from_secs(20),
        }
    }
}

/// Settings of an [`crate::OpenAiClient`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenAiConfig {
    /// `https://api.openai.com/v1`, or a simulator's; a trailing slash is fine.
    pub base_url: String,
    /// The API key (sent as `Authorization: Bearer`).
    pub api_key: Secret,
    /// The chat model for `interpret` and `answer`.
    pub chat_model: String,
    /// The transcription model.
    pub transcription_model: String,
    /// Model that reads nutrition labels in photos (must accept images).
    pub vision_model: String,
    /// Time allowed for one chat completion call.
    pub chat_timeout: Duration,
    /// Time allowed for one transcription call (uploads take longer).
    pub transcription_timeout: Duration,
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// How failed calls are retried.
    pub retry: RetryPolicy,
    /// How many of the latest history messages go with each chat call.
    pub history_messages: usize,
}

impl OpenAiConfig {
    /// OpenAI's own API.
    pub const DEFAULT_BASE_URL: &'static str = "https://api.openai.com/v1";
    /// A small, cheap model that supports structured outputs.
    pub const DEFAULT_CHAT_MODEL: &'static str = "gpt-4o-mini";
    /// Whisper.
    pub const DEFAULT_TRANSCRIPTION_MODEL: &'static str = "whisper-1";
    /// A small model that reads images and supports structured outputs.
    pub const DEFAULT_VISION_MODEL: &'static str = "gpt-4o-mini";

    /// Defaults for everything but where to call and with which key.
    pub fn new(base_url: impl Into<String>, api_key: Secret) -> Self {
        Self {
            base_url: base_url.into(),
            api_key,
            chat_model: Self::DEFAULT_CHAT_MODEL.to_owned(),
            transcription_model: Self::DEFAULT_TRANSCRIPTION_MODEL.to_owned(),
            vision_model: Self::DEFAULT_VISION_MODEL.to_owned(),
            chat_timeout: Duration::from_secs(30),
            transcription_timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            history_messages: 20,
        }
    }
}

/// The adapter could not be built from its settings.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfigError {
    /// The base URL is not an http(s) URL.
    #[error("the OpenAI base URL must start with http:// or https://, got {0:?}")]
    InvalidBaseUrl(String),
    /// The key is empty or cannot be sent in a header.
    #[error("the OpenAI API key is empty or has characters a header cannot carry")]
    InvalidApiKey,
    /// A model name is empty.
    #[error("the OpenAI {0} model name is empty")]
    EmptyModel(&'static str),
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Http(String),
}
