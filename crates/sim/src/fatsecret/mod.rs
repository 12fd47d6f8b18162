//! A simulated FatSecret Platform API over real HTTP: `server.api` with OAuth 1.0a HMAC-SHA1
//! verification, the three-legged OAuth flow with a consent page, per-user food diaries, a
//! deterministic food database and scriptable faults.
//!
//! One server answers both roots: point the client's API root (`FATSECRET_API_URL`, it appends
//! `/rest/server.api`) and auth root (`FATSECRET_AUTH_URL`, it appends `/oauth/...`) at
//! [`FatSecretSim::base_url`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), wellness_sim::fatsecret::SimError> {
//! use wellness_sim::fatsecret::{Fault, FaultRule, FatSecretSim, FatSecretSimConfig};
//!
//! let sim = FatSecretSim::start(FatSecretSimConfig::default()).await?;
//! let ann = sim.issue_access_token("ann"); // or run the three-legged flow
//! // … sign calls with sim.consumer_key()/sim.consumer_secret() and ann's token …
//! sim.inject_fault(FaultRule::next(Fault::StoreThenTimeout).for_method("food_entry.create"));
//! assert!(sim.diary("ann").is_empty());
//! # Ok(()) }
//! ```
//!
//! What is checked, in the real server's order: the required `oauth_*` parameters (error 2), the
//! signature method (4), `oauth_version` if sent (3), the consumer key (5), the timestamp within
//! [`FatSecretSimConfig::timestamp_window`] (6), the token (9: unknown or revoked), the
//! signature recomputed over [`FatSecretSim::signing_url`] and every query, form and
//! `Authorization` parameter (8), and the nonce (7: reused within the window).

mod api;
mod config;
mod control;
mod error;
pub mod foods;
mod server;
pub mod signature;
mod state;

use std::net::SocketAddr;
use std::sync::Arc;

use actix_web::dev::ServerHandle;
use actix_web::web;

pub use config::{FatSecretSimConfig, JsonQuirks};
pub use error::{ApiError, SimError};
pub use foods::{MetricUnit, Per100, ServingNutrients, SimFood, SimServing};
use state::SimState;
pub use state::{
    Fault, FaultRule, NewSimEntry, Outcome, RecordedRequest, SimFoodEntry, SimMeal, SimSummary,
    SimTokens,
};

/// A running FatSecret simulator. Stops when dropped.
pub struct FatSecretSim {
    state: Arc<SimState>,
    addr: SocketAddr,
    server: ServerHandle,
}

impl std::fmt::Debug for FatSecretSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FatSecretSim")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl FatSecretSim {
    /// Starts on `127.0.0.1` at a free port.
    pub async fn start(config: FatSecretSimConfig) -> Result<Self, SimError> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), config).await
    }

    /// Starts on `addr` (port 0 picks a free port). Must run inside a Tokio runtime.
    pub async fn start_on(addr: SocketAddr, config: FatSecretSimConfig) -> Result<Self, SimError> {
        let (listener, local_addr) = crate::serve::bind(addr)?;
        let control_token = config.control_token.clone();
        let state = Arc::new(SimState::new(config, format!("http://{local_addr}")));
        let handle = crate::serve::serve(
            listener,
            "fatsecret",
            &state,
            control_token.as_deref(),
            |cfg| {
                cfg.configure(server::routes)
                    .default_service(web::to(server::not_found));
            },
        )?;
        Ok(Self {
            state,
            addr: local_addr,
            server: handle,
        })
    }

    /// Stops the server and waits for it to finish.
    pub async fn shutdown(self) {
        self.server.stop(true).await;
    }

    /// `http://127.0.0.1:PORT`: both the API root and the auth root.
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// `{base_url}/rest/server.api`.
    pub fn server_api_url(&self) -> String {
        format!("{}/rest/server.api", self.base_url())
    }

    /// The address the simulator listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The consumer key it accepts.
    pub fn consumer_key(&self) -> &str {
        &self.state.config.consumer_key
    }

    /// That consumer's secret.
    pub fn consumer_secret(&self) -> &str {
        &self.state.config.consumer_secret
    }

    /// Its settings.
    pub fn config(&self) -> &FatSecretSimConfig {
        &self.state.config
    }

    /// The URL signatures must be computed over for `path` (`/rest/server.api`,
    /// `/oauth/request_token`, ...).
    pub fn signing_url(&self, path: &str) -> String {
        self.state.signing_url(path)
    }

    // --- users and the three-legged flow ---

    /// A fresh access token for `user` (creating the user), as if they had connected.
    pub fn issue_access_token(&self, user: &str) -> SimTokens {
        self.state.issue_access_token(user)
    }

    /// `user` allows the pending request token; returns the `oauth_verifier`.
    pub fn approve(&self, request_token: &str, user: &str) -> Result<String, SimError> {
        self.state.approve(request_token, user)
    }

    /// The user denies the pending request token.
    pub fn deny(&self, request_token: &str) -> Result<(), SimError> {
        self.state.deny(request_token)
    }

    /// Approves every authorization at once as `user` (redirecting straight to the callback),
    /// or shows the consent page again with `None`.
    pub fn set_auto_approve(&self, user: Option<&str>) {
        self.state.set_auto_approve(user.map(str::to_owned));
    }

    /// The user withdraws access: every access token of theirs answers error 9 from now on.
    /// Returns how many tokens were revoked.
    pub fn revoke_user(&self, user: &str) -> usize {
        self.state.revoke_user(user)
    }

    // --- diaries ---

    /// Every entry of `user`'s diary, in id order.
    pub fn diary(&self, user: &str) -> Vec<SimFoodEntry> {
        self.state.entries(user, None)
    }

    /// `user`'s entries on one day (`date_int`: days since 1970-01-01).
    pub fn diary_day(&self, user: &str, date_int: i64) -> Vec<SimFoodEntry> {
        self.state.entries(user, Some(date_int))
    }

    /// Adds an entry as if the user made it in FatSecret's own app.
    pub fn add_entry_from_outside(
        &self,
        user: &str,
        entry: &NewSimEntry,
    ) -> Result<SimFoodEntry, SimError> {
        self.state.add_entry(user, entry, true)
    }

    // --- foods ---

    /// The food database.
    pub fn foods(&self) -> Vec<SimFood> {
        self.state.foods()
    }

    /// One food.
    pub fn food(&self, food_id: &str) -> Option<SimFood> {
        self.state.food(food_id)
    }

    /// Adds (or replaces, by id) a food.
    pub fn add_food(&self, food: SimFood) {
        self.state.add_food(food);
    }

    // --- faults and records ---

    /// Arms a fault.
    pub fn inject_fault(&self, rule: FaultRule) {
        self.state.add_fault(rule);
    }

    /// Disarms every fault.
    pub fn clear_faults(&self) {
        self.state.clear_faults();
    }

    /// Every request received (OAuth endpoints and server.api), in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.requests()
    }

    /// The server.api calls of one method.
    pub fn api_calls(&self, method: &str) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.api_method.as_deref() == Some(method))
            .collect()
    }

    /// Users, entries, requests and faults at a glance.
    pub fn summary(&self) -> SimSummary {
        self.state.summary()
    }

    /// Forgets tokens, diaries, nonces, faults and records; keeps the settings.
    pub fn reset(&self) {
        self.state.reset();
    }
}

impl Drop for FatSecretSim {
    fn drop(&mut self) {
        // The stop command is sent right away; the returned future only waits for it.
        drop(self.server.stop(false));
    }
}
