//! Briefing fan-out: composing 10,000 morning briefings from PostgreSQL (each user with food
//! logged the day before and that day), queueing them (the five-minute check: each due
//! briefing claimed with its durable task), and the send rate of task workers (claim, compose,
//! send, complete, as every instance runs them) through our Telegram client and its 30 msg/s
//! limiter, against the Telegram simulator with its flood limits on, so every 429 it would
//! answer is counted.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveTime, TimeZone as _, Utc};
use diesel_async::RunQueryDsl as _;
use wellness_domain::ports::{Presenter as _, TaskKind, Tasks as _, Users};
use wellness_domain::reply::{Reply, Say};
use wellness_domain::usecases::briefing::{
    Delivery, DeliveryPorts, compose_briefing, deliver_briefing, queue_due_briefings,
};
use wellness_domain::{LocalDate, NotificationKind, Secret, User, UserId};
use wellness_postgres::test_support::TestDatabase;
use wellness_postgres::{Database, PgFoodLog, PgNotifications, PgTasks, PgUsers, PgWearableStore};
use wellness_sim::telegram::{SimConfig, SimUser, TelegramSim};
use wellness_telegram::{OutboundLimiter, TelegramClient};

const COMPOSED: i64 = 10_000;
/// Briefings sent through the 30 msg/s limit (about 10 s of sending).
const SENT: i64 = 300;
/// Users composed at once in the concurrent run.
const PARALLEL: usize = 8;
/// Task workers sending (one instance's default).
const TASK_WORKERS: usize = 4;

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

    // Queue: the scheduled check over every user, each due briefing claimed with its task.
    let users_port = PgUsers::new(pool.clone());
    let notifications = PgNotifications::new(pool.clone());
    let started = Instant::now();
    let round = queue_due_briefings(now, &users_port, &notifications, 500)
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(round.queued as i64, COMPOSED, "{round:?}");
    rows.push((
        format!("queue {COMPOSED} due briefings (the check: claims and tasks, 500 users a page)"),
        format!(
            "{:.2} s = {:.0} briefings/s",
            took.as_secs_f64(),
            COMPOSED as f64 / took.as_secs_f64()
        ),
    ));

    // Send: the task workers take the first SENT users' tasks (the rest are dropped).
    exec(
        &pool,
        &format!(
            "DELETE FROM tasks WHERE user_id NOT IN (SELECT id FROM users ORDER BY id LIMIT {SENT})"
        ),
    )
    .await;
    let tg = TelegramSim::start(SimConfig::default()).await.unwrap();
    for u in users.iter().take(SENT as usize) {
        // The simulator knows a chat once its user wrote.
        tg.send_text(&SimUser::new(u.telegram_id.get(), "B"), "/start");
    }
    let client = Arc::new(
        TelegramClient::new(
            &tg.base_url(),
            Secret::new(tg.token()),
            Arc::new(OutboundLimiter::default()),
        )
        .unwrap(),
    );
    let refused_before = tg.too_many_requests_count();
    let started = Instant::now();
    let mut workers = Vec::new();
    for n in 0..TASK_WORKERS {
        let (pool, client) = (pool.clone(), client.clone());
        workers.push(tokio::spawn(async move {
            drain(&pool, client.as_ref(), &format!("bench-{n}"), now).await
        }));
    }
    let mut sent = 0u32;
    let mut failed = 0u32;
    for w in workers {
        let (s, f) = w.await.unwrap();
        sent += s;
        failed += f;
    }
    let took = started.elapsed();
    let refused = tg.too_many_requests_count() - refused_before;
    rows.push((
        format!(
            "send queued briefings, {TASK_WORKERS} task workers, through the 30 msg/s limiter (simulator flood limits on)"
        ),
        format!(
            "{sent} sent in {:.2} s = {:.1} msg/s, {failed} failed, {refused} answered 429 by the simulator",
            took.as_secs_f64(),
            f64::from(sent) / took.as_secs_f64(),
        ),
    ));
    rows.push((
        format!("time to send {COMPOSED} briefings at that rate"),
        format!(
            "{:.0} s (Telegram's limit, not composing, is the bound)",
            COMPOSED as f64 / (f64::from(sent) / took.as_secs_f64())
        ),
    ));
    tg.shutdown().await;
    rows
}

/// One task worker: claims queued briefings until none is left, delivering each; (sent, failed).
async fn drain(
    pool: &Database,
    messenger: &TelegramClient,
    name: &str,
    now: chrono::DateTime<Utc>,
) -> (u32, u32) {
    let (tasks, users) = (PgTasks::new(pool.clone()), PgUsers::new(pool.clone()));
    let (food, wearables) = (
        PgFoodLog::new(pool.clone()),
        PgWearableStore::new(pool.clone()),
    );
    let ports = DeliveryPorts {
        food: &food,
        wearables: &wearables,
        messenger,
        presenter: wellness_texts::Texts::embedded(),
    };
    let (mut sent, mut failed) = (0, 0);
    while let Some(task) = tasks
        .claim(name, chrono::Duration::minutes(5))
        .await
        .unwrap()
    {
        let TaskKind::Briefing { kind, day } = task.kind else {
            panic!("{task:?}")
        };
        let user = users.get(task.user).await.unwrap().unwrap();
        match deliver_briefing(&user, kind, day, now, &ports).await {
            Ok(Delivery::Sent) => sent += 1,
            _ => failed += 1,
        }
        tasks.complete(task.id, name).await.unwrap();
    }
    (sent, failed)
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
