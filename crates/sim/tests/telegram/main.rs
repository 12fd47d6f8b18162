//! The Telegram simulator, driven over real HTTP as a bot would drive Telegram.

// Test helpers outside #[test] functions: a panic is a test failure, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod callbacks;
mod control;
mod envelope;
mod files;
mod frankenstein_client;
mod rate_limits;
mod sending;
mod updates;
mod webhook;

use std::time::Duration;

use serde_json::Value;
use wellness_sim::telegram::{RateLimits, SimConfig, SimUser, TelegramSim};

/// A simulator without flood limits, so tests that are not about them can send freely.
pub async fn start_sim() -> TelegramSim {
    start_with(SimConfig::default().with_rate_limits(RateLimits::disabled())).await
}

pub async fn start_with(config: SimConfig) -> TelegramSim {
    TelegramSim::start(config).await.expect("simulator starts")
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("HTTP client")
}

pub fn ann() -> SimUser {
    SimUser::new(1001, "Ann").with_language("uk")
}

pub fn bob() -> SimUser {
    SimUser::new(1002, "Bob").with_language("en")
}

/// Calls a Bot API method with a JSON body; returns the HTTP status and the body.
pub async fn call(sim: &TelegramSim, method: &str, params: Value) -> (u16, Value) {
    let response = http()
        .post(format!("{}/{method}", sim.bot_api_url()))
        .json(&params)
        .send()
        .await
        .expect("request reaches the simulator");
    let status = response.status().as_u16();
    let body = response.json().await.expect("JSON body");
    (status, body)
}

/// Calls a method that must succeed and returns its `result`.
pub async fn ok(sim: &TelegramSim, method: &str, params: Value) -> Value {
    let (status, body) = call(sim, method, params).await;
    assert_eq!(status, 200, "{method} failed: {body}");
    assert_eq!(body["ok"], true);
    body["result"].clone()
}

/// Calls a method that must fail; returns `(error_code, description)` after checking the
/// envelope and that the HTTP status equals the error code.
pub async fn fails(sim: &TelegramSim, method: &str, params: Value) -> (u16, String) {
    let (status, body) = call(sim, method, params).await;
    assert_eq!(body["ok"], false, "{method} should fail: {body}");
    assert_eq!(body["error_code"], status, "status equals error_code");
    (
        status,
        body["description"].as_str().unwrap_or_default().to_owned(),
    )
}

pub const WAIT: Duration = Duration::from_secs(5);
