//! The Telegram flood budget shared through PostgreSQL: gates of several processes on one
//! database never let more than the limit through, per bot and per chat, and broadcasts wait
//! while an interactive send waits.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;
use wellness_domain::model::ChatId;
use wellness_domain::ports::{FloodDecision, FloodGate, FloodLimits, FloodWait, SendPriority};
use wellness_postgres::PgFloodGate;
use wellness_postgres::test_support::TestDatabase;

fn gate(db: &TestDatabase, limits: FloodLimits) -> Arc<PgFloodGate> {
    Arc::new(PgFloodGate::new(db.pool().unwrap(), "123456", limits))
}

fn limits(per_second: u32, chat_ms: u64) -> FloodLimits {
    FloodLimits {
        per_second,
        per_chat_interval: Duration::from_millis(chat_ms),
        group_per_minute: 20,
        longest_send: Duration::from_secs(30),
    }
}

/// (chat, granted, finished) of each send.
type Spans = Arc<Mutex<Vec<(i64, Instant, Instant)>>>;

/// Asks until allowed (the simplest waiter: the gate's answers alone keep it in line).
async fn send(gate: &PgFloodGate, chat: i64, priority: SendPriority, spans: &Spans) {
    loop {
        match gate.take(ChatId(chat), priority).await.unwrap() {
            FloodDecision::Go(ticket) => {
                let granted = Instant::now();
                tokio::time::sleep(Duration::from_millis(15)).await; // the request
                let finished = Instant::now();
                gate.finish(ticket, None).await.unwrap();
                spans.lock().unwrap().push((chat, granted, finished));
                return;
            }
            FloodDecision::Wait(wait) => tokio::time::sleep(wait.duration()).await,
        }
    }
}

