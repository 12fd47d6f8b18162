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
    let meal = PendingQuestion {
        question: Question::MealGrams {
            update: UpdateId::new(42).unwrap(),
            item: u8::MAX,
        },
        expires_at: at(9, 0),
    };
    store.ask(user, &meal, at(8, 32)).await.unwrap();
    // Replaced by a question of another kind, with nothing of the first left over.
    store
        .ask(user, &grams_of(4, at(9, 0)), at(8, 33))
        .await
        .unwrap();
    assert_eq!(
        store.take(user, at(8, 34)).await.unwrap(),
        Some(grams_of(4, at(9, 0)))
    );
    store.ask(user, &meal, at(8, 35)).await.unwrap();
    assert_eq!(store.take(user, at(8, 36)).await.unwrap(), Some(meal));
}

/// `PendingQuestions` that cannot reach their store: every call is `Unavailable`.
pub async fn pending_questions_unavailable(store: &dyn PendingQuestions, user: UserId) {
    is_unavailable(
        store.ask(user, &grams_of(1, at(8, 10)), at(8, 0)).await,
        "ask",
    );
    is_unavailable(store.take(user, at(8, 0)).await, "take");
}

// ------------------------------------------------------------------ SavedProducts and FoodMemory

fn product_draft(name: &str, kcal: f64) -> ProductDraft {
    ProductDraft {
        name: name.to_owned(),
        per_100g: Nutrients {
            kcal: Kcal::new(kcal).unwrap(),
            protein: MacroGrams::new(10.0).unwrap(),
            fat: MacroGrams::new(5.0).unwrap(),
            carbs: MacroGrams::new(60.0).unwrap(),
        },
    }
}

fn names(products: &[SavedProduct]) -> Vec<&str> {
    products.iter().map(|p| p.name.as_str()).collect()
}

/// `SavedProducts`: names are trimmed; the same name (by its key) replaces the product and
/// keeps its id; listed by name key; every call sees only the user's own; deleted once; an id
/// is never given twice.
pub async fn saved_products(store: &dyn SavedProducts, user: UserId, other: UserId) {
    // Not found.
    assert!(store.list(user).await.unwrap().is_empty());
    assert_eq!(store.named(user, "granola").await.unwrap(), None);
    let granola = store
        .save(user, &product_draft(" Granola ", 450.0), at(8, 0))
        .await
        .unwrap();
    assert_eq!(granola.name, "Granola");
    assert_eq!(granola.per_100g.kcal.get(), 450.0);
    let muesli = store
        .save(user, &product_draft("Muesli", 370.0), at(8, 1))
        .await
        .unwrap();
    let pie = store
        .save(user, &product_draft("apple pie", 250.0), at(8, 2))
        .await
        .unwrap();
    assert!(granola.id != muesli.id && muesli.id != pie.id && granola.id != pie.id);
    // Duplicate: the same name in other letters replaces it, under the same id.
    let replaced = store
        .save(user, &product_draft("GRANOLA", 460.0), at(8, 3))
        .await
        .unwrap();
    assert_eq!(replaced.id, granola.id);
    assert_eq!(
        (replaced.name.as_str(), replaced.per_100g.kcal.get()),
        ("GRANOLA", 460.0)
    );
    let listed = store.list(user).await.unwrap();
    assert_eq!(names(&listed), ["apple pie", "GRANOLA", "Muesli"]);
    assert_eq!(store.named(user, "granola").await.unwrap(), Some(replaced));
    assert_eq!(store.by_barcode(user, "4823063112628").await.unwrap(), None);
    // Another user's calls see none of them and change nothing.
    assert!(store.list(other).await.unwrap().is_empty());
    assert_eq!(store.named(other, "granola").await.unwrap(), None);
    assert_eq!(store.delete(other, muesli.id).await.unwrap(), None);
    // Deleted once.
    assert_eq!(
        store.delete(user, muesli.id).await.unwrap(),
        Some(muesli.clone())
    );
    assert_eq!(store.delete(user, muesli.id).await.unwrap(), None);
    // A product saved after a delete gets an id of its own.
    let kefir = store
        .save(user, &product_draft("kefir", 41.0), at(8, 4))
        .await
        .unwrap();
    assert!(![granola.id, muesli.id, pie.id].contains(&kefir.id));
    assert_eq!(
        names(&store.list(user).await.unwrap()),
        ["apple pie", "GRANOLA", "kefir"]
    );
}

/// `SavedProducts` that cannot reach their store: every call is `Unavailable`.
pub async fn saved_products_unavailable(store: &dyn SavedProducts, user: UserId) {
    let id = SavedProductId::new(1).unwrap();
    let draft = product_draft("granola", 450.0);
    is_unavailable(store.save(user, &draft, at(8, 0)).await, "save");
    is_unavailable(store.list(user).await, "list");
    is_unavailable(store.delete(user, id).await, "delete");
    is_unavailable(store.named(user, "granola").await, "named");
    is_unavailable(store.by_barcode(user, "4823063112628").await, "by_barcode");
}

fn food_facts(name: &str, kcal: f64) -> FoodFacts {
    FoodFacts {
        name: name.to_owned(),
        per_100g: product_draft(name, kcal).per_100g,
        portions: Vec::new(),
        source: NutritionSource::OfflineCatalogue,
        catalogue_ref: None,
        alternatives: Vec::new(),
        family: None,
    }
}

fn offered_choice(update: i64, item: u8, candidates: &[(&str, f64)]) -> FoodChoice {
    FoodChoice {
        update_id: UpdateId::new(update).unwrap(),
        item,
        mention: FoodMention {
            said: "вівсянки".to_owned(),
            lookup_name: "oatmeal".to_owned(),
            amount: Amount::Grams(Grams::new(100.0).unwrap()),
            meal: None,
        },
        candidates: candidates.iter().map(|(n, k)| food_facts(n, *k)).collect(),
        meal: Meal::Breakfast,
        source: EntrySource::Text,
    }
}

