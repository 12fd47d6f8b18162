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
