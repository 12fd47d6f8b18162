//! The morning briefing and the evening summary as the user reads them: composed by the domain
//! from known data, rendered by the texts.

use chrono::Duration;
use futures_executor::block_on;

use wellness_domain::model::*;
use wellness_domain::ports::Presenter;
use wellness_domain::ports::{MockFoodLog, MockWearableStore};
use wellness_domain::reply::{Reply, Say};
use wellness_domain::testing::briefing::*;
use wellness_domain::usecases::briefing::*;
use wellness_texts::Texts;

/// What the user reads.
trait Text {
    fn text(&self, locale: Locale) -> String;
}

impl Text for Briefing {
    fn text(&self, locale: Locale) -> String {
        let texts = Texts::load().unwrap();
        texts
            .render(locale, &Reply::one(Say::Briefing(self.clone())))
            .text
    }
}

#[test]
fn the_morning_briefing_reports_sleep_recovery_yesterday_and_a_tip_in_english() {
    let text = compose(&morning_data(Locale::En)).text(Locale::En);
    assert_eq!(
        text,
        "Good morning, Olena! Your briefing for 15 May:\n\
         Sleep: 7 h 36 min asleep, performance 91%.\n\
         Recovery: 64% · HRV 48 ms · resting HR 55.\n\
         Yesterday: 1850 of 2000 kcal — 150 under the goal.\n\
         Tip: keep a steady rhythm today — regular meals, water and some movement."
    );
}

#[test]
fn the_morning_briefing_reads_the_same_numbers_in_ukrainian() {
    let text = compose(&morning_data(Locale::Uk)).text(Locale::Uk);
    assert_eq!(
        text,
        "Доброго ранку, Olena! Зведення на 15 травня:\n\
         Сон: 7 год 36 хв, ефективність 91%.\n\
         Відновлення: 64% · HRV 48 мс · пульс спокою 55.\n\
         Учора: 1850 з 2000 ккал — на 150 менше за ціль.\n\
         Порада: тримай рівний ритм — регулярне харчування, вода й трохи руху."
    );
}

#[test]
fn a_morning_without_data_says_so_instead_of_inventing_numbers() {
    let mut data = morning_data(Locale::En);
    data.wearable = WearableSnapshot::default();
    data.food = DayTotals::default();
    let briefing = morning_of(&data);
    assert_eq!(briefing.sleep, SleepReport::Missing);
    assert_eq!(briefing.recovery, RecoveryReport::Missing);
    assert_eq!(briefing.tip, MorningTip::LogMeals);
    let en = compose(&data).text(Locale::En);
    assert!(en.contains("Sleep: no sleep data from WHOOP yet."), "{en}");
    assert!(
        en.contains("Recovery: no recovery from WHOOP yet today."),
        "{en}"
    );
    assert!(
        en.contains("Yesterday: nothing logged (goal 2000 kcal)."),
        "{en}"
    );
    let uk = compose(&data).text(Locale::Uk);
    assert!(uk.contains("Сон: даних про сон з WHOOP ще немає."), "{uk}");
    assert!(
        uk.contains("Учора: нічого не записано (ціль 2000 ккал)."),
        "{uk}"
    );
}

#[test]
fn unscored_records_are_reported_as_unscored() {
    let mut data = morning_data(Locale::En);
    if let Some(sleep) = data.wearable.last_sleep.as_mut() {
        sleep.score = Scored::PendingScore;
    }
    if let Some(recovery) = data.wearable.latest_recovery.as_mut() {
        recovery.score = Scored::Unscorable;
    }
    let text = compose(&data).text(Locale::En);
    assert!(
        text.contains("Sleep: WHOOP hasn't scored last night's sleep yet."),
        "{text}"
    );
    assert!(
        text.contains("Recovery: WHOOP couldn't score it."),
        "{text}"
    );
}

