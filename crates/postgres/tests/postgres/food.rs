use wellness_domain::ports::FoodLog;
use wellness_domain::*;
use wellness_postgres::PgFoodLog;

use crate::fixtures::{at, db, user};

fn entry(
    user: UserId,
    key: &str,
    name: &str,
    kcal: f64,
    protein: f64,
    day: LocalDate,
) -> NewFoodEntry {
    NewFoodEntry {
        user_id: user,
        name: name.into(),
        grams: Grams::new(100.0).unwrap(),
        nutrients: Nutrients {
            kcal: Kcal::new(kcal).unwrap(),
            protein: MacroGrams::new(protein).unwrap(),
            fat: MacroGrams::new(1.0).unwrap(),
            carbs: MacroGrams::new(2.0).unwrap(),
        },
        meal: Meal::Breakfast,
        source: EntrySource::Text,
        nutrition_source: NutritionSource::OfflineCatalogue,
        local_date: day,
        logged_at: at(2026, 5, 14, 6, 0),
        idempotency_key: IdempotencyKey::new(key).unwrap(),
        catalogue_ref: None,
        diary_link: None,
    }
}

fn day(d: u32) -> LocalDate {
    LocalDate::from_calendar(chrono::NaiveDate::from_ymd_opt(2026, 5, d).unwrap())
}

#[tokio::test]
async fn logging_is_idempotent_and_totals_are_summed_by_the_database() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    let log = PgFoodLog::new(db.clone());
    let items = vec![
        entry(u.id, "tg:1:0", "eggs", 143.0, 12.6, day(14)),
        entry(u.id, "tg:1:1", "toast", 80.0, 3.0, day(14)),
    ];
    let first = log.log(&items).await.unwrap();
    assert!(first.created);
    assert_eq!(first.entries.len(), 2);
    assert_eq!(first.entries[0].name, "eggs");

    let again = log.log(&items).await.unwrap();
    assert!(!again.created, "the same update logs nothing new");
    assert_eq!(
        again.entries.iter().map(|e| e.id).collect::<Vec<_>>(),
        first.entries.iter().map(|e| e.id).collect::<Vec<_>>()
    );

    log.log(&[entry(u.id, "tg:2:0", "late snack", 300.0, 1.0, day(15))])
        .await
        .unwrap();

    let totals = log.day_totals(u.id, day(14)).await.unwrap();
    assert_eq!(totals.entries, 2);
    assert_eq!(totals.nutrients.kcal.rounded(), 223);
    assert!((totals.nutrients.protein.get() - 15.6).abs() < 1e-9);
    assert_eq!(log.entries_on(u.id, day(14)).await.unwrap().len(), 2);
    assert_eq!(
        log.day_totals(u.id, day(16)).await.unwrap(),
        DayTotals::default()
    );
}

#[tokio::test]
async fn voided_entries_leave_the_totals_and_void_only_once() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    let other = user(&db, 2).await;
    let log = PgFoodLog::new(db.clone());
    let logged = log
        .log(&[
            entry(u.id, "k1", "eggs", 143.0, 12.6, day(14)),
            entry(u.id, "k2", "toast", 80.0, 3.0, day(14)),
        ])
        .await
        .unwrap();
    let ids: Vec<FoodEntryId> = logged.entries.iter().map(|e| e.id).collect();

    assert!(
        log.void(other.id, &ids).await.unwrap().is_empty(),
        "nobody voids another's entries"
    );
    let voided = log.void(u.id, &ids[..1]).await.unwrap();
    assert_eq!(voided.len(), 1);
    assert_eq!(voided[0].status, EntryStatus::Voided);
    assert!(log.void(u.id, &ids[..1]).await.unwrap().is_empty());

    let totals = log.day_totals(u.id, day(14)).await.unwrap();
    assert_eq!((totals.entries, totals.nutrients.kcal.rounded()), (1, 80));
    assert_eq!(
        log.latest(u.id).await.unwrap().map(|e| e.name),
        Some("toast".to_owned())
    );
}

#[tokio::test]
async fn entries_of_several_users_in_one_call_are_refused() {
    let (_guard, db) = db().await;
    let a = user(&db, 1).await;
    let b = user(&db, 2).await;
    let log = PgFoodLog::new(db.clone());
    let err = log
        .log(&[
            entry(a.id, "k1", "x", 1.0, 0.0, day(1)),
            entry(b.id, "k1", "y", 1.0, 0.0, day(1)),
        ])
        .await;
    assert!(matches!(
        err,
        Err(wellness_domain::ports::StorageError::Rejected(_))
    ));
}

