//! OpenAI's error answers (`{"error":{"message","type","param","code"}}`) and the simulator's
//! own errors.

use std::time::Duration;

use serde_json::{Value, json};

/// An error answer of the OpenAI API, with its HTTP status and extra headers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {kind}: {message}")]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// `error.message`.
    pub message: String,
    /// `error.type`.
    pub kind: String,
    /// `error.param`.
    pub param: Option<String>,
    /// `error.code`.
    pub code: Option<String>,
    /// For a 429 `rate_limit_exceeded`: sent as `retry-after-ms` and `retry-after`.
    pub retry_after: Option<Duration>,
}

impl ApiError {
    /// An error with no `param`, `code` or extra headers.
    pub fn new(status: u16, kind: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            kind: kind.to_owned(),
            param: None,
            code: None,
            retry_after: None,
        }
    }

    /// Sets `error.param`.
    pub fn with_param(mut self, param: &str) -> Self {
        self.param = Some(param.to_owned());
        self
    }

    /// Sets `error.code`.
    pub fn with_code(mut self, code: &str) -> Self {
        self.code = Some(code.to_owned());
        self
    }

    /// 400 `invalid_request_error`.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(400, "invalid_request_error", message)
    }

    /// 400 for a required parameter that is absent.
    pub fn missing_parameter(param: &str) -> Self {
        Self::invalid_request(format!("Missing required parameter: '{param}'."))
            .with_param(param)
            .with_code("missing_required_parameter")
    }

    /// 401 without an `Authorization: Bearer` header.
    pub fn missing_api_key() -> Self {
        Self::new(
            401,
            "invalid_request_error",
            "You didn't provide an API key. You need to provide your API key in an Authorization \
             header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password \
             field (with blank username) if you're accessing the API from your browser and are \
             prompted for a username and password. You can obtain an API key from \
             https://platform.openai.com/account/api-keys.",
        )
    }

    /// 401 `invalid_api_key`; like OpenAI, the message shows the key's first 3 and last 4
    /// characters only.
    pub fn invalid_api_key(given: &str) -> Self {
        Self::new(
            401,
            "invalid_request_error",
            format!(
                "Incorrect API key provided: {}. You can find your API key at \
                 https://platform.openai.com/account/api-keys.",
                redact_key(given)
            ),
        )
        .with_code("invalid_api_key")
    }

    /// 404 for a path the API does not have.
    pub fn unknown_url(method: &str, path: &str) -> Self {
        Self::new(
            404,
            "invalid_request_error",
            format!("Invalid URL ({method} {path})"),
        )
    }

    /// 429 `rate_limit_exceeded` with `retry-after-ms` and `retry-after` (whole seconds, at
    /// least 1).
    pub fn rate_limited(model: &str, organization: &str, retry_after: Duration) -> Self {
        let millis = retry_after.as_millis();
        let mut error = Self::new(
            429,
            "requests",
            format!(
                "Rate limit reached for {model} in organization {organization} on requests per \
                 min (RPM): Limit 3, Used 3, Requested 1. Please try again in {millis}ms. Visit \
                 https://platform.openai.com/account/rate-limits to learn more."
            ),
        )
        .with_code("rate_limit_exceeded");
        error.retry_after = Some(retry_after);
        error
    }

    /// Headers beyond the usual ones: the retry hints of a rate limit.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let Some(retry_after) = self.retry_after else {
            return Vec::new();
        };
        let millis = retry_after.as_millis();
        vec![
            ("retry-after-ms", millis.to_string()),
            ("retry-after", millis.div_ceil(1000).max(1).to_string()),
            ("x-ratelimit-limit-requests", "3".to_owned()),
            ("x-ratelimit-remaining-requests", "0".to_owned()),
            ("x-ratelimit-reset-requests", format!("{millis}ms")),
        ]
    }

    /// 429 `insufficient_quota`: no retry headers, since waiting does not help.
    pub fn insufficient_quota() -> Self {
        Self::new(
            429,
            "insufficient_quota",
            "You exceeded your current quota, please check your plan and billing details. For \
             more information on this error, read the docs: \
             https://platform.openai.com/docs/guides/error-codes/api-errors.",
        )
        .with_code("insufficient_quota")
    }

    /// 500 `server_error`.
    pub fn server_error() -> Self {
        Self::new(
            500,
            "server_error",
            "The server had an error while processing your request. Sorry about that!",
        )
    }

    /// 503, the engine is overloaded.
    pub fn overloaded() -> Self {
        Self::new(
            503,
            "server_error",
            "The engine is currently overloaded, please try again later.",
        )
    }

    /// The JSON body OpenAI sends.
    pub fn to_json(&self) -> Value {
        json!({
            "error": {
                "message": self.message,
                "type": self.kind,
                "param": self.param,
                "code": self.code,
            }
        })
    }
}

/// `sk-abc***wxyz`: what OpenAI shows of a wrong key.
fn redact_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 8 {
        return "***".to_owned();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}***{tail}")
}

/// Errors of the simulator itself (not API answers).
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A wait ended before the client did what was expected.
    #[error("timed out after {waited:?}: {what}")]
    Timeout {
        /// How long it waited.
        waited: Duration,
        /// What was expected and what happened.
        what: String,
    },
}

impl From<crate::serve::BindFailure> for SimError {
    fn from(failure: crate::serve::BindFailure) -> Self {
        SimError::Bind {
            addr: failure.addr,
            source: failure.source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_key_is_shown_redacted() {
        let error = ApiError::invalid_api_key("sk-wrong-0123456789");
        assert!(error.message.contains("sk-***6789"), "{}", error.message);
        assert!(!error.message.contains("wrong-0123"));
        assert_eq!(error.to_json()["error"]["code"], "invalid_api_key");
    }

    #[test]
    fn rate_limits_round_retry_after_up_to_whole_seconds() {
        let error = ApiError::rate_limited("gpt-4o-mini", "org-sim", Duration::from_millis(1200));
        let headers = error.headers();
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(header("retry-after-ms").as_deref(), Some("1200"));
        assert_eq!(header("retry-after").as_deref(), Some("2"));
        assert!(ApiError::insufficient_quota().headers().is_empty());
    }
}
