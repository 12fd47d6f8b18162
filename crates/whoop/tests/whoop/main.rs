//! The WHOOP adapter against the WHOOP simulator over real HTTP.

// Test helpers outside #[test] functions: a panic is a test failure, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod errors;
mod limits;
mod oauth;
mod sync;
mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use wellness_domain::model::{Secret, UserId};
use wellness_domain::retry::{Backoff, Jitter};
use wellness_sim::whoop::{RateLimits, WhoopSim, WhoopSimConfig};
use wellness_whoop::{ClientOptions, RequestBudget, Unlimited, WhoopClient, WhoopConfig};

/// The member every simulator starts with.
pub const ANN: i64 = 10129;

/// Our own id of that member.
pub fn ann() -> UserId {
    UserId::new(7).unwrap()
}

pub async fn start_sim() -> WhoopSim {
    start_with(WhoopSimConfig::default().with_rate_limits(RateLimits::disabled())).await
}

pub async fn start_with(config: WhoopSimConfig) -> WhoopSim {
    WhoopSim::start(config).await.expect("simulator starts")
}

/// Short pauses so retries do not slow the tests down.
pub fn fast_options() -> ClientOptions {
    ClientOptions {
        request_timeout: Duration::from_secs(5),
        backoff: Backoff::new(Duration::from_millis(10), Duration::from_millis(50))
            .with_jitter(Jitter::Around(20)),
        max_rate_limit_wait: Duration::from_secs(5),
        ..ClientOptions::default()
    }
}

pub fn client_with(
    sim: &WhoopSim,
    budget: Arc<dyn RequestBudget>,
    options: ClientOptions,
) -> WhoopClient {
    WhoopClient::with_options(
        WhoopConfig {
            api_root: sim.base_url(),
            client_id: sim.client_id().to_owned(),
            client_secret: Secret::new(sim.client_secret()),
            redirect_uri: sim.config().redirect_uris[0].clone(),
        },
        budget,
        options,
    )
    .expect("client")
}

/// A client without a budget and with fast retries.
pub fn client(sim: &WhoopSim) -> WhoopClient {
    client_with(sim, Arc::new(Unlimited), fast_options())
}

/// A fresh access token for Ann, as a secret.
pub fn ann_access(sim: &WhoopSim) -> Secret {
    Secret::new(sim.issue_tokens(ANN).unwrap().access_token)
}
