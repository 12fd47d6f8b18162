//! Answers about today from the context only, by template.

use wellness_domain::ports::Assistant;
use wellness_domain::{Locale, Scored};
use wellness_offline::RuleAssistant;

use crate::support::{busy_context, empty_context, ready};

fn answer(question: &str, context: &wellness_domain::ports::AssistantContext) -> String {
    ready(RuleAssistant::new().answer(question, context)).unwrap()
}

#[test]
fn answers_calories_eaten_and_left_with_the_contexts_numbers() {
    let en = answer("how many calories left?", &busy_context(Locale::En));
    assert!(en.contains("1250 kcal"), "{en}");
    assert!(en.contains("750 kcal left of your 2000 kcal goal"), "{en}");
    let uk = answer("скільки калорій залишилось?", &busy_context(Locale::Uk));
    assert!(uk.contains("з'їдено 1250 ккал"), "{uk}");
    assert!(uk.contains("До цілі 2000 ккал залишилось 750 ккал"), "{uk}");
}

#[test]
fn says_how_far_over_the_goal_the_day_is() {
    let mut context = busy_context(Locale::Uk);
    context.calorie_goal = wellness_domain::CalorieGoal::new(1000).unwrap();
    let uk = answer("скільки залишилось до цілі?", &context);
    assert!(uk.contains("перевищено на 250 ккал"), "{uk}");
    context.locale = Locale::En;
    assert!(answer("how much is left?", &context).contains("250 kcal over"));
}

#[test]
fn answers_protein_fat_and_carbs() {
    let en = answer("how much protein today?", &busy_context(Locale::En));
    assert_eq!(en, "Protein: 85.5 g.");
    let uk = answer("скільки білка сьогодні?", &busy_context(Locale::Uk));
    assert_eq!(uk, "Білки: 85.5 г.");
    let fat = answer("скільки жирів?", &busy_context(Locale::Uk));
    assert_eq!(fat, "Жири: 40 г.");
    let carbs = answer("and carbs?", &busy_context(Locale::En));
    assert_eq!(carbs, "Carbs: 150 g.");
    let macros = answer("my macros today?", &busy_context(Locale::En));
    assert_eq!(macros, "Protein: 85.5 g.\nFat: 40 g.\nCarbs: 150 g.");
}

#[test]
fn counts_entries_with_ukrainian_plurals() {
    let mut context = busy_context(Locale::Uk);
    for (count, expected) in [
        (1, "Сьогодні 1 запис."),
        (3, "Сьогодні 3 записи."),
        (5, "Сьогодні 5 записів."),
        (11, "Сьогодні 11 записів."),
        (21, "Сьогодні 21 запис."),
        (0, "Сьогодні ще немає записів."),
    ] {
        context.today_totals.entries = count;
        assert_eq!(answer("скільки записів сьогодні?", &context), expected);
    }
    context.locale = Locale::En;
    context.today_totals.entries = 1;
    assert_eq!(
        answer("how many entries today?", &context),
        "1 entry today."
    );
    context.today_totals.entries = 4;
    assert_eq!(
        answer("how many entries today?", &context),
        "4 entries today."
    );
}

#[test]
fn answers_last_nights_sleep_and_todays_recovery() {
    let en = answer("how did I sleep?", &busy_context(Locale::En));
    assert_eq!(
        en,
        "Last night you slept 7 h 36 min, sleep performance 98%."
    );
    let uk = answer("як я спав?", &busy_context(Locale::Uk));
    assert_eq!(uk, "Сон минулої ночі: 7 год 36 хв, ефективність 98%.");
    let recovery = answer("what's my recovery?", &busy_context(Locale::En));
    assert_eq!(recovery, "Recovery today: 64% · HRV 45 ms · resting HR 55.");
    let uk = answer("яке в мене відновлення?", &busy_context(Locale::Uk));
    assert_eq!(
        uk,
        "Відновлення сьогодні: 64% · HRV 45 мс · пульс спокою 55."
    );
}

#[test]
fn says_so_when_data_is_missing_and_invents_no_number() {
    for (question, locale) in [
        ("how did I sleep?", Locale::En),
        ("як я спав?", Locale::Uk),
        ("what's my recovery?", Locale::En),
        ("яке відновлення?", Locale::Uk),
    ] {
        let text = answer(question, &empty_context(locale));
        assert!(!text.chars().any(|c| c.is_ascii_digit()), "{text}");
        assert!(text.contains("WHOOP"), "{text}");
    }
    let mut context = busy_context(Locale::En);
    if let Some(sleep) = context.wearable.last_sleep.as_mut() {
        sleep.score = Scored::PendingScore;
    }
    assert_eq!(
        answer("how did I sleep?", &context),
        "WHOOP hasn't scored last night's sleep yet."
    );
    let nothing = answer("how many calories today?", &empty_context(Locale::Uk));
    assert_eq!(nothing, "Сьогодні ще нічого не записано: 0 ккал.");
}

