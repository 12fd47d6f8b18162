//! Bot API errors with Telegram's codes and descriptions, and the simulator's own errors.

use std::time::Duration;

use serde_json::{Value, json};

/// An error answer of the Bot API: `{"ok":false,"error_code":…,"description":…,"parameters":…}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error_code}: {description}")]
pub struct ApiError {
    /// Also the HTTP status.
    pub error_code: u16,
    pub description: String,
    /// `parameters.retry_after` of a 429.
    pub retry_after: Option<u32>,
}

impl ApiError {
    fn new(error_code: u16, description: impl Into<String>) -> Self {
        Self {
            error_code,
            description: description.into(),
            retry_after: None,
        }
    }

    /// 400 `"Bad Request: <reason>"`.
    pub fn bad_request(reason: impl AsRef<str>) -> Self {
        Self::new(400, format!("Bad Request: {}", reason.as_ref()))
    }

    /// 401 for a wrong token.
    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized")
    }

    /// 403 `"Forbidden: <reason>"`.
    pub fn forbidden(reason: impl AsRef<str>) -> Self {
        Self::new(403, format!("Forbidden: {}", reason.as_ref()))
    }

    /// 404 for an unknown method or file.
    pub fn not_found() -> Self {
        Self::new(404, "Not Found")
    }

    /// 409 `"Conflict: <reason>"`.
    pub fn conflict(reason: impl AsRef<str>) -> Self {
        Self::new(409, format!("Conflict: {}", reason.as_ref()))
    }

    /// 413 for a request body over the upload limit.
    pub fn too_large() -> Self {
        Self::new(413, "Request Entity Too Large")
    }

    /// 429 with `parameters.retry_after`.
    pub fn too_many_requests(retry_after: u32) -> Self {
        Self {
            error_code: 429,
            description: format!("Too Many Requests: retry after {retry_after}"),
            retry_after: Some(retry_after),
        }
    }

    /// 400 "chat not found".
    pub fn chat_not_found() -> Self {
        Self::bad_request("chat not found")
    }

    /// The JSON body Telegram sends.
    pub fn to_json(&self) -> Value {
        let mut body = json!({
            "ok": false,
            "error_code": self.error_code,
            "description": self.description,
        });
        if let Some(retry_after) = self.retry_after {
            body["parameters"] = json!({ "retry_after": retry_after });
        }
        body
    }
}

/// Errors of the simulator's control API (not Bot API answers).
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    /// The user has no message with this id in their chat with the bot.
    #[error("message {message_id} not found in chat {chat_id}")]
    MessageNotFound { chat_id: i64, message_id: i64 },
    /// The message has no inline button with this callback data or label.
    #[error("message {message_id} in chat {chat_id} has no inline button {button:?}")]
    ButtonNotFound {
        chat_id: i64,
        message_id: i64,
        button: String,
    },
    /// A wait ended before the bot did what was expected.
    #[error("timed out after {waited:?}: {what}")]
    Timeout { waited: Duration, what: String },
}

impl From<crate::serve::BindFailure> for SimError {
    fn from(failure: crate::serve::BindFailure) -> Self {
        SimError::Bind {
            addr: failure.addr,
            source: failure.source,
        }
    }
}
