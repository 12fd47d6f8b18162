//! WHOOP end to end: connect through the OAuth pages, first sync, /today, incremental sync,
//! webhooks.

use std::time::Duration;

use wellness_e2e::{Server, count, free_port};
use wellness_postgres::test_support::TestDatabase;
use wellness_sim::telegram::{SimUser, TelegramSim};

use crate::chat::{self, link_in, reply, say};
use wellness_sim::whoop::{WhoopSim, WhoopSimConfig};

struct World {
    tg: TelegramSim,
    whoop: WhoopSim,
    server: Server,
    _db: TestDatabase,
}

async fn world() -> World {
    let tg = chat::telegram().await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut config = WhoopSimConfig::default()
        .with_redirect_uri(format!("{base}/whoop/callback"))
        .with_auto_approve(true);
    config.allow_http_redirect_uris = true;
    let whoop = WhoopSim::start(config).await.unwrap();
    let db = TestDatabase::migrated().await.unwrap();
    let mut env = chat::polling_env(&tg, &db);
    env.extend([
        ("PUBLIC_BASE_URL", base.clone()),
        ("WELLNESS_ENCRYPTION_KEY", chat::encryption_key()),
        ("WHOOP_CLIENT_ID", whoop.client_id().to_owned()),
        ("WHOOP_CLIENT_SECRET", whoop.client_secret().to_owned()),
        ("WHOOP_API_URL", whoop.base_url()),
    ]);
    let server = chat::serve(port, &env).await;
    World {
        tg,
        whoop,
        server,
        _db: db,
    }
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

    // The browser: our page naming Ann -> Continue -> WHOOP's consent (auto-approved) -> our
    // callback page.
    let page = wellness_e2e::connect_through(&link, "Ann").await;
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
        // The sync stores sleeps before recoveries: wait for the whole of it.
        let synced = today.contains("Sleep last night") && today.contains("Recovery: ");
        if synced || std::time::Instant::now() > deadline {
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
    assert_eq!(
        genuine.status(),
        204,
        "signed, of no user of ours: acknowledged"
    );
    // Signed, of a type we do not use: acknowledged too, or WHOOP retries it.
    let other = br#"{"user_id":10129,"id":"x","type":"body_measurement.updated","trace_id":"t"}"#;
    let signature = wellness_sim::whoop::sign_webhook(w.whoop.client_secret(), &ts, other);
    let unknown = reqwest::Client::new()
        .post(format!("{}/whoop/webhook", w.server.url))
        .header("X-WHOOP-Signature", signature)
        .header("X-WHOOP-Signature-Timestamp", &ts)
        .body(other.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 204);

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
async fn a_link_names_whom_it_connects_and_a_callback_in_another_browser_connects_nothing() {
    let w = world().await;
    let ann = SimUser::new(8111, "Ann").with_language("en");
    let offer = say(&w.tg, &ann, "/connect_whoop").await;
    let link = link_in(&offer);
    // 128 random bits in the link.
    let state = link.split_once("state=").unwrap().1;
    assert_eq!(state.len(), 22, "{link}");
    // Passed on to someone whose browser never got the cookie Continue sets (or a callback
    // link forwarded): the page named Ann, and nothing is connected.
    let (first, last) = wellness_e2e::follow_connect_link(&link, false).await;
    assert!(first.contains("Telegram account of Ann"), "{first}");
    assert!(first.contains("Continue to WHOOP"), "{first}");
    assert_eq!(last.status(), 400);
    let html = last.text().await.unwrap();
    assert!(html.contains("started in another browser"), "{html}");
    let sync = say(&w.tg, &ann, "/sync").await;
    assert!(sync.contains("WHOOP: not connected"), "{sync}");

    // A hand-made Continue (or another site sending the browser there) skips nothing: without
    // the nonce the page put in this browser, it is the page naming Ann again.
    let offer = say(&w.tg, &ann, "/connect_whoop").await;
    let forged = format!("{}&go=anything", link_in(&offer));
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = no_redirects.get(&forged).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Telegram account of Ann")
    );
    // And the link still works for Ann, once.
    let page = wellness_e2e::connect_through(&link_in(&offer), "Ann").await;
    assert_eq!(page.status(), 200);
}

#[tokio::test]
async fn a_whoop_account_connected_to_one_telegram_account_is_refused_for_another() {
    let w = world().await;
    let ann = SimUser::new(8121, "Ann").with_language("en");
    let bob = SimUser::new(8122, "Bob").with_language("en");
    let offer = say(&w.tg, &ann, "/connect_whoop").await;
    let page = wellness_e2e::connect_through(&link_in(&offer), "Ann").await;
    assert_eq!(page.status(), 200);
    // Bob signs in to WHOOP as the same member (the simulator's one signed-in member).
    let offer = say(&w.tg, &bob, "/connect_whoop").await;
    let page = wellness_e2e::connect_through(&link_in(&offer), "Bob").await;
    assert_eq!(page.status(), 409);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("already connected to another Telegram account"),
        "{html}"
    );
    let sync = say(&w.tg, &bob, "/sync").await;
    assert!(sync.contains("WHOOP: not connected"), "{sync}");
    // Ann keeps hers.
    let sync = say(&w.tg, &ann, "/sync").await;
    assert!(sync.contains("WHOOP: connected"), "{sync}");
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_and_the_sync_retried() {
    let w = world().await;
    let ann = SimUser::new(8201, "Ann").with_language("en");
    let offer = say(&w.tg, &ann, "/connect_whoop").await;
    let page = wellness_e2e::connect_through(&link_in(&offer), "Ann").await;
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
    // Counted before the expiry: a sync still running in the background may meet the refused
    // token (and refresh it) before /sync does.
    let before = w.whoop.stats();
    w.whoop.expire_access_tokens(user_id);
    let synced = say(&w.tg, &ann, "/sync").await;
    assert!(synced.contains("WHOOP synced:"), "{synced}");
    let after = w.whoop.stats();
    assert!(
        after.unauthorized > before.unauthorized,
        "the old token was refused: {after:?}"
    );
}

#[tokio::test]
async fn a_refused_refresh_token_clears_the_tokens_and_the_user_hears_it_once() {
    let w = world().await;
    let ann = SimUser::new(8301, "Ann").with_language("en");
    let offer = say(&w.tg, &ann, "/connect_whoop").await;
    let page = wellness_e2e::connect_through(&link_in(&offer), "Ann").await;
    assert_eq!(page.status(), 200);
    assert!(
        reply(&w.tg, &ann, 1)
            .await
            .starts_with("WHOOP is connected")
    );
    // WHOOP revokes everything: the access token is refused and so is the refresh token.
    let member = w.whoop.users()[0].user_id;
    w.whoop.revoke(member);
    let before = w.tg.sent_to(ann.id).len();
    let synced = say(&w.tg, &ann, "/sync").await;
    let notices = |sent: &[wellness_sim::telegram::SentRecord]| {
        sent.iter()
            .filter(|m| m.visible_text().contains("WHOOP access was revoked"))
            .count()
    };
    // The notice and the /sync reply: the reconnect advice once, not twice.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while w.tg.sent_to(ann.id).len() < before + 2 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(notices(&w.tg.sent_to(ann.id)), 1, "{synced}");
    assert!(!synced.contains("WHOOP synced"), "{synced}");

    // The tokens are gone from the database, so nothing is retried with them.
    let rows = count(
        &w._db,
        "SELECT count(*) AS n FROM credentials WHERE provider = 'whoop'",
    )
    .await;
    assert_eq!(rows, 0);
    let token_calls = w.whoop.stats().token_requests;
    let again = say(&w.tg, &ann, "/sync").await;
    assert!(again.contains("WHOOP: not connected"), "{again}");
    assert_eq!(w.whoop.stats().token_requests, token_calls);
    assert_eq!(notices(&w.tg.sent_to(ann.id)), 1);
}

#[tokio::test]
async fn a_webhook_fetches_the_changed_record_by_its_id() {
    let w = world().await;
    let ann = SimUser::new(8401, "Ann").with_language("en");
    let offer = say(&w.tg, &ann, "/connect_whoop").await;
    let page = wellness_e2e::connect_through(&link_in(&offer), "Ann").await;
    assert_eq!(page.status(), 200);
    let member = w.whoop.users()[0].user_id;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while count(&w._db, "SELECT count(*) AS n FROM whoop_cycles").await == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the first sync did not finish"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The first sync is done: a workout added at WHOOP arrives by its webhook alone.
    tokio::time::sleep(Duration::from_millis(300)).await;
    w.whoop
        .set_webhook_url(Some(format!("{}/whoop/webhook", w.server.url)));
    let requests_before = w.whoop.requests().len();
    let now = chrono::Utc::now();
    let workout = w
        .whoop
        .add_workout(
            member,
            now - chrono::Duration::hours(2),
            now - chrono::Duration::hours(1),
            "running",
        )
        .unwrap();
    let delivered = w
        .whoop
        .wait_for_deliveries(1, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(delivered[0].status, Some(204), "{delivered:?}");
    let sql = format!(
        "SELECT count(*) AS n FROM whoop_workouts WHERE whoop_id = '{}'",
        workout.id
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while count(&w._db, &sql).await == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the workout never arrived"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // One request, for that record by its id: not a sync of the collections.
    let after: Vec<_> = w.whoop.requests()[requests_before..].to_vec();
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(
        after[0].path,
        format!("/developer/v2/activity/workout/{}", workout.id)
    );

    // Deleted at WHOOP: the notice deletes it here too, without asking WHOOP.
    w.whoop
        .delete(&wellness_sim::whoop::Record::Workout(workout).reference())
        .unwrap();
    w.whoop
        .wait_for_deliveries(2, Duration::from_secs(10))
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while count(&w._db, &sql).await == 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the workout was not deleted"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(w.whoop.requests().len(), requests_before + 1);

    // The same signed notice twice (a redelivery, or a replay within the 5 minutes): both
    // acknowledged, stored and fetched once.
    let body = format!(
        r#"{{"user_id":{member},"id":"0b8e6f3c-0000-4000-8000-000000000001","type":"sleep.updated","trace_id":"r"}}"#
    );
    let ts = chrono::Utc::now().timestamp_millis().to_string();
    let signature =
        wellness_sim::whoop::sign_webhook(w.whoop.client_secret(), &ts, body.as_bytes());
    for _ in 0..2 {
        let sent = reqwest::Client::new()
            .post(format!("{}/whoop/webhook", w.server.url))
            .header("X-WHOOP-Signature", &signature)
            .header("X-WHOOP-Signature-Timestamp", &ts)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(sent.status(), 204);
    }
    let webhooks = |outcome: &'static str| {
        let url = w.server.url.clone();
        async move {
            wellness_e2e::sample_sum(
                &wellness_e2e::scrape(&url).await,
                "wellness_whoop_webhooks_total",
                &[("outcome", outcome)],
            )
        }
    };
    assert_eq!(webhooks("duplicate").await, 1.0);
    wellness_e2e::eventually(
        "the replayed sleep is fetched once",
        Duration::from_secs(10),
        || {
            w.whoop.requests()[requests_before + 1..]
                .iter()
                .filter(|r| r.path.contains("0b8e6f3c-0000-4000-8000-000000000001"))
                .count()
                == 1
        },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        w.whoop.requests()[requests_before + 1..]
            .iter()
            .filter(|r| r.path.contains("0b8e6f3c-0000-4000-8000-000000000001"))
            .count(),
        1
    );
}

/// Issue 6: with WHOOP's limit scaled down to 100 requests per 5 s and our limiter set to
/// match, 50 users sync at once through two instances sharing one database: not one 429, and
/// within 15 % of the time the limit allows.
#[tokio::test]
async fn fifty_users_on_two_instances_sync_within_the_shared_limit() {
    use wellness_domain::ports::{CredentialStore, Users};
    use wellness_postgres::{PgCredentialStore, PgUsers, TokenCipher};
    use wellness_sim::whoop::{RateLimits, WhoopUser};

    const USERS: i64 = 50;
    const LIMIT: u64 = 100;
    const WINDOW: Duration = Duration::from_secs(5);

    let members: Vec<WhoopUser> = (0..USERS)
        .map(|i| WhoopUser::new(20_000 + i).with_name(format!("Member{i}")))
        .collect();
    let mut config = WhoopSimConfig::default()
        .with_users(members.clone())
        .with_rate_limits(RateLimits::per(u32::try_from(LIMIT).unwrap(), WINDOW));
    config.allow_http_redirect_uris = true;
    let whoop = WhoopSim::start(config).await.unwrap();
    let db = TestDatabase::migrated().await.unwrap();
    let key = chat::encryption_key();
    // One bot, two instances: Telegram's webhook reaches the first, both work off the shared
    // inbox (as behind a load balancer), so both call WHOOP.
    let tg = chat::telegram().await;
    let port = free_port();
    let public = format!("http://127.0.0.1:{port}");
    let mut servers = Vec::new();
    for port in [port, free_port()] {
        let server = Server::start_on(
            port,
            &[
                ("DATABASE_URL", db.url().to_owned()),
                ("TELEGRAM_BOT_TOKEN", tg.token().to_owned()),
                ("TELEGRAM_API_URL", tg.base_url()),
                ("TELEGRAM_MODE", "webhook".to_owned()),
                ("TELEGRAM_WEBHOOK_SECRET", "fifty-users-secret".to_owned()),
                ("WELLNESS__TELEGRAM__PER_CHAT_INTERVAL_MS", "5".to_owned()),
                ("PUBLIC_BASE_URL", public.clone()),
                ("WELLNESS_ENCRYPTION_KEY", key.clone()),
                ("WHOOP_CLIENT_ID", whoop.client_id().to_owned()),
                ("WHOOP_CLIENT_SECRET", whoop.client_secret().to_owned()),
                ("WHOOP_API_URL", whoop.base_url()),
                ("WELLNESS__WHOOP__REQUESTS_PER_WINDOW", LIMIT.to_string()),
                ("WELLNESS__WHOOP__WINDOW_SECS", WINDOW.as_secs().to_string()),
            ],
        );
        server
            .wait_for("/readyz", 200, Duration::from_secs(10))
            .await;
        servers.push(server);
    }

    // Everyone has said hello to the bot and connected WHOOP (tokens issued by WHOOP, stored
    // as the callback stores them).
    let people: Vec<SimUser> = (0..USERS)
        .map(|i| SimUser::new(30_000 + i, format!("P{i}")).with_language("en"))
        .collect();
    for person in &people {
        say(&tg, person, "/start").await;
    }
    let pool = db.pool().unwrap();
    let users = PgUsers::new(pool.clone());
    let store = PgCredentialStore::new(pool, TokenCipher::from_base64(&key).unwrap());
    for (person, member) in people.iter().zip(&members) {
        let user = users
            .find_by_telegram_id(wellness_domain::model::TelegramUserId::new(person.id).unwrap())
            .await
            .unwrap()
            .unwrap();
        let issued = whoop.issue_tokens(member.user_id).unwrap();
        store
            .save(&wellness_e2e::whoop_connection(
                user.id,
                member.user_id,
                issued,
            ))
            .await
            .unwrap();
    }
    whoop.reset_stats();

    // All at once: /sync.
    let started = std::time::Instant::now();
    let before: Vec<usize> = people.iter().map(|p| tg.sent_to(p.id).len()).collect();
    for person in &people {
        tg.send_text(person, "/sync");
    }
    let mut replies = Vec::new();
    for (person, nth) in people.iter().zip(before) {
        let deadline = started + Duration::from_secs(60);
        loop {
            let sent = tg.sent_to(person.id);
            let reply = sent
                .iter()
                .skip(nth)
                .map(|m| m.visible_text())
                .find(|text| !chat::is_briefing(text));
            if let Some(reply) = reply {
                replies.push(reply.to_owned());
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no /sync reply for {}",
                person.id
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    let elapsed = started.elapsed();
    // Both instances called WHOOP.
    for server in &servers {
        let metrics = reqwest::get(format!("{}/metrics", server.url))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            metrics
                .lines()
                .any(|l| l.starts_with("wellness_outbound_calls_total")
                    && l.contains("provider=\"whoop\"")
                    && l.contains("status=\"ok\"")),
            "an instance made no WHOOP calls:\n{metrics}"
        );
    }
    for reply in &replies {
        assert!(reply.contains("WHOOP synced: "), "{reply}");
    }
    let stats = whoop.stats();
    assert_eq!(stats.too_many_requests, 0, "{stats:?}");
    // Several windows' worth, or the test would prove nothing.
    let requests = stats.data_requests;
    assert!(requests >= 3 * LIMIT, "{stats:?}");
    // The limit lets `LIMIT` requests go at once and `LIMIT` more each window after.
    let allowed = WINDOW.mul_f64((requests.div_ceil(LIMIT) - 1) as f64);
    // Requests a second apart from the first, for the record.
    let log = whoop.requests();
    let first = log.iter().map(|r| r.at_ms).min().unwrap_or_default();
    let mut per_second = std::collections::BTreeMap::new();
    for r in &log {
        *per_second.entry((r.at_ms - first) / 1000).or_insert(0) += 1;
    }
    println!(
        "{requests} requests in {elapsed:?}; the limit allows {allowed:?}; by second: {per_second:?}"
    );
    assert!(
        elapsed <= allowed.mul_f64(1.15),
        "{requests} requests took {elapsed:?}; the limit allows {allowed:?}; by second: {per_second:?}"
    );
}
