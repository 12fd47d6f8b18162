use wellness_domain::model::{Locale, Secret};
use wellness_domain::ports::Assistant;
use wellness_openai::{ConfigError, OpenAiClient, OpenAiConfig};

use crate::{assistant_with, context, start_sim, test_config};

#[tokio::test]
async fn a_trailing_slash_in_the_base_url_is_fine() {
    let sim = start_sim().await;
    let mut config = test_config(&sim);
    config.base_url = format!("{}/", sim.base_url());
    let got = assistant_with(config)
        .interpret("a banana", &context(Locale::En))
        .await;
    assert!(got.is_ok(), "{got:?}");
}

#[tokio::test]
async fn models_are_configurable() {
    let sim = start_sim().await;
    let mut config = test_config(&sim);
    config.chat_model = "gpt-4.1-mini".to_owned();
    assistant_with(config)
        .answer("how am I doing?", &context(Locale::En))
        .await
        .unwrap();
    assert_eq!(sim.requests()[0].model.as_deref(), Some("gpt-4.1-mini"));
}

#[test]
fn bad_settings_are_refused_and_the_key_never_shows() {
    let key = Secret::new("sk-live-secret-value-1234");
    let client =
        OpenAiClient::new(OpenAiConfig::new("https://api.openai.com/v1/", key.clone())).unwrap();
    assert!(!format!("{client:?}").contains("secret-value"));
    assert_eq!(
        OpenAiClient::new(OpenAiConfig::new("api.openai.com", key.clone())).err(),
        Some(ConfigError::InvalidBaseUrl("api.openai.com".to_owned()))
    );
    assert_eq!(
        OpenAiClient::new(OpenAiConfig::new(
            OpenAiConfig::DEFAULT_BASE_URL,
            Secret::new("")
        ))
        .err(),
        Some(ConfigError::InvalidApiKey)
    );
    let mut no_model = OpenAiConfig::new(OpenAiConfig::DEFAULT_BASE_URL, key);
    no_model.transcription_model = " ".to_owned();
    assert_eq!(
        OpenAiClient::new(no_model).err(),
        Some(ConfigError::EmptyModel("transcription"))
    );
}
