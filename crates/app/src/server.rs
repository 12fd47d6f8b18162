//! `wellness serve`: the HTTP server, plus the background work it supervises.

use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, middleware, web};
use anyhow::Context as _;
use tracing::{info, warn};
use wellness_postgres::{Database, PgRequestBudget, PoolSettings, RawUpdate, migrate};

use std::sync::Arc;

use tokio::sync::Notify;
use wellness_domain::ports::{
    Clock, CredentialStore, Messenger, OAuthStates, SystemClock, Wearable,
};
use wellness_domain::usecases::catalog::CachedCatalog;
use wellness_fatsecret::{FatSecretClient, FatSecretConfig};
use wellness_jobs::RunningScheduler;
use wellness_postgres::{
    PgCatalogCache, PgConversations, PgCredentialStore, PgDiaryOutbox, PgFoodLog, PgInbox,
    PgNotifications, PgOAuthStates, PgUsers, PgWearableStore, TokenCipher,
};
use wellness_whoop::{ClientOptions, WhoopClient, WhoopConfig};

use crate::connect::{NoCredentials, OAuthConnect};
use crate::integrations::{FatSecretIntegration, WhoopIntegration};
use crate::metered::{MeteredFatSecret, MeteredMessenger, MeteredWearable};

use crate::bot::{self, BotTasks};
use crate::ingest::GroupCommit;
use crate::metrics::Metrics;
use crate::routes;
use crate::schedule;
use crate::settings::{Settings, TelegramMode};
use crate::state::{AppState, WebhookIngest};

/// Most updates stored in one statement by the webhook's group commit.
const WEBHOOK_MAX_BATCH: usize = 512;
/// Batches committing at once: while they do, the next batch fills up. A few overlap the
/// round trip and fsync of one with the building of the next without taking the pool.
const WEBHOOK_BATCHES_IN_FLIGHT: usize = 4;

/// A built, bound, not yet running application.
pub struct Application {
    bound: SocketAddr,
    server: Server,
    bot: Option<BotTasks>,
    jobs: RunningScheduler,
    /// Kept until the bot has stopped: its poller talks to the simulated Telegram.
    #[cfg(feature = "sandbox")]
    sandbox: Option<Arc<crate::sandbox::Sandbox>>,
    outbox: Option<(
        tokio::sync::watch::Sender<bool>,
        tokio::task::JoinHandle<()>,
    )>,
}

