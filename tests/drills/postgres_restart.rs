//! Drill: PostgreSQL goes away and comes back (a real server of the drill's own: crashed,
//! stopped cleanly, or frozen) while webhooks keep arriving. While it is away the webhook
//! fails fast with a 5xx and /readyz says 503; once it is back the same process is ready again,
//! every update it acknowledged is answered, in order, and the updates Telegram kept retrying
//! through the outage are answered too.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wellness_e2e::postgres::{PrivatePostgres, StopMode};
use wellness_e2e::{eventually, sample_sum};
use wellness_sim::telegram::SimUser;

use wellness_e2e::text_update_body;

use crate::world::{Options, World, post_update};

/// One webhook POST as Telegram would make it: how it was answered, and how fast.
#[derive(Debug, Clone)]
struct Attempt {
    user: i64,
    goal: i64,
    status: Option<u16>,
    took: Duration,
}

/// Posts `/goal` updates for `user` one after another, like Telegram: an update not
/// acknowledged with 200 is sent again after a pause, and the next waits behind it.
async fn keep_posting(
    url: String,
    user: i64,
    first_update: i64,
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<Attempt>>>,
) {
    let client = reqwest::Client::new();
    let mut k = 0;
    while !stop.load(Ordering::SeqCst) {
        let goal = 1000 + k;
        let started = Instant::now();
        let body = text_update_body(first_update + k, user, &format!("/goal {goal}"));
        let status = post_update(&client, &url, body).await;
        log.lock().unwrap().push(Attempt {
            user,
            goal,
            status,
            took: started.elapsed(),
        });
        if status == Some(200) {
            k += 1;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// How the database goes away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outage {
    /// Killed without a checkpoint (`pg_ctl stop -m immediate`), then started: WAL replay.
    Crash,
    /// Stopped cleanly (`-m fast`: clients disconnected), then started.
    Restart,
    /// Every server process SIGSTOPped, then continued: connections hang instead of failing.
    Freeze,
}

/// The longest a webhook may take to fail while the database is away. Each step of taking a
/// pooled connection is bounded by `database.timeout_ms` (1 s in tests): waiting for a free
/// slot, checking idle connections, opening a new one; on a loaded machine they add up to a few
/// seconds (4.1 s seen with four drills on two cores). Longer would be a hang: the long drill's
/// outages last 6 s.
const FAIL_WITHIN: Duration = Duration::from_secs(5);
/// Most failures come at once (the server's port refuses): 95 % of them within this.
const MOST_FAIL_WITHIN: Duration = Duration::from_secs(1);

/// What one outage looked like from outside.
#[derive(Debug)]
struct Seen {
    outage: Outage,
    failed: usize,
    p95_failure: Duration,
    slowest_failure: Duration,
    slowest_answer: Duration,
    readyz_down: Duration,
    ready_after: Duration,
}

/// Runs the webhook load through `outages`, each `down_for` long, and checks what must hold.
async fn drill(outages: &[Outage], down_for: Duration) -> Vec<Seen> {
    let pg = PrivatePostgres::start();
    let w = World::start(Options {
        webhook: true,
        database_url: Some(pg.url()),
        ..Options::default()
    })
    .await;
    let pid = w.server().pid();
    let posters: Vec<SimUser> = (0..6)
        .map(|i| SimUser::new(9300 + i, "Load").with_language("en"))
        .collect();
    let waiters: Vec<SimUser> = (0..outages.len() as i64 * 3)
        .map(|i| SimUser::new(9400 + i, "Wait").with_language("en"))
        .collect();
    for user in posters.iter().chain(&waiters) {
        assert!(w.say(user, "/start").await.starts_with("Hi, "));
    }

    let stop = Arc::new(AtomicBool::new(false));
    let log = Arc::new(Mutex::new(Vec::new()));
    let load: Vec<_> = posters
        .iter()
        .enumerate()
        .map(|(i, user)| {
            tokio::spawn(keep_posting(
                w.server().url.clone(),
                user.id,
                500_000_000 + i as i64 * 100_000,
                stop.clone(),
                log.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let mut seen = Vec::new();
    for (n, outage) in outages.iter().copied().enumerate() {
        let down_at = log.lock().unwrap().len();
        let frozen = match outage {
            Outage::Crash => {
                pg.stop(StopMode::Immediate);
                None
            }
            Outage::Restart => {
                pg.stop(StopMode::Fast);
                None
            }
            Outage::Freeze => Some(pg.freeze()),
        };
        let went = Instant::now();
        w.server()
            .wait_for("/readyz", 503, Duration::from_secs(5))
            .await;
        let readyz_down = went.elapsed();
        // Telegram delivers updates of other chats meanwhile; they fail and are retried.
        for user in &waiters[n * 3..n * 3 + 3] {
            w.tg.send_text(user, "/help");
        }
        tokio::time::sleep(down_for.saturating_sub(went.elapsed())).await;
        match &frozen {
            Some(pids) => pg.thaw(pids),
            None => pg.start_again(),
        }
        let back = Instant::now();
        w.server()
            .wait_for("/readyz", 200, Duration::from_secs(20))
            .await;
        let ready_after = back.elapsed();
        assert_eq!(w.server().pid(), pid, "wellness was not restarted");
        tokio::time::sleep(Duration::from_millis(1500)).await;

        // While it was away, every webhook the database could not take failed fast, with a
        // 5xx (a request already waiting on a frozen connection may wait until it thaws).
        let during: Vec<Attempt> = log.lock().unwrap()[down_at..].to_vec();
        let failed: Vec<&Attempt> = during.iter().filter(|a| a.status != Some(200)).collect();
        assert!(
            failed.len() >= posters.len(),
            "{outage:?}: the outage was not felt: {during:?}"
        );
        for a in &failed {
            let status = a.status.expect("answered, not dropped");
            assert!((500..600).contains(&status), "{outage:?}: {a:?}");
            assert!(a.took < FAIL_WITHIN, "{outage:?}: slow failure: {a:?}");
        }
        let mut took: Vec<Duration> = failed.iter().map(|a| a.took).collect();
        took.sort();
        let p95 = took[took.len() * 95 / 100];
        // Frozen, every check of an idle connection waits its full timeout first.
        assert!(
            p95 < MOST_FAIL_WITHIN || outage == Outage::Freeze,
            "{outage:?}: failures are slow, 95th percentile {p95:?}"
        );
        assert!(readyz_down < Duration::from_secs(3), "{readyz_down:?}");
        seen.push(Seen {
            outage,
            failed: failed.len(),
            p95_failure: p95,
            slowest_failure: failed.iter().map(|a| a.took).max().unwrap_or_default(),
            slowest_answer: during.iter().map(|a| a.took).max().unwrap_or_default(),
            readyz_down,
            ready_after,
        });
    }
    stop.store(true, Ordering::SeqCst);
    for task in load {
        task.await.unwrap();
    }

    // Every acknowledged update is answered, in order, per chat.
    let acknowledged: Vec<Attempt> = log
        .lock()
        .unwrap()
        .iter()
        .filter(|a| a.status == Some(200))
        .cloned()
        .collect();
    let mut want: HashMap<i64, Vec<String>> = HashMap::new();
    for a in &acknowledged {
        want.entry(a.user)
            .or_default()
            .push(format!("Done: your daily goal is now {} kcal.", a.goal));
    }
    let mut answered_twice = 0;
    for user in &posters {
        let want = &want[&user.id];
        let deadline = Instant::now() + Duration::from_secs(30);
        let got = loop {
            let got: Vec<String> = w.replies(user).into_iter().skip(1).collect();
            if want.iter().all(|g| got.contains(g)) {
                break got;
            }
            assert!(
                Instant::now() < deadline,
                "chat {}: acknowledged updates unanswered; want {want:?}, got {got:?}",
                user.id
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let mut distinct = got.clone();
        distinct.dedup();
        assert_eq!(&distinct, want, "chat {}: order", user.id);
        answered_twice += got.len() - distinct.len();
    }
    for user in &waiters {
        w.reply(user, 1, Duration::from_secs(20)).await;
    }
    // An update being handled at the moment the database went may be answered again after it
    // (at least once); no other. Each chat has at most one update in flight, so at most one
    // per posting chat and outage (the bound was 4 of the 6 chats, which a loaded machine
    // exceeded with 5: CI, 2026-12-07).
    assert!(
        answered_twice <= posters.len() * outages.len(),
        "{answered_twice} replies doubled"
    );

    let metrics = w.metrics().await;
    let failed: usize = seen.iter().map(|s| s.failed).sum();
    assert!(
        sample_sum(
            &metrics,
            "wellness_webhook_requests_total",
            &[("outcome", "not_stored")]
        ) >= failed as f64,
        "{metrics}"
    );
    assert_eq!(sample_sum(&metrics, "wellness_database_up", &[]), 1.0);
    eprintln!(
        "drill postgres: {} webhooks acknowledged, {answered_twice} replies doubled",
        acknowledged.len()
    );
    for s in &seen {
        eprintln!(
            "  {:?}: {} webhooks failed (95 % within {} ms, slowest {} ms; slowest answer {} ms), \
             /readyz 503 after {} ms, 200 again {} ms after the database was back",
            s.outage,
            s.failed,
            s.p95_failure.as_millis(),
            s.slowest_failure.as_millis(),
            s.slowest_answer.as_millis(),
            s.readyz_down.as_millis(),
            s.ready_after.as_millis()
        );
    }
    eventually("nothing left to deliver", Duration::from_secs(10), || {
        w.tg.pending_updates().is_empty()
    })
    .await;
    seen
}

#[tokio::test]
async fn postgres_crashed_under_webhook_load_fails_fast_and_recovers_without_a_restart() {
    drill(&[Outage::Crash], Duration::from_secs(3)).await;
}

#[tokio::test]
#[ignore = "long drill (50 s): make test-long"]
async fn postgres_crashed_restarted_and_frozen_in_turn_under_load_recovers_every_time() {
    let seen = drill(
        &[
            Outage::Crash,
            Outage::Restart,
            Outage::Freeze,
            Outage::Crash,
        ],
        Duration::from_secs(6),
    )
    .await;
    assert_eq!(seen.len(), 4);
}
