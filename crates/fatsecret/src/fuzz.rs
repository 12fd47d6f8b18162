//! Bounded fuzzing of FatSecret's answers with proptest: every parser meets arbitrary JSON,
//! real-shaped answers with one field replaced, and real-shaped answers it must read back
//! exactly, in FatSecret's quirky forms (numbers as strings, a single result as an object,
//! nothing as `null`, `""` or a missing key). `PROPTEST_CASES` sets the run length.

use chrono::NaiveDate;
use proptest::prelude::*;
use serde_json::{Value, json};
use wellness_domain::model::{CatalogueRef, Kcal, LocalDate, MacroGrams, Meal};

use crate::catalog::{
    FoodSummary, MetricUnit, Serving, facts, parse_food, parse_search, rank, reference_serving,
};
use crate::diary::{parse_day, parse_entry};
use crate::error::scrub;
use crate::json::api_error;
use crate::signing::{decode_form, percent_encode};

/// A scalar as FatSecret writes it: mostly a string, sometimes a JSON number.
fn scalar(number: f64) -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => Just(Value::String(number.to_string())),
        1 => Just(json!(number)),
    ]
}

/// A list as FatSecret writes it: one item as a bare object (sometimes), none as nothing.
fn list(items: Vec<Value>) -> impl Strategy<Value = Option<Value>> {
    let count = items.len();
    let as_array = Value::Array(items.clone());
    match count {
        0 => prop_oneof![
            Just(None),
            Just(Some(Value::Null)),
            Just(Some(json!(""))),
            Just(Some(json!([])))
        ]
        .boxed(),
        1 => prop_oneof![Just(Some(items[0].clone())), Just(Some(as_array))].boxed(),
        _ => Just(Some(as_array)).boxed(),
    }
}

