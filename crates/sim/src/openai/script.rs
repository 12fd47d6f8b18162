//! Scripted answers: what the next requests to an endpoint get instead of the deterministic
//! answer.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// An endpoint of the simulated API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// `POST /v1/chat/completions`.
    ChatCompletions,
    /// `POST /v1/audio/transcriptions`.
    Transcriptions,
}

impl Endpoint {
    /// Both endpoints.
    pub const ALL: [Endpoint; 2] = [Endpoint::ChatCompletions, Endpoint::Transcriptions];

    /// The path under the base URL (`/chat/completions`).
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::ChatCompletions => "/chat/completions",
            Endpoint::Transcriptions => "/audio/transcriptions",
        }
    }

    /// The snake_case name used by the control surface.
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::ChatCompletions => "chat_completions",
            Endpoint::Transcriptions => "transcriptions",
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One scripted answer. Over the control surface it is JSON tagged by `kind`, durations in
/// milliseconds: `{"kind":"rate_limited","retry_after_ms":200}`, `{"kind":"slow","delay_ms":500}`,
/// `{"kind":"content","content":"..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scripted {
    /// 200 with this content: `message.content` of a completion, or the transcript's text.
    Content {
        /// The text.
        content: String,
    },
    /// 200 with `message.refusal` set and `content` null (chat); on transcriptions, a 200 whose
    /// text is the refusal.
    Refusal {
        /// Why the model refused.
        refusal: String,
    },
    /// 200 whose content is cut-off JSON (`finish_reason: "length"`); on transcriptions, a 200
    /// whose body is cut-off JSON.
    MalformedJson,
    /// 429 `rate_limit_exceeded` with `retry-after-ms` and `retry-after` headers.
    RateLimited {
        /// What the headers ask for.
        #[serde(rename = "retry_after_ms", with = "millis")]
        retry_after: Duration,
    },
    /// 429 `insufficient_quota`, without retry headers.
    InsufficientQuota,
    /// 500 `server_error`.
    ServerError,
    /// 503, overloaded.
    Overloaded,
    /// Any error answer.
    Error {
        /// HTTP status.
        status: u16,
        /// `error.type`.
        #[serde(rename = "type")]
        kind: String,
        /// `error.code`.
        #[serde(default)]
        code: Option<String>,
        /// `error.message`.
        message: String,
    },
    /// The deterministic answer, after a pause.
    Slow {
        /// The pause.
        #[serde(rename = "delay_ms", with = "millis")]
        delay: Duration,
    },
    /// The connection is closed without a complete answer.
    Disconnect,
    /// 200 with an answer built from the request's context with one figure wrong
    /// (`{"kind":"lie","lie":"wrong_total"}`); a structured request gets a "general" reading
    /// whose reply lies.
    Lie {
        /// How it lies.
        lie: super::Lie,
    },
}

impl Scripted {
    /// A completion (or transcript) with this content.
    pub fn content(content: impl Into<String>) -> Self {
        Self::Content {
            content: content.into(),
        }
    }

    /// A completion whose content is this JSON, serialised.
    pub fn json(value: &serde_json::Value) -> Self {
        Self::content(value.to_string())
    }

    /// A refusal.
    pub fn refusal(refusal: impl Into<String>) -> Self {
        Self::Refusal {
            refusal: refusal.into(),
        }
    }

    /// 429 `rate_limit_exceeded`, asking to wait `retry_after`.
    pub fn rate_limited(retry_after: Duration) -> Self {
        Self::RateLimited { retry_after }
    }

    /// The deterministic answer after `delay`.
    pub fn slow(delay: Duration) -> Self {
        Self::Slow { delay }
    }

    /// An answer that lies this way.
    pub fn lie(lie: super::Lie) -> Self {
        Self::Lie { lie }
    }

    /// Any error answer.
    pub fn error(status: u16, kind: &str, code: Option<&str>, message: &str) -> Self {
        Self::Error {
            status,
            kind: kind.to_owned(),
            code: code.map(str::to_owned),
            message: message.to_owned(),
        }
    }

    /// The `kind` tag, for records and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Scripted::Content { .. } => "content",
            Scripted::Refusal { .. } => "refusal",
            Scripted::MalformedJson => "malformed_json",
            Scripted::RateLimited { .. } => "rate_limited",
            Scripted::InsufficientQuota => "insufficient_quota",
            Scripted::ServerError => "server_error",
            Scripted::Overloaded => "overloaded",
            Scripted::Error { .. } => "error",
            Scripted::Slow { .. } => "slow",
            Scripted::Disconnect => "disconnect",
            Scripted::Lie { .. } => "lie",
        }
    }
}

mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(value: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(value.as_millis()).unwrap_or(u64::MAX))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn scripted_answers_read_from_tagged_json_with_milliseconds() {
        let answers: Vec<Scripted> = serde_json::from_value(json!([
            {"kind": "rate_limited", "retry_after_ms": 250},
            {"kind": "slow", "delay_ms": 40},
            {"kind": "content", "content": "{}"},
            {"kind": "error", "status": 409, "type": "conflict", "message": "busy"},
            {"kind": "disconnect"}
        ]))
        .unwrap();
        assert_eq!(
            answers,
            vec![
                Scripted::rate_limited(Duration::from_millis(250)),
                Scripted::slow(Duration::from_millis(40)),
                Scripted::content("{}"),
                Scripted::error(409, "conflict", None, "busy"),
                Scripted::Disconnect,
            ]
        );
        assert_eq!(
            serde_json::to_value(Scripted::rate_limited(Duration::from_secs(1))).unwrap(),
            json!({"kind": "rate_limited", "retry_after_ms": 1000})
        );
    }
}
