//! A user's own foods: saved products, remembered meanings, usual portions, offered choices.

use chrono::Duration;
use wellness_domain::model::{FoodChoice, ProductDraft};
use wellness_domain::ports::*;
use wellness_domain::*;
use wellness_postgres::*;

use crate::fixtures::{at, db, user};

fn draft(name: &str, kcal: f64) -> ProductDraft {
    ProductDraft {
        name: name.into(),
        per_100g: Nutrients {
            kcal: Kcal::new(kcal).unwrap(),
            protein: MacroGrams::new(10.0).unwrap(),
            fat: MacroGrams::new(20.0).unwrap(),
            carbs: MacroGrams::new(60.0).unwrap(),
        },
    }
}

fn facts(name: &str, kcal: f64) -> FoodFacts {
    SavedProduct {
        id: SavedProductId::new(1).unwrap(),
        name: name.into(),
        per_100g: draft(name, kcal).per_100g,
        barcode: None,
    }
    .facts()
}

#[tokio::test]
async fn products_are_saved_replaced_by_name_found_listed_and_deleted_per_user() {
    let (_guard, db) = db().await;
    let (olena, ivan) = (user(&db, 1).await, user(&db, 2).await);
    let own = PgPersonalFoods::new(db.clone());
    let now = at(2026, 12, 7, 9, 0);
    let first = own
        .save(olena.id, &draft("Гранола", 450.0), now)
        .await
        .unwrap();
    assert_eq!(first.name, "Гранола");
    // The same name in another case replaces it, keeping its id.
    let again = own
        .save(olena.id, &draft("гранолу", 430.0), now)
        .await
        .unwrap();
    assert_eq!(again.id, first.id);
    assert_eq!(again.per_100g.kcal.get(), 430.0);
    own.save(olena.id, &draft("batonchik", 380.0), now)
        .await
        .unwrap();
    assert_eq!(own.list(olena.id).await.unwrap().len(), 2);
    let found = own.named(olena.id, "ГРАНОЛОЮ").await.unwrap().unwrap();
    assert_eq!(found.id, first.id);
    assert_eq!(
        own.named(ivan.id, "гранола").await.unwrap(),
        None,
        "another user's"
    );
    assert_eq!(
        own.delete(ivan.id, first.id).await.unwrap(),
        None,
        "not Ivan's to delete"
    );
    let deleted = own.delete(olena.id, first.id).await.unwrap().unwrap();
    assert_eq!(deleted.name, "гранолу");
    assert_eq!(own.delete(olena.id, first.id).await.unwrap(), None);
    assert_eq!(own.named(olena.id, "гранола").await.unwrap(), None);
    assert_eq!(
        own.by_barcode(olena.id, "4820000000000").await.unwrap(),
        None
    );
}

#[tokio::test]
async fn meanings_portions_and_choices_are_remembered_per_user_and_erased_with_the_user() {
    let (_guard, db) = db().await;
    let (olena, ivan) = (user(&db, 1).await, user(&db, 2).await);
    let own = PgPersonalFoods::new(db.clone());
    let now = at(2026, 12, 7, 9, 0);
    let dry = facts("вівсяні пластівці, сухі", 389.0);
    own.remember(
        olena.id,
        &["вівсянк".into(), "family:oats".into()],
        &dry,
        now,
    )
    .await
    .unwrap();
    let keys = |k: &[&str]| k.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        own.meaning(olena.id, &keys(&["family:oats"]))
            .await
            .unwrap(),
        Some(dry.clone())
    );
    assert_eq!(
        own.meaning(ivan.id, &keys(&["вівсянк"])).await.unwrap(),
        None
    );
    // The first key taught wins.
    let cooked = facts("вівсянка, варена", 71.0);
    own.remember(olena.id, &["вівсянк".into()], &cooked, now)
        .await
        .unwrap();
    let got = own
        .meaning(olena.id, &keys(&["вівсянк", "family:oats"]))
        .await
        .unwrap();
    assert_eq!(got, Some(cooked));

    own.set_usual_portion(olena.id, "гранол", Grams::new(60.0).unwrap(), now)
        .await
        .unwrap();
    own.set_usual_portion(olena.id, "гранол", Grams::new(45.0).unwrap(), now)
        .await
        .unwrap();
    let usual = own.usual_portion(olena.id, "гранол").await.unwrap();
    assert_eq!(usual.map(Grams::get), Some(45.0));
    assert_eq!(own.usual_portion(ivan.id, "гранол").await.unwrap(), None);

    let choice = FoodChoice {
        update_id: UpdateId::new(42).unwrap(),
        item: 1,
        mention: FoodMention {
            said: "вівсянки".into(),
            lookup_name: "oatmeal".into(),
            amount: Amount::Grams(Grams::new(100.0).unwrap()),
            meal: None,
        },
        candidates: vec![dry.clone(), facts("вівсянка, варена", 71.0)],
        meal: Meal::Breakfast,
        source: EntrySource::Text,
    };
    own.offer(olena.id, &choice, now).await.unwrap();
    let kept = own.offered(olena.id, choice.update_id, 1).await.unwrap();
    assert_eq!(kept, Some(choice.clone()));
    assert_eq!(
        own.offered(ivan.id, choice.update_id, 1).await.unwrap(),
        None
    );
    // Withdrawn (answered or cancelled): gone for that user only; withdrawing again, or what
    // was never offered, is no error.
    let label = FoodChoice {
        update_id: UpdateId::new(44).unwrap(),
        item: 0,
        source: EntrySource::Label,
        ..choice.clone()
    };
    own.offer(olena.id, &label, now).await.unwrap();
    own.offer(ivan.id, &label, now).await.unwrap();
    own.withdraw(olena.id, label.update_id, 0).await.unwrap();
    own.withdraw(olena.id, label.update_id, 0).await.unwrap();
    assert_eq!(
        own.offered(olena.id, label.update_id, 0).await.unwrap(),
        None
    );
    assert_eq!(
        own.offered(ivan.id, label.update_id, 0).await.unwrap(),
        Some(label.clone())
    );
    assert_eq!(
        own.offered(olena.id, choice.update_id, 1).await.unwrap(),
        Some(choice.clone())
    );
    // An offer two days later clears the old ones.
    let later = FoodChoice {
        update_id: UpdateId::new(43).unwrap(),
        ..choice.clone()
    };
    own.offer(olena.id, &later, now + Duration::days(3))
        .await
        .unwrap();
    assert_eq!(
        own.offered(olena.id, choice.update_id, 1).await.unwrap(),
        None
    );

    PgUserData::new(db.clone()).erase(&olena).await.unwrap();
    assert_eq!(
        own.meaning(olena.id, &keys(&["вівсянк"])).await.unwrap(),
        None
    );
    assert_eq!(own.usual_portion(olena.id, "гранол").await.unwrap(), None);
    assert_eq!(
        own.offered(olena.id, later.update_id, 1).await.unwrap(),
        None
    );
}
