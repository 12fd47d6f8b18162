//! JSON Schemas of `response_format: json_schema`: the strict-mode checks OpenAI applies to a
//! schema, and a generator that shapes any value into one conforming to a schema.
//!
//! Supported keywords: `type` (a name or a list), `properties`, `required`,
//! `additionalProperties`, `items`, `enum`, `const`, `anyOf`, `$ref` to `#`, `#/$defs/…` or
//! `#/definitions/…`. That covers what strict mode allows for the shapes we send.

use serde_json::{Map, Value};

const MAX_DEPTH: usize = 32;

/// The first strict-mode rule the schema breaks, in OpenAI's words.
pub(crate) fn strict_violation(name: &str, schema: &Value) -> Option<String> {
    let problem = check(schema, &mut Vec::new(), 0)?;
    Some(format!(
        "Invalid schema for response_format '{name}': {problem}"
    ))
}

/// `('properties', 'items')`, as Python prints a tuple.
fn context(path: &[String]) -> String {
    match path {
        [] => "()".to_owned(),
        [one] => format!("('{one}',)"),
        many => format!(
            "({})",
            many.iter()
                .map(|p| format!("'{p}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn check(schema: &Value, path: &mut Vec<String>, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH {
        return Some("schema is nested too deeply.".to_owned());
    }
    let Value::Object(schema) = schema else {
        return Some(format!(
            "In context={}, schema must be a JSON Schema of 'type: \"object\"', got '{}'.",
            context(path),
            schema
        ));
    };
    if path.is_empty() && !types_of(schema).contains(&"object") {
        return Some(
            "schema must be a JSON Schema of 'type: \"object\"', got 'type: \"None\"'.".to_owned(),
        );
    }
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        if schema.get("additionalProperties") != Some(&Value::Bool(false)) {
            return Some(format!(
                "In context={}, 'additionalProperties' is required to be supplied and to be false.",
                context(path)
            ));
        }
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(missing) = properties.keys().find(|k| !required.contains(&k.as_str())) {
            return Some(format!(
                "In context={}, 'required' is required to be supplied and to be an array \
                 including every key in properties. Missing '{missing}'.",
                context(path)
            ));
        }
        for (key, property) in properties {
            path.extend(["properties".to_owned(), key.clone()]);
            let problem = check(property, path, depth + 1);
            path.truncate(path.len() - 2);
            if problem.is_some() {
                return problem;
            }
        }
    } else if types_of(schema).contains(&"object")
        && !schema.contains_key("$ref")
        && schema.get("additionalProperties") != Some(&Value::Bool(false))
    {
        return Some(format!(
            "In context={}, 'additionalProperties' is required to be supplied and to be false.",
            context(path)
        ));
    }
    if let Some(items) = schema.get("items") {
        path.push("items".to_owned());
        let problem = check(items, path, depth + 1);
        path.pop();
        if problem.is_some() {
            return problem;
        }
    }
    for keyword in ["anyOf", "$defs", "definitions"] {
        let children: Vec<(String, &Value)> = match schema.get(keyword) {
            Some(Value::Array(list)) => list
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
            Some(Value::Object(map)) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
            _ => Vec::new(),
        };
        for (key, child) in children {
            path.extend([keyword.to_owned(), key]);
            let problem = check(child, path, depth + 1);
            path.truncate(path.len() - 2);
            if problem.is_some() {
                return problem;
            }
        }
    }
    None
}

fn types_of(schema: &Map<String, Value>) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ if schema.contains_key("properties") => vec!["object"],
        _ => Vec::new(),
    }
}

/// A value conforming to `schema`: `value`'s parts where they fit, otherwise `null` where the
/// schema allows it, else the first enum value or an empty value of the first type.
pub(crate) fn conform(schema: &Value, value: Option<&Value>) -> Value {
    shape(schema, schema, value, 0)
}

fn resolve<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    if reference == "#" {
        return Some(root);
    }
    let pointer = reference.strip_prefix('#')?;
    root.pointer(pointer)
}

fn matches_type(kind: &str, value: &Value) -> bool {
    match kind {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        _ => false,
    }
}

/// Whether `value` already has the shape of `schema` at its top level.
fn fits(root: &Value, schema: &Value, value: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let Value::Object(map) = schema else {
        return true;
    };
    if let Some(target) = map
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| resolve(root, r))
    {
        return fits(root, target, value, depth + 1);
    }
    if let Some(list) = map.get("enum").and_then(Value::as_array) {
        return list.contains(value);
    }
    if let Some(branches) = map.get("anyOf").and_then(Value::as_array) {
        return branches.iter().any(|b| fits(root, b, value, depth + 1));
    }
    let types = types_of(map);
    types.is_empty() || types.iter().any(|t| matches_type(t, value))
}

