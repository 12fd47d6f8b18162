//! The FatSecret simulator, driven over real HTTP the way a FatSecret client drives FatSecret.
//! Requests are signed by `oauth1-request` or by the hand-written signer below, never by the
//! simulator's own code.

// Test helpers outside #[test] functions: a panic is a test failure, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod control;
mod diary;
mod faults;
mod flow;
mod foods;
mod signatures;

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use oauth1_request as oauth;
use serde_json::Value;
use sha1::Sha1;
use wellness_sim::fatsecret::{FatSecretSim, FatSecretSimConfig, SimTokens};

pub async fn start_sim() -> FatSecretSim {
    start_with(FatSecretSimConfig::default()).await
}

pub async fn start_with(config: FatSecretSimConfig) -> FatSecretSim {
    FatSecretSim::start(config).await.expect("simulator starts")
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client")
}

/// `oauth1-request`'s signature of `params` plus the `oauth_*` ones, form-encoded.
pub fn signed_form(
    http_method: &str,
    url: &str,
    params: &[(&str, &str)],
    consumer: (&str, &str),
    token: Option<(&str, &str)>,
) -> String {
    let list: oauth::ParameterList<&str, &str> = params.iter().copied().collect();
    let mut builder = oauth::Builder::<_, _>::new(
        oauth::Credentials::new(consumer.0, consumer.1),
        oauth::HmacSha1::new(),
    );
    builder.version(true);
    if let Some((t, s)) = token {
        builder.token(oauth::Credentials::new(t, s));
    }
    let oauth_part = builder.to_form(http_method, url, &list);
    let own = oauth::to_form(&list);
    if own.is_empty() {
        oauth_part
    } else {
        format!("{own}&{oauth_part}")
    }
}

/// Calls server.api with a POST form signed by `oauth1-request`; returns the JSON answer.
pub async fn api(sim: &FatSecretSim, params: &[(&str, &str)], token: Option<&SimTokens>) -> Value {
    let body = signed_form(
        "POST",
        &sim.server_api_url(),
        params,
        (sim.consumer_key(), sim.consumer_secret()),
        token.map(|t| (t.oauth_token.as_str(), t.oauth_token_secret.as_str())),
    );
    post_form(&sim.server_api_url(), body).await.1
}

/// Like [`api`] with a GET and the parameters in the query.
pub async fn api_get(
    sim: &FatSecretSim,
    params: &[(&str, &str)],
    token: Option<&SimTokens>,
) -> Value {
    let query = signed_form(
        "GET",
        &sim.server_api_url(),
        params,
        (sim.consumer_key(), sim.consumer_secret()),
        token.map(|t| (t.oauth_token.as_str(), t.oauth_token_secret.as_str())),
    );
    let response = http()
        .get(format!("{}?{query}", sim.server_api_url()))
        .send()
        .await
        .expect("request reaches the simulator");
    assert_eq!(response.status(), 200);
    response.json().await.expect("JSON")
}

/// POSTs server.api `params` signed with the consumer key alone; the raw answer, for tests of
/// what is not a JSON answer.
pub async fn post_signed(sim: &FatSecretSim, params: &[(&str, &str)]) -> reqwest::Response {
    let body = signed_form(
        "POST",
        &sim.server_api_url(),
        params,
        (sim.consumer_key(), sim.consumer_secret()),
        None,
    );
    http()
        .post(sim.server_api_url())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("request reaches the simulator")
}

pub async fn post_form(url: &str, body: String) -> (u16, Value) {
    let response = http()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("request reaches the simulator");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The error code of an answer, if it is an error.
pub fn error_code(answer: &Value) -> Option<u64> {
    answer["error"]["code"].as_u64()
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// RFC 3986 encoding, written here independently of the simulator and of `oauth1-request`.
pub fn pct(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A hand-made HMAC-SHA1 signature (RFC 5849 §3.4) of `params` (without oauth_signature).
pub fn hand_signature(
    http_method: &str,
    url: &str,
    params: &[(String, String)],
    consumer_secret: &str,
    token_secret: &str,
) -> String {
    let mut pairs: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect();
    pairs.sort();
    let base = format!("{http_method}&{}&{}", pct(url), pct(&pairs.join("&")));
    let key = format!("{}&{}", pct(consumer_secret), pct(token_secret));
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(base.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Standard OAuth parameters for a hand-signed request.
pub fn oauth_params(consumer_key: &str, nonce: &str, timestamp: u64) -> Vec<(String, String)> {
    vec![
        ("oauth_consumer_key".into(), consumer_key.into()),
        ("oauth_nonce".into(), nonce.into()),
        ("oauth_signature_method".into(), "HMAC-SHA1".into()),
        ("oauth_timestamp".into(), timestamp.to_string()),
        ("oauth_version".into(), "1.0".into()),
    ]
}

/// Form-encodes pairs.
pub fn encode(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect::<Vec<_>>()
        .join("&")
}