#[tokio::test]
async fn three_processes_taking_at_once_never_exceed_the_bots_second_or_a_chats_interval() {
    let db = TestDatabase::migrated().await.unwrap();
    let rule = limits(10, 300);
    let gates = [gate(&db, rule), gate(&db, rule), gate(&db, rule)];
    let spans: Spans = Arc::default();
    let start = Instant::now();
    let mut tasks = Vec::new();
    // 60 messages to 20 chats, three each, from three processes at once.
    for i in 0..60_i64 {
        let gate = gates[usize::try_from(i % 3).unwrap()].clone();
        let spans = spans.clone();
        tasks.push(tokio::spawn(async move {
            send(&gate, 9_000 + i % 20, SendPriority::Interactive, &spans).await;
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let elapsed = start.elapsed();
    let spans = spans.lock().unwrap().clone();
    assert_eq!(spans.len(), 60);
    // When each went out, fewer than 10 others were in flight or had finished within the
    // second (a little slack for the two clocks, ours and PostgreSQL's).
    let window = Duration::from_millis(1000 - 15);
    for (_, granted, _) in &spans {
        let counting = spans
            .iter()
            .filter(|(_, g, f)| g < granted && *f + window > *granted)
            .count();
        assert!(counting < 10, "{counting} others counted at a grant");
    }
    // A chat's next message waited its interval after the previous one's answer.
    for chat in 9_000..9_020 {
        let mut mine: Vec<_> = spans.iter().filter(|(c, ..)| *c == chat).collect();
        mine.sort_by_key(|(_, g, _)| *g);
        for pair in mine.windows(2) {
            let gap = pair[1].1.duration_since(pair[0].2);
            assert!(gap >= Duration::from_millis(285), "chat {chat}: {gap:?}");
        }
    }
    // ...and the limit was the limit, not a crawl: 60 at 10 a second is about 5 s.
    assert!(elapsed >= Duration::from_secs(4), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
}

#[tokio::test]
async fn broadcasts_wait_while_an_interactive_send_waits_for_room() {
    let db = TestDatabase::migrated().await.unwrap();
    let (a, b) = (gate(&db, limits(2, 10)), gate(&db, limits(2, 10)));
    for chat in [1, 2] {
        let FloodDecision::Go(ticket) =
            a.take(ChatId(chat), SendPriority::Broadcast).await.unwrap()
        else {
            panic!("the first two go");
        };
        a.finish(ticket, None).await.unwrap();
    }
    // The second is full: a reply waits and says so.
    let reply = b.take(ChatId(3), SendPriority::Interactive).await.unwrap();
    let FloodDecision::Wait(FloodWait::Bot(wait)) = reply else {
        panic!("{reply:?}");
    };
    assert!(wait <= Duration::from_secs(1), "{wait:?}");
    tokio::time::sleep(wait).await;
    // Room again, but the reply waiting has it first: the briefing is held back...
    let briefing = a.take(ChatId(4), SendPriority::Broadcast).await.unwrap();
    assert!(
        matches!(briefing, FloodDecision::Wait(FloodWait::Bot(_))),
        "{briefing:?}"
    );
    // ...the reply goes...
    assert!(matches!(
        b.take(ChatId(3), SendPriority::Interactive).await.unwrap(),
        FloodDecision::Go(_)
    ));
    // ...and the briefing after the reply's hold-back ran out.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(matches!(
        a.take(ChatId(4), SendPriority::Broadcast).await.unwrap(),
        FloodDecision::Go(_)
    ));
}

#[tokio::test]
async fn a_group_gets_its_twenty_a_minute_and_a_paused_chat_waits_for_telegram() {
    let db = TestDatabase::migrated().await.unwrap();
    let gate = gate(
        &db,
        FloodLimits {
            group_per_minute: 2,
            ..limits(30, 1)
        },
    );
    let group = ChatId(-100_555);
    for _ in 0..2 {
        let mut decision = gate.take(group, SendPriority::Interactive).await.unwrap();
        while let FloodDecision::Wait(wait) = decision {
            tokio::time::sleep(wait.duration()).await;
            decision = gate.take(group, SendPriority::Interactive).await.unwrap();
        }
        let FloodDecision::Go(ticket) = decision else {
            unreachable!()
        };
        gate.finish(ticket, None).await.unwrap();
    }
    let third = gate.take(group, SendPriority::Interactive).await.unwrap();
    let FloodDecision::Wait(FloodWait::Chat(wait)) = third else {
        panic!("{third:?}");
    };
    assert!(wait > Duration::from_secs(55), "{wait:?}");

    // Telegram said "retry after 5": that chat waits 5 s, others do not.
    let FloodDecision::Go(ticket) = gate
        .take(ChatId(7), SendPriority::Interactive)
        .await
        .unwrap()
    else {
        panic!("chat 7 is free");
    };
    gate.finish(ticket, Some(Duration::from_secs(5)))
        .await
        .unwrap();
    let paused = gate
        .take(ChatId(7), SendPriority::Interactive)
        .await
        .unwrap();
    let FloodDecision::Wait(FloodWait::Chat(wait)) = paused else {
        panic!("{paused:?}");
    };
    assert!(wait > Duration::from_secs(4), "{wait:?}");
    assert!(matches!(
        gate.take(ChatId(8), SendPriority::Interactive)
            .await
            .unwrap(),
        FloodDecision::Go(_)
    ));
}

#[tokio::test]
async fn a_send_in_flight_in_another_process_holds_its_chat() {
    let db = TestDatabase::migrated().await.unwrap();
    let (a, b) = (gate(&db, limits(30, 10)), gate(&db, limits(30, 10)));
    let FloodDecision::Go(ticket) = a.take(ChatId(5), SendPriority::Interactive).await.unwrap()
    else {
        panic!("free");
    };
    let meanwhile = b.take(ChatId(5), SendPriority::Interactive).await.unwrap();
    let FloodDecision::Wait(FloodWait::Chat(wait)) = meanwhile else {
        panic!("{meanwhile:?}");
    };
    assert!(
        wait < Duration::from_millis(100),
        "looked at again shortly: {wait:?}"
    );
    a.finish(ticket, None).await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(matches!(
        b.take(ChatId(5), SendPriority::Interactive).await.unwrap(),
        FloodDecision::Go(_)
    ));
}

#[tokio::test]
async fn a_send_whose_finish_was_lost_holds_its_chat_only_for_other_processes() {
    let db = TestDatabase::migrated().await.unwrap();
    let (a, b) = (gate(&db, limits(30, 10)), gate(&db, limits(30, 10)));
    // The take went through but its finish never arrived (the database was away).
    let FloodDecision::Go(_lost) = a.take(ChatId(6), SendPriority::Interactive).await.unwrap()
    else {
        panic!("free");
    };
    // Another process cannot know: the send may still be in flight.
    assert!(matches!(
        b.take(ChatId(6), SendPriority::Interactive).await.unwrap(),
        FloodDecision::Wait(FloodWait::Chat(_))
    ));
    // The process that took it sends to the chat one at a time: asking again, its own
    // unfinished send is over, and the chat waits its interval, not the longest send (30 s).
    let again = a.take(ChatId(6), SendPriority::Interactive).await.unwrap();
    let FloodDecision::Wait(FloodWait::Chat(wait)) = again else {
        panic!("{again:?}");
    };
    assert!(wait <= Duration::from_millis(10), "{wait:?}");
    tokio::time::sleep(Duration::from_millis(15)).await;
    assert!(matches!(
        b.take(ChatId(6), SendPriority::Interactive).await.unwrap(),
        FloodDecision::Go(_)
    ));
}
