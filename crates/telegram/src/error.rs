//! How Bot API failures become the domain's [`MessengerError`].
//!
//! | What happened                                   | MessengerError                |
//! |-------------------------------------------------|-------------------------------|
//! | 429 after the retries (or a wait over the cap)  | `RateLimited{retry_after}`    |
//! | 403 (blocked, deactivated, kicked)              | `Unreachable(description)`    |
//! | any other 4xx                                   | `Rejected(description)`       |
//! | 5xx, timeout, connection error, malformed JSON  | `Unavailable(reason)`         |
//! | refused before calling (too long, bad data)     | `Rejected(reason)`            |
//!
//! Messages never contain the bot token: reqwest errors are stripped of their URL and every
//! message is scrubbed of the token as well.

use serde::Deserialize;
use thiserror::Error;
use wellness_domain::ports::MessengerError;

/// The client could not be built.
#[derive(Debug, Error)]
pub enum ClientError {
    /// The Bot API root is not an http(s) URL.
    #[error("the Bot API URL must start with http:// or https://, got {0:?}")]
    InvalidApiUrl(String),
    /// The token is empty or has characters that do not belong in a URL path.
    #[error("the bot token is empty or malformed")]
    InvalidToken,
    /// The HTTP client could not be created (TLS setup).
    #[error("cannot create the HTTP client: {0}")]
    Http(#[source] reqwest::Error),
}

/// One failed call, before it is mapped for the domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Telegram answered with an error envelope.
    Api {
        code: u16,
        description: String,
        retry_after: Option<u64>,
    },
    /// Timeout, connection failure, 5xx without an envelope, or an answer that did not parse.
    Unavailable(String),
    /// Refused before anything was sent.
    Refused(String),
}

impl Failure {
    pub(crate) fn is_api(&self, code: u16) -> bool {
        matches!(self, Self::Api { code: c, .. } if *c == code)
    }

    /// Whether Telegram's description contains `needle` (case-insensitive).
    pub(crate) fn says(&self, needle: &str) -> bool {
        match self {
            Self::Api { description, .. } => description
                .to_ascii_lowercase()
                .contains(&needle.to_ascii_lowercase()),
            _ => false,
        }
    }

    /// The domain's view of this failure.
    pub(crate) fn into_messenger_error(self) -> MessengerError {
        match self {
            Self::Api {
                code: 429,
                retry_after,
                ..
            } => MessengerError::RateLimited {
                retry_after_secs: retry_after.unwrap_or(1),
            },
            Self::Api {
                code: 403,
                description,
                ..
            } => MessengerError::Unreachable(description),
            Self::Api {
                code: 400..=499,
                description,
                ..
            } => MessengerError::Rejected(description),
            Self::Api {
                code, description, ..
            } => MessengerError::Unavailable(format!("{code}: {description}")),
            Self::Unavailable(reason) => MessengerError::Unavailable(reason),
            Self::Refused(reason) => MessengerError::Rejected(reason),
        }
    }

    /// Replaces every occurrence of `secret` in the message.
    pub(crate) fn scrubbed(self, secret: &str) -> Self {
        let scrub = |text: String| scrub(text, secret);
        match self {
            Self::Api {
                code,
                description,
                retry_after,
            } => Self::Api {
                code,
                description: scrub(description),
                retry_after,
            },
            Self::Unavailable(reason) => Self::Unavailable(scrub(reason)),
            Self::Refused(reason) => Self::Refused(scrub(reason)),
        }
    }
}

/// `text` with `secret` replaced.
pub(crate) fn scrub(text: String, secret: &str) -> String {
    if secret.is_empty() || !text.contains(secret) {
        text
    } else {
        text.replace(secret, "<token>")
    }
}

/// A reqwest error in words, without its URL (which holds the token).
pub(crate) fn describe_http_error(error: reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "cannot connect"
    } else if error.is_body() || error.is_decode() {
        "the answer broke off"
    } else {
        "request failed"
    };
    let error = error.without_url();
    let mut detail = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        detail = format!("{detail}: {cause}");
        source = cause.source();
    }
    format!("{kind}: {detail}")
}

impl From<reqwest::Error> for Failure {
    fn from(error: reqwest::Error) -> Self {
        Self::Unavailable(describe_http_error(error))
    }
}

