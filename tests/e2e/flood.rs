//! One Telegram flood budget for every instance (issue 18): three `wellness serve` on one
//! database answer one simulator with Telegram's flood limits on.

use std::time::{Duration, Instant};

use wellness_e2e::{Server, free_port, sample_sum, scrape};
use wellness_postgres::test_support::TestDatabase;
use wellness_sim::telegram::{SimConfig, SimUser, TelegramSim};

use crate::chat;

const CHATS: i64 = 100;
const ROUNDS: i64 = 3;

/// The goal chat `n` sets in `round`: every reply is told apart from every other.
fn goal(round: i64, n: i64) -> i64 {
    1000 + round * 1000 + n
}

/// 300 replies due at once across 100 chats, three instances behind one webhook and one inbox:
/// not one 429, no second in which the simulator counted more than 30 messages, every reply
/// sent exactly once and in order, and the whole in about the time 30 a second allows.
#[tokio::test]
async fn three_instances_share_one_flood_budget_for_300_replies_across_100_chats() {
    // Telegram's limits: 30 a second overall, one a second per chat.
    let sim = TelegramSim::start(SimConfig::default()).await.unwrap();
    let db = TestDatabase::migrated().await.unwrap();
    let public = free_port();
    let mut servers: Vec<Server> = Vec::new();
    for port in [public, free_port(), free_port()] {
        let env = vec![
            ("DATABASE_URL", db.url().to_owned()),
            ("TELEGRAM_BOT_TOKEN", sim.token().to_owned()),
            ("TELEGRAM_API_URL", sim.base_url()),
            ("TELEGRAM_MODE", "webhook".to_owned()),
            ("TELEGRAM_WEBHOOK_SECRET", "flood-secret".to_owned()),
            // Telegram's webhook reaches the first; all three work off the shared inbox.
            ("PUBLIC_BASE_URL", format!("http://127.0.0.1:{public}")),
        ];
        servers.push(chat::serve(port, &env).await);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while sim.webhook().is_none() {
        assert!(Instant::now() < deadline, "no webhook set");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let users: Vec<SimUser> = (0..CHATS)
        .map(|n| SimUser::new(70_000 + n, format!("U{n}")).with_language("en"))
        .collect();
    sim.reset_peak();
    let started = Instant::now();
    for round in 0..ROUNDS {
        for (n, user) in (0..).zip(&users) {
            sim.send_text(user, &format!("/goal {}", goal(round, n)));
        }
    }
    let replies = |user: &SimUser| -> Vec<String> {
        sim.sent_to(user.id)
            .iter()
            .map(|m| m.visible_text().to_owned())
            .filter(|text| !chat::is_briefing(text))
            .collect()
    };
    let deadline = started + Duration::from_secs(60);
    for user in &users {
        while replies(user).len() < 3 {
            assert!(
                Instant::now() < deadline,
                "chat {} got {:?}; 429s: {}",
                user.id,
                replies(user),
                sim.too_many_requests_count()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let elapsed = started.elapsed();
    // Nothing more comes: every reply exactly once.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for (n, user) in (0..).zip(&users) {
        let expected: Vec<String> = (0..ROUNDS)
            .map(|round| format!("Done: your daily goal is now {} kcal.", goal(round, n)))
            .collect();
        assert_eq!(replies(user), expected, "chat {}", user.id);
    }
    assert_eq!(sim.too_many_requests_count(), 0, "Telegram answered 429");
    let peak = sim.peak_messages_per_second();
    assert!(peak <= 30, "{peak} messages within one second");
    // The limit was what held the replies back (300 at 30 a second is 9 s after the first
    // second's 30), not something slower.
    assert!(peak >= 20, "the budget was never full: peak {peak}");
    assert!(elapsed >= Duration::from_secs(9), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
    // Each instance shows its share: replies sent and the waits for the shared budget.
    let mut waits = 0.0;
    for server in &servers {
        let metrics = scrape(&server.url).await;
        let sent = sample_sum(
            &metrics,
            "wellness_outbound_calls_total",
            &[("provider", "telegram"), ("status", "ok")],
        );
        let waited = sample_sum(
            &metrics,
            "wellness_telegram_budget_waits_total",
            &[("priority", "interactive")],
        );
        let seconds = sample_sum(
            &metrics,
            "wellness_telegram_budget_wait_seconds_total",
            &[("priority", "interactive")],
        );
        eprintln!(
            "{}: {sent} calls sent, {waited} waits, {seconds:.1} s waited",
            server.url
        );
        assert!(waited == 0.0 || seconds > 0.0, "{metrics}");
        waits += waited;
    }
    assert!(waits > 0.0, "no instance waited for the budget");
    eprintln!("300 replies in {elapsed:?}, peak {peak} a second");
}
