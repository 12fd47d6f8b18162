//! Photos of nutrition labels end to end (issue 16): the real binary downloads the photo from
//! the Telegram simulator, finds no barcode, and asks the OpenAI simulator's vision to read the
//! label; the reading is shown with buttons and nothing is saved or logged until one is pressed.

use image::{GrayImage, ImageFormat};
use serde_json::json;
use wellness_sim::openai::Endpoint;
use wellness_sim::telegram::SimUser;

use crate::barcode::images;
use crate::chat::{reply, say};
use crate::food::food_bot;

/// A photo with no barcode in it; `seed` makes each one's bytes different.
fn label_photo(seed: u8) -> Vec<u8> {
    let plain = images::noisy(
        &images::photo(&GrayImage::new(1, 1), 800, 600),
        20,
        seed.into(),
    );
    images::encoded(&plain, ImageFormat::Jpeg)
}

#[tokio::test]
async fn a_label_photo_is_read_shown_and_saved_and_logged_only_after_the_button() {
    let bot = food_bot(true).await;
    let ai = bot.ai.as_ref().unwrap();
    let photo = label_photo(1);
    ai.register_sight(
        &photo,
        json!({
            "kind": "nutrition_label", "product_name": "Granola", "basis": "per_100g",
            "serving_grams": 45, "kcal": 452, "protein_g": 9.5, "fat_g": 18, "carbs_g": 61
        }),
    );
    let ann = SimUser::new(7701, "Ann").with_language("en");
    let nth = bot.tg.sent_to(ann.id).len();
    bot.tg.send_photo(&ann, vec![photo.clone()], Some("40 g"));
    let r = reply(&bot.tg, &ann, nth).await;
    println!("--- label read ---\n{r}");
    assert!(
        r.contains("🏷 From the label: Granola — 452 kcal per 100 g (P 9.5 · F 18 · C 61 g)."),
        "{r}"
    );
    assert!(r.contains("To log: 40 g."), "{r}");
    let shown = bot.tg.sent_to(ann.id).last().unwrap().clone();
    assert!(
        shown
            .callback_data()
            .iter()
            .all(|d| d.starts_with("label:")),
        "{:?}",
        shown.callback_data()
    );
    // Nothing logged or saved before the button.
    assert!(
        say(&bot.tg, &ann, "/today")
            .await
            .contains("Nothing logged yet.")
    );
    assert!(
        say(&bot.tg, &ann, "/products")
            .await
            .contains("no saved products")
    );

    // The photo went to the vision model as a data URL, with the caption.
    let asked = &ai.requests_to(Endpoint::ChatCompletions)[0];
    let body = asked.body.as_ref().unwrap();
    let content = &body["messages"][1]["content"];
    assert!(
        content[0]["text"]
            .as_str()
            .unwrap()
            .contains("Caption: 40 g")
    );
    assert!(
        content[1]["image_url"]["url"]
            .as_str()
            .unwrap()
            .starts_with("data:image/jpeg;base64,")
    );

    let nth = bot.tg.sent_to(ann.id).len();
    bot.tg
        .press_button_labeled(&ann, shown.message_id, "✅ Save and log")
        .unwrap();
    let r = reply(&bot.tg, &ann, nth).await;
    println!("--- saved and logged ---\n{r}");
    assert!(r.contains("Saved: Granola — 452 kcal per 100 g"), "{r}");
    assert!(r.contains("Granola — 40 g: 181 kcal"), "{r}");
    // Pressed again: the reading is gone, nothing is logged twice.
    let nth = bot.tg.sent_to(ann.id).len();
    bot.tg
        .press_button_labeled(&ann, shown.message_id, "✅ Save and log")
        .unwrap();
    assert!(reply(&bot.tg, &ann, nth).await.contains("no longer open"));
    assert!(say(&bot.tg, &ann, "/today").await.contains("(1 entry)"));
    // Saved with the label's numbers (logged by name next time, as any saved product).
    let r = say(&bot.tg, &ann, "/products").await;
    assert!(
        r.contains("• Granola: 452 kcal (P 9.5 · F 18 · C 61 g)"),
        "{r}"
    );

    // A photo the model sees no label in.
    let nth = bot.tg.sent_to(ann.id).len();
    bot.tg.send_photo(&ann, vec![label_photo(2)], None);
    let r = reply(&bot.tg, &ann, nth).await;
    assert!(
        r.contains("I found neither a barcode nor a nutrition label in this photo"),
        "{r}"
    );
}

/// A bot with OpenAI (simulated) and meal photos turned on.
async fn meal_bot() -> (
    wellness_sim::telegram::TelegramSim,
    wellness_sim::openai::OpenAiSim,
    wellness_e2e::Server,
    wellness_postgres::test_support::TestDatabase,
) {
    let tg = crate::chat::telegram().await;
    let ai = wellness_sim::openai::OpenAiSim::start(Default::default())
        .await
        .unwrap();
    let db = wellness_postgres::test_support::TestDatabase::migrated()
        .await
        .unwrap();
    let mut env = crate::chat::polling_env(&tg, &db);
    env.push(("OPENAI_API_KEY", ai.api_key().to_owned()));
    env.push(("OPENAI_BASE_URL", ai.base_url()));
    env.push(("WELLNESS__OPENAI__MEAL_PHOTOS", "true".to_owned()));
    let server = crate::chat::serve(wellness_e2e::free_port(), &env).await;
    (tg, ai, server, db)
}

#[tokio::test]
async fn a_meal_photo_is_an_estimate_with_the_catalogues_calories_logged_only_on_log_all() {
    let (tg, ai, _server, _db) = meal_bot().await;
    let photo = label_photo(3);
    ai.register_sight(
        &photo,
        json!({"kind": "meal", "items": [
            {"name": "banana", "lookup_name": "banana", "grams": 120},
            {"name": "apple", "lookup_name": "apple", "grams": 150},
            {"name": "tartar sauce", "lookup_name": "tartar sauce", "grams": 30}
        ]}),
    );
    let kcal = |said: &str, grams: f64| {
        (crate::food::per_100g(said, said).kcal.get() * grams / 100.0).round() as i64
    };
    let (banana, apple) = (kcal("banana", 120.0), kcal("apple", 150.0));
    let ann = SimUser::new(7702, "Ann").with_language("en");
    let nth = tg.sent_to(ann.id).len();
    tg.send_photo(&ann, vec![photo], None);
    let r = reply(&tg, &ann, nth).await;
    println!("--- meal draft ---\n{r}");
    assert!(
        r.starts_with("📷 An estimate from the photo, not a measurement"),
        "{r}"
    );
    assert!(r.contains(&format!("about 120 g: {banana} kcal")), "{r}");
    assert!(r.contains(&format!("about 150 g: {apple} kcal")), "{r}");
    assert!(r.contains("Left out"), "{r}");
    assert!(r.contains("tartar sauce"), "{r}");
    assert!(
        say(&tg, &ann, "/today")
            .await
            .contains("Nothing logged yet.")
    );
    let shown = tg
        .sent_to(ann.id)
        .into_iter()
        .rev()
        .find(|m| m.visible_text().starts_with("📷"))
        .unwrap();
    let nth = tg.sent_to(ann.id).len();
    tg.press_button_labeled(&ann, shown.message_id, "✅ Log all")
        .unwrap();
    let r = reply(&tg, &ann, nth).await;
    println!("--- logged ---\n{r}");
    assert!(r.contains(&format!("120 g: {banana} kcal")), "{r}");
    assert!(say(&tg, &ann, "/today").await.contains("(2 entries)"));
}