/// Text FatSecret would send: no surrounding whitespace (the parser trims), never empty.
fn text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]([A-Za-z0-9 ,()%&'-]{0,30}[A-Za-z0-9)])?"
}

fn id() -> impl Strategy<Value = String> {
    "[1-9][0-9]{0,11}"
}

fn summary() -> impl Strategy<Value = FoodSummary> {
    (id(), text(), prop::option::of(text())).prop_map(|(food_id, food_name, brand_name)| {
        FoodSummary {
            food_id,
            food_name,
            brand_name,
        }
    })
}

fn search_answer(foods: Vec<FoodSummary>) -> impl Strategy<Value = Value> {
    let items = foods
        .iter()
        .map(|f| {
            let mut food = json!({"food_id": f.food_id, "food_name": f.food_name,
                "food_type": if f.brand_name.is_some() { "Brand" } else { "Generic" },
                "food_url": "https://www.fatsecret.com/calories-nutrition/x",
                "food_description": "Per 100g - Calories: 1kcal"});
            if let Some(brand) = &f.brand_name {
                food["brand_name"] = json!(brand);
            }
            food
        })
        .collect();
    list(items).prop_map(|food| {
        let mut foods = json!({"max_results": "20", "page_number": "0", "total_results": "1"});
        if let Some(food) = food {
            foods["food"] = food;
        }
        json!({ "foods": foods })
    })
}

/// Amounts FatSecret writes: positive, with up to three decimals.
fn amount() -> impl Strategy<Value = f64> {
    (1..2_000_000u32).prop_map(|thousandths| f64::from(thousandths) / 1000.0)
}

/// A serving, and the amount of its `oz` metric unit when it has one (read as no metric amount).
fn serving() -> impl Strategy<Value = (Serving, Option<f64>)> {
    (
        id(),
        text(),
        prop_oneof![
            Just("g"),
            Just("serving"),
            Just("large"),
            Just("cup"),
            Just("")
        ],
        amount(),
        prop::option::of((amount(), prop_oneof![Just("g"), Just("ml"), Just("oz")])),
        prop::array::uniform4(prop::option::of(amount())),
        any::<bool>(),
    )
        .prop_map(
            |(serving_id, description, measurement, units, metric, macros, is_default)| {
                let serving = Serving {
                    serving_id,
                    description,
                    measurement: measurement.to_owned(),
                    number_of_units: units,
                    metric: metric.and_then(|(amount, unit)| match unit {
                        "g" => Some((amount, MetricUnit::Grams)),
                        "ml" => Some((amount, MetricUnit::Millilitres)),
                        _ => None,
                    }),
                    calories: macros[0],
                    protein: macros[1],
                    fat: macros[2],
                    carbohydrate: macros[3],
                    is_default,
                };
                let oz = metric
                    .filter(|(_, unit)| *unit == "oz")
                    .map(|(amount, _)| amount);
                (serving, oz)
            },
        )
}

/// A serving as `food.get.v4` writes it; a non-metric unit is written as such (`oz`).
fn serving_json(serving: &Serving, oz_amount: Option<f64>) -> BoxedStrategy<Value> {
    let mut fields: Vec<(&str, BoxedStrategy<Value>)> = vec![
        ("serving_id", Just(json!(serving.serving_id)).boxed()),
        (
            "serving_description",
            Just(json!(serving.description)).boxed(),
        ),
        (
            "measurement_description",
            Just(json!(serving.measurement)).boxed(),
        ),
        ("number_of_units", scalar(serving.number_of_units).boxed()),
        (
            "is_default",
            Just(json!(if serving.is_default { "1" } else { "0" })).boxed(),
        ),
    ];
    match (serving.metric, oz_amount) {
        (Some((amount, unit)), _) => {
            fields.push(("metric_serving_amount", scalar(amount).boxed()));
            let unit = match unit {
                MetricUnit::Grams => "g",
                MetricUnit::Millilitres => "ml",
            };
            fields.push(("metric_serving_unit", Just(json!(unit)).boxed()));
        }
        (None, Some(amount)) => {
            fields.push(("metric_serving_amount", scalar(amount).boxed()));
            fields.push(("metric_serving_unit", Just(json!("oz")).boxed()));
        }
        (None, None) => {}
    }
    for (key, value) in [
        ("calories", serving.calories),
        ("protein", serving.protein),
        ("fat", serving.fat),
        ("carbohydrate", serving.carbohydrate),
    ] {
        if let Some(value) = value {
            fields.push((key, scalar(value).boxed()));
        }
    }
    let (keys, values): (Vec<&str>, Vec<BoxedStrategy<Value>>) = fields.into_iter().unzip();
    let keys: Vec<String> = keys.into_iter().map(str::to_owned).collect();
    values
        .prop_map(move |values| Value::Object(keys.iter().cloned().zip(values).collect()))
        .boxed()
}

fn food_answer(
    food_id: String,
    food_name: String,
    servings: Vec<(Serving, Option<f64>)>,
) -> impl Strategy<Value = Value> {
    let servings: Vec<BoxedStrategy<Value>> = servings
        .iter()
        .map(|(serving, oz)| serving_json(serving, *oz))
        .collect();
    servings.prop_flat_map(move |servings| {
        let food_id = food_id.clone();
        let food_name = food_name.clone();
        list(servings).prop_map(move |serving| {
            let mut food = json!({"food_id": food_id, "food_name": food_name,
                "food_type": "Generic", "food_url": "https://www.fatsecret.com/x"});
            if let Some(serving) = serving {
                food["servings"] = json!({ "serving": serving });
            }
            json!({ "food": food })
        })
    })
}

/// A diary entry as we expect it read, and as `food_entries.get.v2` writes it.
fn diary_entry() -> impl Strategy<Value = (wellness_domain::ports::DiaryEntry, Value)> {
    (
        id(),
        text(),
        prop::option::of((id(), id())),
        0..60_000i64,
        prop_oneof![
            Just(("breakfast", Meal::Breakfast)),
            Just(("Lunch", Meal::Lunch)),
            Just(("DINNER", Meal::Dinner)),
            Just(("other", Meal::Snack)),
            Just(("elevenses", Meal::Snack))
        ],
        amount(),
        prop::array::uniform4(0..100_000u32),
    )
        .prop_flat_map(
            |(entry_id, name, reference, date_int, (meal_text, meal), units, numbers)| {
                let hundredths = |n: u32| f64::from(n) / 100.0;
                let day = NaiveDate::from_ymd_opt(1970, 1, 1)
                    .and_then(|d| d.checked_add_days(chrono::Days::new(date_int as u64)))
                    .map(LocalDate::from_calendar);
                let expected = day.map(|day| wellness_domain::ports::DiaryEntry {
                    food_entry_id: Some(entry_id.clone()),
                    name: name.clone(),
                    catalogue_ref: reference.clone().map(|(food_id, serving_id)| CatalogueRef {
                        food_id,
                        serving_id,
                    }),
                    number_of_units: units,
                    grams: None,
                    meal,
                    day,
                    nutrients: wellness_domain::model::Nutrients {
                        kcal: Kcal::new(hundredths(numbers[0])).unwrap_or_default(),
                        protein: MacroGrams::new(hundredths(numbers[1])).unwrap_or_default(),
                        fat: MacroGrams::new(hundredths(numbers[2])).unwrap_or_default(),
                        carbs: MacroGrams::new(hundredths(numbers[3])).unwrap_or_default(),
                    },
                });
                let mut fields: Vec<(String, BoxedStrategy<Value>)> = vec![
                    ("food_entry_id".into(), Just(json!(entry_id)).boxed()),
                    ("food_entry_name".into(), Just(json!(name)).boxed()),
                    ("date_int".into(), scalar(date_int as f64).boxed()),
                    ("meal".into(), Just(json!(meal_text)).boxed()),
                    ("number_of_units".into(), scalar(units).boxed()),
                    ("calories".into(), scalar(hundredths(numbers[0])).boxed()),
                    ("protein".into(), scalar(hundredths(numbers[1])).boxed()),
                    ("fat".into(), scalar(hundredths(numbers[2])).boxed()),
                    (
                        "carbohydrate".into(),
                        scalar(hundredths(numbers[3])).boxed(),
                    ),
                ];
                if let Some((food_id, serving_id)) = reference {
                    fields.push(("food_id".into(), Just(json!(food_id)).boxed()));
                    fields.push(("serving_id".into(), Just(json!(serving_id)).boxed()));
                }
                let (keys, values): (Vec<String>, Vec<BoxedStrategy<Value>>) =
                    fields.into_iter().unzip();
                values.prop_filter_map("a date inside the calendar", move |values| {
                    let entry = Value::Object(keys.iter().cloned().zip(values).collect());
                    expected.clone().map(|expected| (expected, entry))
                })
            },
        )
}

fn asked() -> LocalDate {
    LocalDate::from_calendar(NaiveDate::default())
}

/// Every parser on one answer: none may panic, and what they give is sane.
fn read_everything(answer: &Value) -> Result<(), TestCaseError> {
    let _ = api_error(answer);
    if let Ok(found) = parse_search(answer) {
        let ranked = rank(found.clone(), "chicken breast");
        prop_assert_eq!(ranked.len(), found.len());
    }
    if let Ok(food) = parse_food(answer) {
        let _ = reference_serving(&food.servings);
        if let Some(facts) = facts(&food) {
            prop_assert!(facts.portions.iter().all(|p| p.grams.get() > 0.0));
        }
    }
    let _ = parse_day(answer, asked());
    let _ = parse_entry(answer, asked());
    Ok(())
}

fn any_answer() -> impl Strategy<Value = Value> {
    let shaped = prop_oneof![
        prop::collection::vec(summary(), 0..4).prop_flat_map(search_answer),
        (id(), text(), prop::collection::vec(serving(), 0..4))
            .prop_flat_map(|(id, name, servings)| food_answer(id, name, servings)),
        prop::collection::vec(diary_entry(), 0..3).prop_flat_map(|entries| {
            list(entries.into_iter().map(|(_, json)| json).collect()).prop_map(
                |entry| match entry {
                    Some(entry) => json!({"food_entries": {"food_entry": entry}}),
                    None => json!({"food_entries": null}),
                },
            )
        }),
        (any::<u32>(), any::<String>())
            .prop_map(|(code, message)| json!({"error": {"code": code, "message": message}})),
    ];
    prop_oneof![
        1 => wellness_fuzz::any_json(),
        3 => wellness_fuzz::mutated(shaped),
    ]
}

proptest! {
    #[test]
    fn any_answer_or_broken_answer_is_read_without_a_panic(answer in any_answer()) {
        read_everything(&answer)?;
    }

    #[test]
    fn arbitrary_bytes_are_refused_or_read(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(answer) = serde_json::from_slice::<Value>(&bytes) {
            read_everything(&answer)?;
        }
    }

    #[test]
    fn search_answers_read_back_every_food_in_order(
        (foods, answer) in prop::collection::vec(summary(), 0..6)
            .prop_flat_map(|foods| (Just(foods.clone()), search_answer(foods)))
    ) {
        prop_assert_eq!(parse_search(&answer).ok(), Some(foods));
    }

    #[test]
    fn food_answers_read_back_every_serving(
        (id, name, servings, answer) in (id(), text(), prop::collection::vec(serving(), 0..5))
            .prop_flat_map(|(id, name, servings)| {
                (Just(id.clone()), Just(name.clone()), Just(servings.clone()),
                 food_answer(id, name, servings))
            })
    ) {
        let servings: Vec<Serving> = servings.into_iter().map(|(serving, _)| serving).collect();
        let food = parse_food(&answer).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&food.food_id, &id);
        prop_assert_eq!(&food.food_name, &name);
        prop_assert_eq!(&food.servings, &servings);
        // Per 100 g comes from the reference serving; without one, or with numbers per 100 g
        // beyond what a food can hold, there are no facts.
        match (facts(&food), reference_serving(&servings)) {
            (Some(facts), Some(reference)) => prop_assert_eq!(
                facts.catalogue_ref.map(|r| r.serving_id),
                Some(reference.serving_id.clone())
            ),
            (Some(_), None) => prop_assert!(false, "facts without a metric serving"),
            (None, Some(reference)) => {
                let grams = reference.metric.map(|(grams, _)| grams).unwrap_or_default();
                let per_100 = |value: Option<f64>| value.unwrap_or_default() * 100.0 / grams;
                prop_assert!(
                    per_100(reference.calories) > Kcal::MAX
                        || [reference.protein, reference.fat, reference.carbohydrate]
                            .into_iter()
                            .any(|value| per_100(value) > MacroGrams::MAX),
                    "{reference:?}"
                );
            }
            (None, None) => {}
        }
    }

    #[test]
    fn diary_days_read_back_every_entry(
        entries in prop::collection::vec(diary_entry(), 0..4)
            .prop_flat_map(|entries| {
                let expected: Vec<_> = entries.iter().map(|(e, _)| e.clone()).collect();
                (Just(expected), list(entries.into_iter().map(|(_, json)| json).collect()))
            })
    ) {
        let (expected, entry) = entries;
        let answer = match entry {
            Some(entry) => json!({"food_entries": {"food_entry": entry}}),
            None => json!({"food_entries": null}),
        };
        let read = parse_day(&answer, asked()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(read, expected);
    }

    #[test]
    fn form_bodies_read_back_what_was_encoded(
        pairs in prop::collection::vec((any::<String>(), any::<String>()), 0..5)
    ) {
        let body = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        prop_assert_eq!(decode_form(&body), pairs);
    }

    #[test]
    fn any_form_body_is_read_without_a_panic(body in any::<String>()) {
        let _ = decode_form(&body);
    }

    #[test]
    fn scrubbed_text_shows_no_part_of_a_secret(
        before in "[a-z ]{0,400}",
        secret in "[A-Z0-9]{8,40}",
        after in "[a-z ]{0,400}",
    ) {
        let scrubbed = scrub(&format!("{before}{secret}{after}"), &[&secret, ""]);
        prop_assert!(scrubbed.chars().count() <= 300);
        let head: String = secret.chars().take(4).collect();
        prop_assert!(!scrubbed.contains(&head), "{scrubbed}");
    }
}
