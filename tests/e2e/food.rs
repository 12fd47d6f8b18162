//! Food logging end to end: text and voice, with OpenAI (simulated) and with no key at all.

use std::time::Duration;

use serde_json::json;
use wellness_domain::Locale;
use wellness_domain::ports::FoodFacts;
use wellness_e2e::{Server, free_port};
use wellness_offline::OfflineCatalog;
use wellness_postgres::test_support::TestDatabase;
use wellness_sim::openai::{Endpoint, OpenAiSim, OpenAiSimConfig, Scripted};
use wellness_sim::telegram::{SimUser, TelegramSim, silent_voice_note};

use crate::chat::{self, reply, say};

pub(crate) struct FoodBot {
    pub(crate) tg: TelegramSim,
    pub(crate) ai: Option<OpenAiSim>,
    pub(crate) server: Server,
    _db: TestDatabase,
}

pub(crate) async fn food_bot(with_openai: bool) -> FoodBot {
    let tg = chat::telegram().await;
    let ai = if with_openai {
        Some(OpenAiSim::start(OpenAiSimConfig::default()).await.unwrap())
    } else {
        None
    };
    let db = TestDatabase::migrated().await.unwrap();
    let port = free_port();
    let mut env = chat::polling_env(&tg, &db);
    env.push(("WELLNESS__TELEGRAM__GLOBAL_PER_SECOND", "1000".to_owned()));
    if let Some(ai) = &ai {
        env.push(("OPENAI_API_KEY", ai.api_key().to_owned()));
        env.push(("OPENAI_BASE_URL", ai.base_url()));
    }
    let server = chat::serve(port, &env).await;
    FoodBot {
        tg,
        ai,
        server,
        _db: db,
    }
}

pub(crate) fn per_100g(said: &str, lookup: &str) -> wellness_domain::Nutrients {
    OfflineCatalog::new()
        .lookup(said, lookup)
        .unwrap()
        .facts(Locale::En)
        .per_100g
}

/// The catalogue's numbers for an amount of a food: what a reply must show.
fn expected_kcal(said: &str, lookup: &str, grams: f64) -> i64 {
    let catalog = OfflineCatalog::new();
    let food = catalog
        .lookup(said, lookup)
        .unwrap_or_else(|| panic!("{said} is in the catalogue"));
    let facts: FoodFacts = food.facts(Locale::En);
    (facts.per_100g.kcal.get() * grams / 100.0).round() as i64
}

pub(crate) fn portion(said: &str, lookup: &str, unit: Option<&str>) -> f64 {
    let catalog = OfflineCatalog::new();
    let facts = catalog.lookup(said, lookup).unwrap().facts(Locale::En);
    match unit {
        None => facts.portions[0].grams.get(),
        Some(u) => facts
            .portions
            .iter()
            .find(|p| p.name == u)
            .unwrap()
            .grams
            .get(),
    }
}

#[tokio::test]
async fn with_no_openai_key_common_foods_are_logged_from_the_catalogue() {
    let bot = food_bot(false).await;
    let olena = SimUser::new(7001, "Олена").with_language("uk");
    let r = say(&bot.tg, &olena, "200 г вареної гречки").await;
    let kcal = expected_kcal("вареної гречки", "buckwheat", 200.0);
    assert!(
        r.contains("гречка, варена — 200 г"),
        "named with its form: {r}"
    );
    assert!(r.contains(&format!("200 г: {kcal} ккал")), "{r}");
    assert!(
        r.contains("вбудований довідник (USDA FoodData Central)"),
        "{r}"
    );

    let milk_g = portion("незбираного молока", "whole milk", Some("cup"));
    let r = say(&bot.tg, &olena, "склянка незбираного молока").await;
    assert!(
        r.contains(&format!(
            "{} ккал",
            expected_kcal("незбираного молока", "whole milk", milk_g)
        )),
        "{r}"
    );

    let john = SimUser::new(7002, "John").with_language("en");
    let banana_g = portion("banana", "banana", None);
    let r = say(&bot.tg, &john, "a banana").await;
    assert!(
        r.contains(&format!(
            "{} kcal",
            expected_kcal("banana", "banana", banana_g)
        )),
        "{r}"
    );

    // A question about today's protein is answered with the stored number.
    let protein = per_100g("гречки", "buckwheat").protein.get() * 2.0
        + per_100g("незбираного молока", "whole milk").protein.get() * milk_g / 100.0;
    let shown = wellness_domain::MacroGrams::new(protein)
        .unwrap()
        .to_string();
    let r = say(&bot.tg, &olena, "скільки білка сьогодні?").await;
    assert!(
        r.contains(&format!("Білки: {shown} г.")),
        "{r} (expected {shown})"
    );
}

pub(crate) fn two_eggs_and_bread() -> serde_json::Value {
    json!({
        "intent": "log_food",
        "items": [
            {"said": "eggs", "lookup_name": "egg", "grams": null, "portions": 2, "unit": null, "meal": "breakfast"},
            {"said": "bread", "lookup_name": "bread", "grams": null, "portions": 1, "unit": "slice", "meal": "breakfast"}
        ],
        "calorie_goal": null,
        "reply": null
    })
}

