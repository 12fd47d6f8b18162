//! The world a drill runs in: the simulators it asks for, a database, and `wellness serve`
//! wired to them, which a drill may kill and start again on the same database.

use std::time::{Duration, Instant};

use base64::Engine as _;
use wellness_e2e::proxy::Proxy;
use wellness_e2e::{Server, free_port, link_in};
use wellness_postgres::test_support::TestDatabase;
use wellness_sim::fatsecret::{FatSecretSim, FatSecretSimConfig};
use wellness_sim::openai::{OpenAiSim, OpenAiSimConfig};
use wellness_sim::telegram::{RateLimits, SimConfig, SimUser, TelegramSim, WebhookDelivery};
use wellness_sim::whoop::{RateLimits as WhoopLimits, WhoopSim, WhoopSimConfig};

pub const SECRET: &str = "drill-webhook-secret_42";
/// The simulated FatSecret account every connection approves as.
pub const FS_USER: &str = "drill-fs";

/// A peer the app may reach through a fault-injecting proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    Postgres,
    Telegram,
    Whoop,
    FatSecret,
    OpenAi,
}

/// What a drill needs.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Telegram delivers to the webhook (else the bot polls).
    pub webhook: bool,
    /// OpenAI is configured (the simulator).
    pub openai: bool,
    /// WHOOP is configured (the simulator).
    pub whoop: bool,
    /// FatSecret is configured (the simulator).
    pub fatsecret: bool,
    /// How long FatSecret's `Timeout` faults hold the connection (300 ms when unset).
    pub fatsecret_hold: Option<Duration>,
    /// A database URL of the drill's own (a private PostgreSQL); else a fresh test database
    /// on the shared server.
    pub database_url: Option<String>,
    /// Extra environment.
    pub env: Vec<(&'static str, String)>,
    /// The app reaches this peer through [`World::proxy`] (PostgreSQL: the shared server only).
    pub proxied: Option<Peer>,
}

/// The running world.
pub struct World {
    pub tg: TelegramSim,
    pub ai: Option<OpenAiSim>,
    pub whoop: Option<WhoopSim>,
    pub fs: Option<FatSecretSim>,
    pub server: Option<Server>,
    /// The database, directly (the app's own URL may go through the proxy).
    pub db_url: String,
    /// The proxy in front of `options.proxied`.
    pub proxy: Option<Proxy>,
    db: Option<TestDatabase>,
    options: Options,
}

impl World {
    /// Starts the simulators, the database and `wellness serve`; waits until it is ready.
    pub async fn start(options: Options) -> World {
        let tg = TelegramSim::start(SimConfig {
            rate_limits: RateLimits::disabled(),
            webhook: WebhookDelivery {
                // A failed delivery is tried again soon: an outage's backlog drains fast.
                retry_max: Duration::from_millis(500),
                request_timeout: Duration::from_secs(5),
                ..WebhookDelivery::default()
            },
            ..SimConfig::default()
        })
        .await
        .unwrap();
        let ai = if options.openai {
            Some(OpenAiSim::start(OpenAiSimConfig::default()).await.unwrap())
        } else {
            None
        };
        // The redirect URI must be known before the port of the first process is.
        let first_port = free_port();
        let whoop = if options.whoop {
            let mut config = WhoopSimConfig::default()
                .with_redirect_uri(format!("http://127.0.0.1:{first_port}/whoop/callback"))
                .with_auto_approve(true)
                .with_rate_limits(WhoopLimits::disabled());
            config.allow_http_redirect_uris = true;
            Some(WhoopSim::start(config).await.unwrap())
        } else {
            None
        };
        // Requests to FatSecret are signed over the URL they are sent to: the proxy's, if any.
        let proxy_port = free_port();
        let fs = if options.fatsecret {
            let mut config = FatSecretSimConfig::default()
                .with_auto_approve(FS_USER)
                .with_fault_hold(options.fatsecret_hold.unwrap_or(Duration::from_millis(300)));
            if options.proxied == Some(Peer::FatSecret) {
                config = config.with_signing_api_root(format!("http://127.0.0.1:{proxy_port}"));
            }
            Some(FatSecretSim::start(config).await.unwrap())
        } else {
            None
        };
        let (db_url, db) = match &options.database_url {
            Some(url) => (url.clone(), None),
            None => {
                let db = TestDatabase::migrated().await.unwrap();
                (db.url().to_owned(), Some(db))
            }
        };
        let mut world = World {
            tg,
            ai,
            whoop,
            fs,
            server: None,
            db_url,
            proxy: None,
            db,
            options,
        };
        if let Some(peer) = world.options.proxied {
            world.proxy = Some(match peer {
                Peer::Postgres => Proxy::to_test_server().await,
                _ => Proxy::start_on(proxy_port, authority(&world.peer_url(peer))).await,
            });
        }
        world.serve_on(first_port).await;
        world
    }

