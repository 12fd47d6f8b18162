//! The adapters, built once: every port the app wires, each behind its metered decorator,
//! and what each consumer (the bot, the routes, the outbox worker, the jobs) is handed.

use std::sync::Arc;

use tracing::warn;
use wellness_domain::Provider;
use wellness_domain::ports::{
    Authorization, Clock, ConnectLinks, CredentialStore, FoodCatalog, Messenger, OAuthStates,
    Presenter, SendPriority, SystemClock, Tasks, Users, Wearable,
};
use wellness_domain::usecases::catalog::CachedCatalog;
use wellness_domain::usecases::chat::FatSecretDiary;
use wellness_domain::usecases::connect::Connect;
use wellness_fatsecret::{FatSecretClient, FatSecretConfig};
use wellness_postgres::{
    Database, PgCatalogCache, PgConversations, PgCredentialStore, PgDiaryOutbox, PgFoodLog,
    PgInbox, PgNotifications, PgOAuthStates, PgRequestBudget, PgTasks, PgUsers, PgWearableStore,
    TokenCipher,
};
use wellness_telegram::TelegramClient;
use wellness_texts::Texts;
use wellness_whoop::{ClientOptions, WhoopClient, WhoopConfig};

use crate::bot;
use crate::connect::{NoCredentials, OAuthConnect};
use crate::diary::OutboxWorker;
use crate::followups::{BriefingSources, FollowUpWorker};
use crate::integrations::{
    FatSecretAuthorization, FatSecretIntegration, WhoopAuthorization, WhoopIntegration,
};
use crate::metered::{MeteredFatSecret, MeteredMessenger, MeteredWearable};
use crate::metrics::Metrics;
use crate::schedule::JobPorts;
use crate::settings::Settings;

/// Every adapter of a running app.
pub(crate) struct Adapters {
    /// The pool.
    pub db: Database,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// Everything the bot says (loaded once: a broken resource file stops the start).
    pub texts: Arc<Texts>,
    /// The same texts as the domain's presenter.
    pub presenter: Arc<dyn Presenter>,
    /// People.
    pub users: Arc<dyn Users>,
    /// Telegram updates, stored first.
    pub inbox: Arc<PgInbox>,
    /// Durable follow-up work.
    pub tasks: Arc<dyn Tasks>,
    /// Tokens (a stand-in that stores nothing without an encryption key).
    pub credentials: Arc<dyn CredentialStore>,
    /// Pending connections (none without an encryption key).
    pub states: Option<Arc<dyn OAuthStates>>,
    /// `PUBLIC_BASE_URL` without its trailing slash.
    pub public_base_url: Option<String>,
    /// The Telegram client, when a bot token is configured.
    pub telegram: Option<TelegramClient>,
    /// The same client behind the domain's port, metered: replies (interactive priority).
    pub messenger: Option<Arc<dyn Messenger>>,
    /// The same client for briefings and other scheduled notices: they give way to replies
    /// when the bot's shared flood budget is short.
    pub broadcast: Option<Arc<dyn Messenger>>,
    /// WHOOP's client, when configured.
    pub whoop_client: Option<WhoopClient>,
    /// The same client behind the domain's port, metered.
    pub whoop: Option<Arc<dyn Wearable>>,
    /// FatSecret's client, when configured.
    pub fatsecret_client: Option<FatSecretClient>,
    /// The same client behind the domain's ports, metered.
    pub fatsecret: Option<Arc<MeteredFatSecret<FatSecretClient>>>,
}

