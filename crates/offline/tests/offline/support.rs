//! Contexts and a tiny executor for the async ports (our futures never wait).

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use chrono::{DateTime, NaiveDate, Utc};
use wellness_domain::ports::{AssistantContext, FoodMention, Interpretation};
use wellness_domain::{
    CalorieGoal, DayTotals, Kcal, Locale, MacroGrams, Nutrients, Percent, RecordTimes,
    RecordedOffset, Recovery, RecoveryScore, Scored, Sleep, SleepScore, UserId, WearableSnapshot,
};
use wellness_offline::RuleAssistant;

/// Runs a future that completes without waiting.
pub fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("an offline port waited"),
    }
}

/// A context with nothing logged and no wearable data.
pub fn empty_context(locale: Locale) -> AssistantContext {
    AssistantContext {
        locale,
        local_now: NaiveDate::from_ymd_opt(2026, 5, 14)
            .unwrap()
            .and_hms_opt(13, 0, 0)
            .unwrap(),
        history: Vec::new(),
        today_entries: Vec::new(),
        today_totals: DayTotals::default(),
        calorie_goal: CalorieGoal::new(2000).unwrap(),
        wearable: WearableSnapshot::default(),
    }
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// A day with three entries (1250 kcal, 85.5 g protein, 40 g fat, 150 g carbs), a scored
/// sleep of 7 h 36 min at 98 % and a recovery of 64 %.
pub fn busy_context(locale: Locale) -> AssistantContext {
    let user = UserId::new(1).unwrap();
    let times = RecordTimes {
        start: at("2026-05-13T22:00:00Z"),
        end: Some(at("2026-05-14T06:00:00Z")),
        timezone_offset: RecordedOffset::parse("+03:00").unwrap(),
        updated_at: at("2026-05-14T06:30:00Z"),
    };
    let sleep = Sleep {
        whoop_id: "sleep-1".into(),
        cycle_id: 7,
        user_id: user,
        times,
        nap: false,
        score: Scored::Scored(SleepScore {
            in_bed_milli: 30_272_735,
            awake_milli: 1_403_507,
            light_milli: 14_905_851,
            slow_wave_milli: 6_630_370,
            rem_milli: 5_879_573,
            cycle_count: 3,
            disturbance_count: 12,
            performance: Some(Percent::new(98.0).unwrap()),
            efficiency: None,
            consistency: None,
            respiratory_rate: Some(16.1),
        }),
    };
    let recovery = Recovery {
        cycle_id: 7,
        sleep_id: "sleep-1".into(),
        user_id: user,
        created_at: at("2026-05-14T06:30:00Z"),
        updated_at: at("2026-05-14T06:30:00Z"),
        score: Scored::Scored(RecoveryScore {
            recovery: Percent::new(64.0).unwrap(),
            resting_heart_rate: 55.0,
            hrv_rmssd_milli: 45.2,
            spo2: None,
            skin_temp_celsius: None,
            user_calibrating: false,
        }),
    };
    AssistantContext {
        today_totals: DayTotals {
            entries: 3,
            nutrients: Nutrients {
                kcal: Kcal::new(1250.0).unwrap(),
                protein: MacroGrams::new(85.5).unwrap(),
                fat: MacroGrams::new(40.0).unwrap(),
                carbs: MacroGrams::new(150.0).unwrap(),
            },
        },
        wearable: WearableSnapshot {
            last_sleep: Some(sleep),
            latest_recovery: Some(recovery),
            ..WearableSnapshot::default()
        },
        ..empty_context(locale)
    }
}

/// Interprets a message with the rule assistant in an English context.
pub fn interpret(text: &str) -> Interpretation {
    RuleAssistant::new().read_message(text, &empty_context(Locale::En))
}

/// The foods of a message as (lookup name, amount text, meal) for compact assertions.
pub fn foods(text: &str) -> Vec<String> {
    interpret(text).foods.iter().map(describe).collect()
}

/// "egg x2" / "milk x1 cup" / "buckwheat 200 g" (+ " @breakfast").
pub fn describe(food: &FoodMention) -> String {
    use wellness_domain::ports::Amount;
    let amount = match &food.amount {
        Amount::Grams(g) => format!("{g} g"),
        Amount::Portions { count, unit: None } => format!("x{count}"),
        Amount::Portions {
            count,
            unit: Some(unit),
        } => format!("x{count} {}", unit.key()),
        Amount::Unmeasured { count, unit } => format!("x{count} {unit}?"),
    };
    let meal = food.meal.map(|m| format!(" @{m}")).unwrap_or_default();
    format!("{} {amount}{meal}", food.lookup_name)
}
