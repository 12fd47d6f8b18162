//! The bot at run time: the Telegram client, the inbox workers, and the webhook or polling
//! set-up. Updates are stored in the inbox first (by the webhook route or the poller), then
//! workers claim them, one chat at a time, and hand them to the domain.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tracing::{info, warn};
use wellness_barcode::RxingReader;
use wellness_domain::Locale;
use wellness_domain::ports::ProductSources;
use wellness_domain::ports::SystemClock;
use wellness_domain::ports::{
    Assistant, ConnectLinks, CredentialStore, FloodLimits, Inbox, Limit, Messenger, PhotoReader,
    Transcriber, Wearable,
};
use wellness_domain::retry::Backoff;
use wellness_domain::usecases::catalog::FallbackCatalog;
use wellness_domain::usecases::chat::{ChatPorts, ChatService, UserLimits};
use wellness_domain::usecases::food::{BarcodePhotos, PersonalFoods, VoiceLimits};
use wellness_domain::usecases::inbox::InboxPolicy;
use wellness_offline::{OfflineCatalog, RuleAssistant};
use wellness_openai::{
    OpenAiAssistant, OpenAiClient, OpenAiConfig, OpenAiPhotoReader, OpenAiTranscriber,
};
use wellness_openfoodfacts::{OpenFoodFacts, OpenFoodFactsConfig};
use wellness_postgres::{
    Database, PgConversations, PgFloodGate, PgFoodLog, PgInbox, PgPendingQuestions,
    PgPersonalFoods, PgThrottle, PgUserData, PgUsers, PgWearableStore,
};
use wellness_telegram::{
    ClientOptions, OutboundLimiter, PollOptions, SharedLimiter, TelegramClient, poll_into_inbox,
};
use wellness_texts::Texts;

use crate::inbox_worker::{Handler, Worker};
use crate::metered::{MeteredAssistant, MeteredAudit, MeteredPhotoReader, MeteredTranscriber};
use crate::metrics::Metrics;
use crate::settings::{Settings, TelegramMode};

/// How often the first idle worker looks for updates nobody announced: another instance's
/// backlog, a retry coming due, a dead worker's claim running out.
const LOOKOUT_EVERY: Duration = Duration::from_millis(500);
/// How often every other idle worker looks (a safety net: they are woken when there is work).
const IDLE_LOOK_EVERY: Duration = Duration::from_secs(10);

/// The running bot's background tasks.
pub struct BotTasks {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl BotTasks {
    /// Asks every task to stop after its current update and waits (bounded).
    pub async fn shutdown(self, timeout: Duration) {
        let _ = self.stop.send(true);
        let all = futures_util::future::join_all(self.tasks);
        if tokio::time::timeout(timeout, all).await.is_err() {
            warn!("bot tasks did not stop in time");
        }
    }
}

/// Pauses between attempts to set the webhook: 1 s doubling up to a minute.
const SETUP_RETRIES: Backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));

/// Builds the bot when a token is configured; `None` otherwise.
pub fn build_client(settings: &Settings) -> anyhow::Result<Option<TelegramClient>> {
    let Some(token) = settings.telegram.bot_token.clone() else {
        return Ok(None);
    };
    let limiter = Arc::new(OutboundLimiter::new(
        settings.telegram.global_per_second,
        settings.telegram.per_chat_interval,
    ));
    let options = ClientOptions {
        mini_app_url: settings.mini_app_url(),
        ..ClientOptions::default()
    };
    let client =
        TelegramClient::with_options(settings.telegram.api_url.as_str(), token, limiter, options)
            .map_err(|e| anyhow::anyhow!("TELEGRAM_BOT_TOKEN or TELEGRAM_API_URL: {e}"))?;
    Ok(Some(client))
}