impl Application {
    /// Binds the port and builds the app. The database may be down: the pool connects lazily,
    /// /readyz says 503, and migrations are retried in the background until they succeed.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = Database::connect(
            settings.database.url.expose(),
            PoolSettings {
                max_size: settings.database.pool_size,
                timeout: settings.database.timeout,
            },
        )?;
        let listener = TcpListener::bind((settings.server.host.as_str(), settings.server.port))
            .with_context(|| {
                format!(
                    "cannot listen on {}:{}",
                    settings.server.host, settings.server.port
                )
            })?;
        let bound = listener.local_addr()?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .user_agent(concat!("wellness/", env!("CARGO_PKG_VERSION")))
            .build()?;

        // Without a bot token the simulators stand in, and the settings point at them.
        #[cfg(feature = "sandbox")]
        let (settings, sims) = {
            let mut settings = settings;
            let sims = if settings.sandbox_wanted() {
                Some(crate::sandbox::start(&mut settings, bound, &db).await?)
            } else {
                None
            };
            (settings, sims)
        };
        #[cfg(not(feature = "sandbox"))]
        if settings.sandbox_wanted() {
            warn!("this build has no sandbox (built without the `sandbox` feature)");
        }
        settings.log_summary();
        tokio::spawn(keep_migrating(settings.database.url.expose().to_owned()));

        let inbox = Arc::new(PgInbox::new(db.clone()));
        let wake = Arc::new(Notify::new());
        let metrics = Arc::new(Metrics::default());
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        // Tokens need the encryption key: without it nothing can be connected.
        let cipher = settings
            .encryption_key
            .as_ref()
            .and_then(|k| TokenCipher::from_base64(k.expose()).ok());
        let credentials: Arc<dyn CredentialStore> = match &cipher {
            Some(c) => Arc::new(PgCredentialStore::new(db.clone(), c.clone())),
            None => Arc::new(NoCredentials),
        };
        let states: Option<Arc<dyn OAuthStates>> =
            cipher.map(|c| Arc::new(PgOAuthStates::new(db.clone(), c)) as Arc<dyn OAuthStates>);
        let public_base_url = settings
            .server
            .public_base_url
            .as_ref()
            .map(|u| u.as_str().trim_end_matches('/').to_owned());
        let whoop_client =
            whoop_client(&settings, &db, public_base_url.as_deref(), states.is_some())?;
        let fatsecret_client =
            fatsecret_client(&settings, public_base_url.as_deref(), states.is_some())?;
        let client = bot::build_client(&settings)?;
        if let Some(c) = &client {
            c.observe_retries(metrics.retry_observer("telegram"));
        }
        if let Some(c) = &whoop_client {
            c.observe_retries(metrics.retry_observer("whoop"));
        }
        let messenger: Option<Arc<dyn Messenger>> = client.as_ref().map(|c| {
            Arc::new(MeteredMessenger {
                inner: Arc::new(c.clone()),
                metrics: metrics.clone(),
            }) as Arc<dyn Messenger>
        });
        let whoop_wearable = whoop_client.clone().map(|c| {
            Arc::new(MeteredWearable {
                inner: Arc::new(c),
                metrics: metrics.clone(),
            }) as Arc<dyn Wearable>
        });
        let fatsecret_metered = fatsecret_client.clone().map(|c| {
            Arc::new(MeteredFatSecret {
                inner: Arc::new(c),
                metrics: metrics.clone(),
            })
        });
        let shared = bot::Shared {
            credentials: credentials.clone(),
            links: Arc::new(OAuthConnect {
                states: states.clone(),
                public_base_url: public_base_url.clone(),
                whoop: whoop_client.is_some(),
                fatsecret: fatsecret_client.is_some(),
                clock: clock.clone(),
            }),
            whoop: whoop_wearable.clone(),
            fatsecret_diary: fatsecret_metered.clone().map(|c| {
                wellness_domain::usecases::chat::FatSecretDiary {
                    diary: c,
                    outbox: Arc::new(PgDiaryOutbox::new(db.clone())),
                }
            }),
            // FatSecret's answers are kept in PostgreSQL for at most 24 hours.
            fatsecret_catalog: fatsecret_metered.clone().map(|c| {
                Arc::new(CachedCatalog {
                    inner: c,
                    cache: Arc::new(PgCatalogCache::new(db.clone())),
                    clock: clock.clone(),
                }) as Arc<dyn wellness_domain::ports::FoodCatalog>
            }),
            metrics: metrics.clone(),
            #[cfg(feature = "sandbox")]
            transcriber: sims.as_ref().and_then(|s| s.transcriber.clone()),
            #[cfg(not(feature = "sandbox"))]
            transcriber: None,
        };
        #[cfg(feature = "sandbox")]
        let sandbox = match (sims, &messenger) {
            (Some(sims), Some(messenger)) => {
                Some(Arc::new(sims.with_bot(messenger.clone(), db.clone())))
            }
            _ => None,
        };
        let whoop = match (
            whoop_client,
            whoop_wearable.clone(),
            &states,
            &settings.whoop.client_secret,
        ) {
            (Some(client), Some(wearable), Some(states), Some(secret)) => Some(WhoopIntegration {
                client,
                wearable,
                states: states.clone(),
                credentials: credentials.clone(),
                users: Arc::new(PgUsers::new(db.clone())),
                store: Arc::new(PgWearableStore::new(db.clone())),
                messenger: messenger.clone(),
                clock: clock.clone(),
                client_secret: secret.clone(),
            }),
            _ => None,
        };
        let fatsecret = match (&fatsecret_client, &states, &public_base_url) {
            (Some(client), Some(states), Some(base)) => Some(FatSecretIntegration {
                client: client.clone(),
                callback_url: format!("{base}/fatsecret/callback"),
                states: states.clone(),
                credentials: credentials.clone(),
                users: Arc::new(PgUsers::new(db.clone())),
                messenger: messenger.clone(),
                clock: clock.clone(),
            }),
            _ => None,
        };
        let (outbox_stop, outbox_stopped) = tokio::sync::watch::channel(false);
        let outbox = fatsecret_metered.as_ref().map(|client| {
            crate::diary::OutboxWorker {
                outbox: Arc::new(PgDiaryOutbox::new(db.clone())),
                credentials: credentials.clone(),
                diary: client.clone(),
                users: Arc::new(PgUsers::new(db.clone())),
                messenger: messenger.clone(),
                clock: clock.clone(),
            }
            .spawn(outbox_stopped.clone())
        });
        let jobs = schedule::start(
            &db,
            schedule::JobPorts {
                users: Arc::new(PgUsers::new(db.clone())),
                food: Arc::new(PgFoodLog::new(db.clone())),
                wearables: Arc::new(PgWearableStore::new(db.clone())),
                notifications: Arc::new(PgNotifications::new(db.clone())),
                conversations: Arc::new(PgConversations::new(db.clone())),
                credentials: credentials.clone(),
                messenger: messenger.clone(),
                whoop: whoop_wearable.clone(),
                clock: clock.clone(),
                fatsecret: shared.fatsecret_diary.clone(),
            },
            metrics.clone(),
        )?;
        let bot = match (client, messenger) {
            (Some(client), Some(messenger)) => Some(bot::start(
                &settings,
                &db,
                client,
                messenger,
                inbox.clone(),
                wake.clone(),
                shared,
            )?),
            _ => {
                info!(
                    "TELEGRAM_BOT_TOKEN is not set: the bot is off (the sandbox runs only on a \
                     loopback HOST, or with WELLNESS_SANDBOX=on)"
                );
                None
            }
        };
        let ingest = match (
            &bot,
            settings.telegram.mode,
            &settings.telegram.webhook_secret,
        ) {
            (Some(_), TelegramMode::Webhook, Some(secret)) => Some(WebhookIngest {
                webhook_secret: secret.clone(),
                wake,
                writer: {
                    let inbox = inbox.clone();
                    GroupCommit::start(
                        move |batch: Vec<RawUpdate>| {
                            let inbox = inbox.clone();
                            async move { inbox.store_batch(&batch).await }
                        },
                        WEBHOOK_MAX_BATCH,
                        WEBHOOK_BATCHES_IN_FLIGHT,
                    )
                },
                // The pool's own wait for a connection, plus the statement's time.
                store_within: settings.database.timeout * 2,
            }),
            _ => None,
        };
        let workers = settings.server.workers;
        let state = web::Data::new(AppState {
            settings,
            db,
            http,
            bound,
            inbox,
            metrics,
            bot: ingest,
            whoop,
            fatsecret,
            #[cfg(feature = "sandbox")]
            sandbox: sandbox.clone(),
        });
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                // The path without its query: OAuth callbacks carry codes, states and verifiers.
                // The webhook is counted by outcome in /metrics and logs its failures; a line for
                // each of thousands of updates a second would cost more than storing them.
                .wrap(
                    middleware::Logger::new("%m %U %s %Dms")
                        .exclude("/healthz")
                        .exclude("/telegram/webhook"),
                )
                .configure(routes::configure)
        })
        .shutdown_timeout(10);
        if workers > 0 {
            server = server.workers(workers);
        }
        let server = server.listen(listener)?.run();
        Ok(Self {
            bound,
            server,
            bot,
            jobs,
            #[cfg(feature = "sandbox")]
            sandbox,
            outbox: outbox.map(|handle| (outbox_stop, handle)),
        })
    }

    /// Serves until SIGTERM/SIGINT, then finishes in-flight requests (up to 10 s).
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        info!(address = %self.bound, "serving");
        self.server.await?;
        if let Err(e) = self.jobs.stop().await {
            warn!(error = %e, "the scheduler did not stop cleanly");
        }
        if let Some(bot) = self.bot {
            bot.shutdown(Duration::from_secs(10)).await;
        }
        if let Some((stop, handle)) = self.outbox {
            let _ = stop.send(true);
            if tokio::time::timeout(Duration::from_secs(10), handle)
                .await
                .is_err()
            {
                warn!("the FatSecret outbox worker did not stop in time");
            }
        }
        #[cfg(feature = "sandbox")]
        drop(self.sandbox);
        info!("stopped");
        Ok(())
    }
}

