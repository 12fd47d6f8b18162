//! The [`Assistant`] port over chat completions.

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Value, json};
use wellness_domain::ports::{
    Assistant, AssistantContext, AssistantError, ContextScope, Interpretation,
};

use crate::client::{CallError, OpenAiClient};
use crate::prompt::{
    answer_instructions, context_message, history_messages, interpret_instructions,
};
use crate::schema::{interpretation_response_format, parse_interpretation};

/// Understands messages and answers questions with an OpenAI chat model.
#[derive(Debug, Clone)]
pub struct OpenAiAssistant {
    client: OpenAiClient,
}

#[derive(Debug, Deserialize)]
struct Completion {
    choices: Vec<Choice>,
}

#[derive(Debug, Deserialize)]
struct Choice {
    message: Message,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Message {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    refusal: Option<String>,
}

/// The text of the first choice, or why there is none.
pub(crate) struct Reply {
    /// The text.
    pub(crate) content: String,
    /// Whether it was cut off at the token limit.
    pub(crate) cut_off: bool,
}

impl OpenAiAssistant {
    /// An assistant calling through `client` with its chat model.
    pub fn new(client: OpenAiClient) -> Self {
        Self { client }
    }

    /// Builds the messages: instructions, context, history, the user's text.
    fn messages(&self, instructions: String, text: &str, context: &AssistantContext) -> Vec<Value> {
        let limit = self.client.config().history_messages;
        let mut messages = vec![
            json!({"role": "system", "content": instructions}),
            context_message(context),
        ];
        messages.extend(history_messages(context, limit, text));
        messages.push(json!({"role": "user", "content": text}));
        messages
    }
}

/// One chat completion with `model`: the first choice's text, or why there is none (a failed
/// call told by `failed`).
pub(crate) async fn complete(
    client: &OpenAiClient,
    model: &str,
    messages: Vec<Value>,
    response_format: Option<Value>,
    max_tokens: u32,
    failed: fn(CallError) -> AssistantError,
) -> Result<Reply, AssistantError> {
    let config = client.config();
    let mut body = json!({
        "model": model,
        "messages": messages,
        "max_completion_tokens": max_tokens,
    });
    if let Some(format) = response_format {
        body["response_format"] = format;
    }
    let answer = client
        .post("/chat/completions", config.chat_timeout, |request| {
            request.json(&body)
        })
        .await
        .map_err(failed)?;
    let completion: Completion = serde_json::from_slice(&answer.body).map_err(|error| {
        AssistantError::Malformed(format!("the completion did not parse: {error}"))
    })?;
    let choice = completion
        .choices
        .into_iter()
        .next()
        .ok_or_else(|| AssistantError::Malformed("the completion has no choices".to_owned()))?;
    if let Some(refusal) = choice.message.refusal.filter(|r| !r.trim().is_empty()) {
        return Err(AssistantError::Refused(refusal));
    }
    if choice.finish_reason.as_deref() == Some("content_filter") {
        return Err(AssistantError::Refused(
            "the answer was stopped by OpenAI's content filter".to_owned(),
        ));
    }
    let content = choice.message.content.ok_or_else(|| {
        AssistantError::Malformed(format!(
            "the completion has no content (request {})",
            answer.request_id.as_deref().unwrap_or("unknown")
        ))
    })?;
    Ok(Reply {
        content,
        cut_off: choice.finish_reason.as_deref() == Some("length"),
    })
}

/// What a failed call means to the domain.
pub(crate) fn unavailable(error: CallError) -> AssistantError {
    match error {
        CallError::QuotaExceeded => AssistantError::QuotaExceeded,
        CallError::Unauthorized { status } => AssistantError::Unavailable(format!(
            "OpenAI refused the API key (HTTP {status}); check the configured key"
        )),
        CallError::Rejected { detail, .. } => {
            AssistantError::Unavailable(format!("OpenAI rejected the request: {detail}"))
        }
        CallError::Unavailable(detail) => AssistantError::Unavailable(detail),
    }
}

#[async_trait]
impl Assistant for OpenAiAssistant {
    /// The model reads the conversation and the day ("and another one", "the same as
    /// yesterday").
    fn interpret_reads(&self) -> ContextScope {
        ContextScope::Full
    }

    /// A model writes what it likes: its answers are checked before they are sent.
    fn writes_freely(&self) -> bool {
        true
    }

    async fn interpret(
        &self,
        text: &str,
        context: &AssistantContext,
    ) -> Result<Interpretation, AssistantError> {
        let messages = self.messages(interpret_instructions(context.locale), text, context);
        let model = &self.client.config().chat_model;
        let reply = complete(
            &self.client,
            model,
            messages,
            Some(interpretation_response_format()),
            1000,
            unavailable,
        )
        .await?;
        parse_interpretation(&reply.content).map_err(|reason| {
            let cut = if reply.cut_off {
                " (cut off at the token limit)"
            } else {
                ""
            };
            AssistantError::Malformed(format!("the interpretation {reason}{cut}"))
        })
    }

    async fn answer(
        &self,
        question: &str,
        context: &AssistantContext,
    ) -> Result<String, AssistantError> {
        let messages = self.messages(answer_instructions(context.locale), question, context);
        let model = &self.client.config().chat_model;
        let reply = complete(&self.client, model, messages, None, 400, unavailable).await?;
        let answer = reply.content.trim();
        if answer.is_empty() {
            return Err(AssistantError::Malformed("the answer is empty".to_owned()));
        }
        Ok(answer.to_owned())
    }
}
