//! The FatSecret diary outbox: what logging, voiding and changing a portion enqueue, and how a
//! changed portion's edit is collapsed, ordered and settled.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use wellness_domain::ports::*;
use wellness_domain::*;
use wellness_postgres::*;

use crate::fixtures::{at, db, user};

async fn connect_fatsecret(db: &Database, user: UserId) {
    PgCredentialStore::new(db.clone(), TokenCipher::from_bytes(&[42u8; 32]).unwrap())
        .save(&Credentials {
            user_id: user,
            provider: Provider::Fatsecret,
            tokens: Tokens::OAuth1 {
                token: Secret::new("t"),
                token_secret: Secret::new("s"),
            },
            external_user_id: None,
            status: ConnectionStatus::Active,
            updated_at: at(2026, 5, 14, 6, 0),
        })
        .await
        .unwrap();
}

/// 100 g of chicken breast from FatSecret's database.
fn chicken(user: UserId, key: &str) -> NewFoodEntry {
    NewFoodEntry {
        user_id: user,
        name: "Chicken".into(),
        grams: Grams::new(100.0).unwrap(),
        nutrients: nutrients(165.0),
        meal: Meal::Lunch,
        source: EntrySource::Text,
        nutrition_source: NutritionSource::Fatsecret,
        local_date: LocalDate::from_calendar(chrono::NaiveDate::from_ymd_opt(2026, 5, 14).unwrap()),
        logged_at: at(2026, 5, 14, 12, 0),
        idempotency_key: IdempotencyKey::new(key).unwrap(),
        catalogue_ref: Some(CatalogueRef {
            food_id: "33691".into(),
            serving_id: "100g".into(),
        }),
        diary_link: None,
    }
}

fn nutrients(kcal: f64) -> Nutrients {
    Nutrients {
        kcal: Kcal::new(kcal).unwrap(),
        protein: MacroGrams::new(kcal / 5.0).unwrap(),
        fat: MacroGrams::new(3.0).unwrap(),
        carbs: MacroGrams::new(0.0).unwrap(),
    }
}

async fn claim(outbox: &PgDiaryOutbox) -> Vec<OutboxItem> {
    // A minute ahead: every pending row is due.
    outbox
        .claim(Utc::now() + Duration::minutes(1), Duration::seconds(60), 16)
        .await
        .unwrap()
}

/// (operation, state, attempts) of every row, in id order.
async fn rows(db: &Database) -> Vec<(String, String, i32)> {
    use wellness_postgres::schema::food_diary_outbox as o;
    o::table
        .order(o::id)
        .select((o::operation, o::state, o::attempts))
        .load(&mut *db.conn().await.unwrap())
        .await
        .unwrap()
}

fn row(operation: &str, state: &str, attempts: i32) -> (String, String, i32) {
    (operation.to_owned(), state.to_owned(), attempts)
}

async fn change(log: &PgFoodLog, entry: &FoodEntry, grams: f64) -> FoodEntry {
    log.change_portion(
        entry.user_id,
        entry.id,
        Grams::new(grams).unwrap(),
        nutrients(1.65 * grams),
    )
    .await
    .unwrap()
    .unwrap()
}

/// Logs one entry for a connected user and writes it to the diary as "77".
async fn written_entry(db: &Database) -> (PgFoodLog, PgDiaryOutbox, FoodEntry) {
    let u = user(db, 1).await;
    connect_fatsecret(db, u.id).await;
    let log = PgFoodLog::new(db.clone());
    let outbox = PgDiaryOutbox::new(db.clone());
    let logged = log.log(&[chicken(u.id, "m:1:0")]).await.unwrap();
    let created = claim(&outbox).await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].operation, OutboxOperation::Create);
    outbox.done(&created[0], Some("77".into())).await.unwrap();
    (log, outbox, logged.entries[0].clone())
}