#[tokio::test]
async fn two_eggs_and_a_slice_of_bread_by_text_then_by_voice_then_undo() {
    let bot = food_bot(true).await;
    let ai = bot.ai.as_ref().unwrap();
    let user = SimUser::new(7101, "Ann").with_language("en");

    ai.queue(
        Endpoint::ChatCompletions,
        [Scripted::json(&two_eggs_and_bread())],
    );
    let r = say(&bot.tg, &user, "2 eggs and a slice of bread for breakfast").await;
    assert!(r.starts_with("Logged 2 items:"), "{r}");
    let egg_g = 2.0 * portion("eggs", "egg", None);
    let bread_g = portion("bread", "bread", Some("slice"));
    let total = ((per_100g("eggs", "egg").kcal.get() * egg_g
        + per_100g("bread", "bread").kcal.get() * bread_g)
        / 100.0)
        .round();
    let eggs_kcal = expected_kcal("eggs", "egg", egg_g);
    assert!(r.contains(&format!("{egg_g} g: {eggs_kcal} kcal")), "{r}");
    assert!(r.contains(&format!("Today: {total} of 2000 kcal")), "{r}");

    // The same by voice: the transcript quotes what was heard.
    let audio = silent_voice_note(3);
    ai.register_transcript(&audio, "2 eggs and a slice of bread for breakfast");
    ai.queue(
        Endpoint::ChatCompletions,
        [Scripted::json(&two_eggs_and_bread())],
    );
    let nth = bot.tg.sent_to(user.id).len();
    bot.tg.send_voice(&user, audio, 3);
    let r = reply(&bot.tg, &user, nth).await;
    assert!(
        r.starts_with("🎙 I heard: “2 eggs and a slice of bread for breakfast”"),
        "{r}"
    );
    assert!(r.contains("Logged 2 items:"), "{r}");
    assert_eq!(ai.request_count(Endpoint::Transcriptions), 1);

    // Undo the voice entries: /today counts only the first two.
    let sent = bot.tg.sent_to(user.id);
    let voice_reply = sent.last().unwrap();
    let undo = voice_reply
        .callback_data()
        .into_iter()
        .find(|d| d.starts_with("undo:"))
        .unwrap();
    let nth = sent.len();
    bot.tg
        .press_button(&user, voice_reply.message_id, &undo)
        .unwrap();
    let r = reply(&bot.tg, &user, nth).await;
    assert!(r.starts_with("Undone: egg, whole; white bread."), "{r}");
    let today = say(&bot.tg, &user, "/today").await;
    assert!(today.contains("(2 entries)"), "{today}");
}

#[tokio::test]
async fn each_openai_failure_gets_a_clear_reply_and_loses_nothing() {
    let bot = food_bot(true).await;
    let ai = bot.ai.as_ref().unwrap();
    let user = SimUser::new(7201, "Max").with_language("en");
    let failures = [
        Scripted::refusal("I can't help with that"),
        Scripted::MalformedJson,
        Scripted::InsufficientQuota,
    ];
    for failure in failures {
        ai.queue(Endpoint::ChatCompletions, [failure.clone()]);
        let r = say(&bot.tg, &user, "a banana").await;
        assert!(r.contains("Logged:"), "{failure:?}: {r}");
        assert!(
            r.ends_with("(The AI assistant is unavailable: I used the built-in food list.)"),
            "{failure:?}: {r}"
        );
    }
    // 500s until retries run out, for a message the built-in rules cannot read either.
    ai.queue_times(Endpoint::ChatCompletions, Scripted::ServerError, 3);
    let r = say(&bot.tg, &user, "hello there").await;
    assert_eq!(
        r,
        "I can't reach the AI assistant right now. Your message is saved; try again in a minute."
    );
    let today = say(&bot.tg, &user, "/today").await;
    assert!(today.contains("(3 entries)"), "{today}");
}

#[tokio::test]
async fn export_sends_all_data_and_delete_after_confirmation_leaves_nothing() {
    let bot = food_bot(false).await;
    let user = SimUser::new(7301, "Gdpr").with_language("en");
    say(&bot.tg, &user, "a banana").await;
    say(&bot.tg, &user, "200g chicken breast").await;

    let before = bot.tg.sent_to(user.id).len();
    bot.tg.send_text(&user, "/export");
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while bot.tg.sent_to(user.id).len() < before + 2 {
        assert!(std::time::Instant::now() < deadline, "no export");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let sent = bot.tg.sent_to(user.id);
    let json = sent[before].file.as_ref().unwrap();
    assert!(json.file_name.as_deref().unwrap().ends_with(".json"));
    let doc: serde_json::Value = serde_json::from_slice(&json.bytes).unwrap();
    assert_eq!(doc["food_entries"].as_array().unwrap().len(), 2);
    assert_eq!(doc["profile"]["telegram_id"], user.id);
    assert!(doc["conversation"].as_array().unwrap().len() >= 4);
    let csv = String::from_utf8(sent[before + 1].file.as_ref().unwrap().bytes.clone()).unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");

    let ask = say(&bot.tg, &user, "/delete").await;
    assert!(
        ask.starts_with("Delete everything I keep about you"),
        "{ask}"
    );
    let sent = bot.tg.sent_to(user.id);
    let question = sent.last().unwrap();
    let nth = sent.len();
    bot.tg
        .press_button(&user, question.message_id, "delete:confirm")
        .unwrap();
    // WHOOP was never connected: nothing is said of it.
    assert_eq!(
        reply(&bot.tg, &user, nth).await,
        "Done: all your data is deleted. Send /start if you ever want to begin again."
    );
    let today = say(&bot.tg, &user, "/today").await;
    assert!(
        today.contains("0 of 2000 kcal") && today.contains("Nothing logged yet."),
        "{today}"
    );
}
