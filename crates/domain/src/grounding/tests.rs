use proptest::prelude::*;

use super::*;
use crate::model::{Kcal, Locale, MacroGrams};
use crate::testing::contexts::{athletic_context, busy_context, empty_context};

fn grounded(reply: &str) -> Result<(), Ungrounded> {
    check(reply, "how am I doing?", &athletic_context(Locale::En)).map_err(|f| f.why)
}

fn grounded_uk(reply: &str) -> Result<(), Ungrounded> {
    check(reply, "як справи?", &athletic_context(Locale::Uk)).map_err(|f| f.why)
}

#[test]
fn honest_answers_pass_as_written_and_rounded() {
    for reply in [
        "Today you've eaten 1250 kcal: 750 kcal left of your 2000 kcal goal.",
        "You've had about 1,250 calories, roughly 1,300 if we round up. That's 63% of your goal.",
        "Protein: 85.5 g, fat 40 g, carbs 150 g.",
        "Protein so far is about 86 g.",
        "Last night you slept 7 h 36 min, sleep performance 98%.",
        "You slept 7 hours and 36 minutes last night, about 7.5 hours, a bit over 7 hours.",
        "You slept seven and a half hours last night.",
        "Recovery today: 64% · HRV 45 ms · resting HR 55.",
        "Your recovery is 64 percent, HRV 45.2 ms and resting heart rate 55 bpm.",
        "Today's strain is 11.4 and you've burned about 2,150 kcal.",
        "On Monday you ran 6.3 km in 45 minutes (strain 9.2, average heart rate 148 bpm).",
        "You fell asleep at 01:00 and woke up at 9 am.",
        "3 entries today. Tomorrow aim for your 2000 kcal goal again.",
        "One more thing: nothing else was logged.",
        "Great job! Keep it up.",
        "1. Calories: 1250 kcal\n2. Protein: 85.5 g\n3. Recovery: 64%",
        "On 14 May you ate 1250 kcal.",
    ] {
        assert_eq!(grounded(reply), Ok(()), "{reply}");
    }
}

#[test]
fn honest_ukrainian_answers_pass_as_written_and_rounded() {
    for reply in [
        "Сьогодні з'їдено 1 250 ккал, до цілі 2000 ккал лишилось 750 ккал.",
        "Білки: 85,5 г. Жири: 40 г. Вуглеводи: 150 г.",
        "Минулої ночі ви спали 7 год 36 хв, ефективність сну 98 %.",
        "Ви спали близько семи з половиною годин.",
        "Відновлення сьогодні: 64% · HRV 45 мс · пульс спокою 55.",
        "Сьогодні о 01:00 ви заснули, а відновлення 64 відсотки.",
        "У понеділок ви пробігли 6,3 км за 45 хвилин.",
        "Сьогодні три записи, разом тисяча двісті п'ятдесят кілокалорій.",
        "14 травня ви з'їли 1250 ккал.",
    ] {
        assert_eq!(grounded_uk(reply), Ok(()), "{reply}");
    }
}

#[test]
fn a_wrong_total_is_caught_in_digits_and_in_words() {
    let figure = |unit| Err(Ungrounded::Figure { unit: Some(unit) });
    assert_eq!(
        grounded("Today you've eaten 1,850 kcal."),
        figure(FigureUnit::Kcal)
    );
    assert_eq!(
        grounded("You have 550 kcal left."),
        figure(FigureUnit::Kcal)
    );
    assert_eq!(grounded("Protein: 120 g."), figure(FigureUnit::Grams));
    assert_eq!(
        grounded("You've eaten two thousand six hundred calories."),
        figure(FigureUnit::Kcal)
    );
    assert_eq!(
        grounded_uk("Сьогодні з'їдено 1 850 ккал."),
        figure(FigureUnit::Kcal)
    );
    assert_eq!(
        grounded_uk("Ви з'їли дві тисячі шістсот калорій."),
        figure(FigureUnit::Kcal)
    );
    assert_eq!(grounded_uk("Білки: 120 г."), figure(FigureUnit::Grams));
}

#[test]
fn a_score_that_is_not_in_the_data_is_caught() {
    assert_eq!(
        grounded("Your recovery today is 71%."),
        Err(Ungrounded::Figure {
            unit: Some(FigureUnit::Percent)
        })
    );
    assert_eq!(
        grounded_uk("Ваше відновлення сьогодні 71 %."),
        Err(Ungrounded::Figure {
            unit: Some(FigureUnit::Percent)
        })
    );
    assert_eq!(
        grounded("Your strain is 14.8."),
        Err(Ungrounded::Figure { unit: None })
    );
    assert_eq!(
        grounded("You slept 9 hours."),
        Err(Ungrounded::Figure {
            unit: Some(FigureUnit::Hours)
        })
    );
    // No WHOOP data at all: any score is invented.
    assert!(check("Recovery: 64%.", "", &empty_context(Locale::En)).is_err());
}

#[test]
fn a_right_number_with_the_wrong_unit_is_caught() {
    assert_eq!(
        grounded("Your recovery is 64 bpm."),
        Err(Ungrounded::Figure {
            unit: Some(FigureUnit::Bpm)
        })
    );
    assert_eq!(
        grounded("You've eaten 1250 g today."),
        Err(Ungrounded::Figure {
            unit: Some(FigureUnit::Grams)
        })
    );
    assert_eq!(
        grounded_uk("Ви спали 98 хвилин."),
        Err(Ungrounded::Figure {
            unit: Some(FigureUnit::Minutes)
        })
    );
    assert_eq!(
        grounded_uk("Білки: 85,5 ккал."),
        Err(Ungrounded::Figure {
            unit: Some(FigureUnit::Kcal)
        })
    );
}

