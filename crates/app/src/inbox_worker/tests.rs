//! The poison drill: a panicking and a hanging update among good ones, on the real inbox.

use std::sync::Mutex;

use serde_json::json;
use wellness_domain::ports::MockMessenger;
use wellness_domain::retry::Backoff;
use wellness_domain::{Inbound, InboundMessage};
use wellness_postgres::PgInbox;
use wellness_postgres::test_support::TestDatabase;

use super::*;

/// A conversation that panics on "boom", never returns on "hang" and handles the rest.
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
