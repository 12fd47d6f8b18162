//! The WHOOP simulator, driven over real HTTP as an app would drive WHOOP.

// Test helpers outside #[test] functions: a panic is a test failure, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod control;
mod data;
mod limits;
mod oauth;
mod webhooks;

use std::collections::HashMap;

use serde_json::Value;
use wellness_sim::whoop::{RateLimits, WhoopSim, WhoopSimConfig};

/// The member every simulator starts with.
pub const ANN: i64 = 10129;

/// A simulator without rate limits, so tests that are not about them can call freely.
pub async fn start_sim() -> WhoopSim {
    start_with(WhoopSimConfig::default().with_rate_limits(RateLimits::disabled())).await
}

pub async fn start_with(config: WhoopSimConfig) -> WhoopSim {
    WhoopSim::start(config).await.expect("simulator starts")
}

/// A client that does not follow redirects (the tests read them).
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client")
}

/// GETs a data API path (`/v2/...`) with a bearer token; returns status, headers and JSON body.
pub async fn get(
    sim: &WhoopSim,
    token: &str,
    path_and_query: &str,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let response = http()
        .get(format!("{}{path_and_query}", sim.api_url()))
        .bearer_auth(token)
        .send()
        .await
        .expect("request reaches the simulator");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, headers, body)
}

/// A fresh access token for Ann.
pub fn ann_token(sim: &WhoopSim) -> String {
    sim.issue_tokens(ANN).expect("tokens").access_token
}

/// The query parameters of a redirect `Location`.
pub fn location_params(response: &reqwest::Response) -> (String, HashMap<String, String>) {
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .expect("a Location header")
        .to_str()
        .unwrap()
        .to_owned();
    let url = reqwest::Url::parse(&location).unwrap();
    let params = url.query_pairs().into_owned().collect();
    (location, params)
}
