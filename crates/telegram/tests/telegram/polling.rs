//! Long polling into an in-memory inbox.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use wellness_domain::model::{
    ChatId, InboxDepth, InboxUpdate, ParkCause, RedriveRule, Stored, UpdateId,
};
use wellness_domain::ports::{Inbox, StorageError};
use wellness_domain::retry::Backoff;
use wellness_sim::telegram::TelegramSim;
use wellness_telegram::{PollOptions, TelegramClient, poll_into_inbox};

use crate::{ann, bob, client};

/// Keeps what is stored; refuses the first `failures` stores.
#[derive(Debug, Default)]
struct MemoryInbox {
    stored: Mutex<Vec<(UpdateId, Option<ChatId>, Value)>>,
    failures: AtomicU32,
    refused: AtomicU32,
}

impl MemoryInbox {
    fn failing(failures: u32) -> Self {
        Self {
            failures: AtomicU32::new(failures),
            ..Self::default()
        }
    }

    fn stored(&self) -> Vec<(UpdateId, Option<ChatId>, Value)> {
        self.stored.lock().unwrap().clone()
    }

    async fn wait_for(
        &self,
        count: usize,
        timeout: Duration,
    ) -> Vec<(UpdateId, Option<ChatId>, Value)> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let stored = self.stored();
            if stored.len() >= count || tokio::time::Instant::now() >= deadline {
                return stored;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

#[async_trait]
impl Inbox for MemoryInbox {
    async fn store(
        &self,
        update_id: UpdateId,
        chat_id: Option<ChatId>,
        payload: &Value,
    ) -> Result<Stored, StorageError> {
        if self
            .failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            self.refused.fetch_add(1, Ordering::SeqCst);
            return Err(StorageError::Unavailable("database is down".to_owned()));
        }
        let mut stored = self.stored.lock().unwrap();
        if stored.iter().any(|(id, _, _)| *id == update_id) {
            return Ok(Stored::Duplicate);
        }
        stored.push((update_id, chat_id, payload.clone()));
        Ok(Stored::New)
    }

    async fn claim(
        &self,
        _worker: &str,
        _lease: chrono::Duration,
    ) -> Result<Option<InboxUpdate>, StorageError> {
        Ok(None)
    }

    async fn extend_lease(
        &self,
        _update_id: UpdateId,
        _worker: &str,
        _lease: chrono::Duration,
    ) -> Result<bool, StorageError> {
        // It never hands out claims (`claim` finds nothing), so it holds none to extend.
        Ok(false)
    }

    // It hands out no claims, so it holds none to settle.
    async fn complete(&self, _update_id: UpdateId, _worker: &str) -> Result<bool, StorageError> {
        Ok(false)
    }

    async fn retry_later(
        &self,
        _update_id: UpdateId,
        _worker: &str,
        _error: &str,
        _retry_at: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        Ok(false)
    }

    async fn park(
        &self,
        _update_id: UpdateId,
        _worker: &str,
        _error: &str,
        _cause: ParkCause,
    ) -> Result<bool, StorageError> {
        Ok(false)
    }

    // It parks nothing, so there is nothing to re-drive.
    async fn redrive(&self, _rule: &RedriveRule) -> Result<u64, StorageError> {
        Ok(0)
    }

    async fn depth(&self) -> Result<InboxDepth, StorageError> {
        Ok(InboxDepth::default())
    }

    async fn purge(
        &self,
        _done_before: DateTime<Utc>,
        _parked_before: DateTime<Utc>,
    ) -> Result<u64, StorageError> {
        // It keeps what was stored: the poller's tests read it.
        Ok(0)
    }
}

fn fast_polling() -> PollOptions {
    PollOptions {
        timeout: Duration::from_secs(1),
        backoff: Backoff::new(Duration::from_millis(20), Duration::from_millis(100)),
        ..PollOptions::default()
    }
}

struct Poller {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Poller {
    fn start(client: &TelegramClient, inbox: &Arc<MemoryInbox>, options: PollOptions) -> Self {
        let (stop, stopped) = watch::channel(false);
        let client = client.clone();
        let inbox = Arc::clone(inbox);
        let task = tokio::spawn(async move {
            poll_into_inbox(&client, inbox.as_ref(), options, stopped).await;
        });
        Self { stop, task }
    }

