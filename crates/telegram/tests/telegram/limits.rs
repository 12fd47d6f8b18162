//! The outbound limiter against the simulator's default flood limits (1/s per chat, 30/s).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinSet;
use wellness_domain::ports::{Messenger, OutgoingMessage};
use wellness_sim::telegram::{SimConfig, SimUser};
use wellness_telegram::OutboundLimiter;

use crate::{ann, chat_of, client_at, greeted, start_with, test_options};

#[tokio::test]
async fn spaces_a_burst_to_one_chat_at_least_a_second_apart() {
    let sim = start_with(SimConfig::default()).await;
    let ann = greeted(&sim, ann());
    let client = client_at(
        &sim.base_url(),
        Arc::new(OutboundLimiter::default()),
        test_options(),
    );

    let mut sends = JoinSet::new();
    for n in 0..3 {
        let client = client.clone();
        let chat = chat_of(&ann);
        sends.spawn(async move {
            client
                .send(chat, &OutgoingMessage::text(format!("message {n}")))
                .await
        });
    }
    for result in sends.join_all().await {
        result.unwrap();
    }

    let records = sim.sent();
    assert_eq!(records.len(), 3);
    for pair in records.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(gap >= chrono::Duration::seconds(1), "only {gap} apart");
    }
    assert_eq!(sim.too_many_requests_count(), 0);
}

#[tokio::test]
async fn a_long_reply_in_pieces_gets_no_429() {
    let sim = start_with(SimConfig::default()).await;
    let ann = greeted(&sim, ann());
    let client = client_at(
        &sim.base_url(),
        Arc::new(OutboundLimiter::default()),
        test_options(),
    );
    let text = vec!["y".repeat(1000); 9].join("\n"); // 3 pieces

    client
        .send(chat_of(&ann), &OutgoingMessage::text(&text))
        .await
        .unwrap();

    assert_eq!(sim.sent().len(), 3);
    assert_eq!(sim.too_many_requests_count(), 0);
}

#[tokio::test]
async fn sends_sixty_messages_to_sixty_chats_at_thirty_a_second() {
    let sim = start_with(SimConfig::default()).await;
    let users: Vec<SimUser> = (0..60)
        .map(|n| greeted(&sim, SimUser::new(5000 + n, format!("User {n}"))))
        .collect();
    let client = client_at(
        &sim.base_url(),
        Arc::new(OutboundLimiter::new(30, Duration::from_secs(1))),
        test_options(),
    );
    let started = Instant::now();

    let mut sends = JoinSet::new();
    for user in &users {
        let client = client.clone();
        let chat = chat_of(user);
        sends.spawn(async move {
            client
                .send(chat, &OutgoingMessage::text("Good morning"))
                .await
        });
    }
    for result in sends.join_all().await {
        result.unwrap();
    }

    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(950),
        "took only {elapsed:?}"
    );
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    assert_eq!(sim.sent().len(), 60);
    assert_eq!(sim.too_many_requests_count(), 0);
}