/// `FoodMemory`: choices are kept per user, message and item, replaced by an offer for the
/// same, withdrawn once answered, and cleared two days on; a meaning is the first of the keys
/// taught, replaced when taught again; a usual portion is the last set; all per user.
pub async fn food_memory(store: &dyn FoodMemory, user: UserId, other: UserId) {
    let update = UpdateId::new(42).unwrap();
    // Not found.
    assert_eq!(store.offered(user, update, 0).await.unwrap(), None);
    assert_eq!(
        store.meaning(user, &["вівсянк".to_owned()]).await.unwrap(),
        None
    );
    assert_eq!(store.usual_portion(user, "гранол").await.unwrap(), None);
    let first = offered_choice(42, 0, &[("oat flakes", 389.0), ("oatmeal, cooked", 71.0)]);
    store.offer(user, &first, at(8, 0)).await.unwrap();
    assert_eq!(
        store.offered(user, update, 0).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(store.offered(other, update, 0).await.unwrap(), None);
    assert_eq!(store.offered(user, update, 1).await.unwrap(), None);
    // Duplicate: an offer for the same message and item replaces it.
    let again = offered_choice(42, 0, &[("granola", 450.0)]);
    store.offer(user, &again, at(8, 1)).await.unwrap();
    assert_eq!(store.offered(user, update, 0).await.unwrap(), Some(again));
    let second = offered_choice(42, 1, &[("rice", 130.0), ("rice, dry", 365.0)]);
    store.offer(user, &second, at(8, 2)).await.unwrap();
    // Withdrawn: that one only, for that user only; again, or never offered, is no error.
    store.offer(other, &first, at(8, 2)).await.unwrap();
    store.withdraw(user, update, 0).await.unwrap();
    store.withdraw(user, update, 0).await.unwrap();
    store
        .withdraw(user, UpdateId::new(7).unwrap(), 3)
        .await
        .unwrap();
    assert_eq!(store.offered(user, update, 0).await.unwrap(), None);
    assert_eq!(
        store.offered(user, update, 1).await.unwrap(),
        Some(second.clone())
    );
    assert_eq!(
        store.offered(other, update, 0).await.unwrap(),
        Some(first.clone())
    );
    // An offer two days on clears the user's older ones.
    let later = offered_choice(43, 0, &[("kefir", 41.0), ("kefir, fat", 60.0)]);
    store
        .offer(user, &later, at(8, 3) + chrono::Duration::days(3))
        .await
        .unwrap();
    assert_eq!(store.offered(user, update, 1).await.unwrap(), None);
    assert_eq!(store.offered(other, update, 0).await.unwrap(), Some(first));
    food_memory_meanings(store, user, other).await;
}

/// `FoodMemory`'s meanings and usual portions.
async fn food_memory_meanings(store: &dyn FoodMemory, user: UserId, other: UserId) {
    let keys = |ks: &[&str]| ks.iter().map(|k| (*k).to_owned()).collect::<Vec<_>>();
    let dry = food_facts("oat flakes", 389.0);
    let cooked = food_facts("oatmeal, cooked", 71.0);
    store
        .remember(user, &keys(&["вівсянк", "family:oats"]), &dry, at(9, 0))
        .await
        .unwrap();
    assert_eq!(
        store
            .meaning(user, &keys(&["x", "family:oats"]))
            .await
            .unwrap(),
        Some(dry.clone())
    );
    assert_eq!(
        store.meaning(other, &keys(&["вівсянк"])).await.unwrap(),
        None
    );
    // The first key taught wins, whatever was taught last.
    store
        .remember(user, &keys(&["family:oats"]), &cooked, at(9, 1))
        .await
        .unwrap();
    assert_eq!(
        store
            .meaning(user, &keys(&["вівсянк", "family:oats"]))
            .await
            .unwrap(),
        Some(dry)
    );
    assert_eq!(
        store.meaning(user, &keys(&["family:oats"])).await.unwrap(),
        Some(cooked)
    );
    let grams = |g: f64| Grams::new(g).unwrap();
    store
        .set_usual_portion(user, "гранол", grams(60.0), at(9, 2))
        .await
        .unwrap();
    store
        .set_usual_portion(user, "гранол", grams(45.0), at(9, 3))
        .await
        .unwrap();
    assert_eq!(
        store.usual_portion(user, "гранол").await.unwrap(),
        Some(grams(45.0))
    );
    assert_eq!(store.usual_portion(other, "гранол").await.unwrap(), None);
}

/// `FoodMemory` that cannot reach its store: every call is `Unavailable`.
pub async fn food_memory_unavailable(store: &dyn FoodMemory, user: UserId) {
    let update = UpdateId::new(42).unwrap();
    let choice = offered_choice(42, 0, &[("granola", 450.0)]);
    let keys = ["гранол".to_owned()];
    let facts = food_facts("granola", 450.0);
    let grams = Grams::new(50.0).unwrap();
    is_unavailable(store.offer(user, &choice, at(8, 0)).await, "offer");
    is_unavailable(store.offered(user, update, 0).await, "offered");
    is_unavailable(store.withdraw(user, update, 0).await, "withdraw");
    is_unavailable(store.meaning(user, &keys).await, "meaning");
    is_unavailable(
        store.remember(user, &keys, &facts, at(8, 0)).await,
        "remember",
    );
    is_unavailable(store.usual_portion(user, "гранол").await, "usual_portion");
    is_unavailable(
        store
            .set_usual_portion(user, "гранол", grams, at(8, 0))
            .await,
        "set_usual_portion",
    );
}
