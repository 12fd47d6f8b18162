//! `wellness serve`: the HTTP server, plus the background work it supervises.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, middleware, web};
use anyhow::Context as _;
use tokio::sync::Notify;
use tracing::{Instrument as _, info, warn};
use wellness_jobs::RunningScheduler;
use wellness_postgres::{Database, PgInbox, PoolSettings, RawUpdate, migrate};

use crate::adapters::Adapters;
use crate::bot::{self, BotTasks};
use crate::ingest::GroupCommit;
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
    /// The background workers (the FatSecret outbox, the follow-up tasks) and their stop.
    background: Background,
}

/// Background workers by name, and the switch that stops them.
type Background = (
    tokio::sync::watch::Sender<bool>,
    Vec<(&'static str, tokio::task::JoinHandle<()>)>,
);

/// Starts this instance's background workers: the FatSecret outbox and the follow-up tasks,
/// each when it has something to do.
fn background_workers(
    adapters: &Adapters,
    whoop: Option<crate::integrations::WhoopIntegration>,
    jobs: &crate::settings::JobSettings,
) -> Background {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut workers = Vec::new();
    if let Some(worker) = adapters.outbox_worker() {
        workers.push(("the FatSecret outbox worker", worker.spawn(stopped.clone())));
    }
    if let Some(worker) = adapters.follow_up_worker(whoop, jobs) {
        for handle in worker.spawn(jobs.task_workers, &stopped) {
            workers.push(("a task worker", handle));
        }
    }
    (stop, workers)
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
        let listener = bind(&settings)?;
        let bound = listener.local_addr()?;
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

        // What is wired to what: every adapter built once, each consumer handed its part.
        let adapters = Adapters::build(&settings, db.clone())?;
        #[cfg(feature = "sandbox")]
        let shared = adapters.bot_shared(sims.as_ref().and_then(|s| s.transcriber.clone()));
        #[cfg(not(feature = "sandbox"))]
        let shared = adapters.bot_shared(None);
        #[cfg(feature = "sandbox")]
        let sandbox = match (sims, &adapters.messenger) {
            (Some(sims), Some(messenger)) => Some(Arc::new(sims.with_bot(
                messenger.clone(),
                db.clone(),
                adapters.presenter.clone(),
            ))),
            _ => None,
        };
        let whoop = adapters.whoop_integration(&settings);
        let fatsecret = adapters.fatsecret_integration();
        let background = background_workers(&adapters, whoop.clone(), &settings.jobs);
        let jobs = schedule::start(&db, adapters.job_ports(&settings), adapters.metrics.clone())?;
        let wake = Arc::new(Notify::new());
        let bot = start_bot(&settings, &adapters, wake.clone(), shared)?;
        let ingest = webhook_ingest(&settings, bot.is_some(), &adapters.inbox, wake);
        let workers = settings.server.workers;
        let state = web::Data::new(AppState {
            settings,
            db,
            http: http_client()?,
            texts: adapters.texts.clone(),
            bound,
            inbox: adapters.inbox.clone(),
            metrics: adapters.metrics.clone(),
            bot: ingest,
            whoop,
            fatsecret,
            dashboard: adapters.dashboard(),
            #[cfg(feature = "sandbox")]
            sandbox: sandbox.clone(),
        });
        Ok(Self {
            bound,
            server: serve(listener, state, workers)?,
            bot,
            jobs,
            #[cfg(feature = "sandbox")]
            sandbox,
            background,
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
        let (stop, workers) = self.background;
        let _ = stop.send(true);
        for (name, handle) in workers {
            if tokio::time::timeout(Duration::from_secs(10), handle)
                .await
                .is_err()
            {
                warn!("{name} did not stop in time");
            }
        }
        #[cfg(feature = "sandbox")]
        drop(self.sandbox);
        info!("stopped");
        Ok(())
    }
}

/// The port, bound before anything else is built (the sandbox needs to know it).
fn bind(settings: &Settings) -> anyhow::Result<TcpListener> {
    let (host, port) = (settings.server.host.as_str(), settings.server.port);
    TcpListener::bind((host, port)).with_context(|| format!("cannot listen on {host}:{port}"))
}

/// The HTTP client of the routes that call out (no redirects followed).
fn http_client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .user_agent(concat!("wellness/", env!("CARGO_PKG_VERSION")))
        .build()?)
}

