//! The HTTP client both ports share: base URL, key, timeouts and the retry loop.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::RequestBuilder;
use reqwest::header::HeaderValue;
use serde::Deserialize;

use crate::config::{ConfigError, OpenAiConfig};
use crate::retry::{RetryHint, delay, retryable_status};

/// Told of each retry a client makes (after a failed attempt, before its pause), so an
/// operator can see backoff in metrics.
pub type RetryObserver = Arc<dyn Fn() + Send + Sync>;

/// The OpenAI API for one key. Cheap to clone; clones share the HTTP connections.
#[derive(Clone)]
pub struct OpenAiClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// Without a trailing slash.
    base_url: String,
    config: OpenAiConfig,
    on_retry: std::sync::OnceLock<RetryObserver>,
}

impl fmt::Debug for OpenAiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The config's Debug hides the key.
        f.debug_struct("OpenAiClient")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// A successful (2xx) answer.
#[derive(Debug)]
pub(crate) struct Answer {
    pub body: Vec<u8>,
    pub request_id: Option<String>,
}

/// Why a call failed, after retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CallError {
    /// 429 `insufficient_quota`.
    QuotaExceeded,
    /// 401 or 403: the key was refused. The server's message is not kept (it echoes part of
    /// the key).
    Unauthorized { status: u16 },
    /// A 4xx that retrying will not fix.
    Rejected { status: u16, detail: String },
    /// Retryable failures until the attempts ran out, or a transport failure.
    Unavailable(String),
}

/// OpenAI's error envelope.
#[derive(Debug, Deserialize)]
struct Envelope {
    error: ApiError,
}

#[derive(Debug, Deserialize)]
struct ApiError {
    #[serde(default)]
    message: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    code: Option<String>,
}

/// One failed attempt.
struct Failure {
    /// Whether another attempt may help.
    retryable: bool,
    /// What the server asked for.
    hint: RetryHint,
    error: CallError,
}

impl OpenAiClient {
    /// A client for `config`'s base URL and key.
    pub fn new(config: OpenAiConfig) -> Result<Self, ConfigError> {
        let base_url = config.base_url.trim().trim_end_matches('/').to_owned();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(ConfigError::InvalidBaseUrl(config.base_url.clone()));
        }
        let key = config.api_key.expose();
        if key.trim().is_empty() || HeaderValue::from_str(&format!("Bearer {key}")).is_err() {
            return Err(ConfigError::InvalidApiKey);
        }
        if config.chat_model.trim().is_empty() {
            return Err(ConfigError::EmptyModel("chat"));
        }
        if config.transcription_model.trim().is_empty() {
            return Err(ConfigError::EmptyModel("transcription"));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            // The key is in a header: never carry it to another host.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("wellness-openai/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| ConfigError::Http(error.without_url().to_string()))?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base_url,
                config,
                on_retry: std::sync::OnceLock::new(),
            }),
        })
    }

    /// Tells `observer` of every retry (429, 5xx, timeout, connection failure). Set once; later
    /// calls are ignored.
    pub fn observe_retries(&self, observer: RetryObserver) {
        let _ = self.inner.on_retry.set(observer);
    }

    /// Its settings.
    pub fn config(&self) -> &OpenAiConfig {
        &self.inner.config
    }

    /// POSTs to `{base_url}{path}`, retrying as the policy says. `build` adds the body; it is
    /// called once per attempt.
    pub(crate) async fn post(
        &self,
        path: &str,
        timeout: Duration,
        build: impl Fn(RequestBuilder) -> RequestBuilder,
    ) -> Result<Answer, CallError> {
        let url = format!("{}{path}", self.inner.base_url);
        let policy = self.inner.config.retry;
        let max_attempts = policy.max_attempts.max(1);
        let mut attempt = 1;
        loop {
            let request = build(self.inner.http.post(&url))
                .bearer_auth(self.inner.config.api_key.expose())
                .timeout(timeout);
            let failure = match self.attempt(request).await {
                Ok(answer) => return Ok(answer),
                Err(failure) => failure,
            };
            if !failure.retryable || attempt >= max_attempts {
                return Err(match failure.error {
                    CallError::Unavailable(detail) if attempt > 1 => CallError::Unavailable(
                        format!("{detail} (gave up after {attempt} attempts)"),
                    ),
                    other => other,
                });
            }
            let wait = delay(attempt, failure.hint.retry_after, &policy);
            tracing::warn!(
                path,
                attempt,
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                error = ?failure.error,
                "OpenAI call failed; retrying"
            );
            if let Some(observer) = self.inner.on_retry.get() {
                observer();
            }
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    async fn attempt(&self, request: RequestBuilder) -> Result<Answer, Failure> {
        let response = request.send().await.map_err(transport_failure)?;
        let status = response.status().as_u16();
        let request_id = response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let hint = RetryHint::from_headers(response.headers(), chrono::Utc::now());
        let body = response.bytes().await.map_err(transport_failure)?;
        if (200..300).contains(&status) {
            return Ok(Answer {
                body: body.to_vec(),
                request_id,
            });
        }
        let api_error = serde_json::from_slice::<Envelope>(&body)
            .ok()
            .map(|e| e.error);
        let code = api_error.as_ref().and_then(|e| e.code.as_deref());
        let kind = api_error.as_ref().and_then(|e| e.kind.as_deref());
        if status == 429
            && (code == Some("insufficient_quota") || kind == Some("insufficient_quota"))
        {
            return Err(Failure {
                retryable: false,
                hint,
                error: CallError::QuotaExceeded,
            });
        }
        if matches!(status, 401 | 403) {
            return Err(Failure {
                retryable: false,
                hint,
                error: CallError::Unauthorized { status },
            });
        }
        let detail = self.describe(status, api_error.as_ref(), &body, request_id.as_deref());
        let retryable = hint
            .should_retry
            .unwrap_or_else(|| retryable_status(status));
        let error = if retryable_status(status) {
            CallError::Unavailable(detail)
        } else {
            CallError::Rejected { status, detail }
        };
        Err(Failure {
            retryable,
            hint,
            error,
        })
    }

    /// `HTTP 500 server_error: <message> (request req_…)`, with the key scrubbed from the
    /// server's words.
    fn describe(
        &self,
        status: u16,
        error: Option<&ApiError>,
        body: &[u8],
        request_id: Option<&str>,
    ) -> String {
        let label = error
            .and_then(|e| e.code.as_deref().or(e.kind.as_deref()))
            .map(|c| format!(" {c}"))
            .unwrap_or_default();
        let message = match error.and_then(|e| e.message.as_deref()) {
            Some(message) => message.to_owned(),
            None => String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
        };
        let message = scrub(&message, self.inner.config.api_key.expose());
        let request = request_id
            .map(|id| format!(" (request {id})"))
            .unwrap_or_default();
        format!("HTTP {status}{label}: {message}{request}")
    }
}

/// Removes the key from a text the server wrote.
fn scrub(text: &str, key: &str) -> String {
    if key.is_empty() {
        text.to_owned()
    } else {
        text.replace(key, "***")
    }
}

fn transport_failure(error: reqwest::Error) -> Failure {
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "the connection broke while reading the answer"
    } else {
        "the request failed"
    };
    // The URL holds no secret, but the path is noise here; the cause says what broke.
    let cause = std::error::Error::source(&error)
        .map(|source| format!(": {source}"))
        .unwrap_or_default();
    Failure {
        retryable: true,
        hint: RetryHint::default(),
        error: CallError::Unavailable(format!("OpenAI {what}{cause}")),
    }
}
