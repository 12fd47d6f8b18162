//! The OpenAI adapter against the OpenAI simulator, over real HTTP.

// Test helpers outside #[test] functions: a panic is a test failure, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod assistant;
mod client;
mod failures;
mod labels;
mod transcriber;

use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use wellness_domain::model::{
    CalorieGoal, ConversationMessage, DayTotals, EntrySource, EntryStatus, FoodEntry, FoodEntryId,
    Grams, IdempotencyKey, Kcal, LocalDate, Locale, MacroGrams, Meal, Nutrients, NutritionSource,
    Role, Secret, UserId, WearableSnapshot,
};
use wellness_domain::ports::AssistantContext;
use wellness_domain::retry::{Backoff, Jitter};
use wellness_openai::{
    OpenAiAssistant, OpenAiClient, OpenAiConfig, OpenAiTranscriber, RetryPolicy,
};
use wellness_sim::openai::{OpenAiSim, OpenAiSimConfig};

/// Fast retries and short timeouts: the whole suite stays within seconds.
pub fn test_config(sim: &OpenAiSim) -> OpenAiConfig {
    let mut config = OpenAiConfig::new(sim.base_url(), Secret::new(sim.api_key()));
    config.chat_timeout = Duration::from_secs(3);
    config.transcription_timeout = Duration::from_secs(3);
    config.connect_timeout = Duration::from_secs(1);
    config.retry = RetryPolicy {
        max_attempts: 3,
        backoff: Backoff::new(Duration::from_millis(10), Duration::from_millis(40))
            .with_jitter(Jitter::Down(25)),
        max_retry_after: Duration::from_secs(2),
    };
    config
}

pub async fn start_sim() -> OpenAiSim {
    OpenAiSim::start(OpenAiSimConfig::default()).await.unwrap()
}

pub fn assistant_with(config: OpenAiConfig) -> OpenAiAssistant {
    OpenAiAssistant::new(OpenAiClient::new(config).unwrap())
}

pub fn transcriber_with(config: OpenAiConfig) -> OpenAiTranscriber {
    OpenAiTranscriber::new(OpenAiClient::new(config).unwrap())
}

pub async fn assistant() -> (OpenAiSim, OpenAiAssistant) {
    let sim = start_sim().await;
    let assistant = assistant_with(test_config(&sim));
    (sim, assistant)
}

pub async fn transcriber() -> (OpenAiSim, OpenAiTranscriber) {
    let sim = start_sim().await;
    let transcriber = transcriber_with(test_config(&sim));
    (sim, transcriber)
}

fn user() -> UserId {
    UserId::new(1).unwrap()
}

fn local_now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, 10)
        .unwrap()
        .and_hms_opt(13, 5, 0)
        .unwrap()
}

/// 200 g of buckwheat at lunch (686 kcal).
pub fn buckwheat_entry() -> FoodEntry {
    let nutrients = Nutrients {
        kcal: Kcal::new(686.0).unwrap(),
        protein: MacroGrams::new(26.6).unwrap(),
        fat: MacroGrams::new(6.8).unwrap(),
        carbs: MacroGrams::new(143.2).unwrap(),
    };
    FoodEntry {
        id: FoodEntryId::new(7).unwrap(),
        user_id: user(),
        name: "гречка".to_owned(),
        grams: Grams::new(200.0).unwrap(),
        nutrients,
        meal: Meal::Lunch,
        source: EntrySource::Text,
        nutrition_source: NutritionSource::OfflineCatalogue,
        local_date: LocalDate::from_calendar(local_now().date()),
        logged_at: Utc.with_ymd_and_hms(2026, 3, 10, 11, 0, 0).unwrap(),
        status: EntryStatus::Active,
        idempotency_key: IdempotencyKey::new("tg:1:0").unwrap(),
        catalogue_ref: None,
        diary_link: None,
    }
}

/// A user with a goal of 2000 kcal, one entry today and a short conversation.
pub fn context(locale: Locale) -> AssistantContext {
    let entry = buckwheat_entry();
    let said = |role, content: &str| ConversationMessage {
        user_id: user(),
        role,
        content: content.to_owned(),
        intent: None,
        created_at: Utc.with_ymd_and_hms(2026, 3, 10, 10, 59, 0).unwrap(),
    };
    AssistantContext {
        locale,
        local_now: local_now(),
        history: vec![
            said(Role::User, "200 г гречки"),
            said(Role::Assistant, "Записав: гречка, 200 г — 686 ккал."),
        ],
        today_totals: DayTotals {
            entries: 1,
            nutrients: entry.nutrients,
        },
        today_entries: vec![entry],
        calorie_goal: CalorieGoal::new(2000).unwrap(),
        wearable: WearableSnapshot::default(),
        yesterday_entries: Vec::new(),
        past_days: Vec::new(),
    }
}