#[tokio::test]
async fn undo_voids_exactly_the_entries_of_one_message_and_portions_can_change() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    let log = PgFoodLog::new(db.clone());
    log.log(&[
        entry(u.id, "tg:1:0", "eggs", 143.0, 12.6, day(14)),
        entry(u.id, "tg:1:1", "toast", 80.0, 3.0, day(14)),
    ])
    .await
    .unwrap();
    let later = log
        .log(&[entry(u.id, "tg:10:0", "banana", 105.0, 1.3, day(14))])
        .await
        .unwrap();
    // An underscore or percent in a prefix is literal, not a wildcard.
    assert!(
        log.void_by_key_prefix(u.id, "tg:_:")
            .await
            .unwrap()
            .is_empty()
    );
    let undone = log.void_by_key_prefix(u.id, "tg:1:").await.unwrap();
    assert_eq!(
        undone.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
        vec!["eggs", "toast"]
    );
    assert_eq!(
        log.day_totals(u.id, day(14))
            .await
            .unwrap()
            .nutrients
            .kcal
            .rounded(),
        105
    );

    let banana = later.entries[0].id;
    let changed = log
        .change_portion(
            u.id,
            banana,
            Grams::new(59.0).unwrap(),
            Nutrients {
                kcal: Kcal::new(52.5).unwrap(),
                ..Nutrients::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (changed.grams.get(), changed.nutrients.kcal.get()),
        (59.0, 52.5)
    );
    assert_eq!(
        log.get(u.id, banana).await.unwrap().map(|e| e.grams.get()),
        Some(59.0)
    );
    let voided = undone[0].id;
    assert!(
        log.change_portion(
            u.id,
            voided,
            Grams::new(10.0).unwrap(),
            Nutrients::default()
        )
        .await
        .unwrap()
        .is_none(),
        "a voided entry keeps its portion"
    );
}

#[tokio::test]
async fn daily_totals_sum_each_day_of_the_span_with_active_entries() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    let other = user(&db, 2).await;
    let log = PgFoodLog::new(db.clone());
    let logged = log
        .log(&[
            entry(u.id, "tg:1:0", "eggs", 143.0, 12.6, day(14)),
            entry(u.id, "tg:1:1", "toast", 80.0, 3.0, day(14)),
            entry(u.id, "tg:2:0", "soup", 200.0, 8.0, day(16)),
            entry(u.id, "tg:3:0", "cake", 400.0, 4.0, day(17)),
            entry(u.id, "tg:4:0", "before", 50.0, 1.0, day(12)),
        ])
        .await
        .unwrap();
    log.log(&[entry(other.id, "tg:9:0", "theirs", 999.0, 9.0, day(14))])
        .await
        .unwrap();
    let cake = logged.entries.iter().find(|e| e.name == "cake").unwrap();
    log.void(u.id, &[cake.id]).await.unwrap();

    let days = log.daily_totals(u.id, day(13), day(17)).await.unwrap();
    let shown: Vec<(LocalDate, u32, i64)> = days
        .iter()
        .map(|(d, t)| (*d, t.entries, t.nutrients.kcal.rounded()))
        .collect();
    assert_eq!(shown, vec![(day(14), 2, 223), (day(16), 1, 200)]);
    assert!((days[0].1.nutrients.protein.get() - 15.6).abs() < 1e-9);
    assert_eq!(days[0].1, log.day_totals(u.id, day(14)).await.unwrap());
}

#[tokio::test]
async fn every_way_an_entry_reaches_us_and_every_source_of_numbers_is_stored() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    let log = PgFoodLog::new(db.clone());
    let ways = [
        (EntrySource::Text, NutritionSource::OfflineCatalogue),
        (EntrySource::Voice, NutritionSource::Fatsecret),
        (EntrySource::FatsecretDiary, NutritionSource::Fatsecret),
        (EntrySource::Barcode, NutritionSource::OpenFoodFacts),
        (EntrySource::Label, NutritionSource::SavedProduct),
        (EntrySource::MealPhoto, NutritionSource::OfflineCatalogue),
    ];
    for (n, (source, nutrition_source)) in ways.into_iter().enumerate() {
        let item = NewFoodEntry {
            source,
            nutrition_source,
            ..entry(u.id, &format!("tg:{n}:0"), "granola", 452.0, 9.5, day(14))
        };
        let logged = log.log(&[item]).await.unwrap().entries;
        assert_eq!(
            (logged[0].source, logged[0].nutrition_source),
            (source, nutrition_source)
        );
    }
}
