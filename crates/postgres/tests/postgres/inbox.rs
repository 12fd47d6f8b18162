use std::collections::HashSet;

use chrono::{Duration, Utc};
use serde_json::json;
use wellness_domain::ports::{Inbox, StorageError};
use wellness_domain::{ChatId, InboxDepth, Stored, UpdateId};
use wellness_postgres::{PgInbox, RawUpdate};

use crate::fixtures::db;

fn uid(n: i64) -> UpdateId {
    UpdateId::new(n).unwrap()
}

#[tokio::test]
async fn a_redelivered_update_is_a_duplicate() {
    let (_guard, db) = db().await;
    let inbox = PgInbox::new(db);
    let payload = json!({"update_id": 10, "message": {"text": "hi"}});
    assert_eq!(
        inbox
            .store(uid(10), Some(ChatId(5)), &payload)
            .await
            .unwrap(),
        Stored::New
    );
    assert_eq!(
        inbox
            .store(uid(10), Some(ChatId(5)), &payload)
            .await
            .unwrap(),
        Stored::Duplicate
    );
    assert_eq!(
        inbox.depth().await.unwrap(),
        InboxDepth {
            pending: 1,
            in_progress: 0,
            parked: 0
        }
    );
}

#[tokio::test]
async fn one_chat_is_processed_one_update_at_a_time_in_order() {
    let (_guard, db) = db().await;
    let inbox = PgInbox::new(db);
    for (id, chat) in [(1, 100), (2, 200), (3, 100), (4, 100)] {
        inbox
            .store(uid(id), Some(ChatId(chat)), &json!({}))
            .await
            .unwrap();
    }
    let lease = Duration::seconds(30);
    let a = inbox.claim("w1", lease).await.unwrap().unwrap();
    let b = inbox.claim("w2", lease).await.unwrap().unwrap();
    assert_eq!((a.update_id.get(), b.update_id.get()), (1, 2));
    assert!(
        inbox.claim("w3", lease).await.unwrap().is_none(),
        "chat 100 is busy, chat 200 has nothing more"
    );
    assert!(inbox.complete(a.update_id, "w1").await.unwrap());
    let c = inbox.claim("w3", lease).await.unwrap().unwrap();
    assert_eq!(c.update_id.get(), 3);
    assert_eq!(c.attempts, 1);
}

