use serde_json::Value;
use wellness_sim::fatsecret::{FatSecretSimConfig, JsonQuirks};

use crate::{api, api_get, error_code, start_sim, start_with};

fn search(expression: &str) -> [(&'static str, String); 3] {
    [
        ("format", "json".to_owned()),
        ("method", "foods.search".to_owned()),
        ("search_expression", expression.to_owned()),
    ]
}

fn borrowed<'a>(params: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    params.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Every scalar of a JSON value is a string.
fn all_scalars_are_strings(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.values().all(all_scalars_are_strings),
        Value::Array(items) => items.iter().all(all_scalars_are_strings),
        Value::String(_) | Value::Null => true,
        _ => false,
    }
}

#[tokio::test]
async fn search_answers_a_list_a_single_object_or_no_food_key() {
    let sim = start_sim().await;
    let many = api_get(&sim, &borrowed(&search("egg")), None).await;
    let foods = many["foods"]["food"].as_array().unwrap();
    assert!(foods.len() >= 3);
    assert_eq!(foods[0]["food_name"], "Egg");
    assert_eq!(foods[0]["food_type"], "Generic");
    assert_eq!(
        foods[0]["food_description"],
        "Per 100g - Calories: 143kcal | Fat: 9.51g | Carbs: 0.72g | Protein: 12.56g"
    );
    assert_eq!(many["foods"]["max_results"], "20");
    assert_eq!(many["foods"]["page_number"], "0");
    assert_eq!(many["foods"]["total_results"], foods.len().to_string());
    assert!(all_scalars_are_strings(&many));

    let one = api_get(&sim, &borrowed(&search("kefir")), None).await;
    assert!(one["foods"]["food"].is_object(), "{one}");
    assert_eq!(one["foods"]["total_results"], "1");

    let none = api_get(&sim, &borrowed(&search("xylophone")), None).await;
    assert_eq!(none["foods"].get("food"), None);
    assert_eq!(none["foods"]["total_results"], "0");
}

#[tokio::test]
async fn search_pages_and_refuses_more_than_50_results() {
    let sim = start_sim().await;
    let mut params = search("egg").to_vec();
    params.push(("max_results", "2".to_owned()));
    params.push(("page_number", "1".to_owned()));
    let page = api(&sim, &borrowed(&params), None).await;
    let total: usize = page["foods"]["total_results"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(total >= 3);
    assert!(page["foods"]["food"].is_array() || page["foods"]["food"].is_object());
    let mut too_many = search("egg").to_vec();
    too_many.push(("max_results", "51".to_owned()));
    assert_eq!(
        error_code(&api(&sim, &borrowed(&too_many), None).await),
        Some(107)
    );
    assert_eq!(
        error_code(
            &api(
                &sim,
                &[("format", "json"), ("method", "foods.search")],
                None
            )
            .await
        ),
        Some(101)
    );
}

#[tokio::test]
async fn food_get_v4_lists_servings_with_metric_amounts_and_string_numbers() {
    let sim = start_sim().await;
    let params = [
        ("format", "json"),
        ("method", "food.get.v4"),
        ("food_id", "33691"),
    ];
    let answer = api_get(&sim, &params, None).await;
    assert!(all_scalars_are_strings(&answer));
    let food = &answer["food"];
    assert_eq!(food["food_name"], "Chicken Breast");
    let servings = food["servings"]["serving"].as_array().unwrap();
    let hundred = servings
        .iter()
        .find(|s| s["serving_description"] == "100 g")
        .unwrap();
    assert_eq!(hundred["metric_serving_amount"], "100.000");
    assert_eq!(hundred["metric_serving_unit"], "g");
    assert_eq!(hundred["number_of_units"], "100.000");
    assert_eq!(hundred["measurement_description"], "g");
    assert_eq!(hundred["calories"], "165");
    assert_eq!(hundred["protein"], "31.02");
    assert_eq!(hundred["fat"], "3.57");
    assert_eq!(hundred["carbohydrate"], "0.00");
    let breast = &servings[0];
    assert_eq!(breast["serving_description"], "1 breast");
    assert_eq!(breast["metric_serving_amount"], "172.000");
    assert_eq!(breast["calories"], "284");

    assert_eq!(
        error_code(
            &api_get(
                &sim,
                &[
                    ("format", "json"),
                    ("method", "food.get.v4"),
                    ("food_id", "1")
                ],
                None
            )
            .await
        ),
        Some(106)
    );
}

#[tokio::test]
async fn branded_foods_may_have_no_metric_serving_and_one_serving_may_be_an_object() {
    let sim = start_with(FatSecretSimConfig::default().with_quirks(JsonQuirks {
        single_objects_everywhere: true,
    }))
    .await;
    let params = [
        ("format", "json"),
        ("method", "food.get.v4"),
        ("food_id", "90001"),
    ];
    let answer = api_get(&sim, &params, None).await;
    let serving = &answer["food"]["servings"]["serving"];
    assert!(serving.is_object(), "{answer}");
    assert_eq!(answer["food"]["food_type"], "Brand");
    assert_eq!(answer["food"]["brand_name"], "McDonald's");
    assert_eq!(serving.get("metric_serving_amount"), None);
    assert_eq!(serving.get("metric_serving_unit"), None);
    assert_eq!(serving["serving_description"], "1 burger");
}

#[tokio::test]
async fn drinks_have_millilitre_servings() {
    let sim = start_sim().await;
    let params = [
        ("format", "json"),
        ("method", "food.get.v4"),
        ("food_id", "6380"),
    ];
    let answer = api_get(&sim, &params, None).await;
    let servings = answer["food"]["servings"]["serving"].as_array().unwrap();
    assert!(servings.iter().all(|s| s["metric_serving_unit"] == "ml"));
}
