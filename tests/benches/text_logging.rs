//! Webhook-in to reply-at-the-simulator latency of text food logging, at a fixed offered load.
//!
//! Starts the real `wellness serve` (release build, next to this bench) on the real PostgreSQL,
//! the Telegram simulator answering at once (its flood limits and our outbound limiter lifted:
//! Telegram's 30 msg/s would otherwise be what is measured), no OpenAI key (the offline
//! assistant and catalogue). Each update is POSTed to /telegram/webhook like Telegram does; the
//! latency is from just before the POST to the moment the simulator recorded the reply.
//! Run with `make bench`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::json;
use wellness_e2e::{Server, free_port};
use wellness_postgres::test_support::TestDatabase;
use wellness_sim::telegram::{RateLimits, SimConfig, SimUser, TelegramSim};

const SECRET: &str = "bench-secret";
const USERS: i64 = 50;
const RATE_PER_SEC: u64 = 100;
const SECONDS: u64 = 10;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let tg = TelegramSim::start(SimConfig {
        rate_limits: RateLimits::disabled(),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let db = TestDatabase::migrated()
        .await
        .expect("a test database (is PostgreSQL up?)");
    let port = free_port();
    let server = Server::start_on(
        port,
        &[
            ("DATABASE_URL", db.url().to_owned()),
            ("TELEGRAM_BOT_TOKEN", tg.token().to_owned()),
            ("TELEGRAM_API_URL", tg.base_url()),
            ("TELEGRAM_WEBHOOK_SECRET", SECRET.to_owned()),
            ("PUBLIC_BASE_URL", format!("http://127.0.0.1:{port}")),
            ("WELLNESS__TELEGRAM__PER_CHAT_INTERVAL_MS", "0".to_owned()),
            ("WELLNESS__TELEGRAM__GLOBAL_PER_SECOND", "100000".to_owned()),
            ("RUST_LOG", "warn".to_owned()),
        ],
    );
    server
        .wait_for("/readyz", 200, Duration::from_secs(10))
        .await;
    let users: Vec<SimUser> = (0..USERS)
        .map(|i| SimUser::new(9000 + i, "B").with_language("en"))
        .collect();
    for u in &users {
        tg.send_text(u, "/start");
    }
    tg.wait_for_sent(USERS as usize, Duration::from_secs(30))
        .await
        .unwrap();
    let baseline = tg.sent().len();

    let client = reqwest::Client::new();
    let total = RATE_PER_SEC * SECONDS;
    let interval = Duration::from_micros(1_000_000 / RATE_PER_SEC);
    let mut started_at = Vec::with_capacity(total as usize);
    let begin = Instant::now();
    let mut handles = Vec::new();
    for k in 0..total {
        let due = begin + interval * k as u32;
        tokio::time::sleep_until(due.into()).await;
        let user = &users[(k % USERS as u64) as usize];
        let update_id = 5_000_000 + k as i64;
        let body = json!({
            "update_id": update_id,
            "message": {
                "message_id": update_id, "date": 1_780_000_000,
                "chat": {"id": user.id, "type": "private", "first_name": "B"},
                "from": {"id": user.id, "is_bot": false, "first_name": "B", "language_code": "en"},
                "text": "2 eggs and a banana"
            }
        });
        started_at.push((user.id, Utc::now()));
        let client = client.clone();
        let url = format!("{}/telegram/webhook", server.url);
        handles.push(tokio::spawn(async move {
            let r = client
                .post(url)
                .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    tg.wait_for_sent(baseline + total as usize, Duration::from_secs(60))
        .await
        .unwrap();
    let offered = begin.elapsed();

    // Replies of one chat come in the order its updates were sent.
    let sent = tg.sent();
    let mut per_chat: std::collections::HashMap<i64, Vec<chrono::DateTime<Utc>>> =
        Default::default();
    for r in &sent[baseline..] {
        per_chat.entry(r.chat_id).or_default().push(r.at);
    }
    let mut seen: std::collections::HashMap<i64, usize> = Default::default();
    let mut latencies: Vec<f64> = Vec::new();
    for (chat, start) in &started_at {
        let i = seen.entry(*chat).or_default();
        let at = per_chat[chat][*i];
        *i += 1;
        latencies.push((at - *start).num_microseconds().unwrap_or_default() as f64 / 1000.0);
    }
    latencies.sort_by(|a, b| a.total_cmp(b));
    println!(
        "text_logging: {total} updates from {USERS} chats at {RATE_PER_SEC}/s offered ({:.1} s), webhook in -> reply at the simulator",
        offered.as_secs_f64()
    );
    println!(
        "latency ms: p50 {:.1}  p90 {:.1}  p99 {:.1}  max {:.1}",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.90),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or_default()
    );
}
