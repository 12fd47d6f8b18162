//! Briefing fan-out: composing 10,000 morning briefings from PostgreSQL (each user with food
//! logged the day before and that day), and the send rate of the real briefing run
//! (`send_due_briefings`: claim, compose, send, as the five-minute job runs it) through our
//! Telegram client and its 30 msg/s limiter, against the Telegram simulator with its flood limits
//! on, so every 429 it would answer is counted.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveTime, TimeZone as _, Utc};
use diesel_async::RunQueryDsl as _;
use wellness_domain::ports::{Presenter as _, Users};
use wellness_domain::reply::{Reply, Say};
use wellness_domain::usecases::briefing::{BriefingPorts, compose_briefing, send_due_briefings};
use wellness_domain::{LocalDate, NotificationKind, Secret, User, UserId};
use wellness_postgres::test_support::TestDatabase;
use wellness_postgres::{Database, PgFoodLog, PgNotifications, PgUsers, PgWearableStore};
use wellness_sim::telegram::{SimConfig, SimUser, TelegramSim};
use wellness_telegram::{OutboundLimiter, TelegramClient};

const COMPOSED: i64 = 10_000;
/// Briefings sent through the 30 msg/s limit (about 10 s of sending).
const SENT: i64 = 300;
/// Users composed at once in the concurrent run.
const PARALLEL: usize = 8;

pub async fn run() -> Vec<(String, String)> {
    let mut rows = Vec::new();
    let db = TestDatabase::migrated().await.unwrap();
    let pool = db.pool().unwrap();
    // 08:30 in Kyiv today: every user's morning briefing (08:00) is due, the evening one is not.
    let kyiv = chrono_tz::Europe::Kyiv;
    let today = Utc::now().with_timezone(&kyiv).date_naive();
    let now = kyiv
        .from_local_datetime(&today.and_time(NaiveTime::from_hms_opt(8, 30, 0).unwrap()))
        .earliest()
        .unwrap()
        .with_timezone(&Utc);
    seed(&pool, COMPOSED, today).await;
    let users = all_users(&pool).await;
    assert_eq!(users.len() as i64, COMPOSED);

    for parallel in [1, PARALLEL] {
        let took = compose_all(&pool, &users, now, parallel).await;
        rows.push((
            format!("compose {COMPOSED} morning briefings, {parallel} at a time"),
            format!(
                "{:.2} s = {:.0} briefings/s",
                took.as_secs_f64(),
                COMPOSED as f64 / took.as_secs_f64()
            ),
        ));
    }

    // Send: only the first SENT users keep briefings on.
    exec(
        &pool,
        &format!(
            "UPDATE users SET briefings_enabled = false WHERE id NOT IN (SELECT id FROM users ORDER BY id LIMIT {SENT})"
        ),
    )
    .await;
    let tg = TelegramSim::start(SimConfig::default()).await.unwrap();
    for u in users.iter().take(SENT as usize) {
        // The simulator knows a chat once its user wrote.
        tg.send_text(&SimUser::new(u.telegram_id.get(), "B"), "/start");
    }
    let client = TelegramClient::new(
        &tg.base_url(),
        Secret::new(tg.token()),
        Arc::new(OutboundLimiter::default()),
    )
    .unwrap();
    let (food, wearables, notifications, users_port) = (
        PgFoodLog::new(pool.clone()),
        PgWearableStore::new(pool.clone()),
        PgNotifications::new(pool.clone()),
        PgUsers::new(pool.clone()),
    );
    let refused_before = tg.too_many_requests_count();
    let started = Instant::now();
    let round = send_due_briefings(
        now,
        &BriefingPorts {
            users: &users_port,
            food: &food,
            wearables: &wearables,
            notifications: &notifications,
            messenger: &client,
            presenter: wellness_texts::Texts::embedded(),
        },
        200,
    )
    .await
    .unwrap();
    let took = started.elapsed();
    let refused = tg.too_many_requests_count() - refused_before;
    rows.push((
        "send briefings through the 30 msg/s limiter (simulator flood limits on)".to_owned(),
        format!(
            "{} sent in {:.2} s = {:.1} msg/s, {} failed, {refused} answered 429 by the simulator",
            round.sent,
            took.as_secs_f64(),
            f64::from(round.sent) / took.as_secs_f64(),
            round.failures.len()
        ),
    ));
    rows.push((
        format!("time to send {COMPOSED} briefings at that rate"),
        format!(
            "{:.0} s (Telegram's limit, not composing, is the bound)",
            COMPOSED as f64 / (f64::from(round.sent) / took.as_secs_f64())
        ),
    ));
    tg.shutdown().await;
    rows
}

async fn exec(pool: &Database, sql: &str) {
    let mut conn = pool.conn().await.unwrap();
    diesel::sql_query(sql).execute(&mut conn).await.unwrap();
}

/// `n` users, half Ukrainian, each with three entries yesterday and two today.
async fn seed(pool: &Database, n: i64, today: chrono::NaiveDate) {
    exec(
        pool,
        &format!(
            "INSERT INTO users (telegram_id, first_name, locale)
             SELECT 900000 + g, 'U' || g, CASE WHEN g % 2 = 0 THEN 'uk' ELSE 'en' END
             FROM generate_series(1, {n}) g"
        ),
    )
    .await;
    for (day, count) in [(today.pred_opt().unwrap(), 3), (today, 2)] {
        exec(
            pool,
            &format!(
                "INSERT INTO food_entries (user_id, name, grams, kcal, protein_g, fat_g, carbs_g,
                     meal, source, nutrition_source, local_date, logged_at, idempotency_key)
                 SELECT u.id, 'egg', 100, 143, 12.6, 9.5, 0.7, 'breakfast', 'text',
                     'offline_catalogue', DATE '{day}', now(), 'bench:{day}:' || u.id || ':' || k
                 FROM users u, generate_series(1, {count}) k"
            ),
        )
        .await;
    }
    exec(pool, "ANALYZE").await;
}

async fn all_users(pool: &Database) -> Vec<User> {
    let users = PgUsers::new(pool.clone());
    let mut out = Vec::new();
    let mut after: Option<UserId> = None;
    loop {
        let page = users.page(after, 500).await.unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        out.extend(page);
    }
    out
}

async fn compose_all(
    pool: &Database,
    users: &[User],
    now: chrono::DateTime<Utc>,
    parallel: usize,
) -> Duration {
    let queue = Arc::new(std::sync::Mutex::new(users.to_vec()));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..parallel {
        let queue = queue.clone();
        let (food, wearables) = (
            PgFoodLog::new(pool.clone()),
            PgWearableStore::new(pool.clone()),
        );
        tasks.push(tokio::spawn(async move {
            loop {
                let next = queue.lock().unwrap().pop();
                let Some(user) = next else { break };
                let day = LocalDate::of(now, user.time_zone);
                let briefing = compose_briefing(
                    &user,
                    NotificationKind::MorningBriefing,
                    day,
                    now,
                    &food,
                    &wearables,
                )
                .await
                .unwrap();
                let reply = Reply::one(Say::Briefing(briefing));
                let message = wellness_texts::Texts::embedded().render(user.locale, &reply);
                assert!(!message.text.is_empty());
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    started.elapsed()
}