#[test]
fn the_morning_tip_follows_the_data() {
    // Low recovery comes first.
    let mut data = morning_data(Locale::En);
    data.wearable.latest_recovery = Some(recovery_at(utc(2026, 5, 15, 4, 15), 21.0));
    data.wearable.last_sleep = Some(sleep_ending(utc(2026, 5, 15, 4, 10), 300, 60.0));
    assert!(matches!(
        morning_of(&data).tip,
        MorningTip::LighterDay { .. }
    ));
    assert!(
        compose(&data)
            .text(Locale::En)
            .contains("Tip: recovery is low (21%), so keep today lighter")
    );

    // Then short sleep.
    data.wearable.latest_recovery = Some(recovery_at(utc(2026, 5, 15, 4, 15), 50.0));
    assert_eq!(
        morning_of(&data).tip,
        MorningTip::EarlierBedtime {
            asleep: Duration::minutes(300)
        }
    );
    assert!(
        compose(&data)
            .text(Locale::Uk)
            .contains("Порада: 5 год 00 хв сну — замало")
    );

    // Then little protein yesterday: 40 g is 160 kcal of 1800.
    data.wearable.last_sleep = Some(sleep_ending(utc(2026, 5, 15, 4, 10), 480, 95.0));
    data.food = totals(3, 1800.0, 40.0);
    assert_eq!(
        morning_of(&data).tip,
        MorningTip::ProteinAtBreakfast {
            protein: grams(40.0)
        }
    );
    assert!(
        compose(&data)
            .text(Locale::En)
            .contains("Tip: protein was low yesterday (40 g) — add some at breakfast")
    );

    // A green recovery after a good day.
    data.food = totals(3, 1800.0, 120.0);
    data.wearable.latest_recovery = Some(recovery_at(utc(2026, 5, 15, 4, 15), 80.0));
    assert!(matches!(
        morning_of(&data).tip,
        MorningTip::ReadyForMore { .. }
    ));
}

#[test]
fn the_evening_summary_reports_food_burn_workouts_meals_and_a_tip_in_english() {
    let summary = evening_of(&evening_data(Locale::En));
    assert_eq!(summary.net(), Some(-750));
    let text = compose(&evening_data(Locale::En)).text(Locale::En);
    assert_eq!(
        text,
        "Your day, 15 May: eaten 1850 of 2000 kcal — 150 left.\n\
         WHOOP: burned 2600 kcal · net 750 kcal deficit · day strain 12.4.\n\
         Workouts: running (strain 11.2), yoga (not scored yet).\n\
         Meals: breakfast 450 · lunch 700 · dinner 600 · snacks 100 kcal.\n\
         For tomorrow: keep the same rhythm — you're on track."
    );
}

#[test]
fn the_evening_summary_reads_the_same_numbers_in_ukrainian() {
    let text = compose(&evening_data(Locale::Uk)).text(Locale::Uk);
    assert_eq!(
        text,
        "Підсумок дня, 15 травня: з'їдено 1850 з 2000 ккал — залишилось 150.\n\
         WHOOP: витрачено 2600 ккал · дефіцит 750 ккал · денне навантаження 12.4.\n\
         Тренування: running (навантаження 11.2), yoga (ще не оцінено).\n\
         Прийоми їжі: сніданок 450 · обід 700 · вечеря 600 · перекуси 100 ккал.\n\
         На завтра: тримай той самий ритм — ти на правильному шляху."
    );
}

#[test]
fn an_evening_without_data_says_what_is_missing() {
    let mut data = evening_data(Locale::En);
    data.wearable = WearableSnapshot::default();
    data.food = DayTotals::default();
    data.entries.clear();
    let summary = evening_of(&data);
    assert_eq!(summary.burn, BurnReport::Missing);
    assert_eq!(summary.tip, EveningTip::LogAsYouGo);
    assert_eq!(
        compose(&data).text(Locale::En),
        "Your day, 15 May: nothing logged today (goal 2000 kcal).\n\
         No WHOOP data for today yet: calories burned and strain are unknown.\n\
         For tomorrow: log meals as you go — a short text or a voice note is enough."
    );
    assert_eq!(
        compose(&data).text(Locale::Uk),
        "Підсумок дня, 15 травня: сьогодні нічого не записано (ціль 2000 ккал).\n\
         Даних WHOOP за сьогодні ще немає: витрата калорій і навантаження невідомі.\n\
         На завтра: записуй їжу одразу — достатньо короткого тексту чи голосового."
    );
}

