//! The bot at run time: the Telegram client, the inbox workers, and the webhook or polling
//! set-up. Updates are stored in the inbox first (by the webhook route or the poller), then
//! workers claim them, one chat at a time, and hand them to the domain.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tracing::{Instrument as _, debug, info, info_span, warn};
use wellness_domain::ports::SystemClock;
use wellness_domain::ports::{
    Assistant, ConnectLinks, CredentialStore, Inbox, Messenger, Transcriber, Wearable,
};
use wellness_domain::retry::Backoff;
use wellness_domain::usecases::catalog::FallbackCatalog;
use wellness_domain::usecases::chat::{ChatPorts, ChatService};
use wellness_domain::usecases::food::VoiceLimits;
use wellness_domain::usecases::inbox::{InboxPolicy, Settlement};
use wellness_domain::{ChatId, InboxUpdate, Locale, UpdateId};
use wellness_offline::{OfflineCatalog, RuleAssistant};
use wellness_openai::{OpenAiAssistant, OpenAiClient, OpenAiConfig, OpenAiTranscriber};
use wellness_postgres::{
    Database, PgConversations, PgFoodLog, PgInbox, PgPendingQuestions, PgUserData, PgUsers,
    PgWearableStore,
};
use wellness_telegram::{
    OutboundLimiter, PollOptions, TelegramClient, parse_update, poll_into_inbox,
};
use wellness_texts::Texts;

use crate::metered::{MeteredAssistant, MeteredAudit, MeteredTranscriber};
use crate::metrics::Metrics;
use crate::settings::{Settings, TelegramMode};

/// Show "typing…" when handling takes longer than this.
const TYPING_AFTER: Duration = Duration::from_millis(700);

/// How often the first idle worker looks for updates nobody announced: another instance's
/// backlog, a retry coming due, a dead worker's claim running out.
const LOOKOUT_EVERY: Duration = Duration::from_millis(500);
/// How often every other idle worker looks (a safety net: they are woken when there is work).
const IDLE_LOOK_EVERY: Duration = Duration::from_secs(10);

/// Why an idle worker woke up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Woken {
    /// The webhook or the poller stored an update and said so: that update is the work.
    Announced,
    /// Its timer, or a worker that found unannounced work: there may be more of it.
    Looking,
}

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
    let client = TelegramClient::new(settings.telegram.api_url.as_str(), token, limiter)
        .map_err(|e| anyhow::anyhow!("TELEGRAM_BOT_TOKEN or TELEGRAM_API_URL: {e}"))?;
    Ok(Some(client))
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
    let chat = chat_service(settings, db, messenger.clone(), &shared)?;
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
            chat: chat.clone(),
            messenger: messenger.clone(),
            policy: InboxPolicy {
                max_attempts: settings.telegram.max_attempts.max(1),
                ..InboxPolicy::default()
            },
            metrics: metrics.clone(),
            lease: chrono::Duration::from_std(settings.telegram.lease)
                .unwrap_or(chrono::Duration::seconds(60)),
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
    let offline: Arc<dyn Assistant> = Arc::new(MeteredAssistant {
        inner: Arc::new(RuleAssistant::new()),
        provider: "offline",
        metrics: metrics.clone(),
    });
    let (assistant, fallback_assistant, transcriber): AssistantWiring =
        match &settings.openai.api_key {
            Some(key) => {
                let client = OpenAiClient::new(OpenAiConfig {
                    chat_model: settings.openai.chat_model.clone(),
                    transcription_model: settings.openai.transcription_model.clone(),
                    ..OpenAiConfig::new(settings.openai.base_url.as_str(), key.clone())
                })
                .map_err(|e| anyhow::anyhow!("OPENAI_BASE_URL or OPENAI_API_KEY: {e}"))?;
                client.observe_retries(metrics.retry_observer("openai"));
                let openai = OpenAiAssistant::new(client.clone());
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
            ),
        };
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
    }))
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
    Ok(())
}

/// One inbox worker.
struct Worker {
    name: String,
    /// How often it looks for work when idle and not woken.
    look_every: Duration,
    /// Wakes another idle worker when this one found work nobody announced.
    relay: Arc<Notify>,
    inbox: Arc<dyn Inbox>,
    chat: ChatService,
    messenger: Arc<dyn Messenger>,
    /// Done, retried later or parked: the domain's policy.
    policy: InboxPolicy,
    /// How long a claimed update is ours before another worker may take it (a worker that died).
    lease: chrono::Duration,
    metrics: Arc<Metrics>,
}

