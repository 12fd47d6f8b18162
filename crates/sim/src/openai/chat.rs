//! `POST /v1/chat/completions`: reading a request the way OpenAI validates it, the deterministic
//! answer, and the completion object.

use serde_json::{Value, json};

use super::error::ApiError;
use super::rules::{is_ukrainian, understand};
use super::schema::{conform, strict_violation};
use super::state::message_text;

const ROLES: [&str; 6] = [
    "system",
    "developer",
    "user",
    "assistant",
    "tool",
    "function",
];

/// What the answer must look like.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ResponseFormat {
    Text,
    JsonObject,
    JsonSchema { schema: Value },
}

/// A validated chat completion request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChatRequest {
    pub model: String,
    pub messages: Vec<Value>,
    pub format: ResponseFormat,
    /// The images sent as data URLs, decoded.
    pub images: Vec<Vec<u8>>,
}

/// Validates a request body as OpenAI would (the checks that matter to our clients).
pub(crate) fn parse_request(body: Option<&Value>) -> Result<ChatRequest, ApiError> {
    let Some(Value::Object(body)) = body else {
        return Err(ApiError::invalid_request(
            "We could not parse the JSON body of your request. (HINT: This likely means you \
             aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, \
             but what was sent was not valid JSON.)",
        ));
    };
    let model = match body.get("model") {
        Some(Value::String(model)) if !model.is_empty() => model.clone(),
        _ => {
            return Err(ApiError::invalid_request(
                "you must provide a model parameter",
            ));
        }
    };
    let messages = match body.get("messages") {
        Some(Value::Array(messages)) if !messages.is_empty() => messages.clone(),
        Some(Value::Array(_)) => {
            return Err(ApiError::invalid_request(
                "Invalid 'messages': empty array. Expected an array with minimum length 1, but \
                 got an empty array instead.",
            )
            .with_param("messages")
            .with_code("empty_array"));
        }
        _ => return Err(ApiError::missing_parameter("messages")),
    };
    for (index, message) in messages.iter().enumerate() {
        let role = message
            .get("role")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !ROLES.contains(&role) {
            return Err(ApiError::invalid_request(format!(
                "Invalid value: '{role}'. Supported values are: 'system', 'assistant', 'user', \
                 'function', 'tool', and 'developer'."
            ))
            .with_param(&format!("messages[{index}].role"))
            .with_code("invalid_value"));
        }
    }
    if body.get("stream") == Some(&Value::Bool(true)) {
        return Err(ApiError::invalid_request(
            "The simulator does not stream: send \"stream\": false.",
        )
        .with_param("stream"));
    }
    let format = response_format(body.get("response_format"), &messages)?;
    let images = super::images::images(&model, &messages)?;
    Ok(ChatRequest {
        model,
        messages,
        format,
        images,
    })
}

fn response_format(format: Option<&Value>, messages: &[Value]) -> Result<ResponseFormat, ApiError> {
    let Some(format) = format.filter(|f| !f.is_null()) else {
        return Ok(ResponseFormat::Text);
    };
    match format.get("type").and_then(Value::as_str) {
        Some("text") => Ok(ResponseFormat::Text),
        Some("json_object") => {
            let mentions_json = messages
                .iter()
                .any(|m| message_text(m).to_lowercase().contains("json"));
            if mentions_json {
                Ok(ResponseFormat::JsonObject)
            } else {
                Err(ApiError::invalid_request(
                    "'messages' must contain the word 'json' in some form, to use \
                     'response_format' of type 'json_object'.",
                )
                .with_param("messages"))
            }
        }
        Some("json_schema") => {
            let Some(spec) = format.get("json_schema").filter(|s| s.is_object()) else {
                return Err(ApiError::missing_parameter("response_format.json_schema"));
            };
            let name = spec.get("name").and_then(Value::as_str).unwrap_or_default();
            let valid_name = !name.is_empty()
                && name.len() <= 64
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !valid_name {
                return Err(ApiError::invalid_request(format!(
                    "Invalid 'response_format.json_schema.name': string '{name}' does not match \
                     pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$' of \
                     length 1 to 64."
                ))
                .with_param("response_format.json_schema.name")
                .with_code("invalid_value"));
            }
            let schema = spec.get("schema").cloned().unwrap_or_else(|| json!({}));
            if spec.get("strict") == Some(&Value::Bool(true))
                && let Some(problem) = strict_violation(name, &schema)
            {
                return Err(ApiError::invalid_request(problem).with_param("response_format"));
            }
            Ok(ResponseFormat::JsonSchema { schema })
        }
        other => Err(ApiError::invalid_request(format!(
            "Invalid value: '{}'. Supported values are: 'json_object', 'json_schema', and 'text'.",
            other.unwrap_or_default()
        ))
        .with_param("response_format.type")
        .with_code("invalid_value")),
    }
}