    fn env(&self, port: u16) -> Vec<(&'static str, String)> {
        let base = format!("http://127.0.0.1:{port}");
        let mut env = vec![
            ("DATABASE_URL", self.db_url.clone()),
            ("TELEGRAM_BOT_TOKEN", self.tg.token().to_owned()),
            ("TELEGRAM_API_URL", self.tg.base_url()),
            (
                "TELEGRAM_MODE",
                if self.options.webhook {
                    "webhook"
                } else {
                    "polling"
                }
                .to_owned(),
            ),
            ("TELEGRAM_WEBHOOK_SECRET", SECRET.to_owned()),
            ("WELLNESS__TELEGRAM__POLL_TIMEOUT_SECS", "1".to_owned()),
            ("WELLNESS__TELEGRAM__PER_CHAT_INTERVAL_MS", "5".to_owned()),
            ("WELLNESS__TELEGRAM__GLOBAL_PER_SECOND", "1000".to_owned()),
            // A killed process's claims are taken over soon.
            ("WELLNESS__TELEGRAM__LEASE_SECS", "3".to_owned()),
            ("PUBLIC_BASE_URL", base),
            (
                "WELLNESS_ENCRYPTION_KEY",
                base64::engine::general_purpose::STANDARD.encode([9u8; 32]),
            ),
        ];
        if let Some(ai) = &self.ai {
            env.push(("OPENAI_API_KEY", ai.api_key().to_owned()));
            env.push(("OPENAI_BASE_URL", ai.base_url()));
        }
        if let Some(whoop) = &self.whoop {
            env.push(("WHOOP_CLIENT_ID", whoop.client_id().to_owned()));
            env.push(("WHOOP_CLIENT_SECRET", whoop.client_secret().to_owned()));
            env.push(("WHOOP_API_URL", whoop.base_url()));
        }
        if let Some(fs) = &self.fs {
            env.push(("FATSECRET_CONSUMER_KEY", fs.consumer_key().to_owned()));
            env.push(("FATSECRET_CONSUMER_SECRET", fs.consumer_secret().to_owned()));
            env.push(("FATSECRET_API_URL", fs.base_url()));
            env.push(("FATSECRET_AUTH_URL", fs.base_url()));
        }
        if let (Some(peer), Some(proxy)) = (self.options.proxied, &self.proxy) {
            let (key, url) = match peer {
                Peer::Postgres => {
                    let name = self.db.as_ref().expect("a shared-server database").name();
                    ("DATABASE_URL", proxy.database_url(name))
                }
                Peer::Telegram => ("TELEGRAM_API_URL", self.peer_url(peer)),
                Peer::Whoop => ("WHOOP_API_URL", self.peer_url(peer)),
                // Only the API: the OAuth pages of the connect flow are reached directly.
                Peer::FatSecret => ("FATSECRET_API_URL", self.peer_url(peer)),
                Peer::OpenAi => ("OPENAI_BASE_URL", self.peer_url(peer)),
            };
            let url = match peer {
                Peer::Postgres => url,
                _ => url.replacen(authority(&url), &format!("127.0.0.1:{}", proxy.port), 1),
            };
            env.push((key, url));
        }
        env.extend(self.options.env.iter().cloned());
        env
    }

    /// The base URL of a simulated peer.
    fn peer_url(&self, peer: Peer) -> String {
        match peer {
            Peer::Postgres => self.db_url.clone(),
            Peer::Telegram => self.tg.base_url(),
            Peer::Whoop => self.whoop.as_ref().expect("whoop").base_url(),
            Peer::FatSecret => self.fs.as_ref().expect("fatsecret").base_url(),
            Peer::OpenAi => self.ai.as_ref().expect("openai").base_url(),
        }
    }

    /// The proxy in front of the peer the drill asked for.
    pub fn proxy(&self) -> &Proxy {
        self.proxy.as_ref().expect("Options::proxied")
    }

