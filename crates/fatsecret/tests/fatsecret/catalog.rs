use wellness_domain::model::{Locale, NutritionSource, Secret};
use wellness_domain::ports::{CatalogError, FoodCatalog};
use wellness_fatsecret::{FatSecretClient, FatSecretConfig};
use wellness_sim::fatsecret::{FatSecretSimConfig, Fault, FaultRule, JsonQuirks};

use crate::{OPTIONS, client, closed_port_url, hundred_grams, start_sim, start_with};

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() < 0.01
}

#[tokio::test]
async fn finds_a_food_by_its_english_name_with_per_100_g_numbers_and_portions() {
    let sim = start_sim().await;
    let facts = client(&sim)
        .find("куряча грудка", "chicken breast", Locale::Uk)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(facts.name, "Chicken Breast");
    assert_eq!(facts.source, NutritionSource::Fatsecret);
    assert_eq!(facts.per_100g.kcal.get(), 165.0);
    assert!(close(facts.per_100g.protein.get(), 31.02));
    assert!(close(facts.per_100g.fat.get(), 3.57));
    assert_eq!(facts.per_100g.carbs.get(), 0.0);
    let reference = facts.catalogue_ref.unwrap();
    assert_eq!(reference.food_id, "33691");
    assert_eq!(reference.serving_id, hundred_grams(&sim, "33691"));
    let portions: Vec<_> = facts
        .portions
        .iter()
        .map(|p| (p.name.as_str(), p.grams.get()))
        .collect();
    assert_eq!(portions, [("breast", 172.0), ("oz", 28.35)]);

    // Consumer-level calls: two-legged (no oauth_token), GET, signed with oauth_version 1.0.
    let calls = sim.requests();
    let methods: Vec<_> = calls
        .iter()
        .map(|r| r.api_method.clone().unwrap())
        .collect();
    assert_eq!(methods, ["foods.search", "food.get.v4"]);
    assert!(calls.iter().all(|r| r.http_method == "GET"
        && !r.params.contains_key("oauth_token")
        && r.params["oauth_version"] == "1.0"
        && r.params["format"] == "json"));
    assert_eq!(calls[0].params["search_expression"], "chicken breast");
}

#[tokio::test]
async fn picks_the_exact_name_among_several_matches() {
    let sim = start_sim().await;
    let facts = client(&sim)
        .find("яйця", "eggs", Locale::Uk)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(facts.name, "Egg");
    assert_eq!(facts.portions[0].name, "large");
    assert_eq!(facts.portions[0].grams.get(), 50.0);
    let buckwheat = client(&sim)
        .find("гречка", "buckwheat", Locale::Uk)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(buckwheat.name, "Buckwheat");
    assert_eq!(buckwheat.per_100g.kcal.get(), 92.0);
}

#[tokio::test]
async fn falls_back_to_the_users_words_and_answers_none_when_nothing_matches() {
    let sim = start_sim().await;
    let fatsecret = client(&sim);
    let banana = fatsecret
        .find("banana", "plantain-ish", Locale::En)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(banana.name, "Banana");
    let searched: Vec<_> = sim
        .api_calls("foods.search")
        .into_iter()
        .map(|r| r.params["search_expression"].clone())
        .collect();
    assert_eq!(searched, ["plantain-ish", "banana"]);

    assert_eq!(
        fatsecret.find("ґрунт", "xylophone", Locale::Uk).await,
        Ok(None)
    );
}

#[tokio::test]
async fn foods_without_a_metric_serving_are_skipped() {
    let sim = start_sim().await;
    assert_eq!(
        client(&sim).find("біг мак", "big mac", Locale::Uk).await,
        Ok(None)
    );
    assert_eq!(sim.api_calls("food.get.v4").len(), 1);
}

#[tokio::test]
async fn drinks_in_millilitres_count_as_grams() {
    let sim = start_sim().await;
    let milk = client(&sim)
        .find("молоко", "milk", Locale::Uk)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(milk.name, "Milk");
    assert_eq!(milk.per_100g.kcal.get(), 50.0);
    assert_eq!(milk.portions[0].name, "cup");
    assert_eq!(milk.portions[0].grams.get(), 244.0);
}

#[tokio::test]
async fn single_objects_and_a_food_without_a_100_g_serving_are_understood() {
    let sim = start_with(FatSecretSimConfig::default().with_quirks(JsonQuirks {
        single_objects_everywhere: true,
    }))
    .await;
    // "kefir" matches one food (an object, not a list) with one serving, 1 cup = 243 g.
    let kefir = client(&sim)
        .find("кефір", "kefir", Locale::Uk)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kefir.name, "Kefir");
    // 100 kcal per 243 g.
    assert!(close(kefir.per_100g.kcal.get(), 100.0 / 2.43));
    assert_eq!(kefir.portions.len(), 1);
    assert_eq!(kefir.portions[0].grams.get(), 243.0);
}

#[tokio::test]
async fn failures_make_the_catalogue_unavailable() {
    let sim = start_sim().await;
    sim.inject_fault(FaultRule::next(Fault::HttpStatus { status: 500 }));
    assert!(matches!(
        client(&sim).find("яблуко", "apple", Locale::Uk).await,
        Err(CatalogError::Unavailable(_))
    ));
    sim.inject_fault(
        FaultRule::next(Fault::Error {
            code: 5,
            message: None,
        })
        .for_method("food.get.v4"),
    );
    assert!(matches!(
        client(&sim).find("яблуко", "apple", Locale::Uk).await,
        Err(CatalogError::Unavailable(_))
    ));
    sim.inject_fault(FaultRule::next(Fault::Timeout));
    assert!(matches!(
        client(&sim).find("яблуко", "apple", Locale::Uk).await,
        Err(CatalogError::Unavailable(_))
    ));

    let url = closed_port_url();
    let nowhere = FatSecretClient::new(
        FatSecretConfig::new(&url, &url, "key", Secret::new("secret")).with_options(OPTIONS),
    )
    .unwrap();
    assert!(matches!(
        nowhere.find("яблуко", "apple", Locale::Uk).await,
        Err(CatalogError::Unavailable(_))
    ));
}
