//! Briefings spread over every instance (issue 18): a check queues each due briefing once as a
//! durable task, and the task workers of every instance send them; a task of an instance that
//! died is taken over after its lease.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{Timelike as _, Utc};
use wellness_e2e::{Server, count, free_port, sample_sum, scrape};
use wellness_postgres::test_support::TestDatabase;
use wellness_sim::telegram::{SimConfig, SimUser, TelegramSim};

use crate::chat;

const USERS: i64 = 1000;
const FIRST_ID: i64 = 90_000;
/// Task workers per instance (and so the most sends one instance can have in flight).
const TASK_WORKERS: usize = 4;

/// A fixed-offset zone in which it is about noon now, so the morning briefing set a minute ago
/// is due and the evening one (23:00) is not.
fn noon_zone() -> (String, i64) {
    let offset = 12 - i64::from(Utc::now().hour());
    let name = match offset {
        0 => "UTC".to_owned(),
        // The IANA Etc zones count the other way: Etc/GMT-3 is three hours ahead of UTC.
        o if o > 0 => format!("Etc/GMT-{o}"),
        o => format!("Etc/GMT+{}", -o),
    };
    (name, offset)
}

/// `USERS` people who have talked to the bot before, each with the morning briefing due since
/// a minute ago in their zone.
async fn users_due_now(db: &TestDatabase, sim: &TelegramSim) -> Vec<SimUser> {
    let (zone, offset) = noon_zone();
    let local = Utc::now() + chrono::Duration::hours(offset) - chrono::Duration::minutes(1);
    let morning = format!("{:02}:{:02}", local.hour(), local.minute());
    let pool = db.pool().unwrap();
    let mut conn = pool.conn().await.unwrap();
    use diesel::sql_types::{BigInt, Text};
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(
            "INSERT INTO users (telegram_id, first_name, locale, time_zone, morning_time, \
             evening_time) SELECT $1 + g, 'U' || g, 'en', $2, $3::time, '23:00' \
             FROM generate_series(0, $4) g",
        )
        .bind::<BigInt, _>(FIRST_ID)
        .bind::<Text, _>(zone)
        .bind::<Text, _>(morning)
        .bind::<BigInt, _>(USERS - 1),
        &mut *conn,
    )
    .await
    .unwrap();
    (0..USERS)
        .map(|n| {
            let user = SimUser::new(FIRST_ID + n, format!("U{n}")).with_language("en");
            // A chat Telegram knows: the user started the bot before.
            sim.set_blocked(&user, false);
            user
        })
        .collect()
}

