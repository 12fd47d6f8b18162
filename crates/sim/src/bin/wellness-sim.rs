//! Runs a simulator as a standalone process, e.g. for the local sandbox:
//!
//! ```text
//! wellness-sim telegram --port 8081 --token 7000000001:AAsandbox
//! wellness-sim openai --port 8084 --api-key sk-sandbox
//! wellness-sim fatsecret --port 8083 --auto-approve demo
//! wellness-sim whoop --port 8082 --auto-approve --allow-http-redirect-uris \
//!     --redirect-uri http://127.0.0.1:8080/oauth/whoop/callback
//! ```

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use wellness_sim::fatsecret::{FatSecretSim, FatSecretSimConfig};
use wellness_sim::openai::{OpenAiSim, OpenAiSimConfig};
use wellness_sim::telegram::{RateLimit, RateLimits, SimConfig, TelegramSim};
use wellness_sim::whoop;

#[derive(Debug, Parser)]
#[command(
    name = "wellness-sim",
    about = "Simulators of the services the wellness bot uses"
)]
struct Cli {
    #[command(subcommand)]
    service: Service,
}

#[derive(Debug, Subcommand)]
enum Service {
    /// The Telegram Bot API.
    Telegram {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        host: IpAddr,
        /// Port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 8081)]
        port: u16,
        /// The bot token the simulator accepts.
        #[arg(long, env = "WELLNESS_SIM_TELEGRAM_TOKEN")]
        token: Option<String>,
        /// Turn the flood limits (1 msg/s per chat, 30 msg/s overall) off.
        #[arg(long)]
        no_rate_limits: bool,
        /// Messages allowed per chat per second.
        #[arg(long, default_value_t = 1)]
        per_chat_per_second: u32,
        /// Messages allowed per second over all chats.
        #[arg(long, default_value_t = 30)]
        global_per_second: u32,
    },
    /// The OpenAI API: chat completions and audio transcriptions.
    Openai {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        host: IpAddr,
        /// Port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 8084)]
        port: u16,
        /// The API key the simulator accepts.
        #[arg(long, env = "WELLNESS_SIM_OPENAI_API_KEY")]
        api_key: Option<String>,
    },
    /// The FatSecret Platform API: server.api, OAuth 1.0a endpoints and the consent page.
    Fatsecret {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        host: IpAddr,
        /// Port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 8083)]
        port: u16,
        /// The consumer key the simulator accepts.
        #[arg(long, env = "WELLNESS_SIM_FATSECRET_CONSUMER_KEY")]
        consumer_key: Option<String>,
        /// That consumer's secret.
        #[arg(long, env = "WELLNESS_SIM_FATSECRET_CONSUMER_SECRET")]
        consumer_secret: Option<String>,
        /// The root clients sign `/rest/server.api` under, when not the simulator's own URL
        /// (e.g. behind a proxy).
        #[arg(long)]
        signing_api_root: Option<String>,
        /// The root clients sign `/oauth/...` under, when not the simulator's own URL.
        #[arg(long)]
        signing_auth_root: Option<String>,
        /// Approve every authorization at once as this user, skipping the consent page.
        #[arg(long)]
        auto_approve: Option<String>,
    },
    /// The WHOOP API v2: OAuth 2, the data API with generated history, webhooks.
    Whoop {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        host: IpAddr,
        /// Port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 8082)]
        port: u16,
        /// The registered app's client id.
        #[arg(long, env = "WELLNESS_SIM_WHOOP_CLIENT_ID")]
        client_id: Option<String>,
        /// The registered app's client secret (also signs webhooks).
        #[arg(long, env = "WELLNESS_SIM_WHOOP_CLIENT_SECRET")]
        client_secret: Option<String>,
        /// A registered redirect URI (repeat for several).
        #[arg(long = "redirect-uri")]
        redirect_uris: Vec<String>,
        /// Accept http:// redirect URIs (WHOOP accepts only https:// and whoop://).
        #[arg(long)]
        allow_http_redirect_uris: bool,
        /// Approve every authorization at once, skipping the consent page.
        #[arg(long)]
        auto_approve: bool,
        /// Where to POST signed webhooks.
        #[arg(long)]
        webhook_url: Option<String>,
        /// Access-token lifetime in seconds.
        #[arg(long, default_value_t = 3600)]
        access_token_ttl_secs: u64,
        /// Turn the rate limits off.
        #[arg(long)]
        no_rate_limits: bool,
        /// Requests allowed per window.
        #[arg(long, default_value_t = 100)]
        per_window: u32,
        /// The window of the short limit, in seconds.
        #[arg(long, default_value_t = 60)]
        window_secs: u64,
        /// Requests allowed per day.
        #[arg(long, default_value_t = 10_000)]
        per_day: u32,
        /// WHOOP member ids to create (repeat; default one member, 10129).
        #[arg(long = "user")]
        users: Vec<i64>,
        /// Days of generated history per member.
        #[arg(long, default_value_t = 45)]
        history_days: u32,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    match Cli::parse().service {
        Service::Telegram {
            host,
            port,
            token,
            no_rate_limits,
            per_chat_per_second,
            global_per_second,
        } => {
            let mut config = SimConfig::default();
            if let Some(token) = token {
                config = config.with_token(token);
            }
            config.rate_limits = if no_rate_limits {
                RateLimits::disabled()
            } else {
                let second = Duration::from_secs(1);
                RateLimits {
                    per_chat: Some(RateLimit::new(per_chat_per_second, second)),
                    global: Some(RateLimit::new(global_per_second, second)),
                }
            };
            let sim = TelegramSim::start_on(SocketAddr::new(host, port), config)
                .await
                .context("starting the Telegram simulator")?;
            println!("telegram simulator listening on {}", sim.base_url());
            println!("bot API:  {}/bot{}/<method>", sim.base_url(), sim.token());
            println!("control:  {}/__sim/telegram/", sim.base_url());
            tokio::signal::ctrl_c()
                .await
                .context("waiting for Ctrl-C")?;
            sim.shutdown().await;
        }
        Service::Openai {
            host,
            port,
            api_key,
        } => {
            let given_key = api_key.is_some();
            let mut config = OpenAiSimConfig::default();
            if let Some(api_key) = api_key {
                config = config.with_api_key(api_key);
            }
            let sim = OpenAiSim::start_on(SocketAddr::new(host, port), config)
                .await
                .context("starting the OpenAI simulator")?;
            println!("openai simulator listening on {}", sim.root_url());
            println!("API base: {}", sim.base_url());
            if !given_key {
                // The simulator's built-in test key, not a secret.
                println!("API key:  {}", sim.api_key());
            }
            println!("control:  {}/", sim.control_url());
            tokio::signal::ctrl_c()
                .await
                .context("waiting for Ctrl-C")?;
            sim.shutdown().await;
        }
        Service::Fatsecret {
            host,
            port,
            consumer_key,
            consumer_secret,
            signing_api_root,
            signing_auth_root,
            auto_approve,
        } => {
            let defaults = FatSecretSimConfig::default();
            let given_consumer = consumer_key.is_some() || consumer_secret.is_some();
            let config = FatSecretSimConfig {
                consumer_key: consumer_key.unwrap_or(defaults.consumer_key.clone()),
                consumer_secret: consumer_secret.unwrap_or(defaults.consumer_secret.clone()),
                signing_api_root,
                signing_auth_root,
                auto_approve,
                ..defaults
            };
            let sim = FatSecretSim::start_on(SocketAddr::new(host, port), config)
                .await
                .context("starting the FatSecret simulator")?;
            println!("fatsecret simulator listening on {}", sim.base_url());
            println!("API:      {}", sim.server_api_url());
            println!(
                "OAuth:    {}/oauth/request_token | authorize | access_token",
                sim.base_url()
            );
            if !given_consumer {
                // The simulator's built-in test consumer, not a real secret.
                println!(
                    "consumer: {} / {}",
                    sim.consumer_key(),
                    sim.consumer_secret()
                );
            }
            println!("control:  {}/__sim/fatsecret/", sim.base_url());
            tokio::signal::ctrl_c()
                .await
                .context("waiting for Ctrl-C")?;
            sim.shutdown().await;
        }
        Service::Whoop {
            host,
            port,
            client_id,
            client_secret,
            redirect_uris,
            allow_http_redirect_uris,
            auto_approve,
            webhook_url,
            access_token_ttl_secs,
            no_rate_limits,
            per_window,
            window_secs,
            per_day,
            users,
            history_days,
        } => {
            let defaults = whoop::WhoopSimConfig::default();
            let given_client = client_id.is_some() || client_secret.is_some();
            let config = whoop::WhoopSimConfig {
                client_id: client_id.unwrap_or(defaults.client_id.clone()),
                client_secret: client_secret.unwrap_or(defaults.client_secret.clone()),
                redirect_uris: if redirect_uris.is_empty() {
                    defaults.redirect_uris.clone()
                } else {
                    redirect_uris
                },
                allow_http_redirect_uris,
                auto_approve,
                access_token_ttl: Duration::from_secs(access_token_ttl_secs),
                rate_limits: if no_rate_limits {
                    whoop::RateLimits::disabled()
                } else {
                    whoop::RateLimits {
                        short: Some(whoop::RateLimit::new(
                            per_window,
                            Duration::from_secs(window_secs),
                        )),
                        daily: Some(whoop::RateLimit::new(per_day, Duration::from_secs(86_400))),
                    }
                },
                webhooks: whoop::WebhookSettings {
                    url: webhook_url,
                    ..defaults.webhooks.clone()
                },
                users: if users.is_empty() {
                    defaults.users.clone()
                } else {
                    users.into_iter().map(whoop::WhoopUser::new).collect()
                },
                history_days,
                ..defaults
            };
            let sim = whoop::WhoopSim::start_on(SocketAddr::new(host, port), config)
                .await
                .context("starting the WHOOP simulator")?;
            println!("whoop simulator listening on {}", sim.base_url());
            println!("data API: {}/v2/...", sim.api_url());
            println!(
                "OAuth:    {} | {}",
                sim.authorize_endpoint(),
                sim.token_endpoint()
            );
            if !given_client {
                // The simulator's built-in test app, not a real secret.
                println!("client:   {} / {}", sim.client_id(), sim.client_secret());
            }
            println!("control:  {}/__sim/whoop/", sim.base_url());
            tokio::signal::ctrl_c()
                .await
                .context("waiting for Ctrl-C")?;
            sim.shutdown().await;
        }
    }
    Ok(())
}
