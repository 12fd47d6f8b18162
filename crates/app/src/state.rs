//! What every request handler shares.

use std::net::SocketAddr;

use std::sync::Arc;

use tokio::sync::Notify;
use wellness_domain::{Secret, Stored};
use wellness_postgres::{Database, PgInbox, RawUpdate};

use crate::ingest::GroupCommit;
use crate::integrations::{FatSecretIntegration, WhoopIntegration};
use crate::metrics::Metrics;
use crate::settings::Settings;

/// The application context, in `web::Data`.
#[derive(Debug, Clone)]
pub struct AppState {
    /// Settings as loaded.
    pub settings: Settings,
    /// The database pool.
    pub db: Database,
    /// One HTTP client for outbound calls (no redirects followed).
    pub http: reqwest::Client,
    /// The address the server is bound to.
    pub bound: SocketAddr,
    /// Everything the pages and the bot say.
    pub texts: Arc<wellness_texts::Texts>,
    /// The inbox of Telegram updates.
    pub inbox: Arc<PgInbox>,
    /// Counters and histograms for /metrics.
    pub metrics: Arc<Metrics>,
    /// The webhook's side of the bot, when Telegram is configured in webhook mode.
    pub bot: Option<WebhookIngest>,
    /// WHOOP, when configured.
    pub whoop: Option<WhoopIntegration>,
    /// FatSecret, when configured.
    pub fatsecret: Option<FatSecretIntegration>,
    /// The Mini App's dashboard (its API).
    pub dashboard: wellness_domain::usecases::dashboard::Dashboard,
    /// The sandbox, when no bot token is configured (see crate::sandbox).
    #[cfg(feature = "sandbox")]
    pub sandbox: Option<Arc<crate::sandbox::Sandbox>>,
}

/// What the webhook route needs.
#[derive(Debug, Clone)]
pub struct WebhookIngest {
    /// The secret Telegram must send.
    pub webhook_secret: Secret,
    /// Wakes an idle worker when an update arrives.
    pub wake: Arc<Notify>,
    /// Stores updates, many in one commit.
    pub writer: GroupCommit<RawUpdate, Stored>,
    /// Longest wait for the store before answering 503: a database that hangs (rather than
    /// refuses) must not hold Telegram's requests for as long as it hangs.
    pub store_within: std::time::Duration,
}
