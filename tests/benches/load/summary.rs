//! The Mini App's summary (issue 15): `GET /api/v1/summary` for 30 days at a fixed 200
//! requests/s against the release binary, over a year of data for 1,000 users.
//!
//! The database is seeded in SQL as the app writes it: users as the bot registers them, about
//! four food entries a day each (one in 25 voided, as undo leaves them) and one scored WHOOP
//! sleep, recovery and cycle a day. Rows go in day by day across all users, as they arrive in
//! production, so one user's rows are spread over the heap rather than packed together. Then
//! `VACUUM ANALYZE`, as autovacuum would have done over a year.
//!
//! The load is open-loop: request `k` is sent at `start + k / rate` whatever the earlier ones
//! are doing, and its latency counts from then, so a slow server cannot slow the generator
//! down and hide its queue. Each request is a random user and a random 30-day window within the
//! year, with init data signed afresh as Telegram would sign it.
//!
//! Knobs: `SUMMARY_RATE` (requests/s, default 200), `SUMMARY_SECONDS` (measured, default 30),
//! `SUMMARY_USERS` (default 1000), `SUMMARY_EXPLAIN=1` to print the plans of the queries.

use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate, Utc};
use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl as _;
use wellness_e2e::{Server, free_port};
use wellness_postgres::Database;
use wellness_postgres::test_support::TestDatabase;
use wellness_sim::telegram::{SimUser, TelegramSim};

use crate::env_or;

const DAYS: u64 = 365;
const WINDOW: u64 = 30;
const FIRST_TELEGRAM_ID: i64 = 5_000_000;

/// Seeds, starts the server, drives the load; answers report rows.
pub async fn run(
    tg: &TelegramSim,
    env: impl Fn(&TestDatabase, u16) -> Vec<(&'static str, String)>,
) -> Vec<(String, String)> {
    let rate: u64 = env_or("SUMMARY_RATE", 200);
    let seconds: u64 = env_or("SUMMARY_SECONDS", 30);
    let users: i64 = env_or("SUMMARY_USERS", 1000);
    let mut rows = Vec::new();
    let db = TestDatabase::migrated().await.unwrap();
    let pool = db.pool().unwrap();
    let last = Utc::now()
        .with_timezone(&chrono_tz::Europe::Kyiv)
        .date_naive();
    let first = last.checked_sub_days(Days::new(DAYS - 1)).unwrap();
    let started = Instant::now();
    seed(&pool, users, first).await;
    rows.push((
        format!("seed {users} users x {DAYS} days (food ~4/day, WHOOP sleep, recovery, cycle 1/day), VACUUM ANALYZE"),
        format!("{:.1} s; {}", started.elapsed().as_secs_f64(), sizes(&pool).await),
    ));
    let sample_user = users / 2;
    for (name, plan) in explain_all(&pool, sample_user, first).await {
        if std::env::var("SUMMARY_EXPLAIN").is_ok_and(|v| v == "1") {
            println!("--- EXPLAIN (ANALYZE, BUFFERS) {name}\n{plan}");
        }
        rows.push((
            format!("plan of {name} (one user, 30 days)"),
            plan_digest(&plan),
        ));
    }

    let port = free_port();
    let server = Server::start_on(port, &env(&db, port));
    crate::wait_ready(&server).await;
    let before = (
        crate::cpu_secs(server.pid()),
        crate::postgres_cpu_secs(),
        crate::cpu_secs(std::process::id()),
    );
    let wall = Instant::now();
    let outcome = drive(&server.url, tg.token(), users, first, rate, seconds).await;
    let wall = wall.elapsed().as_secs_f64();
    rows.push((
        "cores used meanwhile: wellness / all PostgreSQL processes / bench (generator)".to_owned(),
        format!(
            "{:.2} / {:.2} / {:.2}",
            (crate::cpu_secs(server.pid()) - before.0) / wall,
            (crate::postgres_cpu_secs() - before.1) / wall,
            (crate::cpu_secs(std::process::id()) - before.2) / wall
        ),
    ));
    // Why requests failed, if they did: the server's warnings.
    for line in server
        .logs()
        .iter()
        .filter(|l| l.contains("WARN") || l.contains("ERROR"))
        .take(5)
    {
        println!("  server: {line}");
    }
    rows.push((
        format!("GET /api/v1/summary, 30 days, {rate} req/s open-loop for {seconds} s ({users} users x a year)"),
        outcome,
    ));
    drop(server);
    rows
}

fn days(first: NaiveDate, n: u64) -> NaiveDate {
    first.checked_add_days(Days::new(n)).unwrap()
}

async fn exec(pool: &Database, sql: &str) {
    let mut conn = pool.conn().await.unwrap();
    diesel::sql_query(sql).execute(&mut conn).await.unwrap();
}

/// Users, a year of food and of WHOOP records, day by day across users.
async fn seed(pool: &Database, users: i64, first: NaiveDate) {
    exec(
        pool,
        &format!(
            "INSERT INTO users (telegram_id, first_name, locale)
             SELECT {FIRST_TELEGRAM_ID} + g, 'S' || g, CASE WHEN g % 2 = 0 THEN 'uk' ELSE 'en' END
             FROM generate_series(1, {users}) g"
        ),
    )
    .await;
    // Local times in the user's zone (Europe/Kyiv, the default); a fifth of days have no snack.
    exec(
        pool,
        &format!(
            "INSERT INTO food_entries (user_id, name, grams, kcal, protein_g, fat_g, carbs_g,
                 meal, source, nutrition_source, local_date, logged_at, idempotency_key,
                 status, voided_at)
             SELECT u.id, m.name, 100 + (u.id * 7 + d * 13 + m.k * 31) % 300,
                 200 + (u.id * 11 + d * 17 + m.k * 37) % 500,
                 5 + (u.id + d + m.k) % 40, 3 + (u.id * 3 + d) % 30, 10 + (u.id + d * 5) % 80,
                 m.meal, CASE WHEN m.k = 2 THEN 'voice' ELSE 'text' END, 'offline_catalogue',
                 DATE '{first}' + d,
                 ((DATE '{first}' + d) + m.at + make_interval(mins => (u.id % 50)::int))
                     AT TIME ZONE 'Europe/Kyiv',
                 'bench:' || d || ':' || m.k,
                 CASE WHEN (u.id + d + m.k) % 25 = 0 THEN 'voided' ELSE 'active' END,
                 CASE WHEN (u.id + d + m.k) % 25 = 0 THEN now() END
             FROM generate_series(0, {days}) d
             CROSS JOIN (VALUES (1, 'breakfast', TIME '08:00', 'oatmeal'),
                                (2, 'lunch', TIME '13:00', 'chicken and rice'),
                                (3, 'snack', TIME '16:30', 'apple'),
                                (4, 'dinner', TIME '19:00', 'salmon')) m(k, meal, at, name)
             CROSS JOIN users u
             WHERE m.k <> 3 OR (u.id + d) % 5 <> 0
             ORDER BY d, m.k, u.id",
            days = DAYS - 1
        ),
    )
    .await;
    seed_whoop(pool, first).await;
    exec(pool, "VACUUM ANALYZE").await;
}

