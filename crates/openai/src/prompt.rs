//! What the chat model is told: the system prompts, the context as compact JSON, and the
//! recent conversation as chat messages.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use wellness_domain::model::{
    Cycle, FoodEntry, Locale, RecordTimes, Recovery, Role, Scored, Sleep, Workout,
};
use wellness_domain::ports::AssistantContext;

/// The system prompt of `interpret`.
pub(crate) fn interpret_instructions(locale: Locale) -> String {
    format!(
        "You are the food-logging assistant of a Telegram bot. People write to it in Ukrainian \
or English (sometimes both) about what they ate or drank, ask about their day, change their \
daily calorie goal, or just talk. Read the user's last message and fill in the JSON schema.

intent:
- \"log_food\": they ate or drank something. One item per food or drink.
- \"query_data\": a question about their food, calories, macros, goal, sleep, recovery or \
workouts. Leave items empty; the answer is prepared separately.
- \"delete_entry\": they want to remove or undo a logged entry.
- \"set_goal\": they want a new daily calorie goal; calorie_goal is the number of kcal they said.
- \"general\": anything else.

items (log_food only, otherwise []):
- said: the user's own words for the food, exactly as written (e.g. \"гречки\").
- lookup_name: a short English name to look the food up in a nutrition database (e.g. \
\"buckwheat\", \"boiled egg\", \"whole milk\").
- grams: a weight they said, in grams (ml count as grams, kg × 1000); otherwise null.
- portions: a count they said (\"2 eggs\" → 2, \"a banana\" → 1, \"півтора\" → 1.5); otherwise null.
- unit: the portion unit in English when they said one (\"cup\", \"glass\", \"slice\", \"tbsp\"); \
otherwise null.
- meal: breakfast, lunch, dinner or snack only when they said it; otherwise null.
Never guess an amount or a meal they did not say.

reply: for \"general\" only, a short friendly reply in {language} with no numbers about their \
data; otherwise null. calorie_goal: null unless the intent is \"set_goal\".
The context JSON (their local time, today's entries and totals, goal, sleep, recovery and \
workouts) is only there to understand references such as \"the same as yesterday\" or \
\"delete the eggs\"; do not copy its numbers into items.",
        language = language_name(locale)
    )
}

/// The system prompt of `answer`.
pub(crate) fn answer_instructions(locale: Locale) -> String {
    format!(
        "You answer questions of a user of a food and health tracking Telegram bot about their \
day: food, calories, macros, calorie goal, sleep, recovery and workouts.
Rules:
- Use only numbers that appear in the context JSON. Never invent, estimate, convert or \
compute numbers; remaining_kcal is already computed for you.
- If the context does not hold what is asked, say that you do not have that data yet.
- Answer in {language}, in one to three short sentences of plain text, without Markdown.
- Do not give medical advice.",
        language = language_name(locale)
    )
}

fn language_name(locale: Locale) -> &'static str {
    match locale {
        Locale::Uk => "Ukrainian",
        Locale::En => "English",
    }
}

/// The context message: `Context (JSON): {...}`.
pub(crate) fn context_message(context: &AssistantContext) -> Value {
    json!({
        "role": "system",
        "content": format!("Context (JSON): {}", context_json(context)),
    })
}

/// The latest `limit` messages of the conversation, without the message being answered when
/// the history already ends with it.
pub(crate) fn history_messages(
    context: &AssistantContext,
    limit: usize,
    current: &str,
) -> Vec<Value> {
    let mut history: Vec<_> = context.history.iter().collect();
    if history
        .last()
        .is_some_and(|m| m.role == Role::User && m.content.trim() == current.trim())
    {
        history.pop();
    }
    let skip = history.len().saturating_sub(limit);
    history
        .into_iter()
        .skip(skip)
        .map(|m| json!({"role": m.role.code(), "content": m.content}))
        .collect()
}

/// A number with at most `decimals` decimals, whole numbers without a fraction.
fn number(value: f64, decimals: i32) -> Value {
    let factor = 10f64.powi(decimals);
    let rounded = (value * factor).round() / factor;
    if rounded.fract() == 0.0 && rounded.abs() < 1e15 {
        // Whole and far inside i64.
        Value::from(rounded as i64)
    } else {
        Value::from(rounded)
    }
}

/// A record's time on the wearer's clock then.
fn local(times: &RecordTimes, instant: DateTime<Utc>) -> String {
    instant
        .with_timezone(&times.timezone_offset.offset())
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// The whole context as compact JSON, numbers rounded the way the bot shows them.
pub(crate) fn context_json(context: &AssistantContext) -> Value {
    let goal = i64::from(context.calorie_goal.kcal());
    let eaten = context.today_totals.nutrients.kcal.rounded();
    let totals = &context.today_totals.nutrients;
    let mut out = json!({
        "now_local": context.local_now.format("%Y-%m-%dT%H:%M").to_string(),
        "weekday": context.local_now.format("%A").to_string(),
        "language": context.locale.code(),
        "calorie_goal_kcal": goal,
        "today": {
            "entries": context.today_entries.iter().map(entry).collect::<Vec<_>>(),
            "totals": {
                "entries": context.today_totals.entries,
                "kcal": eaten,
                "protein_g": number(totals.protein.get(), 1),
                "fat_g": number(totals.fat.get(), 1),
                "carbs_g": number(totals.carbs.get(), 1),
            },
            "remaining_kcal": goal - eaten,
        },
        "sleep": context.wearable.last_sleep.as_ref().map(sleep),
        "recovery": context.wearable.latest_recovery.as_ref().map(recovery),
        "cycle": context.wearable.latest_cycle.as_ref().map(cycle),
        "workouts": context.wearable.recent_workouts.iter().take(5).map(workout).collect::<Vec<_>>(),
    });
    // A question's context also holds the days before today (only then: other prompts stay
    // as they were).
    if !context.past_days.is_empty() || !context.yesterday_entries.is_empty() {
        out["yesterday_entries"] = json!(
            context
                .yesterday_entries
                .iter()
                .map(entry)
                .collect::<Vec<_>>()
        );
        out["past_days"] = json!(
            context
                .past_days
                .iter()
                .map(|(day, t)| json!({
                    "date": day.date().to_string(),
                    "entries": t.entries,
                    "kcal": t.nutrients.kcal.rounded(),
                    "protein_g": number(t.nutrients.protein.get(), 1),
                    "fat_g": number(t.nutrients.fat.get(), 1),
                    "carbs_g": number(t.nutrients.carbs.get(), 1),
                }))
                .collect::<Vec<_>>()
        );
        out["last_7_days_today_included"] = week_averages(context);
    }
    out
}

/// The daily averages over the last 7 days, today included, of the days with entries (the
/// model is told never to compute: it is given them).
fn week_averages(context: &AssistantContext) -> Value {
    let logged: Vec<wellness_domain::DayTotals> =
        context.week_logged().into_iter().map(|(_, t)| t).collect();
    let days = logged.len();
    if days == 0 {
        return json!({ "days_with_entries": 0 });
    }
    let average =
        |f: fn(&wellness_domain::DayTotals) -> f64| logged.iter().map(f).sum::<f64>() / days as f64;
    json!({
        "days_with_entries": days,
        "average_kcal": number(average(|t| t.nutrients.kcal.get()), 0),
        "average_protein_g": number(average(|t| t.nutrients.protein.get()), 1),
        "average_fat_g": number(average(|t| t.nutrients.fat.get()), 1),
        "average_carbs_g": number(average(|t| t.nutrients.carbs.get()), 1),
    })
}

fn entry(entry: &FoodEntry) -> Value {
    json!({
        "name": entry.name,
        "grams": number(entry.grams.get(), 1),
        "meal": entry.meal.code(),
        "kcal": entry.nutrients.kcal.rounded(),
        "protein_g": number(entry.nutrients.protein.get(), 1),
        "fat_g": number(entry.nutrients.fat.get(), 1),
        "carbs_g": number(entry.nutrients.carbs.get(), 1),
    })
}

/// `{"score_state": ...}` plus the score's fields when scored.
fn scored<T>(score: &Scored<T>, fields: impl FnOnce(&T) -> Value) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("score_state".to_owned(), json!(score.state().code()));
    if let Some(Value::Object(more)) = score.score().map(fields) {
        out.extend(more);
    }
    out
}

fn sleep(sleep: &Sleep) -> Value {
    let mut out = scored(&sleep.score, |s| {
        json!({
            "asleep_minutes": s.asleep().num_minutes(),
            "in_bed_minutes": s.in_bed_milli / 60_000,
            "performance_pct": s.performance.map(|p| p.rounded()),
            "efficiency_pct": s.efficiency.map(|p| p.rounded()),
            "respiratory_rate": s.respiratory_rate.map(|r| number(r, 1)),
            "disturbances": s.disturbance_count,
        })
    });
    out.insert(
        "start_local".to_owned(),
        json!(local(&sleep.times, sleep.times.start)),
    );
    out.insert(
        "end_local".to_owned(),
        json!(sleep.times.end.map(|end| local(&sleep.times, end))),
    );
    out.insert("nap".to_owned(), json!(sleep.nap));
    Value::Object(out)
}

fn recovery(recovery: &Recovery) -> Value {
    Value::Object(scored(&recovery.score, |s| {
        json!({
            "recovery_pct": s.recovery.rounded(),
            "resting_heart_rate": number(s.resting_heart_rate, 0),
            "hrv_ms": number(s.hrv_rmssd_milli, 1),
            "spo2_pct": s.spo2.map(|p| number(p.get(), 1)),
            "skin_temp_celsius": s.skin_temp_celsius.map(|t| number(t, 1)),
        })
    }))
}

fn cycle(cycle: &Cycle) -> Value {
    let mut out = scored(&cycle.score, |s| {
        json!({
            "strain": number(s.strain, 1),
            "average_heart_rate": s.average_heart_rate,
            "max_heart_rate": s.max_heart_rate,
        })
    });
    out.insert(
        "kcal_burned".to_owned(),
        json!(cycle.kcal().map(|k| k.rounded())),
    );
    out.insert(
        "start_local".to_owned(),
        json!(local(&cycle.times, cycle.times.start)),
    );
    out.insert("in_progress".to_owned(), json!(cycle.is_open()));
    Value::Object(out)
}

fn workout(workout: &Workout) -> Value {
    let mut out = scored(&workout.score, |s| {
        json!({
            "strain": number(s.strain, 1),
            "average_heart_rate": s.average_heart_rate,
            "max_heart_rate": s.max_heart_rate,
            "distance_km": s.distance_meter.map(|m| number(m / 1000.0, 1)),
        })
    });
    out.insert("sport".to_owned(), json!(workout.sport_name));
    out.insert(
        "start_local".to_owned(),
        json!(local(&workout.times, workout.times.start)),
    );
    out.insert(
        "duration_minutes".to_owned(),
        json!(workout.times.duration().map(|d| d.num_minutes())),
    );
    out.insert(
        "kcal_burned".to_owned(),
        json!(workout.kcal().map(|k| k.rounded())),
    );
    Value::Object(out)
}
