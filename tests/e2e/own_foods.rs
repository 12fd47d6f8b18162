//! A user's own foods end to end (issue 16), through the real binary and the Telegram
//! simulator, offline: an ambiguous phrase asks with buttons, the pick is logged and
//! remembered ("як минулого разу"); a typed product is saved, logged by name, listed and
//! deleted.

use wellness_sim::telegram::SimUser;

use crate::chat::{reply, say};
use crate::food::food_bot;

fn last_buttons(bot: &crate::food::FoodBot, user: &SimUser) -> (i64, Vec<String>) {
    let sent = bot.tg.sent_to(user.id);
    let last = sent.last().unwrap();
    (last.message_id, last.callback_data())
}

#[tokio::test]
async fn an_ambiguous_phrase_asks_and_the_pick_is_remembered_in_both_languages() {
    let bot = food_bot(false).await;
    let olena = SimUser::new(7601, "Олена").with_language("uk");
    let r = say(&bot.tg, &olena, "100 г вівсянки").await;
    assert!(
        r.contains("може означати продукти з дуже різною калорійністю"),
        "{r}"
    );
    assert!(
        r.contains("вівсяні пластівці, сухі: 389 ккал на 100 г"),
        "{r}"
    );
    assert!(r.contains("вівсянка, варена: 71 ккал на 100 г"), "{r}");
    assert!(
        !r.contains("Записано"),
        "nothing logged before the pick: {r}"
    );
    let (message_id, buttons) = last_buttons(&bot, &olena);
    let picks: Vec<&String> = buttons.iter().filter(|d| d.starts_with("pick:")).collect();
    assert_eq!(picks.len(), 2, "{buttons:?}");
    let nth = bot.tg.sent_to(olena.id).len();
    bot.tg
        .press_button_labeled(&olena, message_id, "вівсяні пластівці, сухі")
        .unwrap();
    let r = reply(&bot.tg, &olena, nth).await;
    assert!(
        r.contains("вівсяні пластівці, сухі — 100 г: 389 ккал"),
        "{r}"
    );

    // Pressed again: logged once (the same idempotency key).
    let nth = bot.tg.sent_to(olena.id).len();
    bot.tg
        .press_button_labeled(&olena, message_id, "вівсяні пластівці, сухі")
        .unwrap();
    reply(&bot.tg, &olena, nth).await;

    // Next time the same words (in another case) log the remembered food without asking.
    let r = say(&bot.tg, &olena, "50 г вівсянку").await;
    assert!(r.contains("вівсяні пластівці, сухі — 50 г"), "{r}");
    assert!(
        r.contains("Як минулого разу: вівсяні пластівці, сухі."),
        "{r}"
    );
    let today = say(&bot.tg, &olena, "/today").await;
    assert!(today.contains("(2 записи)"), "{today}");

    let john = SimUser::new(7602, "John").with_language("en");
    let r = say(&bot.tg, &john, "200 g rice").await;
    assert!(
        r.contains("can mean foods with very different calories"),
        "{r}"
    );
    let (message_id, _) = last_buttons(&bot, &john);
    let nth = bot.tg.sent_to(john.id).len();
    bot.tg
        .press_button_labeled(&john, message_id, "white rice, cooked")
        .unwrap();
    let r = reply(&bot.tg, &john, nth).await;
    assert!(r.contains("white rice, cooked — 200 g: 260 kcal"), "{r}");
    let r = say(&bot.tg, &john, "150 g rice").await;
    assert!(r.contains("white rice, cooked — 150 g"), "{r}");
    assert!(r.contains("As last time: white rice, cooked."), "{r}");
}

#[tokio::test]
async fn a_typed_product_is_saved_logged_by_name_listed_and_deleted() {
    let bot = food_bot(false).await;
    let olena = SimUser::new(7611, "Олена").with_language("uk");
    let r = say(&bot.tg, &olena, "гранола 450 ккал на 100 г б 10 ж 20 в 60").await;
    assert!(
        r.starts_with("Збережено: гранола — 450 ккал на 100 г (Б 10 · Ж 20 · В 60 г)"),
        "{r}"
    );
    let r = say(&bot.tg, &olena, "50 г гранолу").await;
    assert!(r.contains("гранола — 50 г: 225 ккал"), "{r}");
    assert!(r.contains("твій збережений продукт"), "{r}");
    let r = say(&bot.tg, &olena, "/products").await;
    assert!(r.contains("• гранола: 450 ккал"), "{r}");
    let (message_id, buttons) = last_buttons(&bot, &olena);
    let delete = buttons.iter().find(|d| d.starts_with("pdel:")).unwrap();
    let nth = bot.tg.sent_to(olena.id).len();
    bot.tg.press_button(&olena, message_id, delete).unwrap();
    let r = reply(&bot.tg, &olena, nth).await;
    assert_eq!(r, "Видалено: гранола.");
    let r = say(&bot.tg, &olena, "/products").await;
    assert!(r.starts_with("Збережених продуктів ще немає."), "{r}");

    let john = SimUser::new(7612, "John").with_language("en");
    let r = say(&bot.tg, &john, "Granola 480 kcal per 100g P 11 F 22 C 58").await;
    assert!(r.starts_with("Saved: Granola — 480 kcal per 100 g"), "{r}");
    // History first: the saved product, not the catalogue's granola.
    let r = say(&bot.tg, &john, "60 g granola").await;
    assert!(r.contains("Granola — 60 g: 288 kcal"), "{r}");
    assert!(r.contains("your saved product"), "{r}");
    let r = say(&bot.tg, &john, "/products").await;
    assert!(
        r.contains("• Granola: 480 kcal (P 11 · F 22 · C 58 g)"),
        "{r}"
    );
}

#[tokio::test]
async fn change_grams_teaches_the_usual_portion() {
    let bot = food_bot(false).await;
    let olena = SimUser::new(7621, "Олена").with_language("uk");
    say(&bot.tg, &olena, "банан").await;
    let (message_id, buttons) = last_buttons(&bot, &olena);
    let change = buttons.iter().find(|d| d.starts_with("grams:")).unwrap();
    let nth = bot.tg.sent_to(olena.id).len();
    bot.tg.press_button(&olena, message_id, change).unwrap();
    reply(&bot.tg, &olena, nth).await;
    let r = say(&bot.tg, &olena, "150").await;
    assert!(r.contains("банан — 150 г"), "{r}");
    // Named again without an amount: the usual portion, said so.
    let r = say(&bot.tg, &olena, "банан").await;
    assert!(r.contains("банан — 150 г"), "{r}");
    assert!(r.contains("банан: твоя звична порція, 150 г."), "{r}");
    // An amount said is an amount taken.
    let r = say(&bot.tg, &olena, "100 г банана").await;
    assert!(r.contains("банан — 100 г"), "{r}");
    assert!(!r.contains("звична порція"), "{r}");
}

#[tokio::test]
async fn with_openai_configured_a_typed_product_is_read_by_the_rules() {
    use wellness_sim::openai::Endpoint;
    let bot = food_bot(true).await;
    let ai = bot.ai.as_ref().unwrap();
    let john = SimUser::new(7631, "John").with_language("en");
    let before = ai.request_count(Endpoint::ChatCompletions);
    let r = say(&bot.tg, &john, "granola 450 kcal per 100 g P 10 F 20 C 60").await;
    assert!(r.starts_with("Saved: granola — 450 kcal per 100 g"), "{r}");
    assert_eq!(
        ai.request_count(Endpoint::ChatCompletions),
        before,
        "the pattern is the offline rules', OpenAI is not asked"
    );
}