/// Starts the bot when Telegram is configured.
fn start_bot(
    settings: &Settings,
    adapters: &Adapters,
    wake: Arc<Notify>,
    shared: bot::Shared,
) -> anyhow::Result<Option<BotTasks>> {
    let (Some(client), Some(messenger)) = (&adapters.telegram, &adapters.messenger) else {
        info!(
            "TELEGRAM_BOT_TOKEN is not set: the bot is off (the sandbox runs only on a \
             loopback HOST with no public PUBLIC_BASE_URL, or with WELLNESS_SANDBOX=on)"
        );
        return Ok(None);
    };
    Ok(Some(bot::start(
        settings,
        &adapters.db,
        client.clone(),
        messenger.clone(),
        adapters.inbox.clone(),
        wake,
        shared,
    )?))
}

/// The webhook's group commit into the inbox, when the bot runs in webhook mode.
fn webhook_ingest(
    settings: &Settings,
    bot_running: bool,
    inbox: &Arc<PgInbox>,
    wake: Arc<Notify>,
) -> Option<WebhookIngest> {
    let secret = settings.telegram.webhook_secret.as_ref()?;
    if !bot_running || settings.telegram.mode != TelegramMode::Webhook {
        return None;
    }
    let inbox = inbox.clone();
    Some(WebhookIngest {
        webhook_secret: secret.clone(),
        wake,
        writer: GroupCommit::start(
            move |batch: Vec<RawUpdate>| {
                let inbox = inbox.clone();
                async move { inbox.store_batch(&batch).await }
            },
            WEBHOOK_MAX_BATCH,
            WEBHOOK_BATCHES_IN_FLIGHT,
        ),
        // The pool's own wait for a connection, plus the statement's time.
        store_within: settings.database.timeout * 2,
    })
}

/// The HTTP server on the bound listener.
fn serve(
    listener: TcpListener,
    state: web::Data<AppState>,
    workers: usize,
) -> anyhow::Result<Server> {
    let mut server = HttpServer::new(move || {
        let metrics = state.metrics.clone();
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
            // One span per request, named by its route pattern (never the query: OAuth
            // callbacks carry codes and states). Our own middleware because
            // tracing-actix-web's root span records the whole target, query included.
            .wrap_fn(move |req, srv| {
                let route = req
                    .match_pattern()
                    .unwrap_or_else(|| "unmatched".to_owned());
                let method = req.method().clone();
                let span = tracing::info_span!("http", %method, route);
                let answer = actix_web::dev::Service::call(srv, req).instrument(span);
                let metrics = metrics.clone();
                let started = std::time::Instant::now();
                async move {
                    let answer = answer.await;
                    // An error becomes its status further out; it is counted as a 500 here.
                    let status = answer.as_ref().map_or(500, |r| r.status().as_u16());
                    metrics.observe_http(&route, method.as_str(), status, started.elapsed());
                    answer
                }
            })
            .configure(routes::configure)
    })
    .shutdown_timeout(10);
    if workers > 0 {
        server = server.workers(workers);
    }
    Ok(server.listen(listener)?.run())
}

/// Applies migrations, retrying with backoff while the database is unreachable.
async fn keep_migrating(url: String) {
    let mut retries =
        wellness_domain::retry::Backoff::new(Duration::from_millis(500), Duration::from_secs(10))
            .series();
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
                let delay = retries.next_wait();
                warn!(error = %e, retry_in_ms = delay.as_millis() as u64, "cannot migrate yet");
                tokio::time::sleep(delay).await;
            }
        }
    }
}