impl Adapters {
    /// Builds every adapter from the settings. Nothing connects yet: the pool is lazy.
    pub fn build(settings: &Settings, db: Database) -> anyhow::Result<Self> {
        let metrics = Arc::new(Metrics::new()?);
        let texts = Arc::new(Texts::load()?);
        // Tokens need the encryption key: without it nothing can be connected.
        // Checked when the settings were read; previous keys only decrypt, during a rotation.
        let cipher: Option<TokenCipher> = settings.token_cipher()?;
        let credentials: Arc<dyn CredentialStore> = match &cipher {
            Some(c) => Arc::new(PgCredentialStore::new(db.clone(), c.clone())),
            None => Arc::new(NoCredentials),
        };
        let states =
            cipher.map(|c| Arc::new(PgOAuthStates::new(db.clone(), c)) as Arc<dyn OAuthStates>);
        let public_base_url = settings
            .server
            .public_base_url
            .as_ref()
            .map(|u| u.as_str().trim_end_matches('/').to_owned());
        let base = public_base_url.as_deref();
        let whoop_client = whoop_client(settings, &db, base, states.is_some())?;
        let fatsecret_client = fatsecret_client(settings, base, states.is_some())?;
        let telegram = bot::build_client(settings)?;
        if let Some(c) = &telegram {
            c.observe_retries(metrics.retry_observer("telegram"));
            bot::share_flood_budget(c, settings, &db, Some(&metrics));
        }
        if let Some(c) = &whoop_client {
            c.observe_retries(metrics.retry_observer("whoop"));
        }
        let messenger = telegram.as_ref().map(|c| {
            Arc::new(MeteredMessenger {
                inner: Arc::new(c.clone()),
                metrics: metrics.clone(),
            }) as Arc<dyn Messenger>
        });
        let broadcast = telegram.as_ref().map(|c| {
            Arc::new(MeteredMessenger {
                inner: Arc::new(c.with_priority(SendPriority::Broadcast)),
                metrics: metrics.clone(),
            }) as Arc<dyn Messenger>
        });
        let whoop = whoop_client.clone().map(|c| {
            Arc::new(MeteredWearable {
                inner: Arc::new(c),
                metrics: metrics.clone(),
            }) as Arc<dyn Wearable>
        });
        let fatsecret = fatsecret_client.clone().map(|c| {
            Arc::new(MeteredFatSecret {
                inner: Arc::new(c),
                metrics: metrics.clone(),
            })
        });
        Ok(Self {
            clock: Arc::new(SystemClock),
            presenter: texts.clone(),
            texts,
            metrics,
            users: Arc::new(PgUsers::new(db.clone())),
            inbox: Arc::new(PgInbox::new(db.clone())),
            tasks: Arc::new(PgTasks::new(db.clone())),
            credentials,
            states,
            public_base_url,
            telegram,
            messenger,
            broadcast,
            whoop_client,
            whoop,
            fatsecret_client,
            fatsecret,
            db,
        })
    }

    /// FatSecret's diary and our outbox to it, when FatSecret is configured.
    pub fn fatsecret_diary(&self) -> Option<FatSecretDiary> {
        self.fatsecret.clone().map(|diary| FatSecretDiary {
            diary,
            outbox: Arc::new(PgDiaryOutbox::new(self.db.clone())),
        })
    }

    /// FatSecret's food database with its answers kept in PostgreSQL for at most 24 hours.
    fn fatsecret_catalog(&self) -> Option<Arc<dyn FoodCatalog>> {
        self.fatsecret.clone().map(|inner| {
            Arc::new(CachedCatalog {
                inner,
                cache: Arc::new(PgCatalogCache::new(self.db.clone())),
                clock: self.clock.clone(),
            }) as Arc<dyn FoodCatalog>
        })
    }

    /// Single-use connect links for the providers this deployment can connect.
    fn connect_links(&self) -> Arc<dyn ConnectLinks> {
        Arc::new(OAuthConnect {
            states: self.states.clone(),
            public_base_url: self.public_base_url.clone(),
            whoop: self.whoop_client.is_some(),
            fatsecret: self.fatsecret_client.is_some(),
            clock: self.clock.clone(),
        })
    }

    /// What the bot's conversation is built from.
    pub fn bot_shared(
        &self,
        transcriber: Option<Arc<dyn wellness_domain::ports::Transcriber>>,
    ) -> bot::Shared {
        bot::Shared {
            texts: self.texts.clone(),
            credentials: self.credentials.clone(),
            links: self.connect_links(),
            whoop: self.whoop.clone(),
            fatsecret_diary: self.fatsecret_diary(),
            fatsecret_catalog: self.fatsecret_catalog(),
            metrics: self.metrics.clone(),
            transcriber,
        }
    }

    /// The connect flow of `provider` over its consent (`authorization`).
    fn connect(
        &self,
        provider: Provider,
        states: &Arc<dyn OAuthStates>,
        authorization: Arc<dyn Authorization>,
    ) -> Connect {
        Connect {
            provider,
            authorization,
            states: states.clone(),
            credentials: self.credentials.clone(),
            users: self.users.clone(),
            tasks: self.tasks.clone(),
            clock: self.clock.clone(),
        }
    }

    /// The Mini App's dashboard.
    pub fn dashboard(&self) -> wellness_domain::usecases::dashboard::Dashboard {
        wellness_domain::usecases::dashboard::Dashboard {
            users: self.users.clone(),
            food: Arc::new(PgFoodLog::new(self.db.clone())),
            wearables: Arc::new(PgWearableStore::new(self.db.clone())),
            connections: wellness_domain::usecases::chat::Connections {
                links: self.connect_links(),
                credentials: self.credentials.clone(),
            },
            clock: self.clock.clone(),
            menu: self.messenger.clone().map(|messenger| {
                wellness_domain::usecases::dashboard::ChatMenu {
                    messenger,
                    presenter: self.presenter.clone(),
                }
            }),
        }
    }