#[test]
fn a_day_summary_gives_calories_goal_and_macros() {
    let text = answer("how am I doing today?", &busy_context(Locale::En));
    assert_eq!(
        text,
        "Today you've eaten 1250 kcal.\n750 kcal left of your 2000 kcal goal.\n\
         Protein: 85.5 g.\nFat: 40 g.\nCarbs: 150 g."
    );
}

#[test]
fn anything_else_gets_what_the_assistant_can_answer() {
    let en = answer("what is the capital of France?", &busy_context(Locale::En));
    assert!(en.starts_with("I can answer about today's food"), "{en}");
    let uk = answer("яка погода?", &busy_context(Locale::Uk));
    assert!(
        uk.starts_with("Я можу відповісти про сьогоднішню їжу"),
        "{uk}"
    );
}

/// The rules' answers are what an ungrounded model answer is replaced with: every one of
/// them must pass the same grounding check, for every question and any day's figures.
mod grounded {
    use proptest::prelude::*;
    use wellness_domain::grounding::check;
    use wellness_domain::testing::contexts::athletic_context;
    use wellness_domain::{CalorieGoal, Kcal, Locale, MacroGrams};

    use super::answer;

    const QUESTIONS: [&str; 12] = [
        "how many calories left?",
        "how am I doing today?",
        "macros?",
        "how many entries?",
        "how did I sleep?",
        "what's my recovery?",
        "скільки калорій залишилось?",
        "як справи сьогодні?",
        "бжв",
        "скільки записів?",
        "як я спав?",
        "яке відновлення?",
    ];

    proptest! {
        #[test]
        fn every_rules_answer_passes_the_grounding_check(
            question in 0..QUESTIONS.len(),
            uk in any::<bool>(),
            kcal in 0.0f64..6000.0,
            protein in 0.0f64..400.0,
            fat in 0.0f64..300.0,
            carbs in 0.0f64..800.0,
            entries in 0u32..40,
            goal in 800i64..6000,
        ) {
            let locale = if uk { Locale::Uk } else { Locale::En };
            let mut context = athletic_context(locale);
            // No entries, no figures: the day's sums come from its entries.
            let share = if entries == 0 { 0.0 } else { 1.0 };
            let (kcal, protein, fat, carbs) = (kcal * share, protein * share, fat * share, carbs * share);
            let totals = &mut context.today_totals;
            totals.entries = entries;
            totals.nutrients.kcal = Kcal::new(kcal).unwrap();
            totals.nutrients.protein = MacroGrams::new(protein).unwrap();
            totals.nutrients.fat = MacroGrams::new(fat).unwrap();
            totals.nutrients.carbs = MacroGrams::new(carbs).unwrap();
            context.calorie_goal = CalorieGoal::new(goal).unwrap();
            let question = QUESTIONS[question];
            let reply = answer(question, &context);
            prop_assert!(check(&reply, question, &context).is_ok(), "{} → {}", question, reply);
        }
    }
}

/// The answers about yesterday and the week pass the grounding check too (they replace a
/// model's answer that names a past day), for any figures of those days.
mod grounded_past {
    use proptest::prelude::*;
    use wellness_domain::grounding::check;
    use wellness_domain::testing::briefing::{date, totals};
    use wellness_domain::{Kcal, Locale, MacroGrams};

    use super::{answer, with_past_days};

    const QUESTIONS: [&str; 8] = [
        "what did I eat yesterday?",
        "how much protein yesterday",
        "average calories this week",
        "average fat this week",
        "що я їла вчора?",
        "скільки вуглеводів учора?",
        "середні калорії за тиждень",
        "скільки в середньому білка за тиждень?",
    ];

    proptest! {
        #[test]
        fn every_rules_answer_about_past_days_passes_the_grounding_check(
            question in 0..QUESTIONS.len(),
            uk in any::<bool>(),
            kcal in 1.0f64..6000.0,
            protein in 0.0f64..400.0,
            fat in 0.0f64..300.0,
            monday in 0.0f64..4000.0,
        ) {
            let locale = if uk { Locale::Uk } else { Locale::En };
            let mut context = with_past_days(locale);
            let mut yesterday = totals(2, kcal, protein);
            yesterday.nutrients.fat = MacroGrams::new(fat).unwrap();
            context.past_days = vec![
                (date(2026, 5, 11), totals(4, monday, protein / 2.0)),
                (date(2026, 5, 13), yesterday),
            ];
            context.yesterday_entries[0].nutrients.kcal = Kcal::new(kcal / 3.0).unwrap();
            let question = QUESTIONS[question];
            let reply = answer(question, &context);
            prop_assert!(check(&reply, question, &context).is_ok(), "{} → {}", question, reply);
        }
    }
}