/// Makes `client` send through the bot's flood budget shared in PostgreSQL by every instance
/// (one budget per bot id, the token's public part), its own limiter standing in only while the
/// database cannot be asked.
pub fn share_flood_budget(
    client: &TelegramClient,
    settings: &Settings,
    db: &Database,
    metrics: Option<&Arc<Metrics>>,
) {
    let bot = settings
        .telegram
        .bot_token
        .as_ref()
        .and_then(|token| token.expose().split_once(':').map(|(id, _)| id.to_owned()))
        .unwrap_or_else(|| "bot".to_owned());
    let limits = FloodLimits {
        per_second: settings.telegram.global_per_second,
        per_chat_interval: settings.telegram.per_chat_interval,
        group_per_minute: settings.telegram.group_per_minute,
        ..FloodLimits::TELEGRAM
    };
    let gate = Arc::new(PgFloodGate::new(db.clone(), bot, limits));
    let shared = Arc::new(SharedLimiter::new(gate, Arc::clone(client.limiter())));
    if let Some(metrics) = metrics {
        shared.observe_waits(metrics.budget_wait_observer());
    }
    client.share_flood_budget(shared);
}

/// What the bot shares with the HTTP routes.
#[derive(Clone)]
pub struct Shared {
    /// Tokens (a stand-in that stores nothing without an encryption key).
    pub credentials: Arc<dyn CredentialStore>,
    /// Connect links.
    pub links: Arc<dyn ConnectLinks>,
    /// WHOOP's API, when configured.
    pub whoop: Option<Arc<dyn Wearable>>,
    /// FatSecret's diary, when configured (/sync imports it).
    pub fatsecret_diary: Option<wellness_domain::usecases::chat::FatSecretDiary>,
    /// FatSecret's food database, when configured (asked before the embedded catalogue).
    pub fatsecret_catalog: Option<Arc<dyn wellness_domain::ports::FoodCatalog>>,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// Speech to text when OpenAI is not configured (the sandbox's simulated Whisper).
    pub transcriber: Option<Arc<dyn Transcriber>>,
    /// Everything the bot says (the presenter of replies and the command menu).
    pub texts: Arc<Texts>,
}

/// Starts the workers and the webhook set-up or the poller.
pub fn start(
    settings: &Settings,
    db: &Database,
    client: TelegramClient,
    messenger: Arc<dyn Messenger>,
    inbox: Arc<PgInbox>,
    wake: Arc<Notify>,
    shared: Shared,
) -> anyhow::Result<BotTasks> {
    let (stop, stop_rx) = watch::channel(false);
    let metrics = shared.metrics.clone();
    let chat: Arc<dyn Handler> = Arc::new(chat_service(settings, db, messenger.clone(), &shared)?);
    let mut tasks = Vec::new();
    let instance = wellness_jobs::instance_id();
    // Unannounced work found by one worker wakes the next, so a backlog gets every worker.
    let relay = Arc::new(Notify::new());
    for n in 0..settings.telegram.workers.max(1) {
        let worker = Worker {
            look_every: if n == 0 {
                LOOKOUT_EVERY
            } else {
                IDLE_LOOK_EVERY
            },
            relay: relay.clone(),
            name: format!("{instance}-w{n}"),
            inbox: inbox.clone() as Arc<dyn Inbox>,
            handler: chat.clone(),
            messenger: messenger.clone(),
            policy: InboxPolicy {
                max_attempts: settings.telegram.max_attempts.max(1),
                ..InboxPolicy::default()
            },
            metrics: metrics.clone(),
            lease: chrono::Duration::from_std(settings.telegram.lease)
                .unwrap_or(chrono::Duration::seconds(60)),
            handle_timeout: settings.telegram.handle_timeout.max(Duration::from_secs(1)),
        };
        tasks.push(tokio::spawn(worker.run(wake.clone(), stop_rx.clone())));
    }
    tasks.push(match settings.telegram.mode {
        TelegramMode::Webhook => set_webhook(settings, client, shared.texts.clone(), stop_rx),
        TelegramMode::Polling => poll(settings, client, shared.texts.clone(), inbox, stop_rx),
    });
    info!(workers = settings.telegram.workers, mode = ?settings.telegram.mode, "bot started");
    Ok(BotTasks { stop, tasks })
}

