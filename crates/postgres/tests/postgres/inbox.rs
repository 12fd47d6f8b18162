use std::collections::HashSet;

use chrono::{Duration, Utc};
use serde_json::json;
use wellness_domain::ports::{Inbox, StorageError};
use wellness_domain::{ChatId, InboxDepth, ParkCause, RedriveRule, Stored, UpdateId};
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
    assert!(
        inbox
            .park(retried.update_id, "w", "gave up", ParkCause::Outage)
            .await
            .unwrap()
    );
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
    assert!(
        inbox
            .park(claimed[2], "w", "poison", ParkCause::Fault)
            .await
            .unwrap()
    );
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
    assert!(
        !inbox
            .park(id, "slow", "late", ParkCause::Outage)
            .await
            .unwrap()
    );
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
    assert!(
        !inbox
            .park(id, "fresh", "again", ParkCause::Fault)
            .await
            .unwrap()
    );
    assert_eq!(inbox.depth().await.unwrap(), InboxDepth::default());
}

/// Stores update `n` in a chat of its own, claims it and parks it for `cause`.
async fn parked(inbox: &PgInbox, n: i64, cause: ParkCause) {
    inbox
        .store(uid(n), Some(ChatId(1000 + n)), &json!({"update_id": n}))
        .await
        .unwrap();
    let claimed = inbox
        .claim("w", Duration::seconds(60))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.update_id, uid(n));
    assert!(
        inbox
            .park(claimed.update_id, "w", "temporary failure: 502", cause)
            .await
            .unwrap()
    );
}

#[derive(diesel::QueryableByName, Debug, PartialEq)]
struct RedriveRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    update_id: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    state: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    park_cause: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    redrives: i32,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    last_error: Option<String>,
}

async fn rows(db: &wellness_postgres::Database) -> Vec<RedriveRow> {
    use diesel_async::RunQueryDsl as _;
    diesel::sql_query(
        "SELECT update_id, state, park_cause, redrives, last_error FROM inbox_updates \
         ORDER BY update_id",
    )
    .load(&mut *db.conn().await.unwrap())
    .await
    .unwrap()
}

async fn set(db: &wellness_postgres::Database, sql: &'static str, update_id: i64) {
    use diesel_async::RunQueryDsl as _;
    diesel::sql_query(sql)
        .bind::<diesel::sql_types::BigInt, _>(update_id)
        .execute(&mut *db.conn().await.unwrap())
        .await
        .unwrap();
}

fn rule(faults_too: bool) -> RedriveRule {
    RedriveRule {
        received_after: Utc::now() - Duration::hours(24),
        max_redrives: 12,
        faults_too,
    }
}

#[tokio::test]
async fn a_redrive_sends_recent_outages_under_the_cap_back_to_pending_and_leaves_the_rest_parked() {
    let (_guard, db) = db().await;
    let inbox = PgInbox::new(db.clone());
    // 1: an outage a moment ago; 2: a fault; 3: an outage received 25 hours ago; 4: an outage
    // re-driven 12 times already; 5: parked before causes were recorded.
    for (n, cause) in [
        (1, ParkCause::Outage),
        (2, ParkCause::Fault),
        (3, ParkCause::Outage),
        (4, ParkCause::Outage),
        (5, ParkCause::Fault),
    ] {
        parked(&inbox, n, cause).await;
    }
    set(
        &db,
        "UPDATE inbox_updates SET received_at = now() - interval '25 hours' WHERE update_id = $1",
        3,
    )
    .await;
    set(
        &db,
        "UPDATE inbox_updates SET redrives = 12 WHERE update_id = $1",
        4,
    )
    .await;
    set(
        &db,
        "UPDATE inbox_updates SET park_cause = NULL WHERE update_id = $1",
        5,
    )
    .await;

    assert_eq!(inbox.redrive(&rule(false)).await.unwrap(), 1);
    let after = rows(&db).await;
    assert_eq!(
        after[0],
        RedriveRow {
            update_id: 1,
            state: "pending".into(),
            park_cause: None,
            redrives: 1,
            last_error: Some("temporary failure: 502".into()),
        },
        "back to pending, counted, its last error kept"
    );
    for row in &after[1..] {
        assert_eq!(row.state, "parked", "{row:?}");
    }
    assert_eq!(
        inbox.depth().await.unwrap(),
        InboxDepth {
            pending: 1,
            in_progress: 0,
            parked: 4
        }
    );
    // Claimable now, as a first attempt again.
    let again = inbox
        .claim("w2", Duration::seconds(60))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((again.update_id, again.attempts), (uid(1), 1));
    assert!(
        inbox
            .claim("w2", Duration::seconds(60))
            .await
            .unwrap()
            .is_none()
    );
    // Nothing else qualifies: a second pass changes nothing.
    assert_eq!(inbox.redrive(&rule(false)).await.unwrap(), 0);
}

#[tokio::test]
async fn an_update_parked_by_one_outage_after_another_is_re_driven_until_the_cap() {
    let (_guard, db) = db().await;
    let inbox = PgInbox::new(db.clone());
    parked(&inbox, 1, ParkCause::Outage).await;
    let cap = RedriveRule {
        max_redrives: 2,
        ..rule(false)
    };
    for round in 1..=2 {
        assert_eq!(inbox.redrive(&cap).await.unwrap(), 1, "round {round}");
        let claimed = inbox
            .claim("w", Duration::seconds(60))
            .await
            .unwrap()
            .unwrap();
        assert!(
            inbox
                .park(claimed.update_id, "w", "still down", ParkCause::Outage)
                .await
                .unwrap()
        );
    }
    assert_eq!(inbox.redrive(&cap).await.unwrap(), 0, "at the cap");
    let row = &rows(&db).await[0];
    assert_eq!((row.state.as_str(), row.redrives), ("parked", 2));
    assert_eq!(row.park_cause.as_deref(), Some("outage"));
}

#[tokio::test]
async fn an_operator_redrive_of_all_parked_takes_faults_too_but_never_stale_updates() {
    let (_guard, db) = db().await;
    let inbox = PgInbox::new(db.clone());
    for (n, cause) in [
        (1, ParkCause::Outage),
        (2, ParkCause::Fault),
        (3, ParkCause::Fault),
    ] {
        parked(&inbox, n, cause).await;
    }
    set(
        &db,
        "UPDATE inbox_updates SET park_cause = NULL WHERE update_id = $1",
        2,
    )
    .await;
    set(
        &db,
        "UPDATE inbox_updates SET received_at = now() - interval '25 hours' WHERE update_id = $1",
        3,
    )
    .await;
    assert_eq!(inbox.redrive(&rule(true)).await.unwrap(), 2);
    let states: Vec<(i64, String)> = rows(&db)
        .await
        .into_iter()
        .map(|r| (r.update_id, r.state))
        .collect();
    assert_eq!(
        states,
        [
            (1, "pending".to_owned()),
            (2, "pending".to_owned()),
            (3, "parked".to_owned())
        ]
    );
}
