//! Drills: each outside service has a bad while — 429s, 5xx, hangs, answers that are not JSON.
//! The app keeps running, loses nothing and doubles nothing, gets there in the end, and the
//! failures and retries show in GET /metrics.

use std::time::Duration;

use wellness_e2e::{eventually, sample_sum};
use wellness_sim::fatsecret::{Fault as FsFault, FaultRule as FsFaultRule};
use wellness_sim::openai::{Endpoint, Scripted};
use wellness_sim::telegram::{Fault, FaultRule, SimUser};
use wellness_sim::whoop::UserRecords;

use crate::store::{pool, rows_by_whoop_id, user_id};
use crate::world::{FS_USER, Options, World};

const CALLS: &str = "wellness_outbound_calls_total";
const RETRIES: &str = "wellness_outbound_retries_total";

fn users(first: i64, n: i64) -> Vec<SimUser> {
    (0..n)
        .map(|i| SimUser::new(first + i, "Drill").with_language("en"))
        .collect()
}

/// The process lived through it: it answers /healthz and never panicked.
async fn assert_alive(w: &World) {
    w.server()
        .wait_for("/healthz", 200, Duration::from_secs(2))
        .await;
    let panics: Vec<String> = w
        .server()
        .logs()
        .into_iter()
        .filter(|l| l.contains("panicked"))
        .collect();
    assert!(panics.is_empty(), "{panics:?}");
}

/// Waits until every user has at least `n` replies; returns them.
async fn replies_of(w: &World, users: &[SimUser], n: usize, timeout: Duration) -> Vec<Vec<String>> {
    eventually("every chat answered", timeout, || {
        users.iter().all(|u| w.replies(u).len() >= n)
    })
    .await;
    users.iter().map(|u| w.replies(u)).collect()
}

#[tokio::test]
async fn telegram_answering_5xx_garbage_hangs_and_429s_loses_and_doubles_no_reply() {
    let w = World::start(Options {
        webhook: true,
        ..Options::default()
    })
    .await;
    let people = users(9501, 8);
    for user in &people {
        w.say(user, "/start").await;
    }
    // Telegram's bad while: the next sends fail in every way at once.
    for fault in [
        Fault::Status { status: 502 },
        Fault::Garbage,
        Fault::hang(Duration::from_millis(1200)),
    ] {
        w.tg.inject_fault(FaultRule::next(fault).for_method("sendMessage").times(3));
    }
    w.tg.force_too_many_requests(3, 1);
    for user in &people {
        w.tg.send_text(user, "a banana");
    }
    let all = replies_of(&w, &people, 2, Duration::from_secs(30)).await;
    for (user, replies) in people.iter().zip(&all) {
        assert!(
            replies[1].starts_with("Logged:"),
            "{}: {replies:?}",
            user.id
        );
    }
    // Settled: no reply comes twice, and each banana is logged once.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for user in &people {
        let logged = w
            .replies(user)
            .iter()
            .filter(|r| r.starts_with("Logged:"))
            .count();
        assert_eq!(logged, 1, "{}: {:?}", user.id, w.replies(user));
        let today = w.say(user, "/today").await;
        assert!(today.contains("(1 entry)"), "{today}");
    }
    assert_eq!(w.tg.faults_served(), 9);
    assert_eq!(w.tg.too_many_requests_count(), 3);

    assert_alive(&w).await;
    let m = w.metrics().await;
    let telegram = |status| {
        sample_sum(
            &m,
            CALLS,
            &[
                ("provider", "telegram"),
                ("call", "send"),
                ("status", status),
            ],
        )
    };
    assert!(telegram("unavailable") >= 9.0, "{m}");
    assert!(telegram("ok") >= 8.0 * 3.0, "{m}");
    assert!(
        sample_sum(&m, RETRIES, &[("provider", "telegram")]) >= 1.0,
        "{m}"
    );
    assert!(
        sample_sum(
            &m,
            "wellness_updates_processed_total",
            &[("outcome", "retried")]
        ) >= 9.0,
        "{m}"
    );
    assert_eq!(
        sample_sum(
            &m,
            "wellness_updates_processed_total",
            &[("outcome", "parked")]
        ),
        0.0
    );
}