impl Worker {
    /// Claims and handles updates until stopped. An idle worker waits to be woken: by the
    /// webhook or poller for each stored update, by another worker that found unannounced work
    /// (which passes the word on while it finds more, so a backlog wakes every worker), or by
    /// its own timer — every 0.5 s for the first worker, every 10 s for the rest. Idle, an
    /// instance with 16 workers claims 3.5 times a second instead of 32.
    async fn run(self, wake: Arc<Notify>, mut stop: watch::Receiver<bool>) {
        let mut woken = Woken::Announced;
        loop {
            if *stop.borrow() {
                return;
            }
            let claimed = self.inbox.claim(&self.name, self.lease).await;
            let outcome = match &claimed {
                Ok(Some(_)) => "found",
                Ok(None) => "empty",
                Err(_) => "failed",
            };
            self.metrics
                .inc("wellness_inbox_claims_total", &[("outcome", outcome)]);
            match claimed {
                Ok(Some(update)) => {
                    // Once per wake-up: the worker woken next passes it on if it finds work too.
                    if woken == Woken::Looking {
                        self.relay.notify_one();
                        woken = Woken::Announced;
                    }
                    // One span per update: its lines, and those of every call made for it,
                    // carry the update id (never its text).
                    let span = info_span!(
                        "update",
                        update_id = %update.update_id,
                        attempt = update.attempts
                    );
                    self.process(update).instrument(span).await;
                }
                Ok(None) => {
                    woken = tokio::select! {
                        () = wake.notified() => Woken::Announced,
                        () = self.relay.notified() => Woken::Looking,
                        () = tokio::time::sleep(self.look_every) => Woken::Looking,
                        _ = stop.changed() => Woken::Announced,
                    };
                }
                Err(e) => {
                    warn!(worker = %self.name, error = %e, "cannot claim updates");
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_secs(1)) => {}
                        _ = stop.changed() => {}
                    }
                }
            }
        }
    }

    async fn process(&self, update: InboxUpdate) {
        let id = update.update_id;
        let message = match parse_update(&update.payload) {
            Ok(Some(message)) => message,
            Ok(None) => {
                debug!(update_id = %id, "nothing to do");
                self.metrics.inc(
                    "wellness_updates_processed_total",
                    &[("outcome", "ignored")],
                );
                return self.settle(id, self.inbox.complete(id).await);
            }
            Err(e) => {
                warn!(update_id = %id, error = %e, "unreadable update parked");
                self.metrics.inc(
                    "wellness_updates_processed_total",
                    &[("outcome", "unreadable")],
                );
                return self.settle(id, self.inbox.park(id, &e.to_string()).await);
            }
        };
        let started = std::time::Instant::now();
        let handling = with_typing(
            self.messenger.as_ref(),
            message.chat,
            self.chat.handle(&message),
        );
        let outcome = self.holding_the_lease(id, handling).await;
        self.metrics.observe_processing(started.elapsed());
        let settlement = self.policy.settle(update.attempts, outcome, Utc::now());
        match &settlement {
            Settlement::Done => {}
            Settlement::RetryAt { reason, .. } => {
                warn!(update_id = %id, attempts = update.attempts, error = %reason, "will retry");
            }
            Settlement::Parked { reason } => {
                warn!(update_id = %id, attempts = update.attempts, error = %reason, "parked");
            }
        }
        self.metrics.inc(
            "wellness_updates_processed_total",
            &[("outcome", settlement.label())],
        );
        let stored = self
            .policy
            .record(self.inbox.as_ref(), id, &settlement)
            .await;
        self.settle(id, stored);
    }

    /// Runs `handling` while renewing the claim every third of the lease, so a slow handling
    /// (an outside service's retries can take minutes) is not taken over by another worker.
    /// A worker that dies stops renewing, and its claim runs out as before.
    async fn holding_the_lease<T>(&self, id: UpdateId, handling: impl Future<Output = T>) -> T {
        let every = (self.lease / 3)
            .to_std()
            .unwrap_or(Duration::from_secs(1))
            .max(Duration::from_millis(100));
        tokio::pin!(handling);
        loop {
            tokio::select! {
                outcome = &mut handling => return outcome,
                () = tokio::time::sleep(every) => {
                    match self.inbox.extend_lease(id, &self.name, self.lease).await {
                        Ok(true) => {}
                        Ok(false) => warn!(update_id = %id, "lost the claim while handling"),
                        Err(e) => warn!(update_id = %id, error = %e, "could not renew the claim"),
                    }
                }
            }
        }
    }

    fn settle(
        &self,
        id: wellness_domain::UpdateId,
        result: Result<(), wellness_domain::ports::StorageError>,
    ) {
        // The lease runs out and another worker takes it again: nothing is lost.
        if let Err(e) = result {
            warn!(update_id = %id, error = %e, "could not record the outcome");
        }
    }
}

/// Runs `work`; if it takes longer than a moment, shows "typing…" until it is done.
async fn with_typing<T>(
    messenger: &dyn Messenger,
    chat: ChatId,
    work: impl Future<Output = T>,
) -> T {
    tokio::pin!(work);
    tokio::select! {
        out = &mut work => return out,
        () = tokio::time::sleep(TYPING_AFTER) => {}
    }
    loop {
        let _ = messenger.show_typing(chat).await;
        tokio::select! {
            out = &mut work => return out,
            // Telegram shows the action for about 5 seconds.
            () = tokio::time::sleep(Duration::from_millis(4500)) => {}
        }
    }
}