#[test]
fn the_evening_tip_follows_the_day() {
    let mut data = evening_data(Locale::En);
    data.food = totals(5, 2600.0, 120.0);
    assert_eq!(evening_of(&data).tip, EveningTip::OverGoal { over: 600 });
    assert!(
        compose(&data)
            .text(Locale::Uk)
            .contains("На завтра: сьогодні ціль перевищено на 600 ккал")
    );

    data.food = totals(4, 1850.0, 102.0);
    data.wearable.latest_cycle = Some(cycle_from(utc(2026, 5, 15, 4, 10), 14_000.0, 16.3));
    assert_eq!(
        evening_of(&data).tip,
        EveningTip::RecoverAfterStrain { strain: 16.3 }
    );

    data.wearable.latest_cycle = None;
    data.food = totals(2, 900.0, 60.0);
    assert_eq!(evening_of(&data).tip, EveningTip::EatEnough { under: 1100 });

    data.food = totals(4, 1900.0, 30.0);
    assert_eq!(
        evening_of(&data).tip,
        EveningTip::MoreProtein {
            protein: grams(30.0)
        }
    );
}

#[test]
fn every_briefing_fits_in_six_lines() {
    let wearables = [
        WearableSnapshot::default(),
        evening_data(Locale::En).wearable,
    ];
    for locale in [Locale::En, Locale::Uk] {
        for wearable in &wearables {
            for (food, entries) in [
                (DayTotals::default(), Vec::new()),
                (totals(4, 1850.0, 102.0), evening_data(locale).entries),
            ] {
                for kind in [
                    NotificationKind::MorningBriefing,
                    NotificationKind::EveningSummary,
                ] {
                    let data = BriefingData {
                        kind,
                        food,
                        entries: entries.clone(),
                        wearable: wearable.clone(),
                        ..morning_data(locale)
                    };
                    let text = compose(&data).text(locale);
                    assert!(text.lines().count() <= 6, "{text}");
                    assert!(!text.contains("NaN") && !text.contains("{"), "{text}");
                }
            }
        }
    }
}

#[test]
fn compose_briefing_reads_yesterdays_food_in_the_morning_and_todays_in_the_evening() {
    let user = kyiv_user(Locale::En);
    let day = date(2026, 5, 15);
    let now = utc(2026, 5, 15, 5, 0);
    let mut food = MockFoodLog::new();
    food.expect_day_totals()
        .withf(move |_, d| *d == day.previous())
        .times(1)
        .returning(|_, _| Ok(totals(2, 1500.0, 90.0)));
    food.expect_entries_on().never();
    let mut wearables = MockWearableStore::new();
    wearables
        .expect_snapshot()
        .withf(move |_, at| *at == now)
        .returning(|_, _| Ok(WearableSnapshot::default()));
    let briefing = block_on(compose_briefing(
        &user,
        NotificationKind::MorningBriefing,
        day,
        now,
        &food,
        &wearables,
    ))
    .unwrap();
    assert!(
        briefing
            .text(Locale::En)
            .contains("Yesterday: 1500 of 2000 kcal")
    );

    let mut food = MockFoodLog::new();
    food.expect_day_totals()
        .withf(move |_, d| *d == day)
        .times(1)
        .returning(|_, _| Ok(totals(1, 450.0, 25.0)));
    food.expect_entries_on()
        .withf(move |_, d| *d == day)
        .times(1)
        .returning(|_, _| Ok(vec![entry(1, Meal::Breakfast, 450.0, 25.0)]));
    let briefing = block_on(compose_briefing(
        &user,
        NotificationKind::EveningSummary,
        day,
        now,
        &food,
        &wearables,
    ))
    .unwrap();
    assert!(
        briefing
            .text(Locale::En)
            .contains("Meals: breakfast 450 kcal.")
    );
}