/// Webhook mode: sets the webhook (and the command menu) until Telegram takes it.
fn set_webhook(
    settings: &Settings,
    client: TelegramClient,
    texts: Arc<Texts>,
    mut stop_rx: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let url = settings
        .server
        .public_base_url
        .as_ref()
        .map(|u| format!("{}/telegram/webhook", u.as_str().trim_end_matches('/')))
        .unwrap_or_default();
    let secret = settings.telegram.webhook_secret.clone();
    tokio::spawn(async move {
        let setup = async {
            let mut retries = SETUP_RETRIES.series();
            loop {
                match register(&client, &texts, Some(&url), secret.as_ref()).await {
                    Ok(()) => return,
                    Err(e) => {
                        let delay = retries.next_wait();
                        warn!(error = %e, retry_in_s = delay.as_secs(), "cannot set the webhook yet");
                        tokio::time::sleep(delay).await;
                    }
                }
            }
        };
        tokio::select! {
            () = setup => {}
            _ = stop_rx.changed() => {}
        }
    })
}

/// Polling mode: the command menu, then getUpdates into the inbox until stopped.
fn poll(
    settings: &Settings,
    client: TelegramClient,
    texts: Arc<Texts>,
    inbox: Arc<PgInbox>,
    stop_rx: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let options = PollOptions {
        timeout: settings.telegram.poll_timeout,
        ..PollOptions::default()
    };
    tokio::spawn(async move {
        if let Err(e) = register(&client, &texts, None, None).await {
            warn!(error = %e, "cannot set the command menu yet");
        }
        poll_into_inbox(&client, inbox.as_ref(), options, stop_rx).await;
    })
}

/// The assistant, its stand-in, and the transcriber.
type AssistantWiring = (
    Arc<dyn Assistant>,
    Option<Arc<dyn Assistant>>,
    Option<Arc<dyn Transcriber>>,
    Option<Arc<dyn PhotoReader>>,
);

/// The conversation with every port wired: OpenAI when a key is configured (with the offline
/// rules standing in when it fails), the offline rules otherwise; the embedded catalogue.
fn chat_service(
    settings: &Settings,
    db: &Database,
    messenger: Arc<dyn Messenger>,
    shared: &Shared,
) -> anyhow::Result<ChatService> {
    let metrics = &shared.metrics;
    let (assistant, fallback_assistant, transcriber, vision) = assistants(settings, shared)?;
    let photos = barcode_photos(settings, messenger.clone(), vision)?;
    Ok(ChatService::new(ChatPorts {
        users: Arc::new(PgUsers::new(db.clone())),
        food: Arc::new(PgFoodLog::new(db.clone())),
        wearables: Arc::new(PgWearableStore::new(db.clone())),
        credentials: shared.credentials.clone(),
        links: shared.links.clone(),
        messenger,
        presenter: shared.texts.clone(),
        clock: Arc::new(SystemClock),
        conversations: Arc::new(PgConversations::new(db.clone())),
        pending: Arc::new(PgPendingQuestions::new(db.clone())),
        assistant,
        fallback_assistant,
        audit: Arc::new(MeteredAudit {
            metrics: metrics.clone(),
        }),
        catalog: match &shared.fatsecret_catalog {
            Some(primary) => Arc::new(FallbackCatalog {
                primary: primary.clone(),
                fallback: Arc::new(OfflineCatalog::new()),
            }),
            None => Arc::new(OfflineCatalog::new()),
        },
        transcriber,
        voice: VoiceLimits {
            max_secs: settings.telegram.voice_max_secs,
            ..VoiceLimits::default()
        },
        whoop: shared.whoop.clone(),
        user_data: Arc::new(PgUserData::new(db.clone())),
        fatsecret: shared.fatsecret_diary.clone(),
        throttle: Arc::new(PgThrottle::new(db.clone())),
        limits: user_limits(settings),
        personal: {
            let own = Arc::new(PgPersonalFoods::new(db.clone()));
            PersonalFoods {
                memory: own.clone(),
                products: own,
                reader: Arc::new(RuleAssistant::new()),
            }
        },
    })
    .with_barcode_photos(photos))
}

