//! A model that lies: answers built from the context JSON of the request, with one figure
//! wrong in a way real models get wrong. Scripted with [`Scripted::Lie`](super::Scripted).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::chat::{ChatRequest, ResponseFormat, context_json};
use super::rules::is_ukrainian;
use super::schema::conform;

/// How the answer lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lie {
    /// Today's calories, 400 kcal more than the context says.
    WrongTotal,
    /// A recovery score that appears nowhere in the context.
    InventedScore,
    /// The recovery score (or, without one, today's calories) with the wrong unit: bpm
    /// (grams).
    WrongUnit,
    /// Today's calories, said to be yesterday's.
    WrongDay,
}

fn at<'a>(context: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(context, |v, key| v.get(key))
}

fn number(context: &Value, path: &[&str]) -> Option<i64> {
    at(context, path)
        .and_then(Value::as_f64)
        .map(|n| n.round() as i64)
}

/// Every number anywhere in the context, rounded.
fn numbers(value: &Value, out: &mut Vec<i64>) {
    match value {
        Value::Number(n) => out.extend(n.as_f64().map(|n| n.round() as i64)),
        Value::Array(items) => items.iter().for_each(|v| numbers(v, out)),
        Value::Object(map) => map.values().for_each(|v| numbers(v, out)),
        _ => {}
    }
}

/// The lying sentence, in the language of the user's message.
fn sentence(lie: Lie, context: &Value, ukrainian: bool) -> String {
    let eaten = number(context, &["today", "totals", "kcal"]).unwrap_or(0);
    let recovery = number(context, &["recovery", "recovery_pct"]);
    match (lie, ukrainian) {
        (Lie::WrongTotal, false) => format!("Today you've eaten {} kcal.", eaten + 400),
        (Lie::WrongTotal, true) => format!("Сьогодні ви з'їли {} ккал.", eaten + 400),
        (Lie::InventedScore, _) => {
            let mut seen = Vec::new();
            numbers(context, &mut seen);
            let invented = (23..=97)
                .rev()
                .find(|n| seen.iter().all(|s| (s - n).abs() > 3))
                .unwrap_or(57);
            if ukrainian {
                format!("Ваше відновлення сьогодні {invented}%.")
            } else {
                format!("Your recovery today is {invented}%.")
            }
        }
        (Lie::WrongUnit, false) => match recovery {
            Some(r) => format!("Your recovery today is {r} bpm."),
            None => format!("Today you've eaten {eaten} g."),
        },
        (Lie::WrongUnit, true) => match recovery {
            Some(r) => format!("Ваше відновлення сьогодні {r} уд/хв."),
            None => format!("Сьогодні ви з'їли {eaten} г."),
        },
        (Lie::WrongDay, false) => format!("Yesterday you ate {eaten} kcal."),
        (Lie::WrongDay, true) => format!("Учора ви з'їли {eaten} ккал."),
    }
}

/// The lying content for this request: the sentence as plain text, or, for a structured
/// (interpretation) request, a "general" reading whose reply is the sentence.
pub(crate) fn content(lie: Lie, chat: &ChatRequest) -> String {
    let context = context_json(&chat.messages).unwrap_or(Value::Null);
    let ukrainian = is_ukrainian(&chat.last_user_text());
    let said = sentence(lie, &context, ukrainian);
    let reading = json!({
        "intent": "general",
        "items": [],
        "calorie_goal": null,
        "reply": said,
    });
    match &chat.format {
        ResponseFormat::Text => said,
        ResponseFormat::JsonObject => reading.to_string(),
        ResponseFormat::JsonSchema { schema } => conform(schema, Some(&reading)).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openai::chat::parse_request;

    fn ask(question: &str, format: Value) -> ChatRequest {
        let context = json!({
            "today": {"totals": {"kcal": 1250, "protein_g": 85.5}},
            "calorie_goal_kcal": 2000,
            "recovery": {"recovery_pct": 64, "resting_heart_rate": 55},
        });
        parse_request(Some(&json!({
            "model": "gpt-4o-mini",
            "messages": [
                {"role": "system", "content": "Answer from the context."},
                {"role": "system", "content": format!("Context (JSON): {context}")},
                {"role": "user", "content": question},
            ],
            "response_format": format,
        })))
        .unwrap()
    }

    #[test]
    fn each_lie_is_built_from_the_context_in_the_users_language() {
        let en = ask("how am I doing?", json!({"type": "text"}));
        let uk = ask("як справи?", json!({"type": "text"}));
        assert_eq!(
            content(Lie::WrongTotal, &en),
            "Today you've eaten 1650 kcal."
        );
        assert_eq!(
            content(Lie::WrongTotal, &uk),
            "Сьогодні ви з'їли 1650 ккал."
        );
        assert_eq!(
            content(Lie::WrongUnit, &en),
            "Your recovery today is 64 bpm."
        );
        assert_eq!(content(Lie::WrongDay, &uk), "Учора ви з'їли 1250 ккал.");
        let invented = content(Lie::InventedScore, &en);
        assert_eq!(invented, "Your recovery today is 97%.");
    }

    #[test]
    fn a_structured_request_gets_a_general_reading_whose_reply_lies() {
        let chat = ask("hello", json!({"type": "json_object"}));
        let reading: Value = serde_json::from_str(&content(Lie::WrongDay, &chat)).unwrap();
        assert_eq!(reading["intent"], "general");
        assert_eq!(reading["reply"], "Yesterday you ate 1250 kcal.");
    }
}