impl ChatRequest {
    /// The text of the last user message.
    pub(crate) fn last_user_text(&self) -> String {
        self.messages
            .iter()
            .rev()
            .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))
            .map(message_text)
            .unwrap_or_default()
    }

    /// The deterministic answer: the rule set's reading shaped to the schema for JSON formats,
    /// a short text using figures of the context message otherwise. With images, what a test
    /// registered for them (`sight`), shaped to the schema; nothing registered is an empty
    /// reading (false, null, the first enum value).
    pub(crate) fn deterministic_content(&self, sight: Option<&Value>) -> String {
        if !self.images.is_empty() {
            return match &self.format {
                ResponseFormat::JsonSchema { schema } => conform(schema, sight).to_string(),
                ResponseFormat::JsonObject => {
                    sight.cloned().unwrap_or_else(|| json!({})).to_string()
                }
                ResponseFormat::Text => sight
                    .and_then(Value::as_str)
                    .unwrap_or("I can't tell what this photo shows.")
                    .to_owned(),
            };
        }
        let said = self.last_user_text();
        match &self.format {
            ResponseFormat::JsonSchema { schema } => {
                conform(schema, Some(&understand(&said).to_json())).to_string()
            }
            ResponseFormat::JsonObject => understand(&said).to_json().to_string(),
            ResponseFormat::Text => plain_answer(&said, &self.messages),
        }
    }

    /// A rough token count of the prompt (4 characters a token).
    pub(crate) fn prompt_tokens(&self) -> usize {
        self.messages
            .iter()
            .map(|m| message_text(m).chars().count() / 4 + 4)
            .sum()
    }
}

