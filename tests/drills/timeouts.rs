//! Long drills: each service stops answering for longer than our client's production timeout
//! (Telegram 30 s, OpenAI 30 s, WHOOP 30 s, FatSecret 15 s). The call times out, is retried or
//! falls back, and nothing is lost. They wait out real timeouts, so they run in
//! `make test-long` only.

use std::time::{Duration, Instant};

use wellness_e2e::sample_sum;
use wellness_sim::fatsecret::{Fault as FsFault, FaultRule as FsFaultRule};
use wellness_sim::openai::{Endpoint, Scripted};
use wellness_sim::telegram::{Fault, FaultRule, SimUser};

use crate::world::{Options, World};

const CALLS: &str = "wellness_outbound_calls_total";
const RETRIES: &str = "wellness_outbound_retries_total";
/// Longer than every client timeout.
const HANG: Duration = Duration::from_secs(35);

/// The production lease: a claimed update stays with its worker while a call hangs.
fn production_lease() -> Vec<(&'static str, String)> {
    vec![("WELLNESS__TELEGRAM__LEASE_SECS", "60".to_owned())]
}

#[tokio::test]
#[ignore = "long drill (35 s): make test-long"]
async fn telegram_hanging_past_the_timeout_gets_the_reply_sent_again_once() {
    let w = World::start(Options {
        webhook: true,
        env: production_lease(),
        ..Options::default()
    })
    .await;
    let ann = SimUser::new(9511, "Ann").with_language("en");
    w.say(&ann, "/start").await;
    w.tg.inject_fault(FaultRule::next(Fault::hang(HANG)).for_method("sendMessage"));
    let started = Instant::now();
    w.tg.send_text(&ann, "a banana");
    let reply = w.reply(&ann, 1, Duration::from_secs(60)).await;
    let took = started.elapsed();
    assert!(reply.starts_with("Logged:"), "{reply}");
    assert!(
        took >= Duration::from_secs(30),
        "no timeout was waited: {took:?}"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(w.replies(&ann).len(), 2, "{:?}", w.replies(&ann));
    let today = w.say(&ann, "/today").await;
    assert!(today.contains("(1 entry)"), "{today}");
    let m = w.metrics().await;
    assert!(
        sample_sum(
            &m,
            CALLS,
            &[("provider", "telegram"), ("status", "unavailable")]
        ) >= 1.0,
        "{m}"
    );
    eprintln!("drill telegram timeout: the reply came {took:?} after the message");
}

#[tokio::test]
#[ignore = "long drill (31 s): make test-long"]
async fn openai_hanging_past_the_timeout_is_retried_and_the_food_logged_once() {
    let w = World::start(Options {
        webhook: true,
        openai: true,
        env: production_lease(),
        ..Options::default()
    })
    .await;
    let ai = w.ai.as_ref().unwrap();
    let ann = SimUser::new(9611, "Ann").with_language("en");
    w.say(&ann, "/start").await;
    ai.queue(Endpoint::ChatCompletions, [Scripted::slow(HANG)]);
    let started = Instant::now();
    w.tg.send_text(&ann, "a banana");
    let reply = w.reply(&ann, 1, Duration::from_secs(70)).await;
    let took = started.elapsed();
    assert!(reply.starts_with("Logged:"), "{reply}");
    assert!(
        took >= Duration::from_secs(30),
        "no timeout was waited: {took:?}"
    );
    let today = w.say(&ann, "/today").await;
    assert!(today.contains("(1 entry)"), "{today}");
    let m = w.metrics().await;
    assert!(
        sample_sum(&m, RETRIES, &[("provider", "openai")]) >= 1.0,
        "{m}"
    );
    eprintln!("drill openai timeout: the reply came {took:?} after the message");
}

#[tokio::test]
#[ignore = "long drill (31 s): make test-long"]
async fn whoop_hanging_past_the_timeout_is_retried_and_the_sync_completes() {
    let w = World::start(Options {
        whoop: true,
        ..Options::default()
    })
    .await;
    let whoop = w.whoop.as_ref().unwrap();
    // The profile read at connect is answered; the first sync's first request hangs.
    whoop.set_response_delay(Duration::from_millis(300));
    let ann = SimUser::new(9711, "Ann").with_language("en");
    w.connect_whoop(&ann).await;
    whoop.force_hangs(1, HANG);
    whoop.set_response_delay(Duration::ZERO);
    let started = Instant::now();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let today = w.say(&ann, "/today").await;
        if today.contains("Sleep last night: ") {
            break;
        }
        assert!(Instant::now() < deadline, "{today}");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    assert!(
        started.elapsed() >= Duration::from_secs(30),
        "no timeout was waited: {:?}",
        started.elapsed()
    );
    let m = w.metrics().await;
    assert!(
        sample_sum(&m, RETRIES, &[("provider", "whoop")]) >= 1.0,
        "{m}"
    );
    eprintln!(
        "drill whoop timeout: the first sync finished {:?} after the hang began",
        started.elapsed()
    );
}

#[tokio::test]
#[ignore = "long drill (15 s): make test-long"]
async fn fatsecret_hanging_past_the_timeout_falls_back_to_the_catalogue() {
    let w = World::start(Options {
        webhook: true,
        fatsecret: true,
        fatsecret_hold: Some(Duration::from_secs(20)),
        env: production_lease(),
        ..Options::default()
    })
    .await;
    let fs = w.fs.as_ref().unwrap();
    let ann = SimUser::new(9811, "Ann").with_language("en");
    w.connect_fatsecret(&ann).await;
    fs.inject_fault(FsFaultRule::next(FsFault::Timeout).for_method("foods.search"));
    let started = Instant::now();
    let logged = w.say(&ann, "a banana").await;
    let took = started.elapsed();
    assert!(logged.starts_with("Logged:"), "{logged}");
    assert!(logged.contains("built-in catalogue"), "{logged}");
    assert!(
        took >= Duration::from_secs(15),
        "no timeout was waited: {took:?}"
    );
    let m = w.metrics().await;
    assert!(
        sample_sum(
            &m,
            CALLS,
            &[
                ("provider", "fatsecret"),
                ("call", "find"),
                ("status", "unavailable")
            ]
        ) >= 1.0,
        "{m}"
    );
    eprintln!("drill fatsecret timeout: the reply came {took:?} after the message");
}
