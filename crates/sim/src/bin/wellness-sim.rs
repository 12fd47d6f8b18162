//! Runs a simulator as a standalone process, e.g. for the local sandbox:
//!
//! ```text
//! wellness-sim telegram --port 8081 --token 7000000001:AAsandbox
//! ```

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use wellness_sim::telegram::{RateLimit, RateLimits, SimConfig, TelegramSim};

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
    }
    Ok(())
}
