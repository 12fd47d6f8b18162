//! The bot end to end: the real `wellness serve`, the Telegram simulator, the real PostgreSQL.

use std::collections::HashMap;
use std::time::Duration;

use wellness_e2e::{Server, free_port, text_update, text_update_body};
use wellness_postgres::test_support::TestDatabase;
use wellness_sim::telegram::{RateLimits, SimConfig, SimUser, TelegramSim};

use crate::chat;

const SECRET: &str = "e2e-webhook-secret_123";

struct Bot {
    sim: TelegramSim,
    server: Server,
    _db: TestDatabase,
}

fn env_for(
    sim: &TelegramSim,
    db: &str,
    port: u16,
    polling: bool,
    fast: bool,
) -> Vec<(&'static str, String)> {
    let mut env = vec![
        ("DATABASE_URL", db.to_owned()),
        ("TELEGRAM_BOT_TOKEN", sim.token().to_owned()),
        ("TELEGRAM_API_URL", sim.base_url()),
        (
            "TELEGRAM_MODE",
            if polling { "polling" } else { "webhook" }.to_owned(),
        ),
        ("TELEGRAM_WEBHOOK_SECRET", SECRET.to_owned()),
        ("PUBLIC_BASE_URL", format!("http://127.0.0.1:{port}")),
        ("WELLNESS__TELEGRAM__POLL_TIMEOUT_SECS", "1".to_owned()),
        // A crashed process's claims are taken over after this.
        ("WELLNESS__TELEGRAM__LEASE_SECS", "3".to_owned()),
    ];
    if fast {
        env.push(("WELLNESS__TELEGRAM__PER_CHAT_INTERVAL_MS", "5".to_owned()));
        env.push(("WELLNESS__TELEGRAM__GLOBAL_PER_SECOND", "1000".to_owned()));
    }
    env
}

