//! The sandbox: with no Telegram bot token, `wellness serve` starts the simulators of Telegram,
//! WHOOP, FatSecret and OpenAI in this process, points the adapters at them, and serves a chat
//! page at /sandbox (routes/sandbox.rs). Each provider with real credentials stays real; the
//! rest are simulated. Everything else — the inbox, the workers, the database, the OAuth pages —
//! is the production path. Who may use it, and as whom: [`access`].

pub mod access;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context as _;
use base64::Engine as _;
use reqwest::Url;
use serde::Serialize;
use tracing::warn;
use wellness_domain::Secret;
use wellness_domain::ports::{Messenger, Presenter, Transcriber};
use wellness_openai::{OpenAiClient, OpenAiConfig, OpenAiTranscriber};
use wellness_postgres::{Database, PgInbox};
use wellness_sim::fatsecret::{FatSecretSim, FatSecretSimConfig};
use wellness_sim::openai::{OpenAiSim, OpenAiSimConfig};
use wellness_sim::openfoodfacts::{OpenFoodFactsSim, OpenFoodFactsSimConfig, SimProduct};
use wellness_sim::telegram::{SimConfig, SimUser, TelegramSim};
use wellness_sim::whoop::{WhoopSim, WhoopSimConfig, WhoopUser};

use crate::settings::{SandboxMode, Settings, TelegramMode};

/// Tokens must be encrypted to be stored; without WELLNESS_ENCRYPTION_KEY the sandbox uses this
/// well-known key, which protects nothing but the simulators' tokens.
const SANDBOX_ENCRYPTION_KEY: &[u8; 32] = b"wellness-sandbox-not-a-secret-00";

/// What runs where: a provider is real or simulated.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Providers {
    /// Telegram is always simulated in the sandbox.
    pub telegram: &'static str,
    /// "real", or "simulated" (speech to text; text is read by the offline rules).
    pub openai: &'static str,
    /// "real" or "simulated".
    pub whoop: &'static str,
    /// "real" or "simulated".
    pub fatsecret: &'static str,
}

/// The simulators started for the sandbox, before the bot exists.
pub struct SandboxSims {
    telegram: TelegramSim,
    openai: Option<OpenAiSim>,
    whoop: Option<WhoopSim>,
    fatsecret: Option<FatSecretSim>,
    openfoodfacts: OpenFoodFactsSim,
    /// Whisper against the OpenAI simulator, when OpenAI is not configured.
    pub transcriber: Option<Arc<dyn Transcriber>>,
    base_url: String,
    /// This process's random token: in the page, demanded by its API and the simulators'
    /// control endpoints.
    token: String,
    /// `WELLNESS_SANDBOX=on`: reachable from anywhere (otherwise from this machine only).
    open: bool,
}

impl std::fmt::Debug for SandboxSims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxSims")
            .field("telegram", &self.telegram.addr())
            .finish_non_exhaustive()
    }
}

/// Starts the simulators and rewrites `settings` so every adapter talks to them (or to the real
/// service when its credentials are configured). `bound` is where this server listens.
pub async fn start(
    settings: &mut Settings,
    bound: SocketAddr,
    db: &Database,
) -> anyhow::Result<SandboxSims> {
    let base_url = public_base_url(settings, bound)?;
    use_the_sandbox_key(settings);
    let token = access::random_id();
    let telegram = start_telegram(settings, db, &token).await?;
    let whoop = start_whoop(settings, &base_url, &token).await?;
    let fatsecret = start_fatsecret(settings, &token).await?;
    let (openai, transcriber) = start_whisper(settings, &token).await?;
    let openfoodfacts = start_openfoodfacts(settings, &token).await?;
    let sims = SandboxSims {
        openfoodfacts,
        telegram,
        openai,
        whoop,
        fatsecret,
        transcriber,
        base_url,
        token,
        open: settings.sandbox == SandboxMode::On,
    };
    let p = sims.providers();
    warn!(
        page = %format!("{}/sandbox", sims.base_url),
        simulators = %sims.addresses(),
        telegram = p.telegram,
        openai = p.openai,
        whoop = p.whoop,
        fatsecret = p.fatsecret,
        "SANDBOX: no TELEGRAM_BOT_TOKEN, so this is a sandbox, not the real bot: simulators run \
         in this process; open the page to talk to the bot"
    );
    Ok(sims)
}