#[tokio::test]
async fn a_failed_update_blocks_its_chat_until_retried_and_parking_unblocks_it() {
    let (_guard, db) = db().await;
    let inbox = PgInbox::new(db);
    inbox
        .store(uid(1), Some(ChatId(7)), &json!({}))
        .await
        .unwrap();
    inbox
        .store(uid(2), Some(ChatId(7)), &json!({}))
        .await
        .unwrap();
    let lease = Duration::seconds(30);
    let first = inbox.claim("w", lease).await.unwrap().unwrap();
    assert!(
        inbox
            .retry_later(
                first.update_id,
                "w",
                "assistant down",
                Utc::now() + Duration::milliseconds(400),
            )
            .await
            .unwrap()
    );
    assert!(
        inbox.claim("w", lease).await.unwrap().is_none(),
        "order holds while 1 waits to retry"
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let retried = inbox.claim("w", lease).await.unwrap().unwrap();
    assert_eq!((retried.update_id.get(), retried.attempts), (1, 2));
    assert!(inbox.park(retried.update_id, "w", "gave up").await.unwrap());
    assert_eq!(
        inbox
            .claim("w", lease)
            .await
            .unwrap()
            .unwrap()
            .update_id
            .get(),
        2
    );
    assert_eq!(inbox.depth().await.unwrap().parked, 1);
}

#[tokio::test]
async fn an_update_whose_worker_died_is_taken_again_after_the_lease() {
    let (_guard, db) = db().await;
    let inbox = PgInbox::new(db);
    inbox
        .store(uid(1), Some(ChatId(7)), &json!({}))
        .await
        .unwrap();
    let claimed = inbox
        .claim("dead", Duration::milliseconds(200))
        .await
        .unwrap()
        .unwrap();
    assert!(
        inbox
            .claim("alive", Duration::seconds(30))
            .await
            .unwrap()
            .is_none()
    );
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let again = inbox
        .claim("alive", Duration::seconds(30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.update_id, claimed.update_id);
    assert_eq!(again.attempts, 2);
}

#[tokio::test]
async fn a_renewed_claim_outlives_its_first_lease_and_only_its_holder_can_renew_it() {
    let (_guard, db) = db().await;
    let inbox = PgInbox::new(db);
    inbox
        .store(uid(1), Some(ChatId(7)), &json!({}))
        .await
        .unwrap();
    let claimed = inbox
        .claim("slow", Duration::milliseconds(300))
        .await
        .unwrap()
        .unwrap();
    assert!(
        !inbox
            .extend_lease(claimed.update_id, "other", Duration::seconds(30))
            .await
            .unwrap()
    );
    for _ in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        assert!(
            inbox
                .extend_lease(claimed.update_id, "slow", Duration::milliseconds(300))
                .await
                .unwrap()
        );
    }
    // 450 ms after a 300 ms claim: still held, because it was renewed.
    assert!(
        inbox
            .claim("other", Duration::seconds(30))
            .await
            .unwrap()
            .is_none()
    );
    assert!(inbox.complete(claimed.update_id, "slow").await.unwrap());
    assert!(
        !inbox
            .extend_lease(claimed.update_id, "slow", Duration::seconds(30))
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn concurrent_workers_never_take_one_update_twice_nor_two_of_one_chat() {
    let (_guard, db) = db().await;
    let inbox = PgInbox::new(db);
    for id in 0..60 {
        inbox
            .store(uid(id), Some(ChatId(id % 6)), &json!({}))
            .await
            .unwrap();
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let busy = std::sync::Arc::new(std::sync::Mutex::new(HashSet::new()));
    let mut workers = Vec::new();
    for w in 0..8 {
        let inbox = inbox.clone();
        let tx = tx.clone();
        let busy = busy.clone();
        workers.push(tokio::spawn(async move {
            let mut idle = 0;
            while idle < 5 {
                match inbox
                    .claim(&format!("w{w}"), Duration::seconds(30))
                    .await
                    .unwrap()
                {
                    Some(u) => {
                        idle = 0;
                        let chat = u.chat_id.unwrap().0;
                        assert!(
                            busy.lock().unwrap().insert(chat),
                            "chat {chat} claimed twice at once"
                        );
                        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                        busy.lock().unwrap().remove(&chat);
                        tx.send((chat, u.update_id.get())).unwrap();
                        assert!(inbox.complete(u.update_id, &format!("w{w}")).await.unwrap());
                    }
                    None => {
                        idle += 1;
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    }
                }
            }
        }));
    }
    drop(tx);
    for w in workers {
        w.await.unwrap();
    }
    let mut seen = Vec::new();
    while let Some(x) = rx.recv().await {
        seen.push(x);
    }
    assert_eq!(seen.len(), 60, "each update exactly once");
    for chat in 0..6 {
        let order: Vec<i64> = seen
            .iter()
            .filter(|(c, _)| *c == chat)
            .map(|(_, u)| *u)
            .collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted, "chat {chat} in update order");
    }
}

fn raw(id: i64, chat: i64, text: &str) -> RawUpdate {
    RawUpdate {
        update_id: uid(id),
        chat_id: Some(ChatId(chat)),
        payload: json!({"update_id": id, "message": {"text": text}}).to_string(),
    }
}

#[tokio::test]
async fn a_batch_is_stored_in_one_go_with_one_outcome_per_update_in_order() {
    let (_guard, db) = db().await;
    let inbox = PgInbox::new(db);
    inbox
        .store(uid(2), Some(ChatId(5)), &json!({"update_id": 2}))
        .await
        .unwrap();
    let outcomes = inbox
        .store_batch(&[raw(1, 5, "a"), raw(2, 5, "again"), raw(3, 6, "b")])
        .await;
    let outcomes: Vec<Stored> = outcomes.into_iter().map(Result::unwrap).collect();
    assert_eq!(outcomes, [Stored::New, Stored::Duplicate, Stored::New]);
    let first = inbox
        .claim("w", Duration::seconds(30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.update_id.get(), 1);
    assert_eq!(
        first.payload["message"]["text"], "a",
        "the raw JSON is stored as jsonb"
    );
    assert_eq!(inbox.depth().await.unwrap().pending, 2);
}

#[tokio::test]
async fn a_repeat_within_one_batch_is_stored_once_and_reported_as_a_duplicate() {
    let (_guard, db) = db().await;
    let inbox = PgInbox::new(db);
    let outcomes: Vec<Stored> = inbox
        .store_batch(&[raw(9, 1, "first"), raw(9, 1, "second"), raw(10, 1, "x")])
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(outcomes, [Stored::New, Stored::Duplicate, Stored::New]);
    let stored = inbox
        .claim("w", Duration::seconds(30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.payload["message"]["text"], "first",
        "the first occurrence wins"
    );
    assert_eq!(inbox.depth().await.unwrap().pending + 1, 2);
}

#[tokio::test]
async fn an_update_postgres_refuses_fails_alone_not_its_whole_batch() {
    let (_guard, db) = db().await;
    let inbox = PgInbox::new(db);
    // jsonb refuses the \u0000 escape: the batch statement fails as a whole.
    let poison = RawUpdate {
        update_id: uid(21),
        chat_id: Some(ChatId(2)),
        payload: r#"{"update_id": 21, "message": {"text": "\u0000"}}"#.to_owned(),
    };
    let outcomes = inbox
        .store_batch(&[
            raw(20, 1, "ok"),
            poison,
            raw(22, 3, "ok"),
            raw(20, 1, "again"),
        ])
        .await;
    assert!(matches!(outcomes[0], Ok(Stored::New)), "{outcomes:?}");
    assert!(outcomes[1].is_err(), "{outcomes:?}");
    assert!(matches!(outcomes[2], Ok(Stored::New)), "{outcomes:?}");
    assert!(matches!(outcomes[3], Ok(Stored::Duplicate)), "{outcomes:?}");
    assert_eq!(inbox.depth().await.unwrap().pending, 2);
}

#[tokio::test]
async fn without_a_database_every_update_of_the_batch_fails() {
    let db = wellness_postgres::Database::connect(
        "postgres://postgres@127.0.0.1:9/nowhere",
        wellness_postgres::PoolSettings {
            max_size: 1,
            timeout: std::time::Duration::from_secs(1),
        },
    )
    .unwrap();
    let outcomes = PgInbox::new(db)
        .store_batch(&[raw(1, 1, "a"), raw(2, 2, "b")])
        .await;
    assert_eq!(outcomes.len(), 2);
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Err(StorageError::Unavailable(_))))
    );
}

#[tokio::test]
async fn retention_deletes_done_and_parked_updates_by_when_they_were_settled_never_waiting_ones() {
    let (_guard, db) = db().await;
    let inbox = PgInbox::new(db);
    for n in 1..=4 {
        let payload = json!({"update_id": n, "message": {"text": "hi"}});
        inbox
            .store(uid(n), Some(ChatId(n)), &payload)
            .await
            .unwrap();
    }
    let lease = Duration::seconds(60);
    let mut claimed = Vec::new();
    for _ in 0..3 {
        claimed.push(inbox.claim("w", lease).await.unwrap().unwrap().update_id);
    }
    assert!(inbox.complete(claimed[0], "w").await.unwrap());
    assert!(inbox.complete(claimed[1], "w").await.unwrap());
    assert!(inbox.park(claimed[2], "w", "poison").await.unwrap());
    let soon = Utc::now() + Duration::minutes(1);
    let long_ago = Utc::now() - Duration::days(1);
    // Done a moment ago is past a cut-off a minute ahead; parked a moment ago is not a day old.
    assert_eq!(inbox.purge(soon, long_ago).await.unwrap(), 2);
    assert_eq!(
        inbox.depth().await.unwrap(),
        InboxDepth {
            pending: 1,
            in_progress: 0,
            parked: 1
        }
    );
    assert_eq!(inbox.purge(soon, soon).await.unwrap(), 1, "the parked one");
    assert_eq!(
        inbox.purge(soon, soon).await.unwrap(),
        0,
        "the waiting one stays"
    );
    assert_eq!(inbox.depth().await.unwrap().pending, 1);
}

#[tokio::test]
async fn only_the_worker_holding_the_claim_settles_an_update() {
    let (_guard, db) = db().await;
    let inbox = PgInbox::new(db);
    inbox
        .store(uid(1), Some(ChatId(7)), &json!({}))
        .await
        .unwrap();
    // The first worker's lease runs out while it is slow; a second takes the update.
    let slow = inbox
        .claim("slow", Duration::milliseconds(200))
        .await
        .unwrap()
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let taken = inbox
        .claim("fresh", Duration::seconds(30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(taken.update_id, slow.update_id);
    // The slow worker finishes late: none of its transitions lands.
    let id = slow.update_id;
    assert!(!inbox.complete(id, "slow").await.unwrap());
    assert!(!inbox.park(id, "slow", "late").await.unwrap());
    assert!(
        !inbox
            .retry_later(id, "slow", "late", Utc::now())
            .await
            .unwrap()
    );
    assert_eq!(
        inbox.depth().await.unwrap().in_progress,
        1,
        "still the fresh one's"
    );
    assert!(inbox.complete(id, "fresh").await.unwrap());
    // Settled once: a second settling by the same worker changes nothing either.
    assert!(!inbox.park(id, "fresh", "again").await.unwrap());
    assert_eq!(inbox.depth().await.unwrap(), InboxDepth::default());
}