/// A simulator with Telegram's limits (or none), and `wellness serve` wired to it.
async fn bot(polling: bool, fast: bool) -> Bot {
    let mut config = SimConfig::default();
    if fast {
        config.rate_limits = RateLimits::disabled();
    }
    let sim = TelegramSim::start(config).await.unwrap();
    let db = TestDatabase::migrated().await.unwrap();
    let port = free_port();
    let server = Server::start_on(port, &env_for(&sim, db.url(), port, polling, fast));
    server
        .wait_for("/readyz", 200, Duration::from_secs(10))
        .await;
    if !polling {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while sim.webhook().is_none() {
            assert!(
                std::time::Instant::now() < deadline,
                "no webhook set; logs:\n{}",
                server.logs().join("\n")
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    Bot {
        sim,
        server,
        _db: db,
    }
}

#[tokio::test]
async fn start_is_answered_in_the_users_language_and_menus_are_set_in_both() {
    let Bot {
        sim,
        server: _s,
        _db,
    } = bot(false, false).await;
    let olena = SimUser::new(1001, "Олена").with_language("uk");
    let john = SimUser::new(1002, "John").with_language("en");
    sim.send_text(&olena, "/start");
    sim.send_text(&john, "/start");
    let uk = chat::reply(&sim, &olena, 0).await;
    let en = chat::reply(&sim, &john, 0).await;
    assert!(uk.starts_with("Привіт, Олена!"), "{uk}");
    assert!(en.starts_with("Hi, John!"), "{en}");
    let menus = sim.commands();
    let languages: Vec<String> = menus.iter().map(|m| m.language_code.clone()).collect();
    assert!(
        languages.contains(&"uk".into()) && languages.contains(&"en".into()),
        "{languages:?}"
    );
    assert_eq!(sim.too_many_requests_count(), 0);
}

#[tokio::test]
async fn a_goal_set_with_goal_shows_in_today() {
    let Bot {
        sim,
        server: _s,
        _db,
    } = bot(false, false).await;
    let user = SimUser::new(2001, "Ira").with_language("en");
    sim.send_text(&user, "/goal 1800");
    assert_eq!(
        chat::reply(&sim, &user, 0).await,
        "Done: your daily goal is now 1800 kcal."
    );
    sim.send_text(&user, "/today");
    let today = chat::reply(&sim, &user, 1).await;
    assert!(today.contains("0 of 1800 kcal — 1800 left."), "{today}");
    sim.send_text(&user, "/goal 99999");
    let refused = chat::reply(&sim, &user, 2).await;
    assert!(refused.contains("from 500 to 10000"), "{refused}");
}

async fn post(url: &str, secret: Option<&str>, body: Vec<u8>) -> u16 {
    let mut req = reqwest::Client::new()
        .post(format!("{url}/telegram/webhook"))
        .header("content-type", "application/json")
        .body(body);
    if let Some(s) = secret {
        req = req.header("X-Telegram-Bot-Api-Secret-Token", s);
    }
    req.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn a_redelivered_update_is_processed_once_and_bad_requests_store_nothing() {
    let Bot { sim, server, _db } = bot(false, false).await;
    let user = SimUser::new(3001, "Max").with_language("en");
    sim.send_text(&user, "/start");
    chat::reply(&sim, &user, 0).await;

    let body = text_update_body(900_001, user.id, "/help");
    assert_eq!(post(&server.url, Some(SECRET), body.clone()).await, 200);
    assert_eq!(post(&server.url, Some(SECRET), body.clone()).await, 200);
    assert!(
        chat::reply(&sim, &user, 1)
            .await
            .starts_with("Here's what I can do:")
    );

    // Wrong or missing secret: 401, nothing stored, no reply.
    let other = text_update_body(900_002, user.id, "/today");
    assert_eq!(
        post(&server.url, Some("wrong-secret"), other.clone()).await,
        401
    );
    assert_eq!(post(&server.url, None, other.clone()).await, 401);
    // Not JSON, not an update, or over 1 MiB: 400.
    assert_eq!(
        post(&server.url, Some(SECRET), b"{not json".to_vec()).await,
        400
    );
    assert_eq!(
        post(&server.url, Some(SECRET), b"{\"hello\":1}".to_vec()).await,
        400
    );
    let huge = text_update_body(900_003, user.id, &"x".repeat(1_100_000));
    assert_eq!(post(&server.url, Some(SECRET), huge).await, 400);

    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        sim.sent_to(user.id).len(),
        2,
        "one reply to /start, one to the twice-delivered /help"
    );
}

#[tokio::test]
async fn two_hundred_updates_from_twenty_chats_keep_per_chat_order() {
    let Bot {
        sim,
        server: _s,
        _db,
    } = bot(false, true).await;
    let users: Vec<SimUser> = (0..20)
        .map(|i| SimUser::new(4000 + i, "P").with_language("en"))
        .collect();
    for round in 0..10 {
        for user in &users {
            sim.send_text(
                user,
                &format!("/goal {}", 1000 + round * 100 + (user.id - 4000)),
            );
        }
    }
    for user in &users {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while sim.sent_to(user.id).len() < 10 {
            assert!(
                std::time::Instant::now() < deadline,
                "chat {} got {:?}",
                user.id,
                sim.sent_to(user.id).len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let replies: Vec<String> = sim
            .sent_to(user.id)
            .iter()
            .map(|r| r.visible_text().to_owned())
            .collect();
        let expected: Vec<String> = (0..10)
            .map(|round| {
                format!(
                    "Done: your daily goal is now {} kcal.",
                    1000 + round * 100 + (user.id - 4000)
                )
            })
            .collect();
        assert_eq!(replies, expected, "chat {}", user.id);
    }
}

/// Idle workers wait to be woken instead of polling: the first looks every 0.5 s, the others
/// every 10 s. Updates nobody announced (stored straight into the inbox, as another instance's
/// or a retry's would be) are still found, and each worker that finds one wakes the next.
#[tokio::test]
async fn idle_workers_wait_to_be_woken_and_unannounced_updates_are_still_handled() {
    let Bot { sim, server, _db } = bot(false, true).await;
    let claims = async || {
        let text = wellness_e2e::scrape(&server.url).await;
        wellness_e2e::sample_sum(&text, "wellness_inbox_claims_total", &[])
    };
    // Past start-up (each worker claims once when it starts), and before the 10 s timers.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let before = claims().await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let idle = claims().await - before;
    // 16 workers each looking every 0.5 s would be about 96.
    assert!(idle <= 12.0, "{idle} claims in 3 s while idle");

    let users: Vec<SimUser> = (0..24)
        .map(|i| SimUser::new(5000 + i, "Q").with_language("en"))
        .collect();
    for user in &users {
        sim.send_text(user, "/start");
    }
    for user in &users {
        chat::reply(&sim, user, 0).await;
    }
    let inbox = wellness_postgres::PgInbox::new(
        wellness_postgres::Database::connect(_db.url(), Default::default()).unwrap(),
    );
    for (n, user) in users.iter().enumerate() {
        let id = wellness_domain::UpdateId::new(90_000 + n as i64).unwrap();
        let stored = wellness_domain::ports::Inbox::store(
            &inbox,
            id,
            Some(wellness_domain::ChatId(user.id)),
            &text_update(90_000 + n as i64, user.id, "/goal 1900"),
        )
        .await
        .unwrap();
        assert_eq!(stored, wellness_domain::Stored::New);
    }
    // Among whatever else the chat got meanwhile (an evening briefing falls due for a user
    // registered late in their evening).
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    for user in &users {
        while !sim
            .sent_to(user.id)
            .iter()
            .any(|m| m.visible_text() == "Done: your daily goal is now 1900 kcal.")
        {
            assert!(
                std::time::Instant::now() < deadline,
                "no answer to /goal: {:?}",
                sim.sent_to(user.id)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test]
async fn sigkill_mid_batch_then_restart_loses_no_acknowledged_update() {
    let config = SimConfig {
        rate_limits: RateLimits::disabled(),
        ..SimConfig::default()
    };
    let sim = TelegramSim::start(config).await.unwrap();
    let db = TestDatabase::migrated().await.unwrap();
    let users: Vec<SimUser> = (0..10)
        .map(|i| SimUser::new(5000 + i, "K").with_language("en"))
        .collect();
    let port = free_port();
    // The first process spaces replies 1 s apart in a chat, as Telegram asks: the kill lands mid-batch.
    let first = Server::start_on(port, &env_for(&sim, db.url(), port, false, false));
    first
        .wait_for("/readyz", 200, Duration::from_secs(10))
        .await;
    for user in &users {
        sim.send_text(user, "/start");
    }
    for user in &users {
        chat::reply(&sim, user, 0).await;
    }
    // 100 updates acknowledged by the first process, which is then killed mid-way.
    let mut expected: HashMap<i64, Vec<String>> = HashMap::new();
    for k in 0..100i64 {
        let user = &users[(k % 10) as usize];
        let goal = 2000 + k;
        let body = text_update_body(800_000 + k, user.id, &format!("/goal {goal}"));
        assert_eq!(post(&first.url, Some(SECRET), body).await, 200);
        expected
            .entry(user.id)
            .or_default()
            .push(format!("Done: your daily goal is now {goal} kcal."));
    }
    first.kill();
    let answered_before_restart = sim.sent().len() - 10;
    assert!(
        answered_before_restart < 100,
        "the kill came too late to prove anything"
    );

    let port = free_port();
    let second = Server::start_on(port, &env_for(&sim, db.url(), port, false, true));
    second
        .wait_for("/readyz", 200, Duration::from_secs(10))
        .await;
    for user in &users {
        let want = &expected[&user.id];
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let got: Vec<String> = sim
                .sent_to(user.id)
                .iter()
                .skip(1)
                .map(|r| r.visible_text().to_owned())
                .collect();
            if want.iter().all(|w| got.contains(w)) {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "chat {}: missing replies; got {got:?}",
                user.id
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

#[tokio::test]
async fn polling_mode_works_the_same() {
    let Bot {
        sim,
        server: _s,
        _db,
    } = bot(true, false).await;
    assert!(sim.webhook().is_none());
    let user = SimUser::new(6001, "Poll").with_language("uk");
    sim.send_text(&user, "/start");
    assert!(
        chat::reply(&sim, &user, 0)
            .await
            .starts_with("Привіт, Poll!")
    );
    sim.send_text(&user, "/goal 2100");
    assert_eq!(
        chat::reply(&sim, &user, 1).await,
        "Готово: твоя денна ціль тепер 2100 ккал."
    );
}

#[tokio::test]
async fn while_the_database_is_down_every_concurrent_update_is_refused_then_stored_when_redelivered()
 {
    use wellness_e2e::proxy::Proxy;

    let sim = TelegramSim::start(SimConfig {
        rate_limits: RateLimits::disabled(),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let db = TestDatabase::migrated().await.unwrap();
    let proxy = Proxy::to_test_server().await;
    let via_proxy = proxy.database_url(db.name());
    let port = free_port();
    let server = Server::start_on(port, &env_for(&sim, &via_proxy, port, false, true));
    server
        .wait_for("/readyz", 200, Duration::from_secs(10))
        .await;

    // Concurrent requests share batches: a batch that cannot be stored fails every request in
    // it with 503, so Telegram delivers each again; none is acknowledged unstored.
    proxy.take_down();
    let bodies: Vec<Vec<u8>> = (0..40)
        .map(|i| text_update_body(910_000 + i, 5000 + i % 7, "/help"))
        .collect();
    let refused = futures_join(&server.url, &bodies).await;
    assert!(refused.iter().all(|s| *s == 503), "{refused:?}");

    proxy.bring_back();
    server
        .wait_for("/readyz", 200, Duration::from_secs(10))
        .await;
    let mut redelivered = bodies.clone();
    // Telegram may deliver one twice: still stored once.
    redelivered.push(bodies[0].clone());
    let accepted = futures_join(&server.url, &redelivered).await;
    assert!(accepted.iter().all(|s| *s == 200), "{accepted:?}");

    let stored = wellness_e2e::count(
        &db,
        "SELECT count(*) AS n FROM inbox_updates WHERE update_id BETWEEN 910000 AND 910039",
    )
    .await;
    assert_eq!(stored, 40);
}

/// POSTs every body at once; the statuses in order.
async fn futures_join(url: &str, bodies: &[Vec<u8>]) -> Vec<u16> {
    let tasks: Vec<_> = bodies
        .iter()
        .map(|b| tokio::spawn(post_owned(url.to_owned(), b.clone())))
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

async fn post_owned(url: String, body: Vec<u8>) -> u16 {
    post(&url, Some(SECRET), body).await
}