/// PUBLIC_BASE_URL, or this server's loopback address: the page and the OAuth redirects use it.
fn public_base_url(settings: &mut Settings, bound: SocketAddr) -> anyhow::Result<String> {
    let base_url = match &settings.server.public_base_url {
        Some(url) => url.as_str().trim_end_matches('/').to_owned(),
        None => {
            // A browser cannot open 0.0.0.0: the page and the OAuth redirects use loopback.
            let ip = match bound.ip() {
                ip if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
                ip => ip,
            };
            format!("http://{}", SocketAddr::new(ip, bound.port()))
        }
    };
    settings.server.public_base_url = Some(parse_url(&base_url)?);
    Ok(base_url)
}

/// Without WELLNESS_ENCRYPTION_KEY the sandbox's own key stores the simulated tokens.
fn use_the_sandbox_key(settings: &mut Settings) {
    if settings.encryption_key.is_some() {
        return;
    }
    settings.encryption_key = Some(Secret::new(
        base64::engine::general_purpose::STANDARD.encode(SANDBOX_ENCRYPTION_KEY),
    ));
    // Real tokens must not be stored under a key printed in the source.
    if settings.whoop.client_id.is_some() || settings.fatsecret.consumer_key.is_some() {
        warn!(
            "WELLNESS_ENCRYPTION_KEY is not set: the sandbox simulates WHOOP and FatSecret \
             even where credentials are given"
        );
    }
    settings.whoop.client_id = None;
    settings.fatsecret.consumer_key = None;
}

/// The Telegram simulator, the bot polling it.
async fn start_telegram(
    settings: &mut Settings,
    db: &Database,
    token: &str,
) -> anyhow::Result<TelegramSim> {
    // The inbox and food entries remember update ids (a repeated one is a redelivery, ignored),
    // and they stay in the database across runs while the simulator starts afresh: so each run
    // numbers its updates past the last one stored. Should the database not answer yet, the
    // current Unix time is past any earlier run's ids unless that run took more updates than
    // it lasted seconds. Telegram's ids fit in 32 bits; so do these.
    let stored = PgInbox::new(db.clone())
        .last_update_id()
        .await
        .ok()
        .flatten()
        .map_or(0, |id| id.get() + 1);
    let first_update_id = chrono::Utc::now().timestamp().max(stored).max(1);
    let telegram = TelegramSim::start(SimConfig {
        first_update_id,
        // A bot token of this run only: the simulated Bot API is on loopback too, and a fixed
        // token would let any local process read the bot's updates and send as it.
        token: format!("7000000001:AA{}", access::random_id()),
        control_token: Some(token.to_owned()),
        ..SimConfig::default()
    })
    .await
    .context("cannot start the Telegram simulator")?;
    settings.telegram.bot_token = Some(Secret::new(telegram.token()));
    settings.telegram.api_url = parse_url(&telegram.base_url())?;
    settings.telegram.mode = TelegramMode::Polling;
    Ok(telegram)
}