/// One night's sleep ending each morning, its recovery, and the cycle it starts (WHOOP's cycle
/// begins at sleep onset, so it is the previous evening's day's strain).
async fn seed_whoop(pool: &Database, first: NaiveDate) {
    let nights = format!(
        "SELECT u.id AS user_id, d, u.id * 1000 + d AS cycle_id,
             ((DATE '{first}' + d - 1) + TIME '22:30' + make_interval(mins => ((u.id * 7 + d) % 60)::int))
                 AT TIME ZONE 'Europe/Kyiv' AS start_at,
             ((DATE '{first}' + d) + TIME '07:00' + make_interval(mins => ((u.id * 3 + d) % 60)::int))
                 AT TIME ZONE 'Europe/Kyiv' AS end_at
         FROM generate_series(0, {days}) d CROSS JOIN users u",
        days = DAYS - 1
    );
    exec(
        pool,
        &format!(
            "INSERT INTO whoop_sleep (whoop_id, cycle_id, user_id, start_at, end_at, timezone_offset,
                 nap, score_state, in_bed_milli, awake_milli, light_milli, slow_wave_milli, rem_milli,
                 cycle_count, disturbance_count, performance_pct, efficiency_pct, consistency_pct,
                 respiratory_rate, whoop_updated_at)
             SELECT 'sleep-' || n.cycle_id, n.cycle_id, n.user_id, n.start_at, n.end_at, '+02:00',
                 false, 'SCORED', 28000000, 2000000, 14000000, 6000000, 6000000, 4, 10,
                 50 + (n.user_id + n.d) % 50, 80 + (n.d % 20), 60 + (n.user_id % 40), 15.5, n.end_at
             FROM ({nights}) n ORDER BY n.d, n.user_id"
        ),
    )
    .await;
    exec(
        pool,
        &format!(
            "INSERT INTO whoop_recovery (cycle_id, sleep_id, user_id, score_state, recovery_score,
                 resting_heart_rate, hrv_rmssd_milli, spo2_pct, skin_temp_celsius, user_calibrating,
                 whoop_created_at, whoop_updated_at)
             SELECT n.cycle_id, 'sleep-' || n.cycle_id, n.user_id, 'SCORED',
                 (n.user_id * 7 + n.d * 3) % 100, 50 + n.d % 15, 40 + n.user_id % 60, 96, 33.4,
                 false, n.end_at + interval '5 minutes', n.end_at + interval '5 minutes'
             FROM ({nights}) n ORDER BY n.d, n.user_id"
        ),
    )
    .await;
    exec(
        pool,
        &format!(
            "INSERT INTO whoop_cycles (whoop_id, user_id, start_at, end_at, timezone_offset,
                 score_state, strain, kilojoule, average_heart_rate, max_heart_rate, whoop_updated_at)
             SELECT n.cycle_id, n.user_id, n.start_at, n.start_at + interval '1 day', '+02:00',
                 'SCORED', (n.user_id + n.d * 7) % 21, 9000, 65, 160, n.end_at
             FROM ({nights}) n ORDER BY n.d, n.user_id"
        ),
    )
    .await;
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

