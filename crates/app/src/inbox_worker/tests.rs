//! The poison drill: a panicking and a hanging update among good ones, on the real inbox.

use std::sync::Mutex;

use serde_json::json;
use wellness_domain::ports::MockMessenger;
use wellness_domain::retry::Backoff;
use wellness_domain::{Inbound, InboundMessage};
use wellness_postgres::PgInbox;
use wellness_postgres::test_support::TestDatabase;

use super::*;

/// A conversation that panics on "boom", never returns on "hang", finds Telegram down on
/// "down" and handles the rest.
#[derive(Debug, Default)]
struct Fragile {
    handled: Mutex<Vec<String>>,
    set_aside: Mutex<Vec<String>>,
}

fn text(message: &InboundMessage) -> String {
    match &message.event {
        Inbound::Text(text) => text.clone(),
        other => format!("{other:?}"),
    }
}

#[async_trait]
impl Handler for Fragile {
    async fn handle(&self, message: &InboundMessage) -> Result<(), ChatError> {
        match text(message).as_str() {
            "boom" => panic!("a bug this input meets"),
            "hang" => std::future::pending().await,
            "down" => Err(ChatError::Temporary("Telegram: 502 Bad Gateway".into())),
            good => {
                self.handled.lock().unwrap().push(good.to_owned());
                Ok(())
            }
        }
    }

    async fn set_aside(&self, message: &InboundMessage) -> Result<(), ChatError> {
        self.set_aside.lock().unwrap().push(text(message));
        Ok(())
    }
}

fn update(id: i64, chat: i64, text: &str) -> serde_json::Value {
    json!({
        "update_id": id,
        "message": {
            "message_id": id,
            "date": 1_780_000_000,
            "chat": {"id": chat, "type": "private"},
            "from": {"id": chat, "is_bot": false, "first_name": "Tester", "language_code": "en"},
            "text": text,
        }
    })
}

fn worker(
    n: usize,
    inbox: &Arc<PgInbox>,
    handler: &Arc<Fragile>,
    metrics: &Arc<Metrics>,
) -> Worker {
    let mut messenger = MockMessenger::new();
    messenger.expect_show_typing().returning(|_| Ok(()));
    Worker {
        name: format!("drill-w{n}"),
        look_every: Duration::from_millis(20),
        relay: Arc::new(Notify::new()),
        inbox: inbox.clone(),
        handler: handler.clone(),
        messenger: Arc::new(messenger),
        policy: InboxPolicy {
            max_attempts: 2,
            backoff: Backoff::new(Duration::from_millis(10), Duration::from_millis(20)),
        },
        lease: chrono::Duration::seconds(30),
        handle_timeout: Duration::from_millis(300),
        metrics: metrics.clone(),
    }
}

#[tokio::test]
async fn a_panicking_and_a_hanging_update_are_set_aside_and_every_good_one_is_answered() {
    let db = TestDatabase::migrated().await.unwrap();
    let inbox = Arc::new(PgInbox::new(db.pool().unwrap()));
    let messages = [
        (1, "good 1"),
        (1, "boom"),
        (1, "good 2"),
        (2, "hang"),
        (2, "good 3"),
        (3, "good 4"),
        (4, "good 5"),
    ];
    for (n, (chat, said)) in messages.iter().enumerate() {
        let id = UpdateId::new(n as i64 + 1).unwrap();
        inbox
            .store(id, Some(ChatId(*chat)), &update(id.get(), *chat, said))
            .await
            .unwrap();
    }
    let handler = Arc::new(Fragile::default());
    let metrics = Arc::new(Metrics::new().unwrap());
    let (stop, stop_rx) = watch::channel(false);
    let wake = Arc::new(Notify::new());
    let workers: Vec<_> = (0..2)
        .map(|n| {
            tokio::spawn(worker(n, &inbox, &handler, &metrics).run(wake.clone(), stop_rx.clone()))
        })
        .collect();

    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let depth = inbox.depth().await.unwrap();
        let handled = handler.handled.lock().unwrap().len();
        if handled == 5 && depth.parked == 2 && depth.pending == 0 && depth.in_progress == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "handled {handled} of 5, {depth:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let mut handled = handler.handled.lock().unwrap().clone();
    handled.sort();
    assert_eq!(handled, ["good 1", "good 2", "good 3", "good 4", "good 5"]);
    let mut told = handler.set_aside.lock().unwrap().clone();
    told.sort();
    assert_eq!(told, ["boom", "hang"], "each sender is told, once");
    for worker in &workers {
        assert!(!worker.is_finished(), "every worker lives on");
    }
    let text = metrics.render(&[]);
    for line in [
        "wellness_update_faults_total{fault=\"panic\"} 2",
        "wellness_update_faults_total{fault=\"hang\"} 2",
        "wellness_updates_processed_total{outcome=\"parked\"} 2",
        "wellness_updates_processed_total{outcome=\"ok\"} 5",
    ] {
        assert!(text.contains(line), "{line} in\n{text}");
    }
    stop.send(true).unwrap();
    for worker in workers {
        tokio::time::timeout(Duration::from_secs(5), worker)
            .await
            .unwrap()
            .unwrap();
    }
}

#[tokio::test]
async fn only_an_outage_is_parked_for_a_redrive_never_a_panic_a_hang_or_an_unreadable_update() {
    use wellness_domain::usecases::inbox::RedrivePolicy;

    let db = TestDatabase::migrated().await.unwrap();
    let inbox = Arc::new(PgInbox::new(db.pool().unwrap()));
    for (id, chat, said) in [(1, 1, "boom"), (2, 2, "hang"), (3, 3, "down")] {
        inbox
            .store(
                UpdateId::new(id).unwrap(),
                Some(ChatId(chat)),
                &update(id, chat, said),
            )
            .await
            .unwrap();
    }
    let unreadable = json!({"update_id": 4, "message": "not a message"});
    inbox
        .store(UpdateId::new(4).unwrap(), Some(ChatId(4)), &unreadable)
        .await
        .unwrap();
    let handler = Arc::new(Fragile::default());
    let metrics = Arc::new(Metrics::new().unwrap());
    let (stop, stop_rx) = watch::channel(false);
    let running =
        tokio::spawn(worker(0, &inbox, &handler, &metrics).run(Arc::new(Notify::new()), stop_rx));
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while inbox.depth().await.unwrap().parked < 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "{:?}",
            inbox.depth().await
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .unwrap()
        .unwrap();

    let rule = RedrivePolicy::default().rule(Utc::now(), false);
    assert_eq!(inbox.redrive(&rule).await.unwrap(), 1, "the outage alone");
    let again = inbox
        .claim("after", chrono::Duration::seconds(30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.update_id.get(), 3);
    // The operator's re-drive after a fix takes the faults too.
    assert_eq!(
        inbox
            .redrive(&RedrivePolicy::default().rule(Utc::now(), true))
            .await
            .unwrap(),
        3
    );
}