/// The WHOOP simulator, unless WHOOP's credentials are configured.
async fn start_whoop(
    settings: &mut Settings,
    base_url: &str,
    token: &str,
) -> anyhow::Result<Option<WhoopSim>> {
    if settings.whoop.client_id.is_some() && settings.whoop.client_secret.is_some() {
        return Ok(None);
    }
    let mut config = WhoopSimConfig::default()
        .with_redirect_uri(format!("{base_url}/whoop/callback"))
        .with_webhook_url(format!("{base_url}/whoop/webhook"))
        .with_users(vec![WhoopUser::new(10129).with_name("Sandbox")]);
    config.allow_http_redirect_uris = true;
    config.control_token = Some(token.to_owned());
    let sim = WhoopSim::start(config)
        .await
        .context("cannot start the WHOOP simulator")?;
    settings.whoop.client_id = Some(sim.client_id().to_owned());
    settings.whoop.client_secret = Some(Secret::new(sim.client_secret()));
    settings.whoop.api_url = parse_url(&sim.base_url())?;
    Ok(Some(sim))
}

/// The FatSecret simulator, unless FatSecret's consumer is configured.
async fn start_fatsecret(
    settings: &mut Settings,
    token: &str,
) -> anyhow::Result<Option<FatSecretSim>> {
    if settings.fatsecret.consumer_key.is_some() && settings.fatsecret.consumer_secret.is_some() {
        return Ok(None);
    }
    let sim = FatSecretSim::start(FatSecretSimConfig {
        control_token: Some(token.to_owned()),
        ..FatSecretSimConfig::default()
    })
    .await
    .context("cannot start the FatSecret simulator")?;
    settings.fatsecret.consumer_key = Some(sim.consumer_key().to_owned());
    settings.fatsecret.consumer_secret = Some(Secret::new(sim.consumer_secret()));
    settings.fatsecret.api_url = parse_url(&sim.base_url())?;
    settings.fatsecret.auth_url = parse_url(&sim.base_url())?;
    Ok(Some(sim))
}

/// The Open Food Facts simulator with a few products, so a photo of their barcodes logs them.
async fn start_openfoodfacts(
    settings: &mut Settings,
    token: &str,
) -> anyhow::Result<OpenFoodFactsSim> {
    let sim = OpenFoodFactsSim::start(OpenFoodFactsSimConfig {
        control_token: Some(token.to_owned()),
        ..OpenFoodFactsSimConfig::default()
    })
    .await
    .context("cannot start the Open Food Facts simulator")?;
    sim.add_product(
        SimProduct::new("4823063112628", "Oat flakes")
            .name_uk("Вівсяні пластівці")
            .per_100g(366.0, 12.0, 6.5, 60.0)
            .serving_grams(40.0),
    );
    sim.add_product(
        SimProduct::new("5901234123457", "Greek yogurt 2%")
            .name_uk("Грецький йогурт 2%")
            .per_100g(66.0, 8.0, 2.0, 3.6),
    );
    settings.openfoodfacts.api_url = parse_url(&sim.base_url())?;
    Ok(sim)
}

/// Without an OpenAI key the offline rules read text (as in production without OpenAI); the
/// simulator stands in for Whisper only, so voice notes work too.
async fn start_whisper(
    settings: &Settings,
    token: &str,
) -> anyhow::Result<(Option<OpenAiSim>, Option<Arc<dyn Transcriber>>)> {
    if settings.openai.api_key.is_some() {
        return Ok((None, None));
    }
    let sim = OpenAiSim::start(OpenAiSimConfig {
        control_token: Some(token.to_owned()),
        ..OpenAiSimConfig::default()
    })
    .await
    .context("cannot start the OpenAI simulator")?;
    let client = OpenAiClient::new(OpenAiConfig {
        transcription_model: settings.openai.transcription_model.clone(),
        ..OpenAiConfig::new(sim.base_url(), Secret::new(sim.api_key()))
    })
    .map_err(|e| anyhow::anyhow!("the OpenAI simulator: {e}"))?;
    let whisper: Arc<dyn Transcriber> = Arc::new(OpenAiTranscriber::new(client));
    Ok((Some(sim), Some(whisper)))
}

fn parse_url(raw: &str) -> anyhow::Result<Url> {
    Url::parse(raw).with_context(|| format!("sandbox URL {raw:?}"))
}