/// 1,000 morning briefings due at once, three instances on one database and one Telegram with
/// its flood limits on; one instance is SIGKILLed a third of the way through. Every user gets
/// the briefing; a second copy is possible only for a send the killed instance had in flight
/// (Telegram took it, the task was not marked done), so at most its task workers' worth; both
/// survivors did part of the work; no 429, never more than 30 messages in a second.
#[tokio::test]
async fn a_thousand_briefings_are_spread_over_three_instances_and_survive_one_killed_mid_tick() {
    let sim = TelegramSim::start(SimConfig::default()).await.unwrap();
    let db = TestDatabase::migrated().await.unwrap();
    let users = users_due_now(&db, &sim).await;
    let public = free_port();
    let mut servers: Vec<Server> = Vec::new();
    for port in [public, free_port(), free_port()] {
        let env = vec![
            ("DATABASE_URL", db.url().to_owned()),
            ("TELEGRAM_BOT_TOKEN", sim.token().to_owned()),
            ("TELEGRAM_API_URL", sim.base_url()),
            ("TELEGRAM_MODE", "webhook".to_owned()),
            ("TELEGRAM_WEBHOOK_SECRET", "briefing-secret".to_owned()),
            ("PUBLIC_BASE_URL", format!("http://127.0.0.1:{public}")),
            // Checked every 2 seconds (not every 5 minutes) so the test need not wait.
            ("WELLNESS__JOBS__BRIEFING_CHECK", "*/2 * * * * *".to_owned()),
            ("WELLNESS__JOBS__TASK_WORKERS", TASK_WORKERS.to_string()),
            ("WELLNESS__JOBS__TASK_LEASE_SECS", "5".to_owned()),
        ];
        servers.push(chat::serve(port, &env).await);
    }
    sim.reset_peak();
    let started = Instant::now();
    let received = || -> HashMap<i64, usize> {
        let mut by_chat = HashMap::new();
        for record in sim.sent().iter().filter(|r| r.method == "sendMessage") {
            *by_chat.entry(record.chat_id).or_insert(0) += 1;
        }
        by_chat
    };
    // A third of the way through, the second instance dies without a word.
    let deadline = started + Duration::from_secs(60);
    while received().len() < 330 {
        assert!(Instant::now() < deadline, "only {} sent", received().len());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let killed = servers.remove(1);
    killed.kill();
    let killed_instant = Instant::now();
    let killed_at = received().len();
    let deadline = started + Duration::from_secs(120);
    while received().len() < users.len() {
        assert!(
            Instant::now() < deadline,
            "{} of {} got a briefing; tasks left: {}",
            received().len(),
            users.len(),
            count(&db, "SELECT count(*) AS n FROM tasks").await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let elapsed = started.elapsed();
    // A task the killed instance held is taken over once its lease runs out (it may have been
    // delivered already: then that is a second copy). A send it had in flight holds its chat in
    // the flood budget for `FloodLimits::longest_send` (40 s: nobody can tell a dead sender from
    // a slow one), and the survivor's attempts meanwhile fail on their 4 s deadline and back
    // off 2, 4, 8, 16 s: such a task is done about 51 s after the kill (CI, 2026-12-07, failed
    // waiting only 30 s after the last first copy). Wait for every task to be done, then a
    // little more: later checks queue nothing again.
    let deadline = killed_instant + Duration::from_secs(90);
    while count(&db, "SELECT count(*) AS n FROM tasks").await > 0 {
        assert!(Instant::now() < deadline, "tasks left undone");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let by_chat = received();
    for user in &users {
        let texts: Vec<String> = sim
            .sent_to(user.id)
            .iter()
            .map(|m| m.visible_text().to_owned())
            .collect();
        assert!(
            texts
                .iter()
                .all(|t| t.starts_with(&format!("Good morning, {}!", user.first_name))),
            "{texts:?}"
        );
    }
    let copies: usize = by_chat.values().map(|n| n - 1).sum();
    assert!(
        copies <= TASK_WORKERS,
        "{copies} second copies; only the killed instance's in-flight sends may repeat"
    );
    assert_eq!(count(&db, "SELECT count(*) AS n FROM tasks").await, 0);
    assert_eq!(
        count(&db, "SELECT count(*) AS n FROM notification_sends").await,
        USERS
    );
    assert_eq!(sim.too_many_requests_count(), 0, "Telegram answered 429");
    let peak = sim.peak_messages_per_second();
    assert!(peak <= 30, "{peak} messages within one second");
    // Every live instance did part of the work, and says so on its own /metrics.
    let mut by_survivors = 0.0;
    for server in &servers {
        let metrics = scrape(&server.url).await;
        let sent = sample_sum(&metrics, "wellness_briefings_total", &[("outcome", "sent")]);
        let done = sample_sum(
            &metrics,
            "wellness_tasks_total",
            &[("kind", "briefing"), ("outcome", "ok")],
        );
        eprintln!("{}: {sent} briefings sent, {done} tasks done", server.url);
        assert!(sent > 0.0, "{} sent nothing", server.url);
        assert!(done >= sent, "{metrics}");
        by_survivors += sent;
    }
    assert!(
        by_survivors < USERS as f64,
        "the killed instance sent none before it died"
    );
    eprintln!(
        "{USERS} briefings in {elapsed:?} ({:.1}/s), peak {peak} a second, instance killed \
         after {killed_at}, {copies} second copies",
        USERS as f64 / elapsed.as_secs_f64()
    );
}