    /// Stops the poller and fails unless it returns within half a second.
    async fn stop(self) {
        self.stop.send_replace(true);
        tokio::time::timeout(Duration::from_millis(500), self.task)
            .await
            .expect("the poller stops promptly")
            .unwrap();
    }
}

fn pending_as_json(sim: &TelegramSim) -> Vec<Value> {
    sim.pending_updates()
        .iter()
        .map(|update| serde_json::to_value(update).unwrap())
        .collect()
}

#[tokio::test]
async fn stores_each_update_raw_then_confirms_it() {
    let sim = crate::start_sim().await;
    let client = client(&sim);
    let inbox = Arc::new(MemoryInbox::default());
    sim.send_text(&ann(), "/start");
    sim.send_text(&bob(), "200 g buckwheat");
    sim.send_voice(&ann(), wellness_sim::telegram::silent_voice_note(1), 1);
    let expected = pending_as_json(&sim);

    let poller = Poller::start(&client, &inbox, fast_polling());
    let stored = inbox.wait_for(3, Duration::from_secs(5)).await;

    let payloads: Vec<Value> = stored
        .iter()
        .map(|(_, _, payload)| payload.clone())
        .collect();
    assert_eq!(payloads, expected, "stored exactly what Telegram sent");
    let keys: Vec<(i64, Option<ChatId>)> = stored
        .iter()
        .map(|(id, chat, _)| (id.get(), *chat))
        .collect();
    let expected_keys: Vec<(i64, Option<ChatId>)> = expected
        .iter()
        .map(|u| {
            (
                u["update_id"].as_i64().unwrap(),
                Some(ChatId(u["message"]["chat"]["id"].as_i64().unwrap())),
            )
        })
        .collect();
    assert_eq!(keys, expected_keys);

    // The next poll confirms them.
    let update_id = sim.send_text(&ann(), "later");
    let stored = inbox.wait_for(4, Duration::from_secs(5)).await;
    assert_eq!(stored[3].0.get(), update_id);
    let pending: Vec<i64> = sim.pending_updates().iter().map(|u| u.update_id).collect();
    assert!(pending.iter().all(|id| *id >= update_id), "{pending:?}");
    poller.stop().await;
}

#[tokio::test]
async fn returns_promptly_when_stopped_during_a_long_poll() {
    let sim = crate::start_sim().await;
    let inbox = Arc::new(MemoryInbox::default());
    let options = PollOptions {
        timeout: Duration::from_secs(25),
        ..fast_polling()
    };
    let poller = Poller::start(&client(&sim), &inbox, options);
    tokio::time::sleep(Duration::from_millis(200)).await;
    poller.stop().await;
}

#[tokio::test]
async fn an_update_the_inbox_could_not_store_is_fetched_again() {
    let sim = crate::start_sim().await;
    let inbox = Arc::new(MemoryInbox::failing(2));
    let first = sim.send_text(&ann(), "one");
    let second = sim.send_text(&ann(), "two");

    let poller = Poller::start(&client(&sim), &inbox, fast_polling());
    let stored = inbox.wait_for(2, Duration::from_secs(5)).await;
    poller.stop().await;

    let ids: Vec<i64> = stored.iter().map(|(id, _, _)| id.get()).collect();
    assert_eq!(ids, vec![first, second]);
    assert_eq!(inbox.refused.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn deletes_a_webhook_before_polling() {
    let sim = crate::start_sim().await;
    let client = client(&sim);
    client
        .set_webhook("http://127.0.0.1:9/hook", None, &[])
        .await
        .unwrap();
    let inbox = Arc::new(MemoryInbox::default());
    sim.send_text(&ann(), "hello");

    let poller = Poller::start(&client, &inbox, fast_polling());
    let stored = inbox.wait_for(1, Duration::from_secs(5)).await;
    poller.stop().await;

    assert_eq!(stored.len(), 1);
    assert!(sim.webhook().is_none());
}

#[tokio::test]
async fn keeps_polling_through_a_conflict() {
    let sim = crate::start_sim().await;
    let client = client(&sim);
    client
        .set_webhook("http://127.0.0.1:9/hook", None, &[])
        .await
        .unwrap();
    let inbox = Arc::new(MemoryInbox::default());
    let options = PollOptions {
        delete_webhook: false,
        ..fast_polling()
    };
    sim.send_text(&ann(), "hello");

    let poller = Poller::start(&client, &inbox, options);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        inbox.stored().is_empty(),
        "getUpdates is refused while a webhook is set"
    );

    client.delete_webhook(false).await.unwrap();
    let stored = inbox.wait_for(1, Duration::from_secs(5)).await;
    poller.stop().await;
    assert_eq!(stored.len(), 1);
}

#[tokio::test]
async fn stores_button_presses_with_their_chat() {
    use wellness_domain::ports::{Button, ButtonPress, Messenger, OutgoingMessage};

    let sim = crate::start_sim().await;
    let client = client(&sim);
    let ann = crate::greeted(&sim, ann());
    let sent = client
        .send(
            crate::chat_of(&ann),
            &OutgoingMessage {
                text: "Undo?".to_owned(),
                buttons: vec![vec![Button {
                    label: "Undo".to_owned(),
                    press: ButtonPress::Callback("undo:1".to_owned()),
                }]],
                menu_button: None,
            },
        )
        .await
        .unwrap();
    let pressed = sim.press_button(&ann, sent.message_id, "undo:1").unwrap();
    let inbox = Arc::new(MemoryInbox::default());

    let poller = Poller::start(&client, &inbox, fast_polling());
    let stored = inbox.wait_for(2, Duration::from_secs(5)).await;
    poller.stop().await;

    let ids: HashSet<i64> = stored.iter().map(|(id, _, _)| id.get()).collect();
    assert!(ids.contains(&pressed));
    let (_, chat, payload) = stored
        .iter()
        .find(|(id, _, _)| id.get() == pressed)
        .unwrap();
    assert_eq!(*chat, Some(crate::chat_of(&ann)));
    assert_eq!(payload["callback_query"]["data"], "undo:1");
}
