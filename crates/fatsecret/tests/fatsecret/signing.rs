use wellness_domain::model::Locale;
use wellness_domain::ports::{CatalogError, FoodCatalog};
use wellness_sim::fatsecret::FatSecretSimConfig;

use crate::{client, client_with_secret, start_sim, start_with};

#[tokio::test]
async fn every_request_has_a_fresh_nonce_and_a_current_timestamp() {
    let sim = start_sim().await;
    let fatsecret = client(&sim);
    for _ in 0..3 {
        fatsecret.find("", "apple", Locale::En).await.unwrap();
    }
    let requests = sim.requests();
    assert_eq!(requests.len(), 6);
    let mut nonces: Vec<_> = requests
        .iter()
        .map(|r| r.params["oauth_nonce"].clone())
        .collect();
    nonces.sort();
    nonces.dedup();
    assert_eq!(nonces.len(), 6);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for request in &requests {
        let stamp: u64 = request.params["oauth_timestamp"].parse().unwrap();
        assert!(stamp.abs_diff(now) <= 5);
        assert_eq!(request.params["oauth_signature_method"], "HMAC-SHA1");
    }
}

#[tokio::test]
async fn the_simulator_refuses_a_client_that_signs_another_url_or_with_another_secret() {
    let sim = start_with(
        FatSecretSimConfig::default().with_signing_api_root("https://platform.fatsecret.com"),
    )
    .await;
    let result = client(&sim).find("", "apple", Locale::En).await;
    match result {
        Err(CatalogError::Unavailable(message)) => {
            assert!(message.contains("error 8"), "{message}")
        }
        other => panic!("{other:?}"),
    }

    let sim = start_sim().await;
    let result = client_with_secret(&sim, "wrong")
        .find("", "apple", Locale::En)
        .await;
    assert!(matches!(result, Err(CatalogError::Unavailable(ref m)) if m.contains("error 8")));
}
