//! WHOOP end to end: connect through the OAuth pages, first sync, /today, incremental sync,
//! webhooks.

use std::time::Duration;

use base64::Engine as _;
use wellness_e2e::{Server, free_port};
use wellness_postgres::test_support::TestDatabase;
use wellness_sim::telegram::{RateLimits, SimConfig, SimUser, TelegramSim};
use wellness_sim::whoop::{WhoopSim, WhoopSimConfig};

struct World {
    tg: TelegramSim,
    whoop: WhoopSim,
    server: Server,
    _db: TestDatabase,
}

async fn world() -> World {
    let tg = TelegramSim::start(SimConfig {
        rate_limits: RateLimits::disabled(),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut config = WhoopSimConfig::default()
        .with_redirect_uri(format!("{base}/whoop/callback"))
        .with_auto_approve(true);
    config.allow_http_redirect_uris = true;
    let whoop = WhoopSim::start(config).await.unwrap();
    let db = TestDatabase::migrated().await.unwrap();
    let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    let server = Server::start_on(
        port,
        &[
            ("DATABASE_URL", db.url().to_owned()),
            ("TELEGRAM_BOT_TOKEN", tg.token().to_owned()),
            ("TELEGRAM_API_URL", tg.base_url()),
            ("TELEGRAM_MODE", "polling".to_owned()),
            ("WELLNESS__TELEGRAM__POLL_TIMEOUT_SECS", "1".to_owned()),
            ("WELLNESS__TELEGRAM__PER_CHAT_INTERVAL_MS", "5".to_owned()),
            ("PUBLIC_BASE_URL", base.clone()),
            ("WELLNESS_ENCRYPTION_KEY", key),
            ("WHOOP_CLIENT_ID", whoop.client_id().to_owned()),
            ("WHOOP_CLIENT_SECRET", whoop.client_secret().to_owned()),
            ("WHOOP_API_URL", whoop.base_url()),
        ],
    );
    server
        .wait_for("/readyz", 200, Duration::from_secs(10))
        .await;
    World {
        tg,
        whoop,
        server,
        _db: db,
    }
}

async fn reply(tg: &TelegramSim, user: &SimUser, nth: usize) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let sent = tg.sent_to(user.id);
        if sent.len() > nth {
            return sent[nth].visible_text().to_owned();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no reply #{nth}: {sent:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn say(tg: &TelegramSim, user: &SimUser, text: &str) -> String {
    let nth = tg.sent_to(user.id).len();
    tg.send_text(user, text);
    reply(tg, user, nth).await
}

fn link_in(text: &str) -> String {
    text.split_whitespace()
        .find(|w| w.starts_with("http"))
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn connect_first_sync_then_today_shows_sleep_and_recovery() {
    let w = world().await;
    let ann = SimUser::new(8101, "Ann").with_language("en");
    let offer = say(&w.tg, &ann, "/connect_whoop").await;
    assert!(
        offer.starts_with("Open this link to connect WHOOP"),
        "{offer}"
    );
    let link = link_in(&offer);

    // The browser: our page -> WHOOP's consent (auto-approved) -> our callback page.
    let page = reqwest::get(&link).await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("WHOOP is connected"), "{html}");
    // The same link again: single use.
    let again = reqwest::get(&link).await.unwrap();
    assert_eq!(again.status(), 400);

    // The chat hears of it, then the first sync of 30 days runs.
    assert!(
        reply(&w.tg, &ann, 1)
            .await
            .starts_with("WHOOP is connected ✓")
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let today = loop {
        let today = say(&w.tg, &ann, "/today").await;
        if today.contains("Sleep last night") || std::time::Instant::now() > deadline {
            break today;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(today.contains("Sleep last night: "), "{today}");
    assert!(today.contains("Recovery: "), "{today}");
    let first_sync_requests = w.whoop.stats().data_requests;
    assert!(first_sync_requests >= 4, "{:?}", w.whoop.stats());

    // /sync fetches only what is new: a handful of requests, nothing re-inserted.
    let synced = say(&w.tg, &ann, "/sync").await;
    assert!(synced.contains("WHOOP: connected"), "{synced}");
    assert!(synced.contains("WHOOP synced:"), "{synced}");
    let second = w.whoop.stats().data_requests - first_sync_requests;
    assert!(second <= 8, "the second sync made {second} requests");
}

#[tokio::test]
async fn a_forged_webhook_signature_gets_401_and_a_forged_state_a_400_page() {
    let w = world().await;
    let body = br#"{"user_id":10129,"id":"ecfc6a15-4661-442f-a9a4-f160dd7afae8","type":"sleep.updated","trace_id":"t"}"#;
    let ts = chrono::Utc::now().timestamp_millis().to_string();
    let forged = reqwest::Client::new()
        .post(format!("{}/whoop/webhook", w.server.url))
        .header("X-WHOOP-Signature", "bm90IGEgc2lnbmF0dXJl")
        .header("X-WHOOP-Signature-Timestamp", &ts)
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    let signature = wellness_sim::whoop::sign_webhook(w.whoop.client_secret(), &ts, body);
    let genuine = reqwest::Client::new()
        .post(format!("{}/whoop/webhook", w.server.url))
        .header("X-WHOOP-Signature", signature)
        .header("X-WHOOP-Signature-Timestamp", &ts)
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(genuine.status(), 204);

    let page = reqwest::get(format!("{}/whoop/connect?state=forged123", w.server.url))
        .await
        .unwrap();
    assert_eq!(page.status(), 400);
    let callback = reqwest::get(format!(
        "{}/whoop/callback?code=x&state=forged123",
        w.server.url
    ))
    .await
    .unwrap();
    assert_eq!(callback.status(), 400);
    assert!(callback.text().await.unwrap().contains("not valid"));
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_and_the_sync_retried() {
    let w = world().await;
    let ann = SimUser::new(8201, "Ann").with_language("en");
    let offer = say(&w.tg, &ann, "/connect_whoop").await;
    let page = reqwest::get(&link_in(&offer)).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        reply(&w.tg, &ann, 1)
            .await
            .starts_with("WHOOP is connected")
    );
    // Let the first sync finish, then WHOOP expires the access token.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !say(&w.tg, &ann, "/today")
        .await
        .contains("Sleep last night")
    {
        assert!(std::time::Instant::now() < deadline);
    }
    let user_id = w.whoop.users()[0].user_id;
    w.whoop.expire_access_tokens(user_id);
    let before = w.whoop.stats();
    let synced = say(&w.tg, &ann, "/sync").await;
    assert!(synced.contains("WHOOP synced:"), "{synced}");
    let after = w.whoop.stats();
    assert!(
        after.unauthorized > before.unauthorized,
        "the old token was refused: {after:?}"
    );
}
