//! Reading nutrition labels in photos through the OpenAI simulator's vision: the request is a
//! user message with the caption and the photo as a data URL, under the strict label schema;
//! every failure maps to the domain's `AssistantError`.

use std::time::Duration;

use serde_json::json;
use wellness_domain::model::{Locale, PhotoReading};
use wellness_domain::ports::{AssistantError, PhotoReader};
use wellness_openai::{OpenAiClient, OpenAiConfig, OpenAiPhotoReader, PHOTO_SCHEMA_NAME};
use wellness_sim::openai::{Endpoint, Scripted};

use crate::{start_sim, test_config};

/// A tiny JPEG-looking photo (the simulator checks the bytes are an image, not its pixels).
fn photo(seed: u8) -> Vec<u8> {
    vec![0xff, 0xd8, 0xff, 0xe0, seed, 1, 2, 3]
}

async fn reader() -> (wellness_sim::openai::OpenAiSim, OpenAiPhotoReader) {
    let sim = start_sim().await;
    let reader = OpenAiPhotoReader::new(OpenAiClient::new(test_config(&sim)).unwrap());
    (sim, reader)
}

#[tokio::test]
async fn reads_a_label_sent_as_a_data_url_with_the_caption_under_the_strict_schema() {
    let (sim, reader) = reader().await;
    let image = photo(1);
    sim.register_sight(
        &image,
        json!({
            "kind": "nutrition_label", "product_name": "Granola", "basis": "per_100g",
            "serving_grams": 45, "kcal": 452, "protein_g": 9.5, "fat_g": 18, "carbs_g": 61,
            "items": []
        }),
    );
    let PhotoReading::Label(reading) = reader
        .read_photo(&image, Some("40 g".into()), Locale::Uk)
        .await
        .unwrap()
    else {
        panic!("a label");
    };
    assert_eq!(reading.name.as_deref(), Some("Granola"));
    assert_eq!(reading.per_100g.unwrap().kcal.get(), 452.0);
    assert_eq!(reading.per_100g.unwrap().fat.get(), 18.0);
    assert_eq!(reading.serving.unwrap().get(), 45.0);

    let request = &sim.requests_to(Endpoint::ChatCompletions)[0];
    assert_eq!(request.status, Some(200));
    assert_eq!(
        request.model.as_deref(),
        Some(OpenAiConfig::DEFAULT_VISION_MODEL)
    );
    let body = request.body.as_ref().unwrap();
    assert_eq!(
        body["response_format"]["json_schema"]["name"],
        PHOTO_SCHEMA_NAME
    );
    assert_eq!(body["response_format"]["json_schema"]["strict"], true);
    let user = &body["messages"][1];
    assert_eq!(user["role"], "user");
    let text = user["content"][0]["text"].as_str().unwrap();
    assert!(
        text.contains("Caption: 40 g") && text.contains("uk"),
        "{text}"
    );
    let url = user["content"][1]["image_url"]["url"].as_str().unwrap();
    assert!(url.starts_with("data:image/jpeg;base64,"), "{url}");
}

#[tokio::test]
async fn a_photo_nothing_is_seen_in_is_no_label() {
    let (_sim, reader) = reader().await;
    let reading = reader.read_photo(&photo(2), None, Locale::En).await;
    assert_eq!(reading, Ok(PhotoReading::Nothing));
}

#[tokio::test]
async fn a_meal_comes_back_as_foods_with_estimated_grams_and_no_calories() {
    let (sim, reader) = reader().await;
    let image = photo(4);
    sim.register_sight(
        &image,
        json!({
            "kind": "meal", "items": [
                {"name": "гречка", "lookup_name": "buckwheat, cooked", "grams": 180},
                {"name": "куряче філе", "lookup_name": "chicken breast, grilled", "grams": 120}
            ]
        }),
    );
    let reading = reader.read_photo(&image, None, Locale::Uk).await.unwrap();
    let PhotoReading::Meal(items) = reading else {
        panic!("a meal: {reading:?}");
    };
    let seen: Vec<(&str, &str, f64)> = items
        .iter()
        .map(|i| (i.said.as_str(), i.lookup_name.as_str(), i.grams.get()))
        .collect();
    assert_eq!(
        seen,
        [
            ("гречка", "buckwheat, cooked", 180.0),
            ("куряче філе", "chicken breast, grilled", 120.0)
        ]
    );
}

#[tokio::test]
async fn failures_map_to_the_domains_errors() {
    let (sim, reader) = reader().await;
    let read = || reader.read_photo(&[0xff, 0xd8, 0xff, 9], None, Locale::En);
    sim.queue(
        Endpoint::ChatCompletions,
        [Scripted::refusal("I can't help with that.")],
    );
    assert!(matches!(read().await, Err(AssistantError::Refused(_))));
    sim.queue(Endpoint::ChatCompletions, [Scripted::MalformedJson]);
    assert!(matches!(read().await, Err(AssistantError::Malformed(_))));
    sim.queue(Endpoint::ChatCompletions, [Scripted::InsufficientQuota]);
    assert!(matches!(read().await, Err(AssistantError::QuotaExceeded)));
    // 429 on every attempt: given up after the policy's three, as unavailable.
    sim.queue_times(
        Endpoint::ChatCompletions,
        Scripted::rate_limited(Duration::from_millis(10)),
        3,
    );
    assert!(matches!(read().await, Err(AssistantError::Unavailable(_))));
    // One 5xx, then an answer: retried.
    sim.queue(Endpoint::ChatCompletions, [Scripted::ServerError]);
    assert_eq!(read().await, Ok(PhotoReading::Nothing));
    // A hung answer: the chat timeout (3 s in tests) ends each attempt.
    sim.queue_times(
        Endpoint::ChatCompletions,
        Scripted::slow(Duration::from_secs(5)),
        3,
    );
    assert!(matches!(read().await, Err(AssistantError::Unavailable(_))));
}

#[tokio::test]
async fn a_photo_openai_refuses_is_a_refusal_not_an_outage_to_retry() {
    let sim = start_sim().await;
    let mut config = test_config(&sim);
    config.vision_model = "gpt-3.5-turbo".into();
    let reader = OpenAiPhotoReader::new(OpenAiClient::new(config).unwrap());
    let result = reader.read_photo(&photo(3), None, Locale::En).await;
    let Err(AssistantError::Refused(reason)) = result else {
        panic!("{result:?}");
    };
    assert!(
        reason.contains("image_url is only supported by certain models"),
        "{reason}"
    );
    let request = &sim.requests_to(Endpoint::ChatCompletions)[0];
    assert_eq!(request.status, Some(400));
}