impl From<frankenstein::Error> for Failure {
    fn from(error: frankenstein::Error) -> Self {
        match error {
            frankenstein::Error::Api(response) => Self::Api {
                code: u16::try_from(response.error_code).unwrap_or(u16::MAX),
                description: response.description,
                retry_after: response
                    .parameters
                    .and_then(|parameters| parameters.retry_after)
                    .map(u64::from),
            },
            // The body is left out: it may be large, and it says nothing the parser did not.
            frankenstein::Error::JsonDecode { source, .. } => {
                Self::Unavailable(format!("malformed answer: {source}"))
            }
            frankenstein::Error::JsonEncode { source, .. } => {
                Self::Refused(format!("cannot encode the request: {source}"))
            }
            frankenstein::Error::HttpReqwest(error) => Self::from(error),
            other => Self::Unavailable(other.to_string()),
        }
    }
}

/// Telegram's answer envelope: `{"ok":true,"result":…}` or
/// `{"ok":false,"error_code":…,"description":…,"parameters":{"retry_after":…}}`.
#[derive(Debug, Deserialize)]
struct Envelope<T> {
    ok: bool,
    result: Option<T>,
    error_code: Option<i64>,
    description: Option<String>,
    parameters: Option<ResponseParameters>,
}

#[derive(Debug, Deserialize)]
struct ResponseParameters {
    retry_after: Option<u64>,
}

/// Reads an answer of the Bot API from its status and body.
pub(crate) fn decode_answer<T: serde::de::DeserializeOwned>(
    status: reqwest::StatusCode,
    body: &[u8],
) -> Result<T, Failure> {
    match serde_json::from_slice::<Envelope<T>>(body) {
        Ok(Envelope {
            ok: true,
            result: Some(result),
            ..
        }) if status.is_success() => Ok(result),
        Ok(Envelope {
            ok: false,
            error_code,
            description,
            parameters,
            ..
        }) => Err(Failure::Api {
            code: error_code
                .and_then(|code| u16::try_from(code).ok())
                .unwrap_or(status.as_u16()),
            description: description.unwrap_or_else(|| status.to_string()),
            retry_after: parameters.and_then(|p| p.retry_after),
        }),
        Ok(_) => Err(Failure::Unavailable(format!(
            "unexpected answer with HTTP status {status}"
        ))),
        Err(error) if status.is_success() => {
            Err(Failure::Unavailable(format!("malformed answer: {error}")))
        }
        Err(_) => Err(Failure::Unavailable(format!(
            "HTTP status {status} without a Bot API answer"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;
    use serde_json::Value;

    use super::*;

    fn failure(status: u16, body: &str) -> Failure {
        let status = StatusCode::from_u16(status).unwrap();
        decode_answer::<Value>(status, body.as_bytes()).unwrap_err()
    }

    #[test]
    fn maps_each_kind_of_failure_to_the_domain_error() {
        let too_many = failure(
            429,
            r#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}"#,
        );
        assert_eq!(
            too_many.into_messenger_error(),
            MessengerError::RateLimited {
                retry_after_secs: 7
            }
        );
        let blocked = failure(
            403,
            r#"{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}"#,
        );
        assert_eq!(
            blocked.into_messenger_error(),
            MessengerError::Unreachable("Forbidden: bot was blocked by the user".into())
        );
        let bad = failure(
            400,
            r#"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#,
        );
        assert_eq!(
            bad.into_messenger_error(),
            MessengerError::Rejected("Bad Request: chat not found".into())
        );
        let internal = failure(
            500,
            r#"{"ok":false,"error_code":500,"description":"Internal Server Error"}"#,
        );
        assert!(matches!(
            internal.into_messenger_error(),
            MessengerError::Unavailable(_)
        ));
        let html = failure(502, "<html>Bad Gateway</html>");
        assert!(matches!(
            html.into_messenger_error(),
            MessengerError::Unavailable(_)
        ));
        let garbage = failure(200, "{\"ok\":tru");
        assert!(matches!(
            garbage.into_messenger_error(),
            MessengerError::Unavailable(_)
        ));
    }

    #[test]
    fn reads_a_successful_result() {
        let result: Value = decode_answer(StatusCode::OK, br#"{"ok":true,"result":true}"#).unwrap();
        assert_eq!(result, Value::Bool(true));
    }

    #[test]
    fn scrubs_the_token_from_messages() {
        let failure =
            Failure::Unavailable("GET /bot123:abc/getMe failed".into()).scrubbed("123:abc");
        assert_eq!(
            failure,
            Failure::Unavailable("GET /bot<token>/getMe failed".into())
        );
    }
}
