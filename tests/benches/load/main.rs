//! The load harness: every speed target of wellness measured in one run (`make bench`).
//!
//! It starts the real `wellness serve` (the release build next to this bench, or `WELLNESS_BIN`)
//! on the real PostgreSQL, a fresh database for each scenario, with the simulators answering at
//! once, and prints one report:
//!
//! 1. the load generator's own ceiling against a trivial HTTP responder;
//! 2. start-up time to ready (/readyz 200) and idle RSS;
//! 3. webhook acknowledgement throughput and latency at saturation, every acknowledged update
//!    checked to be stored, and RSS under that load;
//! 4. end-to-end text food logging latency (webhook in -> reply at the Telegram simulator) at a
//!    fixed offered load;
//! 5. WHOOP sync throughput (records upserted/s) for 100 users x 30 days, the simulator's limit
//!    and our request budget lifted;
//! 6. briefing fan-out: composing 10,000 briefings, and the send rate against Telegram's
//!    30 msg/s with the simulator's flood limits on (429s counted);
//! 7. the Mini App's summary (`GET /api/v1/summary`, 30 days) at a fixed 200 requests/s over a
//!    year of data for 1,000 users (issue 15; [`summary`]);
//! 8. webhook acknowledgement and end-to-end latency with 1, 2 and 3 instances on one database
//!    (issue 18; [`instances`]).
//!
//! A bench target rather than a `wellness bench` subcommand: the harness needs the simulators,
//! a load generator and test databases, none of which belongs in the production binary, and it
//! measures that binary from outside as a process (RSS, start-up) exactly as it runs.
//!
//! Knobs (environment): `LOAD_SECONDS` (measured seconds of each saturation run, default 10),
//! `LOAD_CONNECTIONS` (generator connections, default 64), `E2E_RATE` (updates/s, default 200),
//! `LOAD_PHASES` (which scenarios: ceiling,webhook,e2e,whoop,briefings,summary,instances; all by
//! default), and
//! `LOAD_ENV` (extra `KEY=VALUE,...` for the server, e.g. `WELLNESS__TELEGRAM__WORKERS=8`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod briefings;
mod instances;
mod loadgen;
mod summary;
mod whoop;

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use wellness_e2e::{Server, count, free_port, text_update_body};
use wellness_postgres::test_support::TestDatabase;
use wellness_sim::telegram::{RateLimits, SimConfig, SimUser, TelegramSim};

const SECRET: &str = "bench-secret";

/// Whether a scenario runs: `LOAD_PHASES` lists them (ceiling, webhook, e2e, whoop,
/// briefings, summary), comma-separated; all when unset.
fn phase(name: &str) -> bool {
    std::env::var("LOAD_PHASES").map_or(true, |p| p.split(',').any(|x| x.trim() == name))
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The report, printed as Markdown at the end (and lines as they are measured).
#[derive(Default)]
struct Report {
    rows: Vec<(String, String)>,
}

impl Report {
    fn add(&mut self, what: &str, value: String) {
        println!("  {what}: {value}");
        self.rows.push((what.to_owned(), value));
    }

    fn render(&self) -> String {
        let mut out = String::from("| measurement | result |\n|---|---|\n");
        for (k, v) in &self.rows {
            let _ = writeln!(out, "| {k} | {v} |");
        }
        out
    }
}

/// RSS now and its peak, in MiB, from /proc/<pid>/status.
fn rss_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    format!("{cores} cores ({cpu}), {mem_gib:.0} GiB")
}

/// Other work on the machine skews every number: say how busy it was.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The environment of a bench server: production defaults (log level, actix workers, pool), the
/// Telegram simulator, no OpenAI key (the offline assistant and catalogue).
fn server_env(db: &TestDatabase, tg: &TelegramSim, port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("DATABASE_URL", db.url().to_owned()),
        ("TELEGRAM_BOT_TOKEN", tg.token().to_owned()),
        ("TELEGRAM_API_URL", tg.base_url()),
        ("TELEGRAM_WEBHOOK_SECRET", SECRET.to_owned()),
        ("PUBLIC_BASE_URL", format!("http://127.0.0.1:{port}")),
        // The test profile's settings are for tests; measure the defaults.
        ("WELLNESS_ENV", String::new()),
        ("WELLNESS__SERVER__WORKERS", "0".to_owned()),
        ("RUST_LOG", "info,actix_server=warn".to_owned()),
        // The harness measures the pipeline, not the per-user flood limit.
        (
            "WELLNESS__TELEGRAM__MESSAGES_PER_MINUTE",
            "1000000".to_owned(),
        ),
    ]
    .into_iter()
    .chain(extra_env())
    .collect()
}