#[tokio::test]
async fn a_changed_portion_of_a_written_entry_enqueues_one_edit_that_later_changes_reuse() {
    let (_guard, db) = db().await;
    let (log, outbox, entry) = written_entry(&db).await;

    change(&log, &entry, 150.0).await;
    let edits = claim(&outbox).await;
    assert_eq!(edits.len(), 1);
    let edit = &edits[0];
    assert_eq!(edit.operation, OutboxOperation::Edit);
    assert!(!edit.outcome_unknown);
    assert_eq!(edit.entry.grams.get(), 150.0);
    assert_eq!(edit.entry.diary_link.as_ref().unwrap().food_entry_id, "77");
    outbox.done(edit, None).await.unwrap();
    assert_eq!(
        rows(&db).await,
        vec![row("create", "done", 1), row("edit", "done", 1)]
    );

    // Two more changes: still one edit row, pending from scratch, carrying the last grams.
    change(&log, &entry, 180.0).await;
    change(&log, &entry, 200.0).await;
    assert_eq!(
        rows(&db).await,
        vec![row("create", "done", 1), row("edit", "pending", 0)]
    );
    let edits = claim(&outbox).await;
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0].entry.grams.get(), 200.0);
    assert_eq!(edits[0].attempts, 1);
}

/// The worker reads the grams when it claims the edit: a change while the edit is out leaves
/// the row with the worker, and its `done` sets it pending again so the newer grams follow.
#[tokio::test]
async fn a_change_while_the_edit_is_out_sends_another_edit_after_it() {
    let (_guard, db) = db().await;
    let (log, outbox, entry) = written_entry(&db).await;
    change(&log, &entry, 150.0).await;
    let out = claim(&outbox).await.remove(0);
    assert_eq!(out.entry.grams.get(), 150.0);

    change(&log, &entry, 90.0).await;
    assert_eq!(rows(&db).await[1], row("edit", "in_flight", 1));
    // Not claimable while out: one edit at a time.
    assert!(claim(&outbox).await.is_empty());
    outbox.done(&out, None).await.unwrap();
    assert_eq!(rows(&db).await[1], row("edit", "pending", 0));
    let again = claim(&outbox).await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].entry.grams.get(), 90.0);
    assert!(!again[0].outcome_unknown);
    outbox.done(&again[0], None).await.unwrap();
    assert_eq!(rows(&db).await[1], row("edit", "done", 1));
}

/// A create not sent yet writes the grams as they are when it goes, so an edit enqueued behind
/// it is claimed too but waits for the link (see the outbox worker); a delete still follows.
#[tokio::test]
async fn a_change_before_the_create_went_out_enqueues_an_edit_behind_it() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    connect_fatsecret(&db, u.id).await;
    let log = PgFoodLog::new(db.clone());
    let outbox = PgDiaryOutbox::new(db.clone());
    let entry = log.log(&[chicken(u.id, "m:1:0")]).await.unwrap().entries[0].clone();
    change(&log, &entry, 150.0).await;
    assert_eq!(
        rows(&db).await,
        vec![row("create", "pending", 0), row("edit", "pending", 0)]
    );
    let claimed = claim(&outbox).await;
    let operations: Vec<_> = claimed.iter().map(|i| i.operation).collect();
    // The create comes first.
    assert_eq!(
        operations,
        vec![OutboxOperation::Create, OutboxOperation::Edit]
    );
    assert!(claimed.iter().all(|i| i.entry.grams.get() == 150.0));

    log.void(u.id, &[entry.id]).await.unwrap();
    assert_eq!(rows(&db).await[2], row("delete", "pending", 0));
}

/// Nothing goes to a diary that never had the entry: no connection, or an entry imported
/// from FatSecret's own app; and a change of an entry that is not active changes nothing.
#[tokio::test]
async fn entries_never_sent_to_the_diary_get_no_edit() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    let log = PgFoodLog::new(db.clone());
    let not_connected = log.log(&[chicken(u.id, "m:1:0")]).await.unwrap().entries[0].clone();
    change(&log, &not_connected, 150.0).await;

    connect_fatsecret(&db, u.id).await;
    let mut imported = chicken(u.id, "fs:9");
    imported.source = EntrySource::FatsecretDiary;
    imported.diary_link = Some(DiaryLink {
        food_entry_id: "9".into(),
    });
    let imported = log.log(&[imported]).await.unwrap().entries[0].clone();
    change(&log, &imported, 150.0).await;
    assert!(rows(&db).await.is_empty());

    log.void(u.id, &[not_connected.id]).await.unwrap();
    let voided = log
        .change_portion(
            u.id,
            not_connected.id,
            Grams::new(50.0).unwrap(),
            nutrients(80.0),
        )
        .await
        .unwrap();
    assert_eq!(voided, None);
    assert!(rows(&db).await.is_empty());
}