    async fn serve_on(&mut self, port: u16) {
        let server = Server::start_on(port, &self.env(port));
        server
            .wait_for("/readyz", 200, Duration::from_secs(20))
            .await;
        if self.options.webhook {
            let url = format!("{}/telegram/webhook", server.url);
            let deadline = Instant::now() + Duration::from_secs(10);
            while self.tg.webhook().is_none_or(|w| w.url != url) {
                assert!(
                    Instant::now() < deadline,
                    "no webhook set; logs:\n{}",
                    server.logs().join("\n")
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        self.server = Some(server);
    }

    /// Sets a variable for the next start (it overrides the world's own).
    pub fn set_env(&mut self, key: &'static str, value: impl Into<String>) {
        self.options.env.push((key, value.into()));
    }

    /// The running server.
    pub fn server(&self) -> &Server {
        self.server.as_ref().expect("the server is running")
    }

    /// SIGKILL: no chance to finish anything.
    pub fn kill(&mut self) {
        if let Some(server) = self.server.take() {
            server.kill();
        }
    }

    /// Starts `wellness serve` again (on a new port) on the same database and simulators.
    pub async fn restart(&mut self) {
        self.kill();
        self.serve_on(free_port()).await;
    }

    /// GET /metrics.
    pub async fn metrics(&self) -> String {
        wellness_e2e::scrape(&self.server().url).await
    }

    /// Waits for the bot's reply number `nth` (from 0) in `user`'s chat.
    pub async fn reply(&self, user: &SimUser, nth: usize, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let sent = self.tg.sent_to(user.id);
            if sent.len() > nth {
                return sent[nth].visible_text().to_owned();
            }
            assert!(
                Instant::now() < deadline,
                "no reply #{nth} to {} within {timeout:?}: {:?}",
                user.id,
                sent.iter().map(|s| s.visible_text()).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `user` says `text`; returns the bot's next reply.
    pub async fn say(&self, user: &SimUser, text: &str) -> String {
        let nth = self.tg.sent_to(user.id).len();
        self.tg.send_text(user, text);
        self.reply(user, nth, Duration::from_secs(20)).await
    }

    /// The replies in `user`'s chat so far.
    pub fn replies(&self, user: &SimUser) -> Vec<String> {
        self.tg
            .sent_to(user.id)
            .iter()
            .map(|r| r.visible_text().to_owned())
            .collect()
    }

    /// Waits until the chat has a message starting with `start` (sent by the app on its own).
    pub async fn told(&self, user: &SimUser, start: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while !self.replies(user).iter().any(|r| r.starts_with(start)) {
            assert!(
                Instant::now() < deadline,
                "never told {start:?}: {:?}",
                self.replies(user)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Connects `user`'s WHOOP through the pages (auto-approved) and waits for the chat's
    /// "connected"; the first sync starts in the background.
    pub async fn connect_whoop(&self, user: &SimUser) {
        let offer = self.say(user, "/connect_whoop").await;
        let page = wellness_e2e::connect_through(&link_in(&offer), &user.first_name).await;
        assert_eq!(page.status(), 200, "{offer}");
        assert!(page.text().await.unwrap().contains("WHOOP is connected"));
        self.told(user, "WHOOP is connected ✓").await;
    }

    /// Connects `user`'s FatSecret through the pages (auto-approved) and waits for the chat's
    /// "connected".
    pub async fn connect_fatsecret(&self, user: &SimUser) {
        let offer = self.say(user, "/connect_fatsecret").await;
        let page = wellness_e2e::connect_through(&link_in(&offer), &user.first_name).await;
        assert_eq!(page.status(), 200, "{offer}");
        assert!(
            page.text()
                .await
                .unwrap()
                .contains("FatSecret is connected")
        );
        self.told(user, "FatSecret is connected ✓").await;
    }
}

/// `127.0.0.1:PORT` of `http://127.0.0.1:PORT/path`.
fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split('/').next().unwrap_or(rest)
}

/// POSTs an update to the webhook with the secret; the status, or `None` when the request
/// failed without an answer.
pub async fn post_update(client: &reqwest::Client, base: &str, body: Vec<u8>) -> Option<u16> {
    client
        .post(format!("{base}/telegram/webhook"))
        .header("content-type", "application/json")
        .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
        .timeout(Duration::from_secs(10))
        .body(body)
        .send()
        .await
        .ok()
        .map(|r| r.status().as_u16())
}
