//! `wellness serve`: the HTTP server, plus the background work it supervises.

use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, middleware, web};
use anyhow::Context as _;
use tracing::{info, warn};
use wellness_postgres::{Database, PoolSettings, migrate};

use std::sync::Arc;

use tokio::sync::Notify;
use wellness_postgres::PgInbox;

use crate::bot::{self, BotTasks};
use crate::metrics::Metrics;
use crate::routes;
use crate::settings::{Settings, TelegramMode};
use crate::state::{AppState, WebhookIngest};

/// A built, bound, not yet running application.
pub struct Application {
    bound: SocketAddr,
    server: Server,
    bot: Option<BotTasks>,
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

        settings.log_summary();
        tokio::spawn(keep_migrating(settings.database.url.expose().to_owned()));

        let inbox = Arc::new(PgInbox::new(db.clone()));
        let wake = Arc::new(Notify::new());
        let metrics = Arc::new(Metrics::default());
        let bot = match bot::build_client(&settings)? {
            Some(client) => Some(bot::start(
                &settings,
                &db,
                client,
                inbox.clone(),
                wake.clone(),
                metrics.clone(),
            )?),
            None => {
                info!("TELEGRAM_BOT_TOKEN is not set: the bot is off");
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
        });
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .wrap(middleware::Logger::new("%r %s %Dms").exclude("/healthz"))
                .configure(routes::configure)
        })
        .shutdown_timeout(10);
        if workers > 0 {
            server = server.workers(workers);
        }
        let server = server.listen(listener)?.run();
        Ok(Self { bound, server, bot })
    }

    /// Serves until SIGTERM/SIGINT, then finishes in-flight requests (up to 10 s).
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        info!(address = %self.bound, "serving");
        self.server.await?;
        if let Some(bot) = self.bot {
            bot.shutdown(Duration::from_secs(10)).await;
        }
        info!("stopped");
        Ok(())
    }
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
