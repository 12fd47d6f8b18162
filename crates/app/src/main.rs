//! The `wellness` binary: `wellness serve`, `wellness migrate`, `wellness briefing`,
//! `wellness rotate-key`, `wellness redrive`.

mod adapters;
mod bot;
mod briefing;
mod connect;
mod contained;
mod diary;
mod followups;
mod inbox_worker;
mod ingest;
mod integrations;
mod metered;
mod metrics;
mod pages;
mod routes;
#[cfg(feature = "sandbox")]
mod sandbox;
mod schedule;
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
    /// Print (or send) one user's morning briefing or evening summary now, for operators.
    Briefing {
        /// The user's Telegram id.
        #[arg(long)]
        telegram_id: i64,
        /// Which one.
        #[arg(long, value_enum)]
        kind: BriefingKind,
        /// Send it to the user too (and record it, so the scheduled one is not sent again today).
        #[arg(long)]
        send: bool,
    },
    /// Re-encrypt every stored token under WELLNESS_ENCRYPTION_KEY (the keys it was written with
    /// in WELLNESS_ENCRYPTION_KEY_PREVIOUS) and exit; `serve` may keep running meanwhile.
    RotateKey {
        /// Rows read at a time.
        #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(i64).range(1..=100_000))]
        batch_size: i64,
    },
    /// Send updates parked by an outage (received in the last 24 hours) back to pending now,
    /// as the `inbox_redrive` job does every 5 minutes, and print how many; a running `serve`
    /// handles them.
    Redrive {
        /// Every parked update of the last 24 hours, faults too and past the re-drive cap: once
        /// a fix for what failed them is deployed.
        #[arg(long)]
        all_parked: bool,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum BriefingKind {
    Morning,
    Evening,
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
        Command::Briefing {
            telegram_id,
            kind,
            send,
        } => briefing(settings, telegram_id, kind, send).await,
        Command::RotateKey { batch_size } => rotate_key(settings, batch_size).await,
        Command::Redrive { all_parked } => redrive(settings, all_parked).await,
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

async fn briefing(
    settings: Settings,
    telegram_id: i64,
    kind: BriefingKind,
    send: bool,
) -> anyhow::Result<()> {
    use wellness_domain::NotificationKind;
    use wellness_postgres::{Database, PoolSettings};

    let db = Database::connect(settings.database.url.expose(), PoolSettings::default())?;
    let kind = match kind {
        BriefingKind::Morning => NotificationKind::MorningBriefing,
        BriefingKind::Evening => NotificationKind::EveningSummary,
    };
    let texts = wellness_texts::Texts::load()?;
    let composed = briefing::compose(&db, &texts, telegram_id, kind).await?;
    println!("{}", composed.text);
    if send {
        let client = bot::build_client(&settings)?
            .ok_or_else(|| anyhow::anyhow!("TELEGRAM_BOT_TOKEN is not set"))?
            .with_priority(wellness_domain::ports::SendPriority::Broadcast);
        bot::share_flood_budget(&client, &settings, &db, None);
        if !composed.send(&db, &client).await? {
            println!("(already sent today: sent again on request)");
        }
        println!("sent to {telegram_id}");
    }
    Ok(())
}

/// `wellness redrive`: how many parked updates went back to pending, on stdout.
async fn redrive(settings: Settings, all_parked: bool) -> anyhow::Result<()> {
    use wellness_domain::usecases::inbox::RedrivePolicy;
    use wellness_postgres::{Database, PgInbox, PoolSettings};

    let db = Database::connect(settings.database.url.expose(), PoolSettings::default())?;
    let policy = if all_parked {
        // The operator's call after a fix: one pass, so no cap is needed to stop a loop.
        RedrivePolicy {
            max_redrives: i32::MAX,
            ..RedrivePolicy::default()
        }
    } else {
        RedrivePolicy::default()
    };
    let redriven = policy
        .redrive(&PgInbox::new(db), chrono::Utc::now(), all_parked)
        .await?;
    println!(
        "{redriven} parked update(s) sent back to pending{}",
        if all_parked { "" } else { " (outages only)" }
    );
    Ok(())
}

/// `wellness rotate-key`: the counts on stdout; a failure when a row did not decrypt.
async fn rotate_key(settings: Settings, batch_size: i64) -> anyhow::Result<()> {
    use wellness_postgres::{Database, PoolSettings};

    let cipher = settings.token_cipher()?.ok_or_else(|| {
        anyhow::anyhow!("WELLNESS_ENCRYPTION_KEY is not set: there is no key to rotate to")
    })?;
    let previous: Vec<String> = cipher
        .previous_key_ids()
        .iter()
        .map(ToString::to_string)
        .collect();
    println!(
        "current key id {}, previous key ids: {}",
        cipher.key_id(),
        if previous.is_empty() {
            "none".to_owned()
        } else {
            previous.join(", ")
        }
    );
    let db = Database::connect(settings.database.url.expose(), PoolSettings::default())?;
    let report = wellness_postgres::rotate_keys(&db, &cipher, batch_size).await?;
    for (table, c) in [
        ("credentials", report.credentials),
        ("oauth_states", report.oauth_states),
    ] {
        println!(
            "{table}: {} re-encrypted, {} already current, {} failed to decrypt, {} changed \
             meanwhile",
            c.reencrypted, c.already_current, c.undecryptable, c.changed_meanwhile
        );
    }
    let failed = report.undecryptable();
    if failed > 0 {
        anyhow::bail!(
            "{failed} row(s) did not decrypt with WELLNESS_ENCRYPTION_KEY or \
             WELLNESS_ENCRYPTION_KEY_PREVIOUS and were left as they are: add the key they were \
             written with to WELLNESS_ENCRYPTION_KEY_PREVIOUS and run again"
        );
    }
    Ok(())
}
