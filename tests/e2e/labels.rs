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
            "is_nutrition_label": true, "product_name": "Granola", "basis": "per_100g",
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
