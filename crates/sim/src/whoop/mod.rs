//! A simulated WHOOP API v2 over real HTTP: the OAuth 2 server, the data API with generated
//! history per member, per-app rate limits and signed webhooks.
//!
//! Point a client at [`WhoopSim::base_url`] as the WHOOP root (`https://api.prod.whoop.com`):
//! OAuth lives under `{root}/oauth/oauth2/...`, data under `{root}/developer/v2/...`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), wellness_sim::whoop::SimError> {
//! use wellness_sim::whoop::{WhoopSim, WhoopSimConfig};
//!
//! let sim = WhoopSim::start(WhoopSimConfig::default().with_auto_approve(true)).await?;
//! let member = sim.users()[0].user_id;
//! let tokens = sim.issue_tokens(member)?; // or run the OAuth flow against sim.base_url()
//! let history = sim.records(member)?; // what the API will serve
//! # Ok(()) }
//! ```

mod api;
mod config;
mod control;
mod error;
mod generate;
mod limits;
mod oauth;
mod records;
mod state;
mod webhook;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::web;
use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub use config::{
    RateLimit, RateLimits, RecoveryWebhookId, WebhookSettings, WhoopSimConfig, WhoopUser,
};
pub use error::SimError;
pub use records::{
    BasicProfile, BodyMeasurement, CycleRecord, CycleScore, Record, RecordRef, RecoveryRecord,
    RecoveryScore, Score, ScoreState, SleepNeeded, SleepRecord, SleepScore, StageSummary,
    UserRecords, WorkoutRecord, WorkoutScore, ZoneDurations,
};
use state::SimState;
pub use state::{IssuedTokens, RequestLog, SimSummary, WhoopStats};
pub use webhook::{
    DeliveryAttempt, SIGNATURE_HEADER, SignedWebhook, TIMESTAMP_HEADER, WebhookNotice, WebhookType,
    sign as sign_webhook,
};

/// A running WHOOP simulator. Stops when dropped.
pub struct WhoopSim {
    state: Arc<SimState>,
    addr: SocketAddr,
    server: ServerHandle,
    webhook_task: JoinHandle<()>,
}

impl std::fmt::Debug for WhoopSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WhoopSim")
            .field("addr", &self.addr)
            .field("client_id", &self.state.config.client_id)
            .finish_non_exhaustive()
    }
}

fn validate(config: &WhoopSimConfig) -> Result<(), SimError> {
    for uri in &config.redirect_uris {
        let allowed = uri.starts_with("https://")
            || uri.starts_with("whoop://")
            || (config.allow_http_redirect_uris && uri.starts_with("http://"));
        if !allowed {
            return Err(SimError::Config(format!(
                "redirect URI {uri:?}: WHOOP accepts only https:// and whoop:// \
                 (set allow_http_redirect_uris for a local sandbox)"
            )));
        }
    }
    Ok(())
}

