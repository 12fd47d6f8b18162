//! Several instances on one database (issue 18): webhook acknowledgement at saturation and
//! end-to-end text logging with 1, 2 and 3 `wellness serve` processes, the load spread evenly
//! over them (as a load balancer would), every acknowledged update checked to be stored.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use wellness_e2e::{Server, count, free_port, text_update_body};
use wellness_postgres::test_support::TestDatabase;
use wellness_sim::telegram::TelegramSim;

use crate::{SECRET, loadgen, server_env, wait_ready};

/// `n` servers on `db`; the first is the public one (Telegram's webhook reaches it).
async fn start(
    n: usize,
    db: &TestDatabase,
    tg: &TelegramSim,
    extra: &[(&'static str, String)],
) -> Vec<Server> {
    let public = free_port();
    let mut servers = Vec::new();
    for i in 0..n {
        let port = if i == 0 { public } else { free_port() };
        let mut env = server_env(db, tg, public);
        env.extend(extra.iter().cloned());
        let server = Server::start_on(port, &env);
        wait_ready(&server).await;
        servers.push(server);
    }
    servers
}

/// One row per instance count: (what, result).
pub async fn run(
    tg: &TelegramSim,
    connections: usize,
    warmup: Duration,
    measure: Duration,
    e2e_rate: u64,
    seconds: u64,
) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    for n in 1..=3usize {
        let db = TestDatabase::migrated().await.unwrap();
        let servers = start(n, &db, tg, &[]).await;
        let mut generators = Vec::new();
        for (i, server) in servers.iter().enumerate() {
            let addr: SocketAddr = server.url.trim_start_matches("http://").parse().unwrap();
            // Update ids apart per generator: each instance gets updates no other one gets.
            let base = 1_000_000 + (i as u64) * 100_000_000;
            let make: loadgen::MakeRequest = Arc::new(move |k| {
                let body = text_update_body(
                    (base + k) as i64,
                    100_000 + ((base + k) % 5000) as i64,
                    "2 eggs",
                );
                loadgen::post(
                    "/telegram/webhook",
                    &[("x-telegram-bot-api-secret-token", SECRET)],
                    &body,
                )
            });
            generators.push(tokio::spawn(loadgen::saturate(
                addr,
                (connections / n).max(1),
                warmup,
                measure,
                make,
            )));
        }
        let mut outcomes = Vec::new();
        for g in generators {
            outcomes.push(g.await.unwrap());
        }
        let throughput: f64 = outcomes.iter().map(loadgen::Outcome::throughput).sum();
        let acknowledged: u64 = outcomes.iter().map(|o| o.ok_total).sum();
        let p99: Vec<String> = outcomes
            .iter()
            .map(|o| format!("{:.1}", o.percentile_ms(0.99)))
            .collect();
        let p50: Vec<String> = outcomes
            .iter()
            .map(|o| format!("{:.1}", o.percentile_ms(0.50)))
            .collect();
        let stored = count(&db, "SELECT count(*) AS n FROM inbox_updates").await;
        rows.push((
            format!("webhook acknowledgement at saturation, {n} instance(s), {connections} connections split evenly"),
            format!(
                "{throughput:.0} req/s together; p50 {} ms, p99 {} ms per instance; {acknowledged} acknowledged, {stored} stored{}",
                p50.join(" / "),
                p99.join(" / "),
                if stored >= acknowledged as i64 { "" } else { "  <-- LOST UPDATES" }
            ),
        ));
        drop(servers);

        let db = TestDatabase::migrated().await.unwrap();
        let servers = start(
            n,
            &db,
            tg,
            &[("WELLNESS__TELEGRAM__GLOBAL_PER_SECOND", "100000".to_owned())],
        )
        .await;
        let urls: Vec<String> = servers.iter().map(|s| s.url.clone()).collect();
        let line = crate::end_to_end(tg, &urls, e2e_rate, seconds).await;
        rows.push((
            format!(
                "end-to-end text logging at {e2e_rate} updates/s, {n} instance(s), round robin"
            ),
            line,
        ));
        drop(servers);
    }
    rows
}
