//! The OpenAI simulator, driven over real HTTP as an OpenAI client would drive the API.

// Test helpers outside #[test] functions: a panic is a test failure, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod chat;
mod control;
mod scripting;
mod transcriptions;

use std::time::Duration;

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use wellness_sim::openai::{OpenAiSim, OpenAiSimConfig};

pub const WAIT: Duration = Duration::from_secs(5);

pub async fn start_sim() -> OpenAiSim {
    OpenAiSim::start(OpenAiSimConfig::default())
        .await
        .expect("simulator starts")
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("HTTP client")
}

/// The strict schema a food-logging client sends.
pub fn interpretation_schema() -> Value {
    let nullable = |kind: &str| json!({"type": [kind, "null"]});
    json!({
        "type": "json_schema",
        "json_schema": {
            "name": "interpretation",
            "strict": true,
            "schema": {
                "type": "object",
                "properties": {
                    "intent": {"type": "string", "enum": ["log_food", "query_data", "delete_entry", "set_goal", "general"]},
                    "items": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "said": {"type": "string"},
                                "lookup_name": {"type": "string"},
                                "grams": nullable("number"),
                                "portions": nullable("number"),
                                "unit": nullable("string"),
                                "meal": {"type": ["string", "null"], "enum": ["breakfast", "lunch", "dinner", "snack", null]}
                            },
                            "required": ["said", "lookup_name", "grams", "portions", "unit", "meal"],
                            "additionalProperties": false
                        }
                    },
                    "calorie_goal": nullable("integer"),
                    "reply": nullable("string")
                },
                "required": ["intent", "items", "calorie_goal", "reply"],
                "additionalProperties": false
            }
        }
    })
}

/// Posts a chat completion request with the simulator's key; returns the response.
pub async fn chat(sim: &OpenAiSim, body: Value) -> reqwest::Response {
    http()
        .post(format!("{}/chat/completions", sim.base_url()))
        .bearer_auth(sim.api_key())
        .json(&body)
        .send()
        .await
        .expect("request reaches the simulator")
}

/// A chat request whose last user message is `said`.
pub fn chat_body(said: &str, response_format: Value) -> Value {
    json!({
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": "You log food. Answer in JSON."},
            {"role": "user", "content": said}
        ],
        "response_format": response_format,
    })
}

/// `(status, JSON body)` of a response.
pub async fn status_and_json(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON body"))
}

/// A transcription form: `file` named `file_name`, with `model`, and `extra` text fields.
pub fn transcription_form(audio: Vec<u8>, file_name: &str, extra: &[(&str, &str)]) -> Form {
    let mut form = Form::new()
        .part(
            "file",
            Part::bytes(audio)
                .file_name(file_name.to_owned())
                .mime_str("audio/ogg")
                .unwrap(),
        )
        .text("model", "whisper-1");
    for (name, value) in extra {
        form = form.text((*name).to_owned(), (*value).to_owned());
    }
    form
}

pub async fn transcribe(sim: &OpenAiSim, form: Form) -> reqwest::Response {
    http()
        .post(format!("{}/audio/transcriptions", sim.base_url()))
        .bearer_auth(sim.api_key())
        .multipart(form)
        .send()
        .await
        .expect("request reaches the simulator")
}
