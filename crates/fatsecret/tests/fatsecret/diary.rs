use chrono::{DateTime, Utc};
use wellness_domain::model::{
    CatalogueRef, Kcal, LocalDate, MacroGrams, Meal, Nutrients, Secret, Tokens, UserTimeZone,
};
use wellness_domain::ports::{DiaryEntry, DiaryError, FoodDiary};
use wellness_fatsecret::{FatSecretClient, FatSecretConfig};
use wellness_sim::fatsecret::{
    FatSecretSim, FatSecretSimConfig, Fault, FaultRule, JsonQuirks, NewSimEntry, SimMeal,
};

use crate::{OPTIONS, client, closed_port_url, day, hundred_grams, start_sim, start_with, tokens};

/// 150 g of chicken breast on `day`, as a snack.
fn chicken(sim: &FatSecretSim, day: LocalDate) -> DiaryEntry {
    DiaryEntry {
        food_entry_id: None,
        name: "курка".to_owned(),
        catalogue_ref: Some(CatalogueRef {
            food_id: "33691".to_owned(),
            serving_id: hundred_grams(sim, "33691"),
        }),
        number_of_units: 150.0,
        grams: None,
        meal: Meal::Snack,
        day,
        nutrients: Nutrients {
            kcal: Kcal::new(247.5).unwrap(),
            protein: MacroGrams::new(46.53).unwrap(),
            fat: MacroGrams::new(5.36).unwrap(),
            carbs: MacroGrams::new(0.0).unwrap(),
        },
    }
}

fn from_outside(sim: &FatSecretSim, user: &str, food_id: &str, meal: SimMeal, date_int: i64) {
    let food = sim.food(food_id).unwrap();
    sim.add_entry_from_outside(
        user,
        &NewSimEntry {
            food_id: food_id.to_owned(),
            serving_id: food.servings[0].serving_id.clone(),
            number_of_units: 1.0,
            meal,
            date_int,
            food_entry_name: None,
        },
    )
    .unwrap();
}

#[tokio::test]
async fn creates_exactly_one_entry_on_the_users_local_day() {
    let sim = start_sim().await;
    let ann = tokens(&sim, "ann");
    // 00:30 on 1 January in Kyiv is still 31 December in UTC: the entry belongs to 1 January.
    let instant: DateTime<Utc> = "2025-12-31T22:30:00Z".parse().unwrap();
    let local = LocalDate::of(instant, UserTimeZone::DEFAULT);
    let id = client(&sim)
        .create(&ann, &chicken(&sim, local))
        .await
        .unwrap();

    let diary = sim.diary("ann");
    assert_eq!(diary.len(), 1);
    let stored = &diary[0];
    assert_eq!(stored.food_entry_id, id);
    assert_eq!(stored.date_int, 20454);
    assert_eq!(stored.meal, SimMeal::Other);
    assert_eq!(stored.food_entry_name, "курка");
    assert_eq!(stored.number_of_units, 150.0);
    assert_eq!(stored.nutrients.calories, 248.0);

    let call = &sim.api_calls("food_entry.create")[0];
    assert_eq!(call.http_method, "POST");
    assert_eq!(call.params["date"], "20454");
    assert_eq!(call.params["meal"], "other");
    assert_eq!(call.params["number_of_units"], "150");
    assert_eq!(call.user.as_deref(), Some("ann"));
    assert_eq!(call.params["oauth_version"], "1.0");
}

#[tokio::test]
async fn stored_then_timed_out_is_outcome_unknown_and_a_day_read_finds_the_entry() {
    let sim = start_sim().await;
    let ann = tokens(&sim, "ann");
    let fatsecret = client(&sim);
    sim.inject_fault(FaultRule::next(Fault::StoreThenTimeout).for_method("food_entry.create"));
    let result = fatsecret
        .create(&ann, &chicken(&sim, day(2026, 1, 1)))
        .await;
    assert!(
        matches!(result, Err(DiaryError::OutcomeUnknown(_))),
        "{result:?}"
    );
    // Sent once: never retried blindly.
    assert_eq!(sim.api_calls("food_entry.create").len(), 1);
    assert_eq!(sim.diary("ann").len(), 1);

    // How the app reconciles: read the day back.
    let entries = fatsecret.day(&ann, day(2026, 1, 1)).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0].food_entry_id.as_deref(),
        Some(sim.diary("ann")[0].food_entry_id.as_str())
    );
    assert_eq!(entries[0].name, "курка");
    assert_eq!(entries[0].number_of_units, 150.0);
}