fn shape(root: &Value, schema: &Value, value: Option<&Value>, depth: usize) -> Value {
    let Value::Object(map) = schema else {
        return value.cloned().unwrap_or(Value::Null);
    };
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    if let Some(target) = map
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| resolve(root, r))
    {
        return shape(root, target, value, depth + 1);
    }
    if let Some(constant) = map.get("const") {
        return constant.clone();
    }
    if let Some(list) = map.get("enum").and_then(Value::as_array) {
        return match value {
            Some(v) if list.contains(v) => v.clone(),
            _ if list.contains(&Value::Null) => Value::Null,
            _ => list.first().cloned().unwrap_or(Value::Null),
        };
    }
    if let Some(branches) = map.get("anyOf").and_then(Value::as_array) {
        let chosen = value
            .and_then(|v| branches.iter().find(|b| fits(root, b, v, depth + 1)))
            .or_else(|| {
                branches
                    .iter()
                    .find(|b| fits(root, b, &Value::Null, depth + 1))
            })
            .or_else(|| branches.first());
        return chosen.map_or(Value::Null, |b| shape(root, b, value, depth + 1));
    }
    let types = types_of(map);
    if types.is_empty() {
        return value.cloned().unwrap_or(Value::Null);
    }
    if let Some(v) = value
        && let Some(kind) = types.iter().find(|t| matches_type(t, v))
    {
        return shape_as(root, map, kind, Some(v), depth);
    }
    if let Some(v) = value.filter(|v| v.is_number())
        && types.contains(&"integer")
    {
        return shape_as(root, map, "integer", Some(v), depth);
    }
    if types.contains(&"null") {
        return Value::Null;
    }
    shape_as(root, map, types[0], None, depth)
}

fn shape_as(
    root: &Value,
    schema: &Map<String, Value>,
    kind: &str,
    value: Option<&Value>,
    depth: usize,
) -> Value {
    match kind {
        "object" => {
            let properties = schema
                .get("properties")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            Value::Object(
                properties
                    .iter()
                    .map(|(key, property)| {
                        let part = value.and_then(|v| v.get(key));
                        (key.clone(), shape(root, property, part, depth + 1))
                    })
                    .collect(),
            )
        }
        "array" => {
            let items = schema.get("items").cloned().unwrap_or(Value::Bool(true));
            let list = value.and_then(Value::as_array).cloned().unwrap_or_default();
            Value::Array(
                list.iter()
                    .map(|v| shape(root, &items, Some(v), depth + 1))
                    .collect(),
            )
        }
        "string" => value
            .filter(|v| v.is_string())
            .cloned()
            .unwrap_or_else(|| Value::String(String::new())),
        "integer" => match value.and_then(Value::as_f64) {
            Some(f) if f.fract() == 0.0 => value.cloned().unwrap_or(Value::from(0)),
            // Rounded; values here are small.
            Some(f) => Value::from(f.round() as i64),
            None => Value::from(0),
        },
        "number" => value
            .filter(|v| v.is_number())
            .cloned()
            .unwrap_or(Value::from(0)),
        "boolean" => value
            .filter(|v| v.is_boolean())
            .cloned()
            .unwrap_or(Value::Bool(false)),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn item_schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "said": {"type": "string"},
                "grams": {"type": ["number", "null"]},
                "meal": {"type": ["string", "null"], "enum": ["breakfast", "lunch", null]}
            },
            "required": ["said", "grams", "meal"],
            "additionalProperties": false
        })
    }

    fn schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "intent": {"type": "string", "enum": ["log_food", "general"]},
                "items": {"type": "array", "items": item_schema()},
                "count": {"type": "integer"},
                "extra": {"anyOf": [{"type": "boolean"}, {"type": "null"}]}
            },
            "required": ["intent", "items", "count", "extra"],
            "additionalProperties": false
        })
    }

    #[test]
    fn values_are_shaped_to_the_schema() {
        let value = json!({
            "intent": "query_data",
            "items": [{"said": "eggs", "grams": null, "meal": "brunch", "unknown": 1}],
            "count": 2.6
        });
        assert_eq!(
            conform(&schema(), Some(&value)),
            json!({
                "intent": "log_food",
                "items": [{"said": "eggs", "grams": null, "meal": null}],
                "count": 3,
                "extra": null
            })
        );
    }

    #[test]
    fn strict_mode_requires_every_property_and_no_additional_ones() {
        assert_eq!(strict_violation("x", &schema()), None);
        let mut loose = schema();
        loose["properties"]["items"]["items"]["required"] = json!(["said", "grams"]);
        let problem = strict_violation("interpretation", &loose).unwrap_or_default();
        assert!(
            problem.contains("context=('properties', 'items', 'items')")
                && problem.contains("Missing 'meal'"),
            "{problem}"
        );
        let mut open = schema();
        open["additionalProperties"] = json!(true);
        assert!(
            strict_violation("x", &open)
                .unwrap_or_default()
                .contains("context=(), 'additionalProperties'")
        );
        assert!(strict_violation("x", &json!({"type": "array"})).is_some());
    }
}
