//! The API's JSON: the domain's typed results as the Mini App reads them. Energy in whole
//! kcal, grams and scores to one decimal, `null` where there is no data.

use serde_json::{Value, json};
use wellness_domain::usecases::dashboard::{DayEntries, DaySummary, Profile};
use wellness_domain::{FoodEntry, Nutrients};

fn one_decimal(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn nutrients(n: &Nutrients) -> Value {
    json!({
        "kcal": n.kcal.rounded(),
        "protein_g": one_decimal(n.protein.get()),
        "fat_g": one_decimal(n.fat.get()),
        "carbs_g": one_decimal(n.carbs.get()),
    })
}

/// One day of `/summary`.
pub fn day(d: &DaySummary) -> Value {
    let eaten = d.eaten.as_ref();
    json!({
        "date": d.date.date().to_string(),
        "kcal": eaten.map(|n| n.kcal.rounded()),
        "protein_g": eaten.map(|n| one_decimal(n.protein.get())),
        "fat_g": eaten.map(|n| one_decimal(n.fat.get())),
        "carbs_g": eaten.map(|n| one_decimal(n.carbs.get())),
        "goal_kcal": d.goal.map(|g| g.kcal()),
        "sleep_performance": d.sleep_performance.map(one_decimal),
        "recovery_score": d.recovery.map(one_decimal),
        "strain": d.strain.map(one_decimal),
    })
}

/// One entry.
pub fn entry(e: &FoodEntry) -> Value {
    let mut value = nutrients(&e.nutrients);
    if let Value::Object(fields) = &mut value {
        fields.insert("id".into(), json!(e.id.get()));
        fields.insert("name".into(), json!(e.name));
        fields.insert("grams".into(), json!(one_decimal(e.grams.get())));
        fields.insert("meal".into(), json!(e.meal.code()));
        fields.insert("logged_at".into(), json!(e.logged_at.to_rfc3339()));
        fields.insert("in_fatsecret".into(), json!(e.diary_link.is_some()));
    }
    value
}

/// `/entries` of a day.
pub fn day_entries(d: &DayEntries) -> Value {
    let mut totals = nutrients(&d.totals.nutrients);
    if let Value::Object(fields) = &mut totals {
        fields.insert("entries".into(), json!(d.totals.entries));
    }
    json!({
        "date": d.date.date().to_string(),
        "goal_kcal": d.goal.map(|g| g.kcal()),
        "totals": totals,
        "entries": d.entries.iter().map(entry).collect::<Vec<_>>(),
    })
}

/// `/settings`.
pub fn profile(p: &Profile) -> Value {
    json!({
        "registered": p.registered,
        "goal_kcal": p.goal.kcal(),
        "time_zone": p.time_zone.name(),
        "language": p.locale.code(),
        "briefings_enabled": p.briefings_enabled,
        "morning": p.briefing_times.morning.format("%H:%M").to_string(),
        "evening": p.briefing_times.evening.format("%H:%M").to_string(),
        "today": p.today.date().to_string(),
    })
}
