//! Photos of barcodes end to end, with no OpenAI key: the real binary polls the Telegram
//! simulator, downloads the photo, reads the barcode and asks the Open Food Facts simulator.

#[path = "../../crates/barcode/tests/images.rs"]
pub(crate) mod images;

use image::{GrayImage, ImageFormat};
use rxing::BarcodeFormat;
use wellness_e2e::{count, free_port};
use wellness_postgres::test_support::TestDatabase;
use wellness_sim::openfoodfacts::{OpenFoodFactsSim, OpenFoodFactsSimConfig, SimProduct};
use wellness_sim::telegram::{SimUser, TelegramSim};

use crate::chat::{self, reply, say};

const OATS: &str = "4823063112628";
const YOGURT: &str = "5901234123457";
const NO_CALORIES: &str = "96385074";
const UNKNOWN: &str = "4006381333931";
const IN_STORE: &str = "2001234000000";

/// `user` sends a photo (one size) with `caption`; the bot's next reply.
async fn send_photo(
    tg: &TelegramSim,
    user: &SimUser,
    image: Vec<u8>,
    caption: Option<&str>,
) -> String {
    let nth = tg.sent_to(user.id).len();
    tg.send_photo(user, vec![image], caption);
    reply(tg, user, nth).await
}

pub(crate) fn photo_of(code: &str, format: BarcodeFormat) -> Vec<u8> {
    let bars = images::barcode(code, format, 4, 200);
    images::encoded(&images::photo(&bars, 1280, 960), ImageFormat::Jpeg)
}

#[tokio::test]
async fn a_photo_of_a_barcode_logs_the_product_and_bad_photos_log_nothing() {
    let tg = chat::telegram().await;
    let off = OpenFoodFactsSim::start(OpenFoodFactsSimConfig::default())
        .await
        .unwrap();
    off.add_product(
        SimProduct::new(OATS, "Oat flakes")
            .name_uk("Вівсяні пластівці")
            .per_100g(366.0, 12.0, 6.5, 60.0)
            .serving_grams(40.0),
    );
    off.add_product(SimProduct::new(YOGURT, "Greek yogurt").per_100g(66.0, 8.0, 2.0, 3.6));
    off.add_product(SimProduct::new(NO_CALORIES, "Mystery bar").without_nutriments());
    let db = TestDatabase::migrated().await.unwrap();
    let mut env = chat::polling_env(&tg, &db);
    env.push(("OPENFOODFACTS_API_URL", off.base_url()));
    let _server = chat::serve(free_port(), &env).await;

    // The caption's grams, the product named in the user's language.
    let olena = SimUser::new(7301, "Олена").with_language("uk");
    let r = send_photo(&tg, &olena, images::photo_of_ean13(OATS), Some("200 г")).await;
    assert!(
        r.contains(&format!("Вівсяні пластівці (штрихкод {OATS})")),
        "{r}"
    );
    assert!(r.contains("200 г: 732 ккал"), "{r}");
    assert!(r.contains("Open Food Facts"), "{r}");
    println!("--- reply (uk) ---\n{r}");

    // No caption: the package's serving.
    let john = SimUser::new(7302, "John").with_language("en");
    let r = send_photo(&tg, &john, photo_of(OATS, BarcodeFormat::EAN_13), None).await;
    assert!(r.contains("Oat flakes — 40 g: 146 kcal"), "{r}");

    // No serving either: the grams are asked first, nothing is logged until a number answers.
    let r = send_photo(&tg, &john, photo_of(YOGURT, BarcodeFormat::EAN_13), None).await;
    assert!(r.contains("Greek yogurt (barcode 5901234123457)"), "{r}");
    assert!(r.contains("How many grams of Greek yogurt?"), "{r}");
    assert!(!r.contains("Logged"), "{r}");
    println!("--- reply (en) ---\n{r}");
    let today = say(&tg, &john, "/today").await;
    assert!(today.contains("(1 entry)"), "only the oats so far: {today}");
    // /today took the question's turn: the photo again, and this time the answer.
    send_photo(&tg, &john, photo_of(YOGURT, BarcodeFormat::EAN_13), None).await;
    let r = say(&tg, &john, "150").await;
    assert!(r.contains("Greek yogurt — 150 g: 99 kcal"), "{r}");

    let logged = "SELECT count(*) AS n FROM food_entries WHERE source = 'barcode' \
                  AND nutrition_source = 'open_food_facts' AND status = 'active'";
    assert_eq!(count(&db, logged).await, 3);

    // Every bad photo gets its reply and logs nothing.
    let ann = SimUser::new(7303, "Ann").with_language("en");
    let plain = images::noisy(&images::photo(&GrayImage::new(1, 1), 800, 600), 20, 5);
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            images::encoded(&plain, ImageFormat::Jpeg),
            "I couldn't find a barcode in this photo",
        ),
        (
            b"\xff\xd8 not really a JPEG".to_vec(),
            "I couldn't open this image",
        ),
        (
            photo_of(IN_STORE, BarcodeFormat::EAN_13),
            "is a shop's own code",
        ),
        (
            photo_of(UNKNOWN, BarcodeFormat::EAN_13),
            "I don't know the product with barcode 4006381333931",
        ),
        (
            photo_of(NO_CALORIES, BarcodeFormat::EAN_8),
            "Mystery bar (barcode 96385074) has no calories",
        ),
        (
            vec![0xff; 20 * 1024 * 1024 + 1],
            "This photo is too large: I can download files of up to 20 MB",
        ),
    ];
    for (image, expected) in cases {
        let r = send_photo(&tg, &ann, image, None).await;
        assert!(r.contains(expected), "{expected:?} in {r}");
    }
    let uk = send_photo(&tg, &olena, photo_of(UNKNOWN, BarcodeFormat::EAN_13), None).await;
    assert!(
        uk.contains("Не знаю товару зі штрихкодом 4006381333931"),
        "{uk}"
    );
    assert_eq!(count(&db, "SELECT count(*) AS n FROM food_entries WHERE user_id = (SELECT id FROM users WHERE telegram_id = 7303)").await, 0);
    // Every request named the app.
    assert!(off.requests().iter().all(|r| {
        r.user_agent
            .as_deref()
            .is_some_and(|ua| ua.starts_with("wellness/"))
    }));
}