/// `busy_context` (Thursday 14 May, 1250 kcal today) with yesterday's two foods (900 kcal,
/// 60 g protein) and Monday the 11th (1500 kcal, 100 g protein); nothing on the other days.
fn with_past_days(locale: Locale) -> wellness_domain::ports::AssistantContext {
    use wellness_domain::Meal;
    use wellness_domain::testing::briefing::{date, entry, totals};
    let mut oats = entry(1, Meal::Breakfast, 400.0, 25.0);
    oats.name = "вівсяні пластівці".into();
    oats.grams = wellness_domain::Grams::new(60.0).unwrap();
    let mut chicken = entry(2, Meal::Dinner, 500.0, 35.0);
    chicken.name = "chicken breast".into();
    chicken.grams = wellness_domain::Grams::new(180.0).unwrap();
    let day = |d: u32| date(2026, 5, d);
    wellness_domain::ports::AssistantContext {
        yesterday_entries: vec![oats, chicken],
        past_days: vec![
            (day(11), totals(4, 1500.0, 100.0)),
            (day(13), totals(2, 900.0, 60.0)),
        ],
        ..busy_context(locale)
    }
}

#[test]
fn what_was_eaten_yesterday_names_the_foods_and_the_total() {
    for question in ["what did I eat yesterday?", "calories yesterday"] {
        let en = answer(question, &with_past_days(Locale::En));
        assert_eq!(
            en,
            "Yesterday you ate 900 kcal of your 2000 kcal goal, 2 entries: вівсяні пластівці — 60 \
             g; chicken breast — 180 g.",
            "{question}"
        );
    }
    let uk = answer("що я їла вчора?", &with_past_days(Locale::Uk));
    assert_eq!(
        uk,
        "Учора з'їдено 900 ккал із цілі 2000 ккал, 2 записи: вівсяні пластівці — 60 г; \
         chicken breast — 180 г."
    );
    assert_eq!(
        answer("how much protein yesterday", &with_past_days(Locale::En)),
        "Protein yesterday: 60 g."
    );
    assert_eq!(
        answer("скільки білка вчора?", &with_past_days(Locale::Uk)),
        "Білки вчора: 60 г."
    );
}

#[test]
fn the_weeks_average_counts_only_days_with_entries_and_says_how_many() {
    // Monday 1500, Wednesday 900, today 1250: 3650 over 3 days.
    let en = answer("average calories this week", &with_past_days(Locale::En));
    assert_eq!(
        en,
        "Last 7 days, today included: 1217 kcal a day on average over 3 days with entries \
         (goal 2000 kcal)."
    );
    let uk = answer(
        "скільки в середньому калорій за тиждень?",
        &with_past_days(Locale::Uk),
    );
    assert_eq!(
        uk,
        "За останні 7 днів, включно із сьогоднішнім: у середньому 1217 ккал на день за 3 дні \
         із записами (ціль 2000 ккал)."
    );
    // Protein: 100 + 60 + 85.5 over 3 days.
    let protein = answer(
        "average protein per day this week",
        &with_past_days(Locale::En),
    );
    assert_eq!(
        protein,
        "Last 7 days, today included: 82 g of protein a day on average over 3 days with entries."
    );
}

#[test]
fn past_days_with_nothing_logged_are_said_and_no_number_is_made_up() {
    let en = answer("what did I eat yesterday?", &empty_context(Locale::En));
    assert_eq!(en, "Nothing was logged yesterday.");
    let uk = answer("середні калорії за тиждень", &empty_context(Locale::Uk));
    assert_eq!(uk, "За останні 7 днів нічого не записано.");
    // Only today has entries: its own average over one day.
    let one = answer("average calories this week", &busy_context(Locale::En));
    assert!(
        one.contains("1250 kcal a day on average over 1 day with entries"),
        "{one}"
    );
}

#[test]
fn questions_about_yesterday_and_the_week_are_read_as_questions() {
    use wellness_domain::ports::Intent;
    for text in [
        "what did I eat yesterday?",
        "how much protein yesterday",
        "average calories this week",
        "що я їла вчора?",
        "скільки білка вчора?",
        "середні калорії за тиждень",
    ] {
        let reading = crate::support::interpret(text);
        assert_eq!(reading.intent, Intent::QueryData, "{text}");
    }
}
