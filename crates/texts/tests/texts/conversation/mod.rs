//! Whole conversations, read in the words the user sees.

mod commands;
mod food;
mod labels;

use chrono::{TimeZone, Utc};
use wellness_domain::model::*;

/// Ann (Telegram id 77), who writes in `locale`.
fn user(locale: Locale) -> User {
    User {
        id: UserId::new(1).unwrap(),
        telegram_id: TelegramUserId::new(77).unwrap(),
        first_name: "Ann".into(),
        locale,
        time_zone: UserTimeZone::DEFAULT,
        calorie_goal: CalorieGoal::DEFAULT,
        briefing_times: BriefingTimes::default(),
        briefings_enabled: true,
        created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
    }
}

fn nutrients(kcal: f64, p: f64, f: f64, c: f64) -> Nutrients {
    Nutrients {
        kcal: Kcal::new(kcal).unwrap(),
        protein: MacroGrams::new(p).unwrap(),
        fat: MacroGrams::new(f).unwrap(),
        carbs: MacroGrams::new(c).unwrap(),
    }
}
