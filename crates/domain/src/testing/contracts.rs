//! Contract suites: for each port, one suite written once and run against every
//! implementation of it — the PostgreSQL adapter (in `wellness-postgres`' tests) and the
//! in-memory double the domain's and the jobs' tests use (in this crate's tests) — so a double
//! cannot drift from what the adapter really does. Each suite covers the port's error cases
//! too: not found, duplicate, and (`*_unavailable`) a store that cannot be reached.
//!
//! The suites take users that exist (the adapter's rows reference them) and leave what they
//! stored behind: give each run a fresh store.

use chrono::{DateTime, TimeZone as _, Utc};

use crate::conversation::{PendingQuestion, Question};
use crate::model::*;
use crate::ports::*;

fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, hour, minute, 0).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> LocalDate {
    LocalDate::from_calendar(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

fn is_unavailable<T: std::fmt::Debug>(result: Result<T, StorageError>, call: &str) {
    assert!(
        matches!(result, Err(StorageError::Unavailable(_))),
        "{call}: {result:?}, not Unavailable"
    );
}

// ------------------------------------------------------------------ Notifications

/// `Notifications`: a claim is unique per user, kind and local day across every caller;
/// released, it can be claimed again; releasing what was never claimed is no error.
pub async fn notifications(store: &dyn Notifications, user: UserId, other: UserId) {
    let day = date(2026, 6, 1);
    let next = date(2026, 6, 2);
    let morning = NotificationKind::MorningBriefing;
    assert!(store.claim(user, morning, day, at(8, 0)).await.unwrap());
    // Duplicate: the same user, kind and day.
    assert!(!store.claim(user, morning, day, at(8, 5)).await.unwrap());
    // Any other user, kind or day is a claim of its own.
    assert!(store.claim(other, morning, day, at(8, 0)).await.unwrap());
    let evening = NotificationKind::EveningSummary;
    assert!(store.claim(user, evening, day, at(21, 0)).await.unwrap());
    assert!(store.claim(user, morning, next, at(8, 0)).await.unwrap());
    // Released after a failed send: claimable again, once.
    store.release(user, morning, day).await.unwrap();
    assert!(store.claim(user, morning, day, at(8, 10)).await.unwrap());
    assert!(!store.claim(user, morning, day, at(8, 11)).await.unwrap());
    // Not found: releasing what nobody claimed changes nothing.
    let never = date(2026, 6, 9);
    store.release(user, morning, never).await.unwrap();
    assert!(!store.claim(other, morning, day, at(8, 12)).await.unwrap());
    // Queueing claims what is not claimed yet, once: a second queue (another instance's check)
    // and a claim afterwards find it taken.
    let later = date(2026, 6, 3);
    let due = |who, kind| DueBriefing {
        user: who,
        kind,
        day: later,
    };
    let batch = [due(user, morning), due(other, morning), due(user, evening)];
    assert!(store.claim(other, morning, later, at(8, 0)).await.unwrap());
    assert_eq!(store.queue(&batch, at(8, 1)).await.unwrap(), 2);
    assert_eq!(store.queue(&batch, at(8, 2)).await.unwrap(), 0);
    assert!(!store.claim(user, evening, later, at(21, 0)).await.unwrap());
    assert_eq!(store.queue(&[], at(8, 3)).await.unwrap(), 0);
}

/// `Notifications` that cannot reach their store: every call is `Unavailable` (retry later).
pub async fn notifications_unavailable(store: &dyn Notifications, user: UserId) {
    let day = date(2026, 6, 1);
    let kind = NotificationKind::MorningBriefing;
    is_unavailable(store.claim(user, kind, day, at(8, 0)).await, "claim");
    is_unavailable(store.release(user, kind, day).await, "release");
    let due = DueBriefing { user, kind, day };
    is_unavailable(store.queue(&[due], at(8, 0)).await, "queue");
}

// ------------------------------------------------------------------ JobRuns

fn finished(outcome: RunOutcome, detail: &str) -> FinishedRun {
    FinishedRun {
        outcome,
        attempts: 1,
        detail: detail.to_owned(),
        finished_at: at(3, 1),
    }
}

/// `JobRuns`: a tick is claimed once across instances; its end is recorded; the latest tick
/// is the one with the latest time; old ticks are forgotten.
pub async fn job_runs(runs: &dyn JobRuns) {
    // Not found.
    assert_eq!(runs.latest("cleanup").await.unwrap(), None);
    assert!(
        runs.claim("cleanup", at(3, 0), "a", at(3, 0))
            .await
            .unwrap()
    );
    // Duplicate: another instance, the same tick.
    assert!(
        !runs
            .claim("cleanup", at(3, 0), "b", at(3, 0))
            .await
            .unwrap()
    );
    let latest = runs.latest("cleanup").await.unwrap().unwrap();
    assert_eq!(
        (latest.tick, latest.claimed_by.as_str(), latest.finished),
        (at(3, 0), "a", None)
    );
    let done = finished(RunOutcome::Ok, "3 removed");
    // Not found: a tick nobody claimed cannot be finished.
    assert!(matches!(
        runs.finish("cleanup", at(5, 0), &done).await,
        Err(StorageError::Rejected(_))
    ));
    runs.finish("cleanup", at(3, 0), &done).await.unwrap();
    let latest = runs.latest("cleanup").await.unwrap().unwrap();
    assert_eq!(latest.finished, Some(done));
    // Another job and a later tick are claims of their own; latest is by tick.
    assert!(runs.claim("sync", at(3, 0), "b", at(3, 0)).await.unwrap());
    assert!(
        runs.claim("cleanup", at(4, 0), "b", at(4, 0))
            .await
            .unwrap()
    );
    let latest = runs.latest("cleanup").await.unwrap().unwrap();
    assert_eq!((latest.tick, latest.claimed_by.as_str()), (at(4, 0), "b"));
    // Forgetting: ticks before the cut go, the others stay.
    assert_eq!(runs.delete_older_than(at(3, 30)).await.unwrap(), 2);
    assert_eq!(runs.latest("sync").await.unwrap(), None);
    assert_eq!(
        runs.latest("cleanup").await.unwrap().map(|r| r.tick),
        Some(at(4, 0))
    );
    assert_eq!(runs.delete_older_than(at(3, 30)).await.unwrap(), 0);
}

/// `JobRuns` that cannot reach their store: every call is `Unavailable`.
pub async fn job_runs_unavailable(runs: &dyn JobRuns) {
    is_unavailable(
        runs.claim("cleanup", at(3, 0), "a", at(3, 0)).await,
        "claim",
    );
    let done = finished(RunOutcome::Failed, "down");
    is_unavailable(runs.finish("cleanup", at(3, 0), &done).await, "finish");
    is_unavailable(runs.latest("cleanup").await, "latest");
    is_unavailable(runs.delete_older_than(at(3, 0)).await, "delete_older_than");
}

// ------------------------------------------------------------------ Conversations

fn said(user: UserId, role: Role, content: &str, when: DateTime<Utc>) -> ConversationMessage {
    ConversationMessage {
        user_id: user,
        role,
        content: content.to_owned(),
        intent: (role == Role::User).then(|| "log_food".to_owned()),
        created_at: when,
    }
}

/// `Conversations`: a user's messages since a time, oldest first, the latest `limit` of them,
/// in the order appended when their times are equal; nobody else's; old ones deleted.
pub async fn conversations(store: &dyn Conversations, user: UserId, other: UserId) {
    // Not found: nothing yet.
    assert!(store.recent(user, at(0, 0), 10).await.unwrap().is_empty());
    store.append(&[]).await.unwrap();
    store
        .append(&[
            said(user, Role::User, "2 eggs", at(8, 0)),
            said(user, Role::Assistant, "Logged 2 eggs", at(8, 0)),
        ])
        .await
        .unwrap();
    store
        .append(&[said(other, Role::User, "coffee", at(8, 30))])
        .await
        .unwrap();
    store
        .append(&[
            said(user, Role::User, "toast", at(9, 0)),
            said(user, Role::Assistant, "Logged toast", at(9, 0)),
        ])
        .await
        .unwrap();
    let contents = |messages: Vec<ConversationMessage>| -> Vec<String> {
        messages.into_iter().map(|m| m.content).collect()
    };
    let all = store.recent(user, at(0, 0), 10).await.unwrap();
    assert!(all.iter().all(|m| m.user_id == user));
    assert_eq!(all[0], said(user, Role::User, "2 eggs", at(8, 0)));
    assert_eq!(
        contents(all),
        ["2 eggs", "Logged 2 eggs", "toast", "Logged toast"]
    );
    // The latest `limit`, still oldest first.
    assert_eq!(
        contents(store.recent(user, at(0, 0), 3).await.unwrap()),
        ["Logged 2 eggs", "toast", "Logged toast"]
    );
    // Since is inclusive.
    assert_eq!(
        contents(store.recent(user, at(9, 0), 10).await.unwrap()),
        ["toast", "Logged toast"]
    );
    // Older than the cut, of every user, goes; the cut itself stays.
    assert_eq!(store.delete_older_than(at(8, 30)).await.unwrap(), 2);
    assert_eq!(
        contents(store.recent(other, at(0, 0), 10).await.unwrap()),
        ["coffee"]
    );
    assert_eq!(store.recent(user, at(0, 0), 10).await.unwrap().len(), 2);
}

/// `Conversations` that cannot reach their store: every call is `Unavailable`.
pub async fn conversations_unavailable(store: &dyn Conversations, user: UserId) {
    let message = said(user, Role::User, "2 eggs", at(8, 0));
    is_unavailable(store.append(&[message]).await, "append");
    is_unavailable(store.recent(user, at(0, 0), 10).await, "recent");
    is_unavailable(store.delete_older_than(at(8, 0)).await, "delete_older_than");
}

// ------------------------------------------------------------------ PendingQuestions

fn grams_of(entry: i64, expires_at: DateTime<Utc>) -> PendingQuestion {
    PendingQuestion {
        question: Question::Grams(FoodEntryId::new(entry).unwrap()),
        expires_at,
    }
}

/// `PendingQuestions`: one question per user, the last asked replacing the earlier; taken
/// once; an expired one is not returned (and is gone); other users' questions are their own.
pub async fn pending_questions(store: &dyn PendingQuestions, user: UserId, other: UserId) {
    // Not found.
    assert_eq!(store.take(user, at(8, 0)).await.unwrap(), None);
    store
        .ask(user, &grams_of(1, at(8, 10)), at(8, 0))
        .await
        .unwrap();
    // Duplicate: a second question replaces the first.
    store
        .ask(user, &grams_of(2, at(8, 15)), at(8, 5))
        .await
        .unwrap();
    store
        .ask(other, &grams_of(3, at(8, 10)), at(8, 0))
        .await
        .unwrap();
    assert_eq!(
        store.take(user, at(8, 6)).await.unwrap(),
        Some(grams_of(2, at(8, 15)))
    );
    // Taken once.
    assert_eq!(store.take(user, at(8, 7)).await.unwrap(), None);
    // Expired: not returned, and not there afterwards either.
    assert_eq!(store.take(other, at(8, 10)).await.unwrap(), None);
    assert_eq!(store.take(other, at(8, 0)).await.unwrap(), None);
    // Every kind of question comes back as asked.
    let package = PendingQuestion {
        question: Question::PackageGrams(UpdateId::new(i64::MAX).unwrap()),
        expires_at: at(9, 0),
    };
    store.ask(user, &package, at(8, 30)).await.unwrap();
    assert_eq!(store.take(user, at(8, 31)).await.unwrap(), Some(package));
}

/// `PendingQuestions` that cannot reach their store: every call is `Unavailable`.
pub async fn pending_questions_unavailable(store: &dyn PendingQuestions, user: UserId) {
    is_unavailable(
        store.ask(user, &grams_of(1, at(8, 10)), at(8, 0)).await,
        "ask",
    );
    is_unavailable(store.take(user, at(8, 0)).await, "take");
}