    /// The WHOOP routes' wiring, when WHOOP is configured and connections can be stored.
    pub fn whoop_integration(&self, settings: &Settings) -> Option<WhoopIntegration> {
        let (Some(client), Some(wearable), Some(states), Some(secret)) = (
            &self.whoop_client,
            &self.whoop,
            &self.states,
            &settings.whoop.client_secret,
        ) else {
            return None;
        };
        let authorization = Arc::new(WhoopAuthorization(client.clone()));
        Some(WhoopIntegration {
            connect: self.connect(Provider::Whoop, states, authorization),
            presenter: self.presenter.clone(),
            wearable: wearable.clone(),
            credentials: self.credentials.clone(),
            store: Arc::new(PgWearableStore::new(self.db.clone())),
            messenger: self.messenger.clone(),
            client_secret: secret.clone(),
            tasks: self.tasks.clone(),
        })
    }

    /// The FatSecret routes' wiring, when FatSecret is configured and can redirect back.
    pub fn fatsecret_integration(&self) -> Option<FatSecretIntegration> {
        let (Some(client), Some(states), Some(base)) =
            (&self.fatsecret_client, &self.states, &self.public_base_url)
        else {
            return None;
        };
        let authorization = Arc::new(FatSecretAuthorization {
            client: client.clone(),
            callback_url: format!("{base}/fatsecret/callback"),
        });
        Some(FatSecretIntegration {
            connect: self.connect(Provider::Fatsecret, states, authorization),
        })
    }

    /// The durable task workers' template (queued briefings, follow-ups, WHOOP webhooks), when
    /// the bot can speak (there is nobody to tell anything without it; queued tasks wait).
    pub fn follow_up_worker(
        &self,
        whoop: Option<WhoopIntegration>,
        jobs: &crate::settings::JobSettings,
    ) -> Option<FollowUpWorker> {
        let messenger = self.messenger.clone()?;
        let broadcast = self.broadcast.clone().unwrap_or_else(|| messenger.clone());
        Some(FollowUpWorker {
            tasks: self.tasks.clone(),
            users: self.users.clone(),
            messenger,
            presenter: self.presenter.clone(),
            whoop,
            briefings: BriefingSources {
                food: Arc::new(PgFoodLog::new(self.db.clone())),
                wearables: Arc::new(PgWearableStore::new(self.db.clone())),
                messenger: broadcast,
                clock: self.clock.clone(),
            },
            fatsecret: self.fatsecret_diary(),
            credentials: self.credentials.clone(),
            name: format!("{}-tasks", wellness_jobs::instance_id()),
            lease: chrono::Duration::from_std(jobs.task_lease)
                .unwrap_or(chrono::Duration::minutes(5)),
            deadline: jobs.task_deadline(),
            metrics: self.metrics.clone(),
        })
    }

    /// The worker that carries our food to the FatSecret diary, when FatSecret is configured.
    pub fn outbox_worker(&self) -> Option<OutboxWorker> {
        self.fatsecret.as_ref().map(|diary| OutboxWorker {
            presenter: self.presenter.clone(),
            outbox: Arc::new(PgDiaryOutbox::new(self.db.clone())),
            credentials: self.credentials.clone(),
            diary: diary.clone(),
            users: self.users.clone(),
            messenger: self.messenger.clone(),
            clock: self.clock.clone(),
        })
    }

    /// What the scheduled jobs work through.
    pub fn job_ports(&self, settings: &Settings) -> JobPorts {
        let db = &self.db;
        JobPorts {
            inbox: self.inbox.clone(),
            tasks: self.tasks.clone(),
            states: self.states.clone(),
            done_retention: settings.telegram.done_retention,
            parked_retention: settings.telegram.parked_retention,
            redrive: wellness_domain::usecases::inbox::RedrivePolicy::default(),
            briefing_check: settings.jobs.briefing_check.clone(),
            users: self.users.clone(),
            notifications: Arc::new(PgNotifications::new(db.clone())),
            conversations: Arc::new(PgConversations::new(db.clone())),
            credentials: self.credentials.clone(),
            messenger: self.broadcast.clone(),
            whoop: self.whoop.clone(),
            clock: self.clock.clone(),
            fatsecret: self.fatsecret_diary(),
        }
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