async fn lines(pool: &Database, sql: &str) -> Vec<String> {
    let mut conn = pool.conn().await.unwrap();
    diesel::sql_query(sql)
        .load::<Line>(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.line)
        .collect()
}

/// Table and index sizes, and the server's buffer cache, for the report.
async fn sizes(pool: &Database) -> String {
    lines(
        pool,
        "SELECT string_agg(c.relname || ' ' || pg_size_pretty(pg_total_relation_size(c.oid))
                 || ' (' || c.reltuples::bigint || ' rows)', ', ' ORDER BY c.relname)
             || '; shared_buffers ' || current_setting('shared_buffers') AS line
         FROM pg_class c
         WHERE c.relname IN ('food_entries', 'whoop_sleep', 'whoop_recovery', 'whoop_cycles')",
    )
    .await
    .join("")
}

/// The summary's queries as the app sends them (crates/postgres: `daily_totals`, `history`),
/// with the values of one request, under `EXPLAIN (ANALYZE, BUFFERS)`.
async fn explain_all(pool: &Database, user_n: i64, first: NaiveDate) -> Vec<(String, String)> {
    let from = days(first, 100);
    let to = days(from, WINDOW - 1);
    let uid = format!(
        "(SELECT id FROM users WHERE telegram_id = {})",
        FIRST_TELEGRAM_ID + user_n
    );
    // The bounds of the days in Kyiv, as `LocalDate::bounds` computes them.
    let start = format!("(TIMESTAMP '{from} 00:00' AT TIME ZONE 'Europe/Kyiv')");
    let end = format!("(TIMESTAMP '{to} 00:00' AT TIME ZONE 'Europe/Kyiv' + interval '1 day')");
    let queries = [
        (
            "daily_totals (food_entries)",
            format!(
                "SELECT local_date, count(*), sum(kcal), sum(protein_g), sum(fat_g), sum(carbs_g)
                 FROM food_entries WHERE user_id = {uid} AND local_date BETWEEN DATE '{from}' AND DATE '{to}'
                 AND status = 'active' GROUP BY local_date ORDER BY local_date"
            ),
        ),
        (
            "history: sleep (whoop_sleep)",
            format!(
                "SELECT end_at, performance_pct FROM whoop_sleep WHERE user_id = {uid}
                 AND start_at >= {start} - interval '1 day' AND start_at < {end}
                 AND end_at >= {start} AND end_at < {end} AND nap = false AND score_state = 'SCORED'
                 ORDER BY end_at"
            ),
        ),
        (
            "history: recovery (whoop_recovery)",
            format!(
                "SELECT whoop_created_at, recovery_score FROM whoop_recovery WHERE user_id = {uid}
                 AND whoop_created_at >= {start} AND whoop_created_at < {end}
                 AND score_state = 'SCORED' ORDER BY whoop_created_at"
            ),
        ),
        (
            "history: strain (whoop_cycles)",
            format!(
                "SELECT start_at, strain FROM whoop_cycles WHERE user_id = {uid}
                 AND start_at >= {start} AND start_at < {end} AND score_state = 'SCORED'
                 ORDER BY start_at"
            ),
        ),
    ];
    exec(
        pool,
        "CREATE FUNCTION bench_explain(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
         DECLARE r text;
         BEGIN FOR r IN EXECUTE 'EXPLAIN (ANALYZE, BUFFERS) ' || q LOOP RETURN NEXT r; END LOOP; END $$",
    )
    .await;
    let mut out = Vec::new();
    for (name, sql) in queries {
        let plan = lines(pool, &format!("SELECT bench_explain($q${sql}$q$) AS line")).await;
        out.push((name.to_owned(), plan.join("\n")));
    }
    exec(pool, "DROP FUNCTION bench_explain").await;
    out
}

