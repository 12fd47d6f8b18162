//! The adapter against the Open Food Facts simulator over real HTTP: every answer the real
//! service gives, and every way it fails.

// Test helpers outside #[test] functions: a panic is a test failure, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use wellness_domain::model::{Barcode, Locale, NutritionSource};
use wellness_domain::ports::{CatalogError, ProductCatalog};
use wellness_openfoodfacts::{OpenFoodFacts, OpenFoodFactsConfig};
use wellness_sim::openfoodfacts::{
    Fault, FaultRule, OpenFoodFactsSim, OpenFoodFactsSimConfig, SimProduct,
};

const OATS: &str = "4823063112628";

async fn setup(sim_config: OpenFoodFactsSimConfig) -> (OpenFoodFactsSim, OpenFoodFacts) {
    let sim = OpenFoodFactsSim::start(sim_config).await.unwrap();
    sim.add_product(
        SimProduct::new(OATS, "Oat flakes")
            .name_uk("Вівсяні пластівці")
            .per_100g(370.0, 12.0, 6.0, 60.0)
            .serving_grams(40.0),
    );
    let client = OpenFoodFacts::new(OpenFoodFactsConfig {
        base_url: sim.base_url(),
        contact: "ops@example.org".into(),
        timeout: Duration::from_millis(500),
        ..OpenFoodFactsConfig::default()
    })
    .unwrap();
    (sim, client)
}

fn code(digits: &str) -> Barcode {
    Barcode::new(digits).unwrap()
}

#[tokio::test]
async fn a_found_product_has_its_localized_name_nutrients_and_serving() {
    let (sim, off) = setup(OpenFoodFactsSimConfig::default()).await;
    let p = off
        .by_barcode(&code(OATS), Locale::Uk)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.name, "Вівсяні пластівці");
    assert_eq!(p.source, NutritionSource::OpenFoodFacts);
    assert_eq!(p.serving.map(|g| g.get()), Some(40.0));
    let n = p.per_100g.unwrap();
    assert_eq!(
        (n.kcal.get(), n.protein.get(), n.fat.get(), n.carbs.get()),
        (370.0, 12.0, 6.0, 60.0)
    );
    let en = off
        .by_barcode(&code(OATS), Locale::En)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(en.name, "Oat flakes");
    let seen = sim.requests();
    let ua = seen[0].user_agent.clone().unwrap();
    assert!(
        ua.starts_with("wellness/") && ua.ends_with("(ops@example.org)"),
        "{ua}"
    );
}

#[tokio::test]
async fn status_0_is_not_found_and_a_product_without_nutriments_has_no_calories() {
    let (sim, off) = setup(OpenFoodFactsSimConfig::default()).await;
    assert_eq!(
        off.by_barcode(&code("4006381333931"), Locale::En).await,
        Ok(None)
    );
    assert_eq!(sim.requests()[0].status, 404);
    sim.add_product(SimProduct::new("96385074", "Mystery bar").without_nutriments());
    let p = off
        .by_barcode(&code("96385074"), Locale::En)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.name, "Mystery bar");
    assert_eq!(p.per_100g, None);
}

async fn fails_with(fault: Fault) -> CatalogError {
    let (sim, off) = setup(OpenFoodFactsSimConfig::default()).await;
    sim.inject_fault(FaultRule::next(fault));
    let error = off.by_barcode(&code(OATS), Locale::En).await.unwrap_err();
    // The next read works again.
    assert!(
        off.by_barcode(&code(OATS), Locale::En)
            .await
            .unwrap()
            .is_some()
    );
    error
}

#[tokio::test]
async fn rate_limits_server_errors_timeouts_and_garbage_are_unavailable() {
    let e = fails_with(Fault::RateLimited).await;
    assert!(e.to_string().contains("429"), "{e}");
    let e = fails_with(Fault::Status { status: 503 }).await;
    assert!(e.to_string().contains("503"), "{e}");
    let e = fails_with(Fault::Hang { millis: 2_000 }).await;
    assert!(matches!(e, CatalogError::Unavailable(_)), "{e}");
    let e = fails_with(Fault::Garbage).await;
    assert!(e.to_string().contains("malformed"), "{e}");
}

#[tokio::test]
async fn the_simulator_limits_reads_per_ip_and_wants_a_user_agent() {
    let (sim, _) = setup(OpenFoodFactsSimConfig {
        reads_per_minute: 2,
        ..OpenFoodFactsSimConfig::default()
    })
    .await;
    let url = format!("{}/api/v2/product/{OATS}.json", sim.base_url());
    let http = reqwest::Client::new();
    let bare = http.get(&url).send().await.unwrap();
    assert_eq!(bare.status(), 403, "no User-Agent");
    let get = || {
        http.get(&url)
            .header("user-agent", "test/1 (t@example.org)")
            .send()
    };
    assert_eq!(get().await.unwrap().status(), 200);
    let body: serde_json::Value = get().await.unwrap().json().await.unwrap();
    assert_eq!(body["status"], 1);
    assert_eq!(body["status_verbose"], "product found");
    assert_eq!(body["product"]["nutriments"]["energy-kcal_100g"], 370.0);
    assert_eq!(get().await.unwrap().status(), 429);
}

#[tokio::test]
async fn the_client_keeps_within_its_read_limit() {
    let sim = OpenFoodFactsSim::start(OpenFoodFactsSimConfig::default())
        .await
        .unwrap();
    let off = OpenFoodFacts::new(OpenFoodFactsConfig {
        base_url: sim.base_url(),
        reads_per_minute: 2,
        max_wait: Duration::from_millis(100),
        ..OpenFoodFactsConfig::default()
    })
    .unwrap();
    assert_eq!(off.by_barcode(&code(OATS), Locale::En).await, Ok(None));
    assert_eq!(off.by_barcode(&code(OATS), Locale::En).await, Ok(None));
    let refused = off.by_barcode(&code(OATS), Locale::En).await.unwrap_err();
    assert!(refused.to_string().contains("read limit"), "{refused}");
    assert_eq!(sim.requests().len(), 2, "the third read never left");
}