/// Photos of barcodes: read by rxing off the async runtime, looked up in Open Food Facts (the
/// user's saved products go first in the list once they exist).
fn barcode_photos(
    settings: &Settings,
    messenger: Arc<dyn Messenger>,
    vision: Option<Arc<dyn PhotoReader>>,
) -> anyhow::Result<BarcodePhotos> {
    let off = &settings.openfoodfacts;
    let open_food_facts = OpenFoodFacts::new(OpenFoodFactsConfig {
        base_url: off.api_url.as_str().trim_end_matches('/').to_owned(),
        contact: off.contact.clone(),
        reads_per_minute: usize::try_from(off.reads_per_minute).unwrap_or(100),
        ..OpenFoodFactsConfig::default()
    })?;
    Ok(BarcodePhotos {
        messenger,
        reader: Arc::new(RxingReader),
        products: ProductSources::new(vec![Arc::new(open_food_facts)]),
        vision,
        meals: settings.openai.meal_photos,
    })
}

/// OpenAI (metered) with the offline rules standing in, when a key is configured; the offline
/// rules alone otherwise; and the transcriber that goes with them.
fn assistants(settings: &Settings, shared: &Shared) -> anyhow::Result<AssistantWiring> {
    let metrics = &shared.metrics;
    let offline: Arc<dyn Assistant> = Arc::new(MeteredAssistant {
        inner: Arc::new(RuleAssistant::new()),
        provider: "offline",
        metrics: metrics.clone(),
    });
    let wiring: AssistantWiring = match &settings.openai.api_key {
        Some(key) => {
            let client = OpenAiClient::new(OpenAiConfig {
                chat_model: settings.openai.chat_model.clone(),
                transcription_model: settings.openai.transcription_model.clone(),
                vision_model: settings.openai.vision_model.clone(),
                ..OpenAiConfig::new(settings.openai.base_url.as_str(), key.clone())
            })
            .map_err(|e| anyhow::anyhow!("OPENAI_BASE_URL or OPENAI_API_KEY: {e}"))?;
            client.observe_retries(metrics.retry_observer("openai"));
            let openai = OpenAiAssistant::new(client.clone());
            let vision = OpenAiPhotoReader::new(client.clone());
            let whisper = OpenAiTranscriber::new(client);
            (
                Arc::new(MeteredAssistant {
                    inner: Arc::new(openai),
                    provider: "openai",
                    metrics: metrics.clone(),
                }),
                Some(offline),
                Some(Arc::new(MeteredTranscriber {
                    inner: Arc::new(whisper),
                    metrics: metrics.clone(),
                })),
                Some(Arc::new(MeteredPhotoReader {
                    inner: Arc::new(vision),
                    metrics: metrics.clone(),
                })),
            )
        }
        None => (
            offline,
            None,
            shared.transcriber.clone().map(|inner| {
                Arc::new(MeteredTranscriber {
                    inner,
                    metrics: metrics.clone(),
                }) as Arc<dyn Transcriber>
            }),
            None,
        ),
    };
    Ok(wiring)
}

/// The per-user limits from the settings.
fn user_limits(settings: &Settings) -> UserLimits {
    UserLimits {
        messages: Limit {
            limit: settings.telegram.messages_per_minute.max(1),
            window: chrono::Duration::minutes(1),
        },
        sync: Limit {
            limit: 1,
            window: chrono::Duration::from_std(settings.telegram.sync_every)
                .unwrap_or(chrono::Duration::minutes(5)),
        },
    }
}

/// Sets the webhook (when given) and the command menus in Ukrainian and English.
async fn register(
    client: &TelegramClient,
    texts: &Texts,
    webhook: Option<&str>,
    secret: Option<&wellness_domain::Secret>,
) -> Result<(), wellness_domain::ports::MessengerError> {
    if let Some(url) = webhook {
        client
            .set_webhook(url, secret, &["message", "callback_query"])
            .await?;
        info!("webhook set");
    }
    for (locale, language) in [
        (Locale::En, None),
        (Locale::En, Some("en")),
        (Locale::Uk, Some("uk")),
    ] {
        let menu = texts.command_menu(locale);
        let menu: Vec<(&str, &str)> = menu.iter().map(|(c, d)| (*c, d.as_str())).collect();
        client.set_my_commands(&menu, language).await?;
    }
    // One default for every chat: Telegram shows it in the chat's input bar.
    if let Some(url) = client.mini_app_url() {
        client
            .set_menu_button_web_app(None, &texts.dashboard_menu_button(Locale::En), url)
            .await?;
    }
    Ok(())
}
