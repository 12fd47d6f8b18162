//! Reading FatSecret's JSON, which has quirks: every scalar is a string ("12.50"), a single
//! result is an object instead of a one-element array, and an empty result is `null`, `""` or a
//! missing key.

use serde_json::Value;

/// The items of a list that may be an array, a single object, or nothing.
pub(crate) fn one_or_many(value: Option<&Value>) -> Vec<&Value> {
    match value {
        Some(Value::Array(items)) => items.iter().filter(|v| v.is_object()).collect(),
        Some(object @ Value::Object(_)) => vec![object],
        _ => Vec::new(),
    }
}

/// A scalar as text: a string, or a number written out; `None` when absent, null or empty.
pub(crate) fn text(object: &Value, key: &str) -> Option<String> {
    match object.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A decimal that may be a string or a number; `Ok(None)` when absent or empty, `Err` when it
/// is there but not a finite number.
pub(crate) fn number(object: &Value, key: &str) -> Result<Option<f64>, String> {
    let value = match object.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        Some(Value::Number(n)) => n.as_f64(),
        Some(_) => None,
    };
    match value {
        Some(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(format!("{key} is not a number: {}", object[key])),
    }
}

/// FatSecret's error, if the answer is one: `{"error":{"code":8,"message":".."}}` (the code a
/// number, or a string in some captures).
pub(crate) fn api_error(answer: &Value) -> Option<(u32, String)> {
    let error = answer.get("error")?;
    let code = match error.get("code") {
        Some(Value::Number(n)) => n.as_u64().and_then(|c| u32::try_from(c).ok()),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .unwrap_or(0);
    let message = text(error, "message").unwrap_or_default();
    Some((code, message))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn lists_may_be_arrays_single_objects_or_nothing() {
        let many = json!({"food": [{"a": "1"}, {"a": "2"}]});
        let one = json!({"food": {"a": "1"}});
        assert_eq!(one_or_many(many.get("food")).len(), 2);
        assert_eq!(one_or_many(one.get("food")).len(), 1);
        assert!(one_or_many(json!({"food_entries": null}).get("food_entries")).is_empty());
        assert!(one_or_many(json!({}).get("food")).is_empty());
        assert!(one_or_many(json!({"x": ""}).get("x")).is_empty());
    }

    #[test]
    fn scalars_are_read_from_strings_or_numbers() {
        let v = json!({"a": "12.50", "b": 3, "c": "", "d": "abc", "e": null});
        assert_eq!(number(&v, "a"), Ok(Some(12.5)));
        assert_eq!(number(&v, "b"), Ok(Some(3.0)));
        assert_eq!(number(&v, "c"), Ok(None));
        assert!(number(&v, "d").is_err());
        assert_eq!(number(&v, "e"), Ok(None));
        assert_eq!(number(&v, "missing"), Ok(None));
        assert_eq!(text(&v, "b").as_deref(), Some("3"));
    }

    #[test]
    fn errors_are_found_whatever_the_code_type() {
        assert_eq!(
            api_error(&json!({"error": {"code": 9, "message": "Invalid access token"}})),
            Some((9, "Invalid access token".to_owned()))
        );
        assert_eq!(
            api_error(&json!({"error": {"code": "8", "message": "x"}})).map(|e| e.0),
            Some(8)
        );
        assert_eq!(api_error(&json!({"foods": {}})), None);
    }
}
