//! The structured answer `interpret` asks for, and how it becomes an [`Interpretation`].

use serde::Deserialize;
use serde_json::{Value, json};
use wellness_domain::model::{Grams, Meal, Unit};
use wellness_domain::ports::{Amount, FoodMention, Intent, Interpretation};

/// The `json_schema.name` of the interpretation.
pub const SCHEMA_NAME: &str = "food_log_interpretation";

/// `response_format` of `interpret`: a strict JSON Schema (every property required, no others,
/// optional values as `["type", "null"]`, as strict mode demands).
pub fn interpretation_response_format() -> Value {
    let nullable =
        |kind: &str, description: &str| json!({"type": [kind, "null"], "description": description});
    let item = json!({
        "type": "object",
        "properties": {
            "said": {"type": "string", "description": "The user's own words for the food, as written."},
            "lookup_name": {"type": "string", "description": "A short English name to look the food up by."},
            "grams": nullable("number", "A weight (or ml) the user said, in grams."),
            "portions": nullable("number", "A count of portions the user said."),
            "unit": nullable("string", "The portion unit in English (cup, glass, slice, tbsp), when said."),
            "meal": {
                "type": ["string", "null"],
                "enum": ["breakfast", "lunch", "dinner", "snack", null],
                "description": "The meal, only when the user said it."
            }
        },
        "required": ["said", "lookup_name", "grams", "portions", "unit", "meal"],
        "additionalProperties": false
    });
    json!({
        "type": "json_schema",
        "json_schema": {
            "name": SCHEMA_NAME,
            "strict": true,
            "schema": {
                "type": "object",
                "properties": {
                    "intent": {
                        "type": "string",
                        "enum": ["log_food", "query_data", "delete_entry", "set_goal", "general"]
                    },
                    "items": {"type": "array", "items": item},
                    "calorie_goal": nullable("integer", "The daily kcal goal asked for (set_goal)."),
                    "reply": nullable("string", "A short reply in the user's language (general).")
                },
                "required": ["intent", "items", "calorie_goal", "reply"],
                "additionalProperties": false
            }
        }
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum WireIntent {
    LogFood,
    QueryData,
    DeleteEntry,
    SetGoal,
    General,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireItem {
    said: String,
    lookup_name: String,
    grams: Option<f64>,
    portions: Option<f64>,
    unit: Option<String>,
    meal: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireInterpretation {
    intent: WireIntent,
    items: Vec<WireItem>,
    calorie_goal: Option<i64>,
    reply: Option<String>,
}

const TOP_KEYS: [&str; 4] = ["intent", "items", "calorie_goal", "reply"];
const ITEM_KEYS: [&str; 6] = ["said", "lookup_name", "grams", "portions", "unit", "meal"];

/// Strict mode sends every key; serde would read a missing `Option` as `None`.
fn require_keys(value: &Value, keys: &[&str], what: &str) -> Result<(), String> {
    let object = value
        .as_object()
        .ok_or_else(|| format!("{what} is not a JSON object"))?;
    match keys.iter().find(|k| !object.contains_key(**k)) {
        Some(missing) => Err(format!("{what} has no \"{missing}\"")),
        None => Ok(()),
    }
}

/// A short excerpt of the model's text for error messages.
fn excerpt(text: &str) -> String {
    let cut: String = text.chars().take(120).collect();
    if cut.len() < text.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

/// Reads the model's JSON text; the error says what did not fit.
pub(crate) fn parse_interpretation(content: &str) -> Result<Interpretation, String> {
    let value: Value = serde_json::from_str(content)
        .map_err(|error| format!("not JSON ({error}): {}", excerpt(content)))?;
    require_keys(&value, &TOP_KEYS, "the answer")?;
    if let Some(items) = value.get("items").and_then(Value::as_array) {
        for (index, item) in items.iter().enumerate() {
            require_keys(item, &ITEM_KEYS, &format!("item {index}"))?;
        }
    }
    let wire: WireInterpretation = serde_json::from_value(value)
        .map_err(|error| format!("does not match the schema: {error}"))?;
    let foods = wire
        .items
        .into_iter()
        .enumerate()
        .map(|(index, item)| food(item).map_err(|e| format!("item {index}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Interpretation {
        intent: match wire.intent {
            WireIntent::LogFood => Intent::LogFood,
            WireIntent::QueryData => Intent::QueryData,
            WireIntent::DeleteEntry => Intent::DeleteEntry,
            WireIntent::SetGoal => Intent::SetGoal,
            WireIntent::General => Intent::General,
        },
        foods,
        calorie_goal: wire.calorie_goal,
        reply: non_blank(wire.reply),
    })
}

fn non_blank(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// grams → `Grams`; else portions and unit → `Portions`; neither → one portion.
fn food(item: WireItem) -> Result<FoodMention, String> {
    let said = item.said.trim().to_owned();
    let lookup_name = item.lookup_name.trim().to_owned();
    let (said, lookup_name) = match (said.is_empty(), lookup_name.is_empty()) {
        (true, true) => return Err("names no food".to_owned()),
        (true, false) => (lookup_name.clone(), lookup_name),
        (false, true) => (said.clone(), said),
        (false, false) => (said, lookup_name),
    };
    let meal = match item.meal.as_deref() {
        None => None,
        Some(code) => Some(Meal::from_code(code).ok_or_else(|| format!("unknown meal {code:?}"))?),
    };
    let unit = non_blank(item.unit);
    let count = match (item.grams, item.portions) {
        (Some(_), _) => 1.0,
        (None, Some(count)) if count.is_finite() && count > 0.0 => count,
        (None, Some(count)) => return Err(format!("portions must be positive, got {count}")),
        (None, None) => 1.0,
    };
    // The model's unit word, read as one of ours; a unit we cannot weigh is kept as said.
    let amount = match (item.grams, unit) {
        (Some(grams), _) => Amount::Grams(Grams::new(grams).map_err(|e| e.to_string())?),
        (None, None) => Amount::Portions { count, unit: None },
        (None, Some(said)) => match Unit::in_phrase(&said) {
            Some(unit) => Amount::Portions {
                count,
                unit: Some(unit),
            },
            None => Amount::Unmeasured { count, unit: said },
        },
    };
    Ok(FoodMention {
        said,
        lookup_name,
        amount,
        meal,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every object of a strict schema lists all its properties as required and allows no others.
    fn assert_strict(schema: &Value) {
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            assert_eq!(schema["additionalProperties"], false, "{schema}");
            let required: Vec<&str> = schema["required"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_str)
                .collect();
            for (key, property) in properties {
                assert!(required.contains(&key.as_str()), "{key} not required");
                assert_strict(property);
            }
        }
        if let Some(items) = schema.get("items") {
            assert_strict(items);
        }
    }

    #[test]
    fn the_schema_is_strict() {
        let format = interpretation_response_format();
        assert_eq!(format["json_schema"]["strict"], true);
        assert_strict(&format["json_schema"]["schema"]);
    }

    #[test]
    fn unit_words_become_our_units_and_a_unit_we_cannot_weigh_is_kept_as_said() {
        let parsed = parse_interpretation(
            r#"{"intent":"log_food","calorie_goal":null,"reply":null,"items":[
                {"said":"масла","lookup_name":"butter","grams":null,"portions":3,"unit":"sticks","meal":null},
                {"said":"цукру","lookup_name":"sugar","grams":null,"portions":2,"unit":"teaspoons","meal":null},
                {"said":"меду","lookup_name":"honey","grams":null,"portions":null,"unit":"Tablespoon","meal":null},
                {"said":"хліба","lookup_name":"bread","grams":null,"portions":2,"unit":"скибки","meal":null}]}"#,
        )
        .unwrap();
        let amounts: Vec<_> = parsed.foods.iter().map(|f| f.amount.clone()).collect();
        assert_eq!(
            amounts,
            vec![
                Amount::Unmeasured {
                    count: 3.0,
                    unit: "sticks".to_owned()
                },
                Amount::Portions {
                    count: 2.0,
                    unit: Some(Unit::Tsp)
                },
                Amount::Portions {
                    count: 1.0,
                    unit: Some(Unit::Tbsp)
                },
                Amount::Portions {
                    count: 2.0,
                    unit: Some(Unit::Slice)
                },
            ]
        );
    }

    #[test]
    fn amounts_map_to_grams_portions_or_one_portion() {
        let parsed = parse_interpretation(
            r#"{"intent":"log_food","calorie_goal":null,"reply":" ","items":[
                {"said":"гречки","lookup_name":"buckwheat","grams":200,"portions":null,"unit":null,"meal":"lunch"},
                {"said":"молока","lookup_name":"milk","grams":null,"portions":null,"unit":"glass","meal":null},
                {"said":"банана","lookup_name":"banana","grams":null,"portions":1.5,"unit":null,"meal":null},
                {"said":"","lookup_name":"toast","grams":null,"portions":null,"unit":null,"meal":null}]}"#,
        )
        .unwrap();
        assert_eq!(parsed.intent, Intent::LogFood);
        assert_eq!(parsed.reply, None);
        let amounts: Vec<_> = parsed.foods.iter().map(|f| f.amount.clone()).collect();
        assert_eq!(
            amounts,
            vec![
                Amount::Grams(Grams::new(200.0).unwrap()),
                Amount::Portions {
                    count: 1.0,
                    unit: Some(Unit::Cup)
                },
                Amount::Portions {
                    count: 1.5,
                    unit: None
                },
                Amount::Portions {
                    count: 1.0,
                    unit: None
                },
            ]
        );
        assert_eq!(parsed.foods[0].meal, Some(Meal::Lunch));
        assert_eq!(parsed.foods[3].said, "toast");
    }

    #[test]
    fn answers_off_the_schema_are_refused_with_the_reason() {
        let cases = [
            (r#"{"intent":"log_food","items":[]}"#, "no \"calorie_goal\""),
            (
                r#"{"intent":"eat","items":[],"calorie_goal":null,"reply":null}"#,
                "does not match the schema",
            ),
            (
                r#"{"intent":"general","items":[],"calorie_goal":null,"reply":null,"mood":1}"#,
                "does not match the schema",
            ),
            (
                r#"{"intent":"log_food","items":[{"said":"x","lookup_name":"x","grams":0,"portions":null,"unit":null,"meal":null}],"calorie_goal":null,"reply":null}"#,
                "item 0: grams",
            ),
            (
                r#"{"intent":"log_food","items":[{"said":"x","lookup_name":"x","grams":null,"portions":1,"unit":null,"meal":"brunch"}],"calorie_goal":null,"reply":null}"#,
                "unknown meal",
            ),
            ("{\"intent\":\"log_fo", "not JSON"),
        ];
        for (content, reason) in cases {
            let error = parse_interpretation(content).unwrap_err();
            assert!(error.contains(reason), "{content}: {error}");
        }
    }
}
