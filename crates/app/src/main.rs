//! The `wellness` binary: `wellness serve`, `wellness migrate`.

mod bot;
mod connect;
mod metered;
mod metrics;
mod routes;
mod security;
mod server;
mod settings;
mod state;
mod telemetry;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::server::Application;
use crate::settings::Settings;

/// A Telegram health and wellness tracker: food by text and voice, WHOOP, FatSecret.
#[derive(Debug, Parser)]
#[command(name = "wellness", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Migrate the database and serve HTTP (webhooks, OAuth pages, health checks).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(settings.log_format, &settings.log_filter);
    let result = match cli.command {
        Command::Serve => serve(settings).await,
        Command::Migrate => migrate(settings).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "exiting");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    Application::build(settings)
        .await?
        .run_until_stopped()
        .await
}

async fn migrate(settings: Settings) -> anyhow::Result<()> {
    let applied = wellness_postgres::migrate(settings.database.url.expose()).await?;
    if applied.is_empty() {
        println!("the schema is up to date");
    } else {
        println!(
            "applied {} migration(s): {}",
            applied.len(),
            applied.join(", ")
        );
    }
    Ok(())
}