impl SandboxSims {
    /// Where each simulator listens, for the log (their control endpoints need the token).
    fn addresses(&self) -> String {
        let mut all = vec![format!("telegram={}", self.telegram.base_url())];
        all.extend(
            self.whoop
                .as_ref()
                .map(|s| format!("whoop={}", s.base_url())),
        );
        all.extend(
            self.fatsecret
                .as_ref()
                .map(|s| format!("fatsecret={}", s.base_url())),
        );
        all.extend(
            self.openai
                .as_ref()
                .map(|s| format!("openai={}", s.base_url())),
        );
        all.push(format!("openfoodfacts={}", self.openfoodfacts.base_url()));
        all.join(" ")
    }

    /// What is simulated.
    pub fn providers(&self) -> Providers {
        let which = |simulated: bool| if simulated { "simulated" } else { "real" };
        Providers {
            telegram: "simulated",
            openai: which(self.openai.is_some()),
            whoop: which(self.whoop.is_some()),
            fatsecret: which(self.fatsecret.is_some()),
        }
    }

    /// The running sandbox, once the bot's messenger exists.
    pub fn with_bot(
        self,
        messenger: Arc<dyn Messenger>,
        db: Database,
        presenter: Arc<dyn Presenter>,
    ) -> Sandbox {
        crate::pages::link_back_to_sandbox();
        Sandbox {
            sims: self,
            messenger,
            db,
            presenter,
            injected: AtomicU64::new(0),
        }
    }
}

/// The sandbox the /sandbox routes drive.
pub struct Sandbox {
    sims: SandboxSims,
    messenger: Arc<dyn Messenger>,
    db: Database,
    presenter: Arc<dyn Presenter>,
    /// Messages the page injected: part of the version the page long-polls on.
    injected: AtomicU64,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("sims", &self.sims)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// The simulated Telegram.
    pub fn telegram(&self) -> &TelegramSim {
        &self.sims.telegram
    }

    /// The simulated OpenAI, when OpenAI is not configured.
    pub fn openai(&self) -> Option<&OpenAiSim> {
        self.sims.openai.as_ref()
    }

    /// What is simulated.
    pub fn providers(&self) -> Providers {
        self.sims.providers()
    }

    /// The person at the page (the session's Telegram user), with their app's language ("uk"
    /// or "en").
    pub fn user(&self, telegram_id: i64, language: Option<&str>) -> SimUser {
        let language = match language {
            Some(l) if l.to_ascii_lowercase().starts_with("uk") => "uk",
            _ => "en",
        };
        SimUser::new(telegram_id, "Sandbox").with_language(language)
    }

    /// This process's token, for the page.
    pub fn token(&self) -> &str {
        &self.sims.token
    }

    /// Whether `req` may reach the sandbox at all (see [`access`]).
    pub fn admits(&self, req: &actix_web::HttpRequest) -> bool {
        self.sims.open || access::is_local(req)
    }

    /// Whether `given` is this process's token.
    pub fn token_matches(&self, given: &str) -> bool {
        crate::security::constant_time_eq(given.as_bytes(), self.sims.token.as_bytes())
    }

    /// Counts a message the page sent.
    pub fn note_injected(&self) {
        self.injected.fetch_add(1, Ordering::SeqCst);
    }

    /// Grows with every message either side sends, edit and button answer: the page asks again
    /// when it changes.
    pub fn version(&self) -> u64 {
        let telegram = &self.sims.telegram;
        let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        count(telegram.sent().len())
            .saturating_add(count(telegram.callback_answers().len()))
            .saturating_add(self.injected.load(Ordering::SeqCst))
    }

    /// Where briefings are sent.
    pub fn messenger(&self) -> &dyn Messenger {
        self.messenger.as_ref()
    }

    /// The database.
    pub fn db(&self) -> &Database {
        &self.db
    }

    /// What the bot says.
    pub fn presenter(&self) -> &dyn Presenter {
        self.presenter.as_ref()
    }
}