#[tokio::test]
async fn a_5xx_after_sending_is_outcome_unknown_and_a_refused_connection_is_unavailable() {
    let sim = start_sim().await;
    let ann = tokens(&sim, "ann");
    let entry = chicken(&sim, day(2026, 1, 1));
    sim.inject_fault(FaultRule::next(Fault::StoreThenStatus { status: 500 }));
    let stored_then_500 = client(&sim).create(&ann, &entry).await;
    assert!(matches!(
        stored_then_500,
        Err(DiaryError::OutcomeUnknown(_))
    ));
    sim.inject_fault(FaultRule::next(Fault::HttpStatus { status: 503 }));
    let plain_503 = client(&sim).create(&ann, &entry).await;
    assert!(matches!(plain_503, Err(DiaryError::OutcomeUnknown(_))));
    assert_eq!(sim.diary("ann").len(), 1);

    // A read that fails is merely unavailable.
    sim.inject_fault(FaultRule::next(Fault::Timeout));
    let read = client(&sim).day(&ann, day(2026, 1, 1)).await;
    assert!(matches!(read, Err(DiaryError::Unavailable(_))), "{read:?}");

    let url = closed_port_url();
    let nowhere = FatSecretClient::new(
        FatSecretConfig::new(&url, &url, "key", Secret::new("secret")).with_options(OPTIONS),
    )
    .unwrap();
    let refused = nowhere.create(&ann, &entry).await;
    assert!(
        matches!(refused, Err(DiaryError::Unavailable(_))),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_revoked_token_is_revoked() {
    let sim = start_sim().await;
    let ann = tokens(&sim, "ann");
    sim.revoke_user("ann");
    let fatsecret = client(&sim);
    assert_eq!(
        fatsecret
            .create(&ann, &chicken(&sim, day(2026, 1, 1)))
            .await,
        Err(DiaryError::Revoked)
    );
    assert_eq!(
        fatsecret.day(&ann, day(2026, 1, 1)).await,
        Err(DiaryError::Revoked)
    );
    assert_eq!(fatsecret.delete(&ann, "1").await, Err(DiaryError::Revoked));
    assert!(sim.diary("ann").is_empty());
}

#[tokio::test]
async fn a_stale_timestamp_or_used_nonce_is_re_signed_once() {
    let sim = start_sim().await;
    let ann = tokens(&sim, "ann");
    let fatsecret = client(&sim);
    let entry = chicken(&sim, day(2026, 1, 1));
    sim.inject_fault(FaultRule::next(Fault::Error {
        code: 7,
        message: None,
    }));
    assert!(fatsecret.create(&ann, &entry).await.is_ok());
    let calls = sim.api_calls("food_entry.create");
    assert_eq!(calls.len(), 2);
    assert_ne!(
        calls[0].params["oauth_nonce"],
        calls[1].params["oauth_nonce"]
    );
    assert_eq!(sim.diary("ann").len(), 1);

    sim.inject_fault(
        FaultRule::next(Fault::Error {
            code: 6,
            message: None,
        })
        .times(2),
    );
    let twice = fatsecret.create(&ann, &entry).await;
    assert!(
        matches!(twice, Err(DiaryError::Unavailable(_))),
        "{twice:?}"
    );
    assert_eq!(sim.api_calls("food_entry.create").len(), 4);
    assert_eq!(sim.diary("ann").len(), 1);
}

#[tokio::test]
async fn invalid_entries_and_other_error_codes_are_rejected() {
    let sim = start_sim().await;
    let ann = tokens(&sim, "ann");
    let fatsecret = client(&sim);
    let mut unknown_serving = chicken(&sim, day(2026, 1, 1));
    unknown_serving.catalogue_ref = Some(CatalogueRef {
        food_id: "33691".into(),
        serving_id: "1".into(),
    });
    let result = fatsecret.create(&ann, &unknown_serving).await;
    match result {
        Err(DiaryError::Rejected(message)) => assert!(message.contains("106"), "{message}"),
        other => panic!("{other:?}"),
    }
    let mut no_food = chicken(&sim, day(2026, 1, 1));
    no_food.catalogue_ref = None;
    assert!(matches!(
        fatsecret.create(&ann, &no_food).await,
        Err(DiaryError::Rejected(_))
    ));
    let whoop_tokens = Tokens::OAuth2 {
        access_token: Secret::new("a"),
        refresh_token: None,
        expires_at: Utc::now(),
        scope: String::new(),
    };
    assert!(matches!(
        fatsecret
            .create(&whoop_tokens, &chicken(&sim, day(2026, 1, 1)))
            .await,
        Err(DiaryError::Rejected(_))
    ));
    // Nothing was sent for the last two.
    assert_eq!(sim.api_calls("food_entry.create").len(), 1);
}

#[tokio::test]
async fn a_client_signing_the_wrong_url_or_with_the_wrong_secret_is_refused() {
    let sim = start_with(
        FatSecretSimConfig::default().with_signing_api_root("https://platform.fatsecret.com"),
    )
    .await;
    let ann = tokens(&sim, "ann");
    let result = client(&sim)
        .create(&ann, &chicken(&sim, day(2026, 1, 1)))
        .await;
    match result {
        Err(DiaryError::Rejected(message)) => assert!(message.contains("error 8"), "{message}"),
        other => panic!("{other:?}"),
    }

    let sim = start_sim().await;
    let ann = tokens(&sim, "ann");
    let tampered = crate::client_with_secret(&sim, "not-the-consumer-secret");
    let result = tampered.day(&ann, day(2026, 1, 1)).await;
    assert!(
        matches!(result, Err(DiaryError::Rejected(ref m)) if m.contains("error 8")),
        "{result:?}"
    );
    assert!(sim.diary("ann").is_empty());
}

#[tokio::test]
async fn a_day_may_be_null_a_single_object_or_a_list_of_string_numbers() {
    let sim = start_with(FatSecretSimConfig::default().with_quirks(JsonQuirks {
        single_objects_everywhere: true,
    }))
    .await;
    let ann = tokens(&sim, "ann");
    let fatsecret = client(&sim);
    assert_eq!(fatsecret.day(&ann, day(2026, 1, 1)).await, Ok(Vec::new()));

    from_outside(&sim, "ann", "3092", SimMeal::Breakfast, 20454);
    let one = fatsecret.day(&ann, day(2026, 1, 1)).await.unwrap();
    assert_eq!(one.len(), 1);
    let egg = &one[0];
    assert_eq!(egg.name, "Egg");
    assert_eq!(egg.meal, Meal::Breakfast);
    assert_eq!(egg.day, day(2026, 1, 1));
    assert_eq!(egg.number_of_units, 1.0);
    assert_eq!(egg.nutrients.kcal.get(), 72.0);
    assert_eq!(egg.nutrients.carbs.get(), 0.36);
    assert_eq!(egg.catalogue_ref.as_ref().unwrap().food_id, "3092");

    from_outside(&sim, "ann", "5388", SimMeal::Other, 20454);
    from_outside(&sim, "ann", "5388", SimMeal::Lunch, 20455);
    let two = fatsecret.day(&ann, day(2026, 1, 1)).await.unwrap();
    assert_eq!(two.len(), 2);
    assert_eq!(two[1].name, "Banana");
    assert_eq!(two[1].meal, Meal::Snack);
    assert!(
        sim.api_calls("food_entries.get.v2")
            .iter()
            .all(|r| r.http_method == "POST")
    );
}

#[tokio::test]
async fn delete_removes_the_entry_and_deleting_again_succeeds() {
    let sim = start_sim().await;
    let ann = tokens(&sim, "ann");
    let fatsecret = client(&sim);
    let id = fatsecret
        .create(&ann, &chicken(&sim, day(2026, 1, 1)))
        .await
        .unwrap();
    fatsecret.delete(&ann, &id).await.unwrap();
    assert!(sim.diary("ann").is_empty());
    assert_eq!(fatsecret.delete(&ann, &id).await, Ok(()));
}

#[tokio::test]
async fn grams_eaten_become_units_of_the_chosen_serving() {
    let sim = start_sim().await;
    let ann = tokens(&sim, "ann");
    // A serving counted in pieces with a weight ("1 large" = 50 g, say), not "100 g".
    let (food_id, serving) = sim
        .foods()
        .into_iter()
        .find_map(|food| {
            let serving = food
                .servings
                .iter()
                .find(|s| s.measurement_description != "g" && s.metric.is_some())
                .cloned()?;
            Some((food.food_id.clone(), serving))
        })
        .expect("a food with a weighed piece serving");
    let (amount, _) = serving.metric.unwrap();
    let mut entry = chicken(&sim, day(2026, 1, 1));
    entry.catalogue_ref = Some(CatalogueRef {
        food_id,
        serving_id: serving.serving_id.clone(),
    });
    entry.grams = Some(wellness_domain::model::Grams::new(amount * 2.0).unwrap());
    client(&sim).create(&ann, &entry).await.unwrap();
    let stored = &sim.diary("ann")[0];
    let expected = 2.0 * serving.number_of_units;
    assert!(
        (stored.number_of_units - expected).abs() < 1e-6,
        "{} units of {:?}, expected {expected}",
        stored.number_of_units,
        serving.serving_description
    );
}

/// FatSecret's diary counts units of a serving; our log keeps grams. A day read only reads (no
/// `food.get` for entries the import already has); the weight of one unit comes from the
/// serving's metric amount ("1 large" egg: its grams, not 1), and is unknown for a serving
/// FatSecret gives no weight for.
#[tokio::test]
async fn a_unit_of_a_serving_weighs_its_metric_amount_and_a_day_read_weighs_nothing() {
    let sim = start_sim().await;
    let ann = tokens(&sim, "ann");
    let foods = sim.foods();
    // A serving counted in pieces (not "100 g"), with a weight, and one without a weight.
    let (counted_food, counted) = foods
        .iter()
        .find_map(|f| {
            f.servings
                .iter()
                .find(|s| s.metric.is_some() && s.number_of_units == 1.0)
                .map(|s| (f.food_id.clone(), s.clone()))
        })
        .expect("a food with a one-piece serving that has a weight");
    let (unweighed_food, unweighed) = foods
        .iter()
        .find_map(|f| {
            f.servings
                .iter()
                .find(|s| s.metric.is_none())
                .map(|s| (f.food_id.clone(), s.clone()))
        })
        .expect("a food with a serving without a weight");
    let date_int = day(2026, 1, 1).days_since_epoch();
    for (food_id, serving, units) in [
        (&counted_food, &counted, 2.0),
        (&unweighed_food, &unweighed, 1.0),
    ] {
        sim.add_entry_from_outside(
            "ann",
            &NewSimEntry {
                food_id: food_id.clone(),
                serving_id: serving.serving_id.clone(),
                number_of_units: units,
                meal: SimMeal::Breakfast,
                date_int,
                food_entry_name: None,
            },
        )
        .unwrap();
    }
    let fatsecret = client(&sim);
    let entries = fatsecret.day(&ann, day(2026, 1, 1)).await.unwrap();
    assert_eq!(entries.len(), 2);
    assert!(entries.iter().all(|e| e.grams.is_none()));
    assert!(
        sim.api_calls("food.get.v4").is_empty(),
        "a day read only reads"
    );

    let serving_of = |serving_id: &str| {
        entries
            .iter()
            .find(|e| e.catalogue_ref.as_ref().unwrap().serving_id == serving_id)
            .unwrap()
            .catalogue_ref
            .clone()
            .unwrap()
    };
    let (amount, _) = counted.metric.unwrap();
    let unit = fatsecret
        .unit_weight(&serving_of(&counted.serving_id))
        .await
        .unwrap()
        .expect("weighed");
    assert!((unit.get() - amount).abs() < 1e-9, "{} g", unit.get());
    assert_eq!(
        fatsecret
            .unit_weight(&serving_of(&unweighed.serving_id))
            .await
            .unwrap(),
        None
    );
    assert_eq!(sim.api_calls("food.get.v4").len(), 2);
}

/// A changed portion: the same diary entry (not a delete and a create) gets the grams now as
/// units of its serving; its name, meal and day stay.
#[tokio::test]
async fn edit_sets_the_entrys_units_from_the_grams_now() {
    let sim = start_sim().await;
    let ann = tokens(&sim, "ann");
    let fatsecret = client(&sim);
    let mut entry = chicken(&sim, day(2026, 1, 1));
    entry.grams = Some(wellness_domain::model::Grams::new(150.0).unwrap());
    let id = fatsecret.create(&ann, &entry).await.unwrap();

    entry.grams = Some(wellness_domain::model::Grams::new(220.0).unwrap());
    fatsecret.edit(&ann, &id, &entry).await.unwrap();
    let diary = sim.diary("ann");
    assert_eq!(diary.len(), 1);
    let stored = &diary[0];
    assert_eq!(stored.food_entry_id, id);
    assert_eq!(stored.number_of_units, 220.0);
    assert_eq!(stored.food_entry_name, "курка");
    assert_eq!(stored.meal, SimMeal::Other);
    assert_eq!(stored.date_int, 20454);

    let call = &sim.api_calls("food_entry.edit")[0];
    assert_eq!(call.http_method, "POST");
    assert_eq!(call.params["food_entry_id"], id);
    assert_eq!(call.params["number_of_units"], "220");
    assert!(!call.params.contains_key("serving_id"));
    assert_eq!(call.user.as_deref(), Some("ann"));
}

/// FatSecret refusing the edit (an entry deleted in FatSecret's app, or another user's: error
/// 106) is rejected; a revoked token is revoked.
#[tokio::test]
async fn an_edit_fatsecret_refuses_is_rejected_or_revoked() {
    let sim = start_sim().await;
    let ann = tokens(&sim, "ann");
    let bob = tokens(&sim, "bob");
    let fatsecret = client(&sim);
    let entry = chicken(&sim, day(2026, 1, 1));
    let id = fatsecret.create(&ann, &entry).await.unwrap();

    let not_bobs = fatsecret.edit(&bob, &id, &entry).await;
    assert!(
        matches!(&not_bobs, Err(DiaryError::Rejected(m)) if m.contains("106")),
        "{not_bobs:?}"
    );
    fatsecret.delete(&ann, &id).await.unwrap();
    let gone = fatsecret.edit(&ann, &id, &entry).await;
    assert!(matches!(gone, Err(DiaryError::Rejected(_))), "{gone:?}");

    sim.revoke_user("ann");
    assert_eq!(
        fatsecret.edit(&ann, &id, &entry).await,
        Err(DiaryError::Revoked)
    );
}

/// A 5xx or a timeout after the edit went out: outcome unknown (the edit may have landed); a
/// refused connection: unavailable.
#[tokio::test]
async fn an_edit_without_an_answer_is_outcome_unknown_and_one_never_sent_is_unavailable() {
    let sim = start_sim().await;
    let ann = tokens(&sim, "ann");
    let fatsecret = client(&sim);
    let mut entry = chicken(&sim, day(2026, 1, 1));
    let id = fatsecret.create(&ann, &entry).await.unwrap();
    entry.number_of_units = 200.0;

    sim.inject_fault(
        FaultRule::next(Fault::StoreThenStatus { status: 500 }).for_method("food_entry.edit"),
    );
    let stored_then_500 = fatsecret.edit(&ann, &id, &entry).await;
    assert!(
        matches!(stored_then_500, Err(DiaryError::OutcomeUnknown(_))),
        "{stored_then_500:?}"
    );
    assert_eq!(sim.diary("ann")[0].number_of_units, 200.0);

    entry.number_of_units = 250.0;
    sim.inject_fault(FaultRule::next(Fault::Timeout).for_method("food_entry.edit"));
    let timed_out = fatsecret.edit(&ann, &id, &entry).await;
    assert!(
        matches!(timed_out, Err(DiaryError::OutcomeUnknown(_))),
        "{timed_out:?}"
    );
    assert_eq!(sim.diary("ann")[0].number_of_units, 200.0);
    // Sent once each: never retried by the adapter.
    assert_eq!(sim.api_calls("food_entry.edit").len(), 2);

    let url = closed_port_url();
    let nowhere = FatSecretClient::new(
        FatSecretConfig::new(&url, &url, "key", Secret::new("secret")).with_options(OPTIONS),
    )
    .unwrap();
    let refused = nowhere.edit(&ann, &id, &entry).await;
    assert!(
        matches!(refused, Err(DiaryError::Unavailable(_))),
        "{refused:?}"
    );
}