/// `LOAD_ENV=K=V,K2=V2`: settings to try without rebuilding.
fn extra_env() -> Vec<(&'static str, String)> {
    std::env::var("LOAD_ENV")
        .unwrap_or_default()
        .split(',')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| {
            (
                &*Box::leak(k.trim().to_owned().into_boxed_str()),
                v.trim().to_owned(),
            )
        })
        .collect()
}

fn fmt_outcome(o: &loadgen::Outcome) -> String {
    format!(
        "{:.0} req/s, p50 {:.2} ms, p99 {:.2} ms ({} in {:.1} s; non-200 {}, errors {})",
        o.throughput(),
        o.percentile_ms(0.50),
        o.percentile_ms(0.99),
        o.measured,
        o.window.as_secs_f64(),
        o.not_ok_total,
        o.errors
    )
}

#[tokio::main]
async fn main() {
    let seconds: u64 = env_or("LOAD_SECONDS", 10);
    let connections: usize = env_or("LOAD_CONNECTIONS", 64);
    let e2e_rate: u64 = env_or("E2E_RATE", 200);
    let warmup = Duration::from_secs(2);
    let measure = Duration::from_secs(seconds);
    let mut report = Report::default();
    println!("load harness on {}", machine());
    report.add("machine", machine());
    report.add("load average at the start (1, 5, 15 min)", load_average());

    // 1. The generator's ceiling.
    if phase("ceiling") {
        println!("[1/7] load generator ceiling");
        let trivial = loadgen::trivial_responder();
        let ping: loadgen::MakeRequest = Arc::new(|_| loadgen::post("/", &[], b"{}"));
        let ceiling = loadgen::saturate(trivial, connections, warmup, measure, ping).await;
        report.add(
            "generator ceiling (trivial responder, same machine)",
            fmt_outcome(&ceiling),
        );
    }

    let tg = TelegramSim::start(SimConfig {
        rate_limits: RateLimits::disabled(),
        ..SimConfig::default()
    })
    .await
    .unwrap();

    // 2 and 3. Start-up, idle RSS, webhook saturation.
    if phase("webhook") {
        println!("[2/7] start-up and idle RSS; [3/7] webhook acknowledgement at saturation");
        let db = TestDatabase::migrated()
            .await
            .expect("a test database (is PostgreSQL up?)");
        let port = free_port();
        let server = Server::start_on(port, &server_env(&db, &tg, port));
        let ready = wait_ready(&server).await;
        println!("  (server pid {}, for perf)", server.pid());
        report.add(
            "start-up to ready (/readyz 200, schema up to date)",
            format!("{:.0} ms", ready.as_secs_f64() * 1000.0),
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
        let (idle, _) = rss_mib(server.pid());
        report.add("RSS idle (after ready + 2 s)", format!("{idle:.1} MiB"));

        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let healthz = loadgen::saturate(
            addr,
            connections,
            Duration::from_secs(1),
            Duration::from_secs(seconds.min(5)),
            Arc::new(|_| b"GET /healthz HTTP/1.1\r\nhost: bench\r\n\r\n".to_vec()),
        )
        .await;
        report.add(
            "GET /healthz at saturation (no database)",
            fmt_outcome(&healthz),
        );

        // Many chats, so the inbox workers' per-chat order is not the limit of what they drain.
        let webhook: loadgen::MakeRequest = Arc::new(|n| {
            let body = text_update_body(
                (1_000_000 + n) as i64,
                100_000 + (n % 5000) as i64,
                "2 eggs",
            );
            loadgen::post(
                "/telegram/webhook",
                &[("x-telegram-bot-api-secret-token", SECRET)],
                &body,
            )
        });
        let sampler = rss_sampler(server.pid());
        let cpu_before = (
            cpu_secs(server.pid()),
            postgres_cpu_secs(),
            cpu_secs(std::process::id()),
        );
        let wall = Instant::now();
        let acks = loadgen::saturate(addr, connections, warmup, measure, webhook).await;
        let wall = wall.elapsed().as_secs_f64();
        let cores = (
            (cpu_secs(server.pid()) - cpu_before.0) / wall,
            (postgres_cpu_secs() - cpu_before.1) / wall,
            (cpu_secs(std::process::id()) - cpu_before.2) / wall,
        );
        let (_, peak) = rss_mib(server.pid());
        let under_load = sampler.stop().await;
        report.add("webhook acknowledgement at saturation", fmt_outcome(&acks));
        report.add(
            "cores used meanwhile: wellness / all PostgreSQL processes / bench (generator, simulator)",
            format!("{:.2} / {:.2} / {:.2}", cores.0, cores.1, cores.2),
        );
        let used = cores.0 + cores.1 + cores.2;
        report.add(
            "projected for 2 cores free of other work (throughput x 2 / cores used)",
            format!("{:.0} req/s", acks.throughput() * 2.0 / used),
        );
        let processed = processed_updates(&server.url).await;
        report.add(
            "updates the inbox workers finished meanwhile (processed in the background)",
            processed.to_string(),
        );
        let stored = count(&db, "SELECT count(*) AS n FROM inbox_updates").await;
        report.add(
            "acknowledged (200) vs stored",
            format!(
                "{} acknowledged, {stored} stored{}",
                acks.ok_total,
                if stored >= acks.ok_total as i64 {
                    ""
                } else {
                    "  <-- LOST UPDATES"
                }
            ),
        );
        report.add(
            "RSS under webhook load (max sampled / peak VmHWM)",
            format!("{under_load:.1} MiB / {peak:.1} MiB"),
        );
        drop(server);
    }

    // 4. End to end.
    if phase("e2e") {
        println!("[4/7] end-to-end text food logging at {e2e_rate} updates/s");
        let db = TestDatabase::migrated().await.unwrap();
        let port = free_port();
        let mut env = server_env(&db, &tg, port);
        // Telegram's 30 msg/s overall would be what is measured; the per-chat pause stays
        // (each chat writes every few seconds here, as people do).
        env.push(("WELLNESS__TELEGRAM__GLOBAL_PER_SECOND", "100000".to_owned()));
        let server = Server::start_on(port, &env);
        wait_ready(&server).await;
        let line = end_to_end(&tg, std::slice::from_ref(&server.url), e2e_rate, seconds).await;
        report.add(
            &format!(
                "end-to-end text logging at {e2e_rate} updates/s (webhook in -> reply at simulator)"
            ),
            line,
        );
        drop(server);
    }

    // 5. WHOOP sync.
    if phase("whoop") {
        println!("[5/7] WHOOP sync, 100 users x 30 days");
        for (k, v) in whoop::run(&tg).await {
            report.add(&k, v);
        }
    }

    // 6. Briefings.
    if phase("briefings") {
        println!("[6/7] briefing fan-out");
        for (k, v) in briefings::run().await {
            report.add(&k, v);
        }
    }

    // 7. The Mini App's summary (issue 15).
    if phase("summary") {
        println!("[7/7] the Mini App's summary, 1,000 users x a year");
        for (k, v) in summary::run(&tg, |db, port| server_env(db, &tg, port)).await {
            report.add(&k, v);
        }
    }

    // 8. Several instances on one database (issue 18).
    if phase("instances") {
        println!("[8/8] webhook and end to end with 1, 2 and 3 instances");
        for (k, v) in instances::run(&tg, connections, warmup, measure, e2e_rate, seconds).await {
            report.add(&k, v);
        }
    }

    report.add("load average at the end (1, 5, 15 min)", load_average());
    println!("\n{}", report.render());
}

async fn wait_ready(server: &Server) -> Duration {
    let client = reqwest::Client::new();
    loop {
        if let Ok(r) = client
            .get(format!("{}/readyz", server.url))
            .timeout(Duration::from_secs(1))
            .send()
            .await
            && r.status() == 200
        {
            return server.started().elapsed();
        }
        if server.started().elapsed() > Duration::from_secs(30) {
            panic!("not ready in 30 s; logs:\n{}", server.logs().join("\n"));
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// CPU seconds (user + system) a process has used, from /proc/<pid>/stat.
fn cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name; 100 ticks/s.
    (ticks(11) + ticks(12)) / 100.0
}

/// CPU seconds of every PostgreSQL process (the server and its backends).
fn postgres_cpu_secs() -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    dir.filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim() == "postgres")
        })
        .map(cpu_secs)
        .sum()
}