impl WhoopSim {
    /// Starts on `127.0.0.1` at a free port.
    pub async fn start(config: WhoopSimConfig) -> Result<Self, SimError> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), config).await
    }

    /// Starts on `addr` (port 0 picks a free port). Must run inside a Tokio runtime; webhooks
    /// are sent from it.
    pub async fn start_on(addr: SocketAddr, config: WhoopSimConfig) -> Result<Self, SimError> {
        validate(&config)?;
        let (listener, local_addr) = crate::serve::bind(addr)?;
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SimError::Config(format!("webhook HTTP client: {e}")))?;
        let (jobs, queue) = mpsc::unbounded_channel();
        let control_token = config.control_token.clone();
        let state = Arc::new(SimState::new(config, jobs));
        let handle =
            crate::serve::serve(listener, "WHOOP", &state, control_token.as_deref(), |cfg| {
                cfg.service(web::scope(control::PREFIX).configure(control::routes))
                    .configure(oauth::routes)
                    .configure(api::routes)
                    .default_service(web::to(api::not_found));
            })?;
        let webhook_task = tokio::spawn(webhook::run(Arc::clone(&state), queue, http));
        Ok(Self {
            state,
            addr: local_addr,
            server: handle,
            webhook_task,
        })
    }

    /// Stops the server and waits for it to finish.
    pub async fn shutdown(self) {
        self.webhook_task.abort();
        self.server.stop(true).await;
    }

    /// `http://127.0.0.1:PORT`: the WHOOP root (`https://api.prod.whoop.com`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `{base_url}/developer`: the data API's server URL in WHOOP's OpenAPI spec.
    pub fn api_url(&self) -> String {
        format!("{}/developer", self.base_url())
    }

    /// The authorization endpoint (`{base_url}/oauth/oauth2/auth`).
    pub fn authorize_endpoint(&self) -> String {
        format!("{}{}", self.base_url(), oauth::AUTHORIZE_PATH)
    }

    /// The token endpoint (`{base_url}/oauth/oauth2/token`).
    pub fn token_endpoint(&self) -> String {
        format!("{}{}", self.base_url(), oauth::TOKEN_PATH)
    }

    /// The address the simulator listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its settings (as started; see [`Self::summary`] for what changed since).
    pub fn config(&self) -> &WhoopSimConfig {
        &self.state.config
    }

    /// The registered app's client id.
    pub fn client_id(&self) -> &str {
        &self.state.config.client_id
    }

    /// The registered app's client secret (also the webhook signing key).
    pub fn client_secret(&self) -> &str {
        &self.state.config.client_secret
    }

    // ---- members and records ----

    /// Adds a member with generated history.
    pub fn add_user(&self, user: WhoopUser) -> Result<(), SimError> {
        self.state.add_user(user)
    }

    /// Every member.
    pub fn users(&self) -> Vec<WhoopUser> {
        self.state.users()
    }

    /// A member's records as the API serves them, newest first.
    pub fn records(&self, user_id: i64) -> Result<UserRecords, SimError> {
        self.state.records(user_id)
    }

    /// Adds or replaces a record (times are cut to milliseconds). Sends `*.updated` to the
    /// webhook URL when the member is connected.
    pub fn upsert(&self, record: Record) -> Result<Record, SimError> {
        self.state.upsert(record)
    }

    /// Records a new scored workout for a member.
    pub fn add_workout(
        &self,
        user_id: i64,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        sport_name: &str,
    ) -> Result<WorkoutRecord, SimError> {
        let user = self.state.user(user_id)?;
        let workout = state::new_workout(&user, start, end, sport_name);
        self.state.upsert(Record::Workout(workout.clone()))?;
        Ok(workout)
    }

    /// A fresh cycle id, for cycles and recoveries made by hand.
    pub fn next_cycle_id(&self) -> i64 {
        self.state.next_cycle_id()
    }

    /// WHOOP scores the record again: a score appears (or changes a little) and `updated_at`
    /// moves. Sends `*.updated`.
    pub fn rescore(&self, record: &RecordRef) -> Result<Record, SimError> {
        self.state.rescore(record)
    }

    /// Sets the score state (a score is generated for SCORED, dropped otherwise).
    pub fn set_score_state(
        &self,
        record: &RecordRef,
        state: ScoreState,
    ) -> Result<Record, SimError> {
        self.state.set_score_state(record, state)
    }

    /// Deletes a record (by-id routes answer 404 afterwards). Sends `*.deleted`.
    pub fn delete(&self, record: &RecordRef) -> Result<Record, SimError> {
        self.state.delete(record)
    }

    // ---- OAuth ----

    /// Approve authorization requests at once (no consent page), or stop doing so.
    pub fn set_auto_approve(&self, enabled: bool) {
        self.state.write(|inner| inner.auto_approve = enabled);
    }

    /// The member signed in to the simulated browser: the consent page and auto-approval act
    /// for them.
    pub fn sign_in(&self, user_id: i64) -> Result<(), SimError> {
        self.state.sign_in(user_id)
    }

    /// Who is signed in.
    pub fn signed_in(&self) -> Option<i64> {
        self.state.signed_in()
    }

    /// Tokens for a member with every scope, as if they had gone through OAuth.
    pub fn issue_tokens(&self, user_id: i64) -> Result<IssuedTokens, SimError> {
        self.state.issue_tokens(user_id)
    }

    /// Expires every access token of a member now (their refresh tokens keep working).
    /// Returns how many were live.
    pub fn expire_access_tokens(&self, user_id: i64) -> usize {
        self.state.expire_access_tokens(user_id)
    }

    /// Revokes every token of a member, as `DELETE /v2/user/access` does.
    pub fn revoke(&self, user_id: i64) {
        self.state.revoke(user_id);
    }

    /// Whether the member has granted access (and not revoked it).
    pub fn is_connected(&self, user_id: i64) -> bool {
        self.state.is_connected(user_id)
    }

    // ---- faults and counters ----

    /// The next `count` data requests get 429; with `reset_secs` the headers say
    /// `X-RateLimit-Remaining: 0` and `X-RateLimit-Reset: reset_secs`, without it there are no
    /// rate-limit headers at all.
    pub fn force_too_many_requests(&self, count: u32, reset_secs: Option<u64>) {
        self.state.force_too_many_requests(count, reset_secs);
    }

    /// The next `count` data requests fail with `status` (5xx).
    pub fn force_server_errors(&self, count: u32, status: u16) {
        self.state.force_server_errors(count, status);
    }

    /// The next `count` data requests get 200 with a body that is not JSON (cut off mid-record).
    pub fn force_garbage(&self, count: u32) {
        self.state.force_garbage(count);
    }

    /// The next `count` data requests are held `hold` before they are answered (longer than
    /// the client's timeout: a timeout).
    pub fn force_hangs(&self, count: u32, hold: Duration) {
        self.state.force_hangs(count, hold);
    }

    /// Every data request waits this long before it is answered.
    pub fn set_response_delay(&self, delay: Duration) {
        self.state.write(|inner| inner.delay = delay);
    }

    /// Counters.
    pub fn stats(&self) -> WhoopStats {
        self.state.read(|inner| inner.stats)
    }

    /// Every data request so far, in order.
    pub fn requests(&self) -> Vec<RequestLog> {
        self.state.read(|inner| inner.requests.clone())
    }

    /// Zeroes the counters and forgets the request log.
    pub fn reset_stats(&self) {
        self.state.write(|inner| {
            inner.stats = WhoopStats::default();
            inner.requests.clear();
        });
    }

    /// Counters and the settings that change at run time.
    pub fn summary(&self) -> SimSummary {
        self.state.summary()
    }

    // ---- webhooks ----

    /// Sends webhooks to `url` from now on (`None` stops them).
    pub fn set_webhook_url(&self, url: Option<String>) {
        self.state.write(|inner| inner.webhook_url = url);
    }

    /// The notice WHOOP would send about a change to `record` (`None` for cycles, which have no
    /// webhooks).
    pub fn notice_for(&self, record: &Record, deleted: bool) -> Option<WebhookNotice> {
        self.state.notice_for(record, deleted)
    }

    /// Sends a webhook now (whether or not the member is connected) and waits for the outcome,
    /// retries included. Returns the last attempt.
    pub async fn send_webhook(&self, notice: WebhookNotice) -> Result<DeliveryAttempt, SimError> {
        let (reply, outcome) = tokio::sync::oneshot::channel();
        self.state.queue_webhook(notice, Some(reply));
        outcome
            .await
            .map_err(|_| SimError::Webhook("the simulator stopped".to_owned()))?
    }

    /// A signed webhook as it would be sent at `at`, without sending it.
    pub fn signed_webhook(&self, notice: &WebhookNotice, at: DateTime<Utc>) -> SignedWebhook {
        SignedWebhook::new(&self.state.config.client_secret, notice, at)
    }

    /// Every delivery attempt so far.
    pub fn webhook_deliveries(&self) -> Vec<DeliveryAttempt> {
        self.state.read(|inner| inner.deliveries.clone())
    }

    /// Waits until at least `count` delivery attempts were made; returns all of them.
    pub async fn wait_for_deliveries(
        &self,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<DeliveryAttempt>, SimError> {
        let mut changed = self.state.deliveries_changed();
        let wait = async {
            loop {
                let deliveries = self.webhook_deliveries();
                if deliveries.len() >= count {
                    return deliveries;
                }
                if changed.changed().await.is_err() {
                    return self.webhook_deliveries();
                }
            }
        };
        match tokio::time::timeout(timeout, wait).await {
            Ok(deliveries) if deliveries.len() >= count => Ok(deliveries),
            _ => Err(SimError::Timeout {
                waited: timeout,
                what: format!(
                    "expected {count} webhook deliveries, got {}",
                    self.webhook_deliveries().len()
                ),
            }),
        }
    }
}

impl Drop for WhoopSim {
    fn drop(&mut self) {
        self.webhook_task.abort();
        // The stop command is sent right away; the returned future only waits for it.
        drop(self.server.stop(false));
    }
}