/// The WHOOP client when the app is registered (client id and secret), tokens can be stored
/// (encryption key) and WHOOP can redirect back (PUBLIC_BASE_URL).
fn whoop_client(
    settings: &Settings,
    db: &Database,
    public_base_url: Option<&str>,
    can_store: bool,
) -> anyhow::Result<Option<WhoopClient>> {
    let (Some(id), Some(secret), Some(base)) = (
        &settings.whoop.client_id,
        &settings.whoop.client_secret,
        public_base_url,
    ) else {
        return Ok(None);
    };
    if !can_store {
        warn!("WHOOP is configured but WELLNESS_ENCRYPTION_KEY is not: WHOOP stays off");
        return Ok(None);
    }
    let options = ClientOptions::default();
    // WHOOP limits per app: every instance takes its requests from one budget in PostgreSQL.
    let budget = PgRequestBudget::new(
        db.clone(),
        "whoop",
        settings.whoop.rate_limits,
        options.request_timeout + options.connect_timeout,
    );
    let client = WhoopClient::with_options(
        WhoopConfig {
            api_root: settings
                .whoop
                .api_url
                .as_str()
                .trim_end_matches('/')
                .to_owned(),
            client_id: id.clone(),
            client_secret: secret.clone(),
            redirect_uri: format!("{base}/whoop/callback"),
        },
        Arc::new(budget),
        options,
    )
    .map_err(|e| anyhow::anyhow!("WHOOP_API_URL or WHOOP_CLIENT_ID: {e}"))?;
    Ok(Some(client))
}