/// Updates the server's inbox workers have finished (any outcome), from /metrics.
async fn processed_updates(url: &str) -> u64 {
    let text = reqwest::get(format!("{url}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .filter(|l| l.starts_with("wellness_updates_processed_total"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

/// Samples a process's RSS every 100 ms until stopped; answers the largest sample (MiB).
struct RssSampler {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<f64>,
}

fn rss_sampler(pid: u32) -> RssSampler {
    let (stop, mut stopped) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(async move {
        let mut max: f64 = 0.0;
        loop {
            max = max.max(rss_mib(pid).0);
            tokio::select! {
                _ = &mut stopped => return max,
                () = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
        }
    });
    RssSampler { stop, task }
}

impl RssSampler {
    async fn stop(self) -> f64 {
        let _ = self.stop.send(());
        self.task.await.unwrap_or(f64::NAN)
    }
}

/// Open loop: `rate` updates a second for `seconds`, round-robin over enough chats that each
/// writes every five seconds; latency from just before the POST to the reply's arrival at the
/// simulator.
async fn end_to_end(tg: &TelegramSim, urls: &[String], rate: u64, seconds: u64) -> String {
    let chats = (rate * 5).max(1) as i64;
    let users: Vec<SimUser> = (0..chats)
        .map(|i| SimUser::new(700_000 + i, "B").with_language("en"))
        .collect();
    // Register everyone first (the simulator's chats exist once their user wrote).
    let before = tg.sent().len();
    for u in &users {
        tg.send_text(u, "/start");
    }
    tg.wait_for_sent(before + users.len(), Duration::from_secs(120))
        .await
        .unwrap();
    let baseline = tg.sent().len();

    let client = reqwest::Client::new();
    let total = rate * seconds;
    let interval = Duration::from_nanos(1_000_000_000 / rate);
    let mut started_at = Vec::with_capacity(total as usize);
    let begin = Instant::now();
    let mut posts = Vec::with_capacity(total as usize);
    let urls: Vec<String> = urls
        .iter()
        .map(|u| format!("{u}/telegram/webhook"))
        .collect();
    for k in 0..total {
        // Round robin over the instances, as a load balancer spreads Telegram's requests.
        let url = &urls[(k % urls.len() as u64) as usize];
        tokio::time::sleep_until((begin + interval * k as u32).into()).await;
        let user = &users[(k % chats as u64) as usize];
        let body = text_update_body((50_000_000 + k) as i64, user.id, "2 eggs and a banana");
        started_at.push((user.id, Utc::now()));
        let (client, url) = (client.clone(), url.clone());
        posts.push(tokio::spawn(async move {
            client
                .post(url)
                .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }));
    }
    let mut refused = 0;
    for p in posts {
        if p.await.unwrap_or(0) != 200 {
            refused += 1;
        }
    }
    tg.wait_for_sent(baseline + total as usize, Duration::from_secs(120))
        .await
        .unwrap();
    let sent = tg.sent();
    let mut per_chat: std::collections::HashMap<i64, Vec<chrono::DateTime<Utc>>> =
        Default::default();
    for r in &sent[baseline..] {
        per_chat.entry(r.chat_id).or_default().push(r.at);
    }
    let mut seen: std::collections::HashMap<i64, usize> = Default::default();
    let mut latencies: Vec<f64> = started_at
        .iter()
        .map(|(chat, start)| {
            let i = seen.entry(*chat).or_default();
            let at = per_chat[chat][*i];
            *i += 1;
            (at - *start).num_microseconds().unwrap_or_default() as f64 / 1000.0
        })
        .collect();
    latencies.sort_by(f64::total_cmp);
    let p = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize];
    format!(
        "p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({total} updates from {chats} chats; not acknowledged {refused})",
        p(0.50),
        p(0.90),
        p(0.99),
        latencies.last().copied().unwrap_or_default()
    )
}
