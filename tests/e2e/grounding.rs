//! A model that lies is not believed: answers with a figure, unit or day that is not in the
//! user's data are replaced by the offline rules' answer and counted; honest ones pass as
//! written. Against the OpenAI simulator scripted to lie, in both languages.

use std::time::Duration;

use wellness_e2e::{sample_sum, scrape};
use wellness_sim::openai::{Endpoint, Lie, Scripted};
use wellness_sim::telegram::SimUser;

use crate::chat::say;
use crate::food::{FoodBot, food_bot, per_100g, portion, two_eggs_and_bread};

const LIES: [Lie; 4] = [
    Lie::WrongTotal,
    Lie::InventedScore,
    Lie::WrongUnit,
    Lie::WrongDay,
];

/// Logs two eggs and a slice of bread for `user`; the day's calories, as the bot rounds them.
async fn breakfast(bot: &FoodBot, user: &SimUser) -> i64 {
    let ai = bot.ai.as_ref().unwrap();
    ai.queue(
        Endpoint::ChatCompletions,
        [Scripted::json(&two_eggs_and_bread())],
    );
    say(&bot.tg, user, "2 eggs and a slice of bread for breakfast").await;
    let eggs = per_100g("eggs", "egg").kcal.get() * 2.0 * portion("eggs", "egg", None);
    let bread = per_100g("bread", "bread").kcal.get() * portion("bread", "bread", Some("slice"));
    ((eggs + bread) / 100.0).round() as i64
}

/// The interpretation as the simulator's rules give it, then an answer that lies.
fn lying_answer(lie: Lie) -> [Scripted; 2] {
    [
        Scripted::slow(std::time::Duration::ZERO),
        Scripted::lie(lie),
    ]
}

async fn ungrounded(bot: &FoodBot, text: &str) -> f64 {
    sample_sum(
        &scrape(&bot.server.url).await,
        "wellness_ai_ungrounded_total",
        &[("text", text)],
    )
}

#[tokio::test]
async fn each_lie_of_the_model_is_replaced_by_the_rules_answer_in_both_languages() {
    let bot = food_bot(true).await;
    let ai = bot.ai.as_ref().unwrap();
    let ann = SimUser::new(7301, "Ann").with_language("en");
    let kcal = breakfast(&bot, &ann).await;
    for lie in LIES {
        ai.queue(Endpoint::ChatCompletions, lying_answer(lie));
        let r = say(&bot.tg, &ann, "how many calories have I eaten today?").await;
        assert_eq!(r, format!("Today you've eaten {kcal} kcal."), "{lie:?}");
    }
    let olena = SimUser::new(7302, "Олена").with_language("uk");
    let kcal = breakfast(&bot, &olena).await;
    for lie in LIES {
        ai.queue(Endpoint::ChatCompletions, lying_answer(lie));
        let r = say(&bot.tg, &olena, "скільки калорій я з'їла сьогодні?").await;
        assert_eq!(r, format!("Сьогодні з'їдено {kcal} ккал."), "{lie:?}");
    }
    assert_eq!(ungrounded(&bot, "answer").await, 8.0);
    // What the model wrote is in the log only masked, and only at debug level.
    assert!(
        bot.server
            .wait_for_log("was not grounded in the data", Duration::from_secs(5))
            .await,
        "the withheld answer is logged"
    );
    assert!(
        !bot.server
            .logs()
            .iter()
            .any(|l| l.contains(&format!("{} kcal", kcal + 400))),
        "the invented figure is not logged"
    );
}

#[tokio::test]
async fn an_honest_answer_with_rounded_figures_is_sent_as_written() {
    let bot = food_bot(true).await;
    let ai = bot.ai.as_ref().unwrap();
    let ann = SimUser::new(7311, "Ann").with_language("en");
    let kcal = breakfast(&bot, &ann).await;
    let about = (kcal as f64 / 10.0).round() as i64 * 10;
    let honest = format!(
        "You've had about {about} kcal so far today, so {} kcal are left of your 2,000 kcal goal.",
        2000 - kcal
    );
    ai.queue(
        Endpoint::ChatCompletions,
        [
            Scripted::slow(std::time::Duration::ZERO),
            Scripted::content(honest.clone()),
        ],
    );
    let r = say(&bot.tg, &ann, "how am I doing today?").await;
    assert_eq!(r, honest);
    let olena = SimUser::new(7312, "Олена").with_language("uk");
    let kcal = breakfast(&bot, &olena).await;
    let honest = format!(
        "Сьогодні ви з'їли {kcal} ккал, до цілі 2 000 ккал ще {} ккал.",
        2000 - kcal
    );
    ai.queue(
        Endpoint::ChatCompletions,
        [
            Scripted::slow(std::time::Duration::ZERO),
            Scripted::content(honest.clone()),
        ],
    );
    assert_eq!(
        say(&bot.tg, &olena, "як мої справи сьогодні?").await,
        honest
    );
    assert_eq!(ungrounded(&bot, "answer").await, 0.0);
}

#[tokio::test]
async fn a_free_reply_that_lies_is_replaced_too() {
    let bot = food_bot(true).await;
    let ai = bot.ai.as_ref().unwrap();
    let ann = SimUser::new(7321, "Ann").with_language("en");
    breakfast(&bot, &ann).await;
    // The reading itself lies: a "general" message whose reply states a figure.
    ai.queue(
        Endpoint::ChatCompletions,
        [Scripted::lie(Lie::InventedScore)],
    );
    let r = say(&bot.tg, &ann, "thanks, that's all").await;
    assert!(
        r.starts_with("I can answer about today's food"),
        "the rules' answer: {r}"
    );
    assert_eq!(ungrounded(&bot, "reply").await, 1.0);
}