/// The FatSecret client when the consumer is configured (key and secret), tokens can be stored
/// (encryption key) and FatSecret can redirect back (PUBLIC_BASE_URL).
fn fatsecret_client(
    settings: &Settings,
    public_base_url: Option<&str>,
    can_store: bool,
) -> anyhow::Result<Option<FatSecretClient>> {
    let (Some(key), Some(secret), Some(_)) = (
        &settings.fatsecret.consumer_key,
        &settings.fatsecret.consumer_secret,
        public_base_url,
    ) else {
        return Ok(None);
    };
    if !can_store {
        warn!("FatSecret is configured but WELLNESS_ENCRYPTION_KEY is not: FatSecret stays off");
        return Ok(None);
    }
    let client = FatSecretClient::new(FatSecretConfig::new(
        settings.fatsecret.api_url.as_str(),
        settings.fatsecret.auth_url.as_str(),
        key.clone(),
        secret.clone(),
    ))
    .map_err(|e| anyhow::anyhow!("FATSECRET_API_URL, FATSECRET_AUTH_URL or consumer: {e}"))?;
    Ok(Some(client))
}

/// Applies migrations, retrying with backoff while the database is unreachable.
async fn keep_migrating(url: String) {
    let mut delay = Duration::from_millis(500);
    loop {
        match migrate(&url).await {
            Ok(applied) => {
                if applied.is_empty() {
                    info!("database schema is up to date");
                } else {
                    info!(count = applied.len(), "applied migrations");
                }
                return;
            }
            Err(e) => {
                warn!(error = %e, retry_in_ms = delay.as_millis() as u64, "cannot migrate yet");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(10));
            }
        }
    }
}