#[tokio::test]
async fn openai_answering_429_5xx_garbage_and_disconnects_still_logs_every_food_once() {
    let w = World::start(Options {
        webhook: true,
        openai: true,
        ..Options::default()
    })
    .await;
    let ai = w.ai.as_ref().unwrap();
    let people = users(9601, 6);
    for user in &people {
        w.say(user, "/start").await;
    }
    // OpenAI's bad while: 429s, 500s, cut-off JSON and dropped connections, then a slow answer.
    ai.queue_times(
        Endpoint::ChatCompletions,
        Scripted::rate_limited(Duration::from_millis(100)),
        4,
    );
    ai.queue_times(Endpoint::ChatCompletions, Scripted::ServerError, 4);
    ai.queue_times(Endpoint::ChatCompletions, Scripted::MalformedJson, 2);
    ai.queue_times(Endpoint::ChatCompletions, Scripted::Disconnect, 2);
    ai.queue_times(
        Endpoint::ChatCompletions,
        Scripted::slow(Duration::from_millis(1500)),
        1,
    );
    for user in &people {
        w.tg.send_text(user, "a banana");
    }
    let all = replies_of(&w, &people, 2, Duration::from_secs(30)).await;
    for (user, replies) in people.iter().zip(&all) {
        assert!(
            replies[1].starts_with("Logged:"),
            "{}: {replies:?}",
            user.id
        );
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    for user in &people {
        assert_eq!(w.replies(user).len(), 2, "{:?}", w.replies(user));
        let today = w.say(user, "/today").await;
        assert!(today.contains("(1 entry)"), "{today}");
    }

    assert_alive(&w).await;
    let m = w.metrics().await;
    let interpret = |provider, status| {
        sample_sum(
            &m,
            CALLS,
            &[
                ("provider", provider),
                ("call", "interpret"),
                ("status", status),
            ],
        )
    };
    // Retried inside the client first; what still failed fell back to the built-in rules.
    assert!(
        sample_sum(&m, RETRIES, &[("provider", "openai")]) >= 4.0,
        "{m}"
    );
    assert!(
        interpret("openai", "unavailable") + interpret("openai", "malformed") >= 1.0,
        "{m}"
    );
    // One interpretation per message: OpenAI's, or the rules' when OpenAI's failed.
    let asked = sample_sum(&m, CALLS, &[("provider", "openai"), ("call", "interpret")]);
    assert_eq!(asked, people.len() as f64, "{m}");
    assert!(interpret("offline", "ok") >= 1.0, "{m}");
    assert_eq!(
        interpret("offline", "ok"),
        asked - interpret("openai", "ok"),
        "{m}"
    );
}

/// Every WHOOP record overlapping the last 30 days (less a minute, for the clock) is stored,
/// exactly once.
async fn assert_whoop_complete(w: &World, records: &UserRecords, telegram_id: i64) {
    let db = pool(&w.db_url);
    let user = user_id(&db, telegram_id).await;
    let since = chrono::Utc::now() - chrono::Duration::days(30) + chrono::Duration::minutes(1);
    let workouts = rows_by_whoop_id(&db, "whoop_workouts", user).await;
    let sleeps = rows_by_whoop_id(&db, "whoop_sleep", user).await;
    let cycles = rows_by_whoop_id(&db, "whoop_cycles", user).await;
    for (stored, wanted, table) in [
        (
            &workouts,
            records
                .workouts
                .iter()
                .filter(|r| r.end > since)
                .map(|r| r.id.clone())
                .collect::<Vec<_>>(),
            "workouts",
        ),
        (
            &sleeps,
            records
                .sleeps
                .iter()
                .filter(|r| r.end > since)
                .map(|r| r.id.clone())
                .collect(),
            "sleeps",
        ),
        (
            &cycles,
            records
                .cycles
                .iter()
                .filter(|r| r.end.is_none_or(|end| end > since))
                .map(|r| r.id.to_string())
                .collect(),
            "cycles",
        ),
    ] {
        for id in &wanted {
            assert_eq!(stored.get(id), Some(&1), "{table}: {id}");
        }
        assert!(stored.values().all(|n| *n == 1), "{table}: {stored:?}");
    }
}

#[tokio::test]
async fn whoop_answering_429_5xx_and_garbage_syncs_later_with_every_record_once() {
    let w = World::start(Options {
        whoop: true,
        ..Options::default()
    })
    .await;
    let whoop = w.whoop.as_ref().unwrap();
    let member = whoop.users()[0].user_id;
    // Data requests wait 300 ms: when the connect page is back (the profile read), the first
    // sync's first request is waiting, and the faults below are what it meets.
    whoop.set_response_delay(Duration::from_millis(300));
    let ann = SimUser::new(9701, "Ann").with_language("en");
    w.connect_whoop(&ann).await;
    // WHOOP's bad while: two 429s asking for a second's pause, then 500s past the client's
    // retries, then a page that is not JSON.
    whoop.force_too_many_requests(2, Some(1));
    whoop.force_server_errors(3, 500);
    whoop.force_garbage(1);
    whoop.set_response_delay(Duration::ZERO);
    // The first sync waits out the 429s, retries the 500s, and gives up for now.
    eventually(
        "the first sync met every fault",
        Duration::from_secs(20),
        || {
            let s = whoop.stats();
            s.too_many_requests == 2 && s.server_errors == 3
        },
    )
    .await;
    let first = &whoop.requests()[0];
    assert!(
        first.path.ends_with("/user/profile/basic") && first.status == 200,
        "the faults were meant for the sync, not the connect: {first:?}"
    );
    // The next sync reads the page that is not JSON and fails; the one after succeeds.
    let mut said = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let reply = w.say(&ann, "/sync").await;
        let done = reply.contains("WHOOP synced:");
        said.push(reply);
        if done {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{said:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        said.iter()
            .any(|r| r.contains("I couldn't reach WHOOP just now")),
        "a failed sync is said so: {said:?}; {:#?}; logs:\n{}",
        whoop.requests(),
        w.server()
            .logs()
            .iter()
            .filter(|l| l.contains("WHOOP"))
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_whoop_complete(&w, &whoop.records(member).unwrap(), ann.id).await;

    assert_alive(&w).await;
    let m = w.metrics().await;
    let whoop_calls = |status| sample_sum(&m, CALLS, &[("provider", "whoop"), ("status", status)]);
    assert!(whoop_calls("unavailable") >= 2.0, "{m}");
    assert!(whoop_calls("ok") >= 4.0, "{m}");
    // Two 429s waited out and two 500s retried inside the client.
    assert!(
        sample_sum(&m, RETRIES, &[("provider", "whoop")]) >= 4.0,
        "{m}"
    );
}

#[tokio::test]
async fn fatsecret_answering_5xx_garbage_and_timeouts_logs_from_the_catalogue_and_writes_once() {
    let w = World::start(Options {
        webhook: true,
        fatsecret: true,
        ..Options::default()
    })
    .await;
    let fs = w.fs.as_ref().unwrap();
    let ann = SimUser::new(9801, "Ann").with_language("en");
    w.connect_fatsecret(&ann).await;

    // The food database fails every way: the built-in catalogue gives the numbers.
    for fault in [
        FsFault::HttpStatus { status: 503 },
        FsFault::Garbage,
        FsFault::Timeout,
    ] {
        fs.inject_fault(FsFaultRule::next(fault.clone()).for_method("foods.search"));
        let logged = w.say(&ann, "a banana").await;
        assert!(logged.starts_with("Logged:"), "{fault:?}: {logged}");
        assert!(logged.contains("built-in catalogue"), "{fault:?}: {logged}");
    }

    // The diary write fails twice (a 503, then an answer that is not JSON): the outbox tries
    // again later, reads the day before writing again, and the entry is there once.
    fs.inject_fault(
        FsFaultRule::next(FsFault::HttpStatus { status: 503 }).for_method("food_entry.create"),
    );
    fs.inject_fault(FsFaultRule::next(FsFault::Garbage).for_method("food_entry.create"));
    let logged = w.say(&ann, "2 eggs").await;
    assert!(logged.contains("FatSecret"), "{logged}");
    eventually("the eggs reach the diary", Duration::from_secs(20), || {
        fs.diary(FS_USER)
            .iter()
            .any(|e| e.food_entry_name.to_lowercase().contains("egg"))
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let eggs = fs
        .diary(FS_USER)
        .iter()
        .filter(|e| e.food_entry_name.to_lowercase().contains("egg"))
        .count();
    assert_eq!(eggs, 1, "{:?}", fs.diary(FS_USER));
    let today = w.say(&ann, "/today").await;
    assert!(today.contains("(4 entries)"), "{today}");

    assert_alive(&w).await;
    let m = w.metrics().await;
    let fatsecret = |call, status| {
        sample_sum(
            &m,
            CALLS,
            &[
                ("provider", "fatsecret"),
                ("call", call),
                ("status", status),
            ],
        )
    };
    assert!(fatsecret("find", "unavailable") >= 3.0, "{m}");
    assert!(
        fatsecret("diary_create", "unavailable") + fatsecret("diary_create", "outcome_unknown")
            >= 2.0,
        "{m}"
    );
    assert!(fatsecret("diary_create", "ok") >= 1.0, "{m}");
}
