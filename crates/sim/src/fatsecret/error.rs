//! FatSecret's error answers, and the simulator's own errors.

use serde_json::{Value, json};

/// An error FatSecret answers with HTTP 200 and `{"error":{"code":N,"message":".."}}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("error {code}: {message}")]
pub struct ApiError {
    /// FatSecret's error code (a JSON number).
    pub code: u32,
    /// Its message.
    pub message: String,
}

impl ApiError {
    /// An error with this code and message.
    pub fn new(code: u32, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// 2: a required OAuth parameter is missing.
    pub fn missing_oauth(name: &str) -> Self {
        Self::new(2, format!("Missing required oauth parameter: {name}"))
    }

    /// 101: a required method parameter is missing.
    pub fn missing(name: &str) -> Self {
        Self::new(101, format!("Missing required parameter: {name}"))
    }

    /// 106: an id that does not exist (or is not this user's).
    pub fn invalid_id(name: &str, value: &str) -> Self {
        Self::new(106, format!("Invalid ID: {name} '{value}'"))
    }

    /// 107: a value out of range.
    pub fn out_of_range(name: &str, value: &str) -> Self {
        Self::new(107, format!("Value out of range: {name} '{value}'"))
    }

    /// 108: a date that is not a date_int.
    pub fn invalid_date(value: &str) -> Self {
        Self::new(108, format!("Invalid date: '{value}'"))
    }

    /// The JSON body.
    pub fn to_json(&self) -> Value {
        json!({ "error": { "code": self.code, "message": self.message } })
    }

    /// The XML body FatSecret's default format would carry.
    pub fn to_xml(&self) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n<error xmlns=\"http://platform.fatsecret.com/api/1.0/\">\n  <code>{}</code>\n  <message>{}</message>\n</error>\n",
            self.code,
            xml_escape(&self.message)
        )
    }
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Errors of the simulator's Rust and control API (not FatSecret answers).
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
    /// No pending request token has this value.
    #[error("no pending request token {0:?}")]
    UnknownRequestToken(String),
    /// The database has no such food, or the food no such serving.
    #[error("unknown food {food_id:?} or serving {serving_id:?}")]
    UnknownServing {
        /// The food asked for.
        food_id: String,
        /// The serving asked for.
        serving_id: String,
    },
    /// A number of units that is not positive.
    #[error("number_of_units must be positive, got {0}")]
    BadUnits(f64),
}

impl From<crate::serve::BindFailure> for SimError {
    fn from(failure: crate::serve::BindFailure) -> Self {
        SimError::Bind {
            addr: failure.addr,
            source: failure.source,
        }
    }
}
