//! The FatSecret adapter against the FatSecret simulator, over real HTTP.

// Test helpers outside #[test] functions: a panic is a test failure, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod catalog;
mod connect;
mod diary;
mod signing;

use std::time::Duration;

use chrono::NaiveDate;
use wellness_domain::model::{LocalDate, Secret, Tokens};
use wellness_fatsecret::{ClientOptions, FatSecretClient, FatSecretConfig};
use wellness_sim::fatsecret::{FatSecretSim, FatSecretSimConfig};

/// Short timeouts keep the fault tests fast.
pub const OPTIONS: ClientOptions = ClientOptions {
    request_timeout: Duration::from_millis(400),
    connect_timeout: Duration::from_millis(400),
};

pub async fn start_sim() -> FatSecretSim {
    start_with(FatSecretSimConfig::default()).await
}

pub async fn start_with(config: FatSecretSimConfig) -> FatSecretSim {
    FatSecretSim::start(config.with_fault_hold(Duration::from_millis(1500)))
        .await
        .expect("simulator starts")
}

/// A client for the simulator: both roots at its address, its consumer.
pub fn client(sim: &FatSecretSim) -> FatSecretClient {
    client_with_secret(sim, sim.consumer_secret())
}

pub fn client_with_secret(sim: &FatSecretSim, secret: &str) -> FatSecretClient {
    FatSecretClient::new(
        FatSecretConfig::new(
            sim.base_url(),
            sim.base_url(),
            sim.consumer_key(),
            Secret::new(secret),
        )
        .with_options(OPTIONS),
    )
    .expect("client")
}

/// `user`'s tokens, as if they had connected.
pub fn tokens(sim: &FatSecretSim, user: &str) -> Tokens {
    let issued = sim.issue_access_token(user);
    Tokens::OAuth1 {
        token: Secret::new(issued.oauth_token),
        token_secret: Secret::new(issued.oauth_token_secret),
    }
}

pub fn day(y: i32, m: u32, d: u32) -> LocalDate {
    LocalDate::from_calendar(NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

/// The serving id of a food's "100 g" serving.
pub fn hundred_grams(sim: &FatSecretSim, food_id: &str) -> String {
    sim.food(food_id)
        .unwrap()
        .servings
        .into_iter()
        .find(|s| s.serving_description == "100 g")
        .unwrap()
        .serving_id
}

/// `http://127.0.0.1:PORT` where nothing listens.
pub fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}
