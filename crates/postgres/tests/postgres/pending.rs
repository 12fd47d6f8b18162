//! The pending question: one per user, replaced by the next, taken once, expired, erased.

use chrono::Duration;
use wellness_domain::FoodEntryId;
use wellness_domain::conversation::{PendingQuestion, Question};
use wellness_domain::ports::{PendingQuestions, UserData};
use wellness_postgres::{PgPendingQuestions, PgUserData};

use crate::fixtures::{at, db, user};

fn grams(entry: i64, expires_at: chrono::DateTime<chrono::Utc>) -> PendingQuestion {
    PendingQuestion {
        question: Question::Grams(FoodEntryId::new(entry).unwrap()),
        expires_at,
    }
}

#[tokio::test]
async fn a_question_is_taken_once_and_the_latest_replaces_an_earlier_one() {
    let (_guard, db) = db().await;
    let (ann, bob) = (user(&db, 1).await, user(&db, 2).await);
    let pending = PgPendingQuestions::new(db.clone());
    let now = at(2026, 5, 14, 9, 0);
    assert_eq!(pending.take(ann.id, now).await.unwrap(), None);
    pending
        .ask(ann.id, &grams(7, now + Duration::minutes(15)), now)
        .await
        .unwrap();
    pending
        .ask(ann.id, &grams(8, now + Duration::minutes(15)), now)
        .await
        .unwrap();
    pending
        .ask(bob.id, &grams(9, now + Duration::minutes(15)), now)
        .await
        .unwrap();
    assert_eq!(
        pending.take(ann.id, now).await.unwrap(),
        Some(grams(8, now + Duration::minutes(15)))
    );
    assert_eq!(pending.take(ann.id, now).await.unwrap(), None, "taken once");
    assert_eq!(
        pending.take(bob.id, now).await.unwrap(),
        Some(grams(9, now + Duration::minutes(15))),
        "each user has their own"
    );
}

#[tokio::test]
async fn an_expired_question_is_not_answered_and_goes() {
    let (_guard, db) = db().await;
    let ann = user(&db, 1).await;
    let pending = PgPendingQuestions::new(db.clone());
    let asked = at(2026, 5, 14, 9, 0);
    let expires = asked + Duration::minutes(15);
    pending
        .ask(ann.id, &grams(7, expires), asked)
        .await
        .unwrap();
    assert_eq!(pending.take(ann.id, expires).await.unwrap(), None);
    // Taken even when expired: nothing is left behind.
    pending
        .ask(ann.id, &grams(7, expires), asked)
        .await
        .unwrap();
    assert_eq!(pending.take(ann.id, expires).await.unwrap(), None);
    assert_eq!(pending.take(ann.id, asked).await.unwrap(), None);
}

#[tokio::test]
async fn erasing_a_user_erases_their_question() {
    let (_guard, db) = db().await;
    let ann = user(&db, 1).await;
    let pending = PgPendingQuestions::new(db.clone());
    let now = at(2026, 5, 14, 9, 0);
    pending
        .ask(ann.id, &grams(7, now + Duration::minutes(15)), now)
        .await
        .unwrap();
    PgUserData::new(db.clone()).erase(&ann).await.unwrap();
    assert_eq!(pending.take(ann.id, now).await.unwrap(), None);
}