#[test]
fn a_right_number_for_the_wrong_day_is_caught() {
    // Monday has data (a run), but not this total nor this recovery.
    let other_day = |unit| Err(Ungrounded::OtherDay { unit: Some(unit) });
    assert_eq!(
        grounded("On Monday you ate 1250 kcal."),
        other_day(FigureUnit::Kcal)
    );
    assert_eq!(
        grounded("On Monday your recovery was 64%."),
        other_day(FigureUnit::Percent)
    );
    assert_eq!(
        grounded_uk("У понеділок ви з'їли 1250 ккал."),
        other_day(FigureUnit::Kcal)
    );
    assert_eq!(
        grounded_uk("У понеділок відновлення було 64 %."),
        other_day(FigureUnit::Percent)
    );
    // Today's run of Monday.
    assert_eq!(grounded("Today you ran 6.3 km."), other_day(FigureUnit::Km));
    // Yesterday has no data at all in this context.
    assert_eq!(
        grounded("Yesterday you ate 1250 kcal."),
        Err(Ungrounded::Day)
    );
    assert_eq!(
        grounded_uk("Вчора ви з'їли 1250 ккал."),
        Err(Ungrounded::Day)
    );
    // A day with no data at all.
    assert_eq!(grounded("On Tuesday you slept well."), Err(Ungrounded::Day));
    assert_eq!(
        grounded_uk("Позавчора ви добре спали."),
        Err(Ungrounded::Day)
    );
    assert_eq!(grounded("On 2 May you ate well."), Err(Ungrounded::Day));
    assert_eq!(
        grounded_uk("10 травня ви добре поїли."),
        Err(Ungrounded::Day)
    );
}

#[test]
fn times_of_day_must_be_in_the_data() {
    assert_eq!(
        grounded("You went to bed at 23:30."),
        Err(Ungrounded::Clock)
    );
    assert_eq!(grounded("You woke up at 7 am."), Err(Ungrounded::Clock));
    assert_eq!(grounded("You woke up at 9:05."), Ok(()));
}

#[test]
fn numbers_of_the_question_and_of_names_may_be_repeated() {
    let context = busy_context(Locale::En);
    assert!(
        check(
            "1800 kcal would be below your 2000 kcal goal.",
            "is 1800 kcal enough?",
            &context
        )
        .is_ok()
    );
    assert!(
        check(
            "1800 kcal would be below your 2000 kcal goal.",
            "is it enough?",
            &context
        )
        .is_err()
    );
}

#[test]
fn the_finding_carries_no_figures() {
    let finding = check(
        "You ate 1,850 kcal at 23:30.",
        "",
        &busy_context(Locale::En),
    )
    .unwrap_err();
    assert_eq!(finding.masked, "You ate #,### kcal at ##:##.");
    assert_eq!(finding.why.code(), "figure");
    assert_eq!(
        finding.why.to_string(),
        "a figure (kcal) that is not in the data"
    );
}

/// With yesterday's totals and entries in the context (a question's), a model may state them
/// for yesterday, and the week's average; not another day's figure, nor a made-up average.
#[test]
fn yesterdays_figures_and_the_weeks_average_pass_once_the_context_holds_them() {
    use crate::testing::briefing::{date, entry, totals};
    let mut context = busy_context(Locale::En);
    let mut oats = entry(1, crate::model::Meal::Breakfast, 400.0, 25.0);
    oats.grams = crate::model::Grams::new(60.0).unwrap();
    context.yesterday_entries = vec![oats];
    context.past_days = vec![(date(2026, 5, 13), totals(1, 400.0, 25.0))];
    let check_en =
        |reply: &str| check(reply, "what did I eat yesterday?", &context).map_err(|f| f.why);
    assert_eq!(
        check_en("Yesterday you ate 400 kcal: 60 g of oats."),
        Ok(())
    );
    assert_eq!(check_en("Yesterday you had 25 g of protein."), Ok(()));
    // Today (1250) and yesterday (400) over 2 days: 825 a day.
    assert_eq!(
        check_en("Over the last 7 days you averaged 825 kcal a day on 2 days."),
        Ok(())
    );
    assert!(
        check_en("Yesterday you ate 1250 kcal.").is_err(),
        "today's total"
    );
    assert!(check_en("Over the last 7 days you averaged 1900 kcal a day.").is_err());
}

fn with_totals(kcal: f64, protein: f64) -> crate::ports::AssistantContext {
    let mut context = empty_context(Locale::En);
    context.today_totals.entries = 1;
    context.today_totals.nutrients.kcal = Kcal::new(kcal).unwrap();
    context.today_totals.nutrients.protein = MacroGrams::new(protein).unwrap();
    context
}

proptest! {
    #[test]
    fn a_figure_shown_as_the_bot_rounds_it_always_passes(kcal in 200.0f64..5000.0, protein in 0.0f64..300.0) {
        let context = with_totals(kcal, protein);
        let reply = format!(
            "You've eaten {} kcal, about {} kcal, with {} g of protein ({:.1} g).",
            kcal.round(),
            (kcal / 10.0).round() * 10.0,
            protein.round(),
            protein,
        );
        prop_assert!(check(&reply, "", &context).is_ok(), "{}", reply);
    }

    #[test]
    fn a_total_off_by_more_than_a_rounding_is_caught(kcal in 100.0f64..5000.0, off in 0.08f64..0.9) {
        let context = with_totals(kcal, 0.0);
        let lie = (kcal * (1.0 + off)).round();
        // Not another figure of the context by chance (the goal, what is left).
        prop_assume!((lie - 2000.0).abs() > 100.0 && (lie - (2000.0 - kcal.round()).abs()).abs() > 100.0);
        let reply = format!("You've eaten {lie} kcal today.");
        prop_assert!(check(&reply, "", &context).is_err(), "{}", reply);
    }
}