/// An answer in the user's language naming up to three figures of the context: JSON numbers
/// under energy keys (`kcal`, `calorie`, `goal`) of the last system message holding JSON, else
/// its first numbers, else the first numbers of the last system message. Every number in it
/// comes from the request.
fn plain_answer(said: &str, messages: &[Value]) -> String {
    let figures = context_figures(messages);
    let ukrainian = is_ukrainian(said);
    if figures.is_empty() {
        return if ukrainian {
            "Поки що не маю даних про це.".to_owned()
        } else {
            "I have no data about that yet.".to_owned()
        };
    }
    let listed = figures
        .iter()
        .map(|(key, number)| {
            if key.is_empty() {
                number.clone()
            } else {
                format!("{key} {number}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    if ukrainian {
        format!("За вашими даними: {listed}.")
    } else {
        format!("From your data: {listed}.")
    }
}

fn is_instruction(message: &Value) -> bool {
    matches!(
        message.get("role").and_then(Value::as_str),
        Some("system" | "developer")
    )
}

/// The context JSON of the request: the last instruction message holding JSON.
pub(crate) fn context_json(messages: &[Value]) -> Option<Value> {
    messages
        .iter()
        .rev()
        .filter(|m| is_instruction(m))
        .find_map(|m| embedded_json(&message_text(m)))
}

/// `(key, number)` pairs, as written in the request.
fn context_figures(messages: &[Value]) -> Vec<(String, String)> {
    for message in messages.iter().rev().filter(|m| is_instruction(m)) {
        let Some(context) = embedded_json(&message_text(message)) else {
            continue;
        };
        let mut found = Vec::new();
        collect_numbers(&context, "", &mut found);
        let energy: Vec<_> = found
            .iter()
            .filter(|(key, _)| ["kcal", "calorie", "goal"].iter().any(|k| key.contains(k)))
            .take(3)
            .cloned()
            .collect();
        if !energy.is_empty() {
            return energy;
        }
        if !found.is_empty() {
            return found.into_iter().take(3).collect();
        }
    }
    messages
        .iter()
        .rev()
        .filter(|m| is_instruction(m))
        .map(|m| numbers_in(&message_text(m)))
        .find(|numbers| !numbers.is_empty())
        .map(|numbers| {
            numbers
                .into_iter()
                .take(3)
                .map(|n| (String::new(), n))
                .collect()
        })
        .unwrap_or_default()
}

/// The first JSON object or array in a text (the whole text, or from a `{`).
fn embedded_json(text: &str) -> Option<Value> {
    if let Ok(value @ (Value::Object(_) | Value::Array(_))) = serde_json::from_str(text) {
        return Some(value);
    }
    text.match_indices('{').find_map(|(start, _)| {
        serde_json::Deserializer::from_str(&text[start..])
            .into_iter::<Value>()
            .next()
            .and_then(Result::ok)
            .filter(Value::is_object)
    })
}

fn collect_numbers(value: &Value, key: &str, found: &mut Vec<(String, String)>) {
    match value {
        Value::Number(n) => found.push((key.to_owned(), n.to_string())),
        Value::Array(items) => items.iter().for_each(|v| collect_numbers(v, key, found)),
        Value::Object(map) => map.iter().for_each(|(k, v)| collect_numbers(v, k, found)),
        _ => {}
    }
}

/// Runs of digits (with one decimal point) in a text.
fn numbers_in(text: &str) -> Vec<String> {
    let mut numbers = Vec::new();
    let mut current = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || (c == '.' && !current.is_empty() && !current.contains('.')) {
            current.push(c);
        } else if !current.is_empty() {
            numbers.push(current.trim_end_matches('.').to_owned());
            current.clear();
        }
    }
    numbers
}

/// A `chat.completion` object with one choice.
pub(crate) fn completion(
    id: &str,
    model: &str,
    content: Option<&str>,
    refusal: Option<&str>,
    finish_reason: &str,
    prompt_tokens: usize,
) -> Value {
    let completion_tokens = content.or(refusal).map_or(0, |t| t.chars().count() / 4 + 1);
    json!({
        "id": id,
        "object": "chat.completion",
        "created": chrono::Utc::now().timestamp(),
        "model": model,
        "choices": [{
            "index": 0,
            "message": {
                "role": "assistant",
                "content": content,
                "refusal": refusal,
                "annotations": [],
            },
            "logprobs": null,
            "finish_reason": finish_reason,
        }],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        },
        "service_tier": "default",
        "system_fingerprint": "fp_wellness_sim",
    })
}

/// What a completion cut off by `max_tokens` looks like: the start of a JSON object.
pub(crate) const CUT_OFF_JSON: &str = "{\"intent\":\"log_food\",\"items\":[{\"said\":\"eg";

#[cfg(test)]
mod tests {
    use super::*;

    fn request(messages: Value, format: Value) -> Result<ChatRequest, ApiError> {
        parse_request(Some(&json!({
            "model": "gpt-4o-mini",
            "messages": messages,
            "response_format": format,
        })))
    }

    #[test]
    fn plain_answers_use_only_figures_of_the_context() {
        let chat = request(
            json!([
                {"role": "system", "content": "Answer in at most 2 sentences."},
                {"role": "system", "content": "Context: {\"today\":{\"kcal\":1450,\"protein_g\":80},\"calorie_goal_kcal\":2000}"},
                {"role": "user", "content": "How am I doing today?"}
            ]),
            Value::Null,
        )
        .unwrap();
        let answer = chat.deterministic_content(None);
        assert!(answer.starts_with("From your data: "), "{answer}");
        assert!(
            answer.contains("calorie_goal_kcal 2000") && answer.contains("kcal 1450"),
            "{answer}"
        );
        assert!(
            !answer.contains("80"),
            "protein is not an energy figure: {answer}"
        );
        let uk = request(
            json!([
                {"role": "system", "content": "Goal 1800 kcal"},
                {"role": "user", "content": "Скільки лишилось?"}
            ]),
            json!({"type": "text"}),
        )
        .unwrap();
        assert_eq!(uk.deterministic_content(None), "За вашими даними: 1800.");
    }

    #[test]
    fn requests_are_validated_like_openai() {
        let no_json_word = request(
            json!([{"role": "user", "content": "hi"}]),
            json!({"type": "json_object"}),
        );
        assert!(no_json_word.is_err());
        let bad_role = request(json!([{"role": "bot", "content": "hi"}]), Value::Null);
        assert_eq!(
            bad_role.err().and_then(|e| e.param),
            Some("messages[0].role".to_owned())
        );
        let empty = request(json!([]), Value::Null);
        assert_eq!(
            empty.err().and_then(|e| e.code),
            Some("empty_array".to_owned())
        );
        assert!(parse_request(Some(&json!({"messages": []}))).is_err());
    }
}