/// The scan nodes, the index named, buffers and time of a plan, on one line.
fn plan_digest(plan: &str) -> String {
    let scans: Vec<&str> = plan
        .lines()
        .map(str::trim)
        .map(|l| l.trim_start_matches("-> ").trim())
        .filter(|l| l.contains(" Scan "))
        .map(|l| l.split("  (").next().unwrap_or(l))
        .collect();
    let buffers = plan
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("Buffers:"))
        .unwrap_or("");
    let time = plan
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("Execution Time:") || l.starts_with("Planning Time:"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("{}; {buffers}; {time}", scans.join(" / "))
}

/// splitmix64: enough randomness for picking users and windows, reproducible by seed.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    }
}

/// What one request got: latency from its scheduled start (ms) and whether it was a full
/// 200 with 30 days of food and WHOOP numbers.
struct Answer {
    ms: f64,
    status: u16,
    complete: bool,
}

/// Open loop at `rate` for 3 s of warm-up and `seconds` measured.
async fn drive(
    url: &str,
    token: &str,
    users: i64,
    first: NaiveDate,
    rate: u64,
    seconds: u64,
) -> String {
    let warmup = rate * 3;
    let total = warmup + rate * seconds;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(512)
        .build()
        .unwrap();
    let interval = Duration::from_nanos(1_000_000_000 / rate);
    let mut random = Random(15);
    let mut tasks = Vec::with_capacity(total as usize);
    let begin = tokio::time::Instant::now();
    let mut late = Duration::ZERO;
    for k in 0..total {
        let due = begin + interval * u32::try_from(k).unwrap();
        tokio::time::sleep_until(due).await;
        late = late.max(due.elapsed());
        let user = SimUser::new(
            FIRST_TELEGRAM_ID + 1 + random.below(users as u64) as i64,
            "S",
        );
        // The cycle of the year's last evening has not begun: windows end the day before.
        let from = days(first, random.below(DAYS - WINDOW));
        let to = days(from, WINDOW - 1);
        let auth = wellness_sim::telegram::web_app::init_data(&user, token, Utc::now());
        let request = client
            .get(format!("{url}/api/v1/summary?from={from}&to={to}"))
            .header("authorization", format!("tma {auth}"));
        tasks.push(tokio::spawn(async move { ask(request, due).await }));
    }
    let mut answers = Vec::with_capacity(total as usize);
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    let measured = &answers[warmup as usize..];
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for a in measured.iter().filter(|a| a.status != 200) {
        *statuses.entry(a.status).or_default() += 1;
    }
    let incomplete = measured
        .iter()
        .filter(|a| a.status == 200 && !a.complete)
        .count();
    let mut ms: Vec<f64> = measured.iter().map(|a| a.ms).collect();
    ms.sort_by(f64::total_cmp);
    let p = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    format!(
        "p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} requests; not 200: {statuses:?} (0: no answer); \
         200 without 30 full days: {incomplete}; generator late by at most {:.1} ms)",
        p(0.50),
        p(0.95),
        p(0.99),
        ms.last().copied().unwrap_or_default(),
        ms.len(),
        late.as_secs_f64() * 1000.0
    )
}

async fn ask(request: reqwest::RequestBuilder, due: tokio::time::Instant) -> Answer {
    let Ok(response) = request.send().await else {
        return Answer {
            ms: due.elapsed().as_secs_f64() * 1000.0,
            status: 0,
            complete: false,
        };
    };
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    let ms = due.elapsed().as_secs_f64() * 1000.0;
    let days = body["days"].as_array().cloned().unwrap_or_default();
    let complete = days.len() == WINDOW as usize
        && days.iter().all(|d| {
            ["kcal", "sleep_performance", "recovery_score", "strain"]
                .iter()
                .all(|k| !d[*k].is_null())
        });
    Answer {
        ms,
        status,
        complete,
    }
}
