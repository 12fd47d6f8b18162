use serde_json::json;
use wellness_sim::fatsecret::{NewSimEntry, SimMeal};

use crate::{api, error_code, start_sim};

const DAY: &str = "20454"; // 2026-01-01

fn create<'a>(
    food_id: &'a str,
    serving_id: &'a str,
    units: &'a str,
    meal: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("format", "json"),
        ("method", "food_entry.create"),
        ("food_id", food_id),
        ("food_entry_name", "Chicken"),
        ("serving_id", serving_id),
        ("number_of_units", units),
        ("meal", meal),
        ("date", DAY),
    ]
}

fn hundred_gram_serving(sim: &wellness_sim::fatsecret::FatSecretSim, food_id: &str) -> String {
    sim.food(food_id)
        .unwrap()
        .servings
        .into_iter()
        .find(|s| s.serving_description == "100 g")
        .unwrap()
        .serving_id
}

#[tokio::test]
async fn create_answers_the_entry_id_as_a_value_and_stores_it_in_the_users_diary() {
    let sim = start_sim().await;
    let ann = sim.issue_access_token("ann");
    let bob = sim.issue_access_token("bob");
    let serving = hundred_gram_serving(&sim, "33691");
    let created = api(&sim, &create("33691", &serving, "150", "Lunch"), Some(&ann)).await;
    let id = created["food_entry_id"]["value"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(created, json!({"food_entry_id": {"value": id}}));

    let diary = sim.diary("ann");
    assert_eq!(diary.len(), 1);
    let entry = &diary[0];
    assert_eq!(entry.food_entry_id, id);
    assert_eq!(entry.meal, SimMeal::Lunch);
    assert_eq!(entry.date_int, 20454);
    // 150 units of the "100 g" serving are 150 g.
    assert_eq!(entry.nutrients.calories, 248.0);
    assert_eq!(entry.nutrients.protein, 46.53);
    assert_eq!(entry.food_entry_description, "150 g Chicken");
    assert!(sim.diary("bob").is_empty());

    // Bob cannot see or delete Ann's entry.
    let day = [
        ("format", "json"),
        ("method", "food_entries.get.v2"),
        ("date", DAY),
    ];
    assert_eq!(
        api(&sim, &day, Some(&bob)).await,
        json!({"food_entries": null})
    );
    let delete = [
        ("format", "json"),
        ("method", "food_entry.delete"),
        ("food_entry_id", id.as_str()),
    ];
    assert_eq!(error_code(&api(&sim, &delete, Some(&bob)).await), Some(106));
    assert_eq!(
        api(&sim, &delete, Some(&ann)).await,
        json!({"success": {"value": "1"}})
    );
    assert!(sim.diary("ann").is_empty());
}

#[tokio::test]
async fn create_validates_its_parameters() {
    let sim = start_sim().await;
    let ann = sim.issue_access_token("ann");
    let serving = hundred_gram_serving(&sim, "33691");
    assert_eq!(
        error_code(&api(&sim, &create("1", &serving, "1", "lunch"), Some(&ann)).await),
        Some(106)
    );
    assert_eq!(
        error_code(&api(&sim, &create("33691", "1", "1", "lunch"), Some(&ann)).await),
        Some(106)
    );
    assert_eq!(
        error_code(&api(&sim, &create("33691", &serving, "-1", "lunch"), Some(&ann)).await),
        Some(107)
    );
    assert_eq!(
        error_code(&api(&sim, &create("33691", &serving, "1", "snack"), Some(&ann)).await),
        Some(107)
    );
    let mut missing = create("33691", &serving, "1", "lunch");
    missing.retain(|(k, _)| *k != "meal");
    assert_eq!(
        error_code(&api(&sim, &missing, Some(&ann)).await),
        Some(101)
    );
    assert!(sim.diary("ann").is_empty());
}

#[tokio::test]
async fn a_day_is_null_when_empty_an_array_in_v2_and_a_single_object_in_v1() {
    let sim = start_sim().await;
    let ann = sim.issue_access_token("ann");
    let v1 = [
        ("format", "json"),
        ("method", "food_entries.get"),
        ("date", DAY),
    ];
    let v2 = [
        ("format", "json"),
        ("method", "food_entries.get.v2"),
        ("date", DAY),
    ];
    assert_eq!(
        api(&sim, &v2, Some(&ann)).await,
        json!({"food_entries": null})
    );

    let egg = sim.food("3092").unwrap();
    let large = &egg.servings[0];
    sim.add_entry_from_outside(
        "ann",
        &NewSimEntry {
            food_id: egg.food_id.clone(),
            serving_id: large.serving_id.clone(),
            number_of_units: 2.0,
            meal: SimMeal::Breakfast,
            date_int: 20454,
            food_entry_name: None,
        },
    )
    .unwrap();
    let one = api(&sim, &v1, Some(&ann)).await;
    let entry = &one["food_entries"]["food_entry"];
    assert!(entry.is_object(), "{one}");
    assert_eq!(entry["meal"], "Breakfast");
    assert_eq!(entry["date_int"], "20454");
    assert_eq!(entry["number_of_units"], "2.000");
    assert_eq!(entry["calories"], "144");
    assert_eq!(entry["food_entry_description"], "2 large Egg");
    let listed = api(&sim, &v2, Some(&ann)).await;
    assert_eq!(
        listed["food_entries"]["food_entry"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(listed["food_entries"]["food_entry"][0], *entry);

    let other_day = [
        ("format", "json"),
        ("method", "food_entries.get.v2"),
        ("date", "20455"),
    ];
    assert_eq!(
        api(&sim, &other_day, Some(&ann)).await,
        json!({"food_entries": null})
    );
}

#[tokio::test]
async fn get_month_sums_days_and_omits_empty_ones() {
    let sim = start_sim().await;
    let ann = sim.issue_access_token("ann");
    let banana = sim.food("5388").unwrap();
    for (date_int, units) in [(20454, 1.0), (20454, 1.0), (20460, 2.0), (20490, 1.0)] {
        sim.add_entry_from_outside(
            "ann",
            &NewSimEntry {
                food_id: banana.food_id.clone(),
                serving_id: banana.servings[0].serving_id.clone(),
                number_of_units: units,
                meal: SimMeal::Other,
                date_int,
                food_entry_name: None,
            },
        )
        .unwrap();
    }
    let month = api(
        &sim,
        &[
            ("format", "json"),
            ("method", "food_entries.get_month.v2"),
            ("date", "20465"),
        ],
        Some(&ann),
    )
    .await;
    assert_eq!(month["month"]["from_date_int"], "20454");
    assert_eq!(month["month"]["to_date_int"], "20484");
    let days = month["month"]["day"].as_array().unwrap();
    assert_eq!(days.len(), 2);
    assert_eq!(days[0]["date_int"], "20454");
    assert_eq!(days[0]["calories"], "210");
    assert_eq!(days[1]["date_int"], "20460");

    let v1 = api(
        &sim,
        &[
            ("format", "json"),
            ("method", "food_entries.get_month"),
            ("date", "20490"),
        ],
        Some(&ann),
    )
    .await;
    assert!(v1["month"]["day"].is_object(), "{v1}");
}

fn edit<'a>(id: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut params = vec![
        ("format", "json"),
        ("method", "food_entry.edit"),
        ("food_entry_id", id),
    ];
    params.extend_from_slice(changes);
    params
}

#[tokio::test]
async fn edit_changes_the_units_and_keeps_the_rest_of_the_entry() {
    let sim = start_sim().await;
    let ann = sim.issue_access_token("ann");
    let serving = hundred_gram_serving(&sim, "33691");
    let created = api(&sim, &create("33691", &serving, "150", "Lunch"), Some(&ann)).await;
    let id = created["food_entry_id"]["value"]
        .as_str()
        .unwrap()
        .to_owned();

    let answer = api(&sim, &edit(&id, &[("number_of_units", "200")]), Some(&ann)).await;
    assert_eq!(answer, json!({"success": {"value": "1"}}));
    let diary = sim.diary("ann");
    assert_eq!(diary.len(), 1);
    let entry = &diary[0];
    assert_eq!(entry.food_entry_id, id);
    assert_eq!(entry.number_of_units, 200.0);
    // 200 units of the "100 g" serving are 200 g: the nutrients follow.
    assert_eq!(entry.nutrients.calories, 330.0);
    assert_eq!(entry.food_entry_description, "200 g Chicken");
    assert_eq!(entry.meal, SimMeal::Lunch);
    assert_eq!(entry.date_int, 20454);
    assert_eq!(entry.food_entry_name, "Chicken");

    // The name and the meal can change too; an edit with nothing to change changes nothing.
    let renamed = edit(
        &id,
        &[("food_entry_name", "Grilled chicken"), ("meal", "dinner")],
    );
    assert_eq!(
        api(&sim, &renamed, Some(&ann)).await,
        json!({"success": {"value": "1"}})
    );
    assert_eq!(
        api(&sim, &edit(&id, &[]), Some(&ann)).await,
        json!({"success": {"value": "1"}})
    );
    let entry = &sim.diary("ann")[0];
    assert_eq!(entry.food_entry_name, "Grilled chicken");
    assert_eq!(entry.meal, SimMeal::Dinner);
    assert_eq!(entry.number_of_units, 200.0);
}

#[tokio::test]
async fn edit_refuses_an_unknown_or_another_users_entry_and_bad_values() {
    let sim = start_sim().await;
    let ann = sim.issue_access_token("ann");
    let bob = sim.issue_access_token("bob");
    let serving = hundred_gram_serving(&sim, "33691");
    let created = api(&sim, &create("33691", &serving, "150", "Lunch"), Some(&ann)).await;
    let id = created["food_entry_id"]["value"]
        .as_str()
        .unwrap()
        .to_owned();

    let units = [("number_of_units", "200")];
    assert_eq!(
        error_code(&api(&sim, &edit(&id, &units), Some(&bob)).await),
        Some(106)
    );
    assert_eq!(
        error_code(&api(&sim, &edit("999999", &units), Some(&ann)).await),
        Some(106)
    );
    assert_eq!(
        error_code(&api(&sim, &edit(&id, &[("serving_id", "1")]), Some(&ann)).await),
        Some(106)
    );
    assert_eq!(
        error_code(&api(&sim, &edit(&id, &[("number_of_units", "-1")]), Some(&ann)).await),
        Some(107)
    );
    assert_eq!(
        error_code(&api(&sim, &edit(&id, &[("meal", "snack")]), Some(&ann)).await),
        Some(107)
    );
    let missing = [("format", "json"), ("method", "food_entry.edit")];
    assert_eq!(
        error_code(&api(&sim, &missing, Some(&ann)).await),
        Some(101)
    );
    // The user's token is required, as for the other diary methods.
    assert!(error_code(&api(&sim, &edit(&id, &units), None).await).is_some());
    assert_eq!(sim.diary("ann")[0].number_of_units, 150.0);

    // A deleted entry cannot be edited.
    let delete = [
        ("format", "json"),
        ("method", "food_entry.delete"),
        ("food_entry_id", id.as_str()),
    ];
    api(&sim, &delete, Some(&ann)).await;
    assert_eq!(
        error_code(&api(&sim, &edit(&id, &units), Some(&ann)).await),
        Some(106)
    );
}
