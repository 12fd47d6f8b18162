//! `setChatMenuButton` / `getChatMenuButton`: the button in a private chat's input bar (the
//! bot's command list, or a Mini App), per chat or as the bot's default, and the https rule
//! Telegram holds every Web App URL to.

use serde_json::{Value, json};

use super::error::ApiError;
use super::methods::Answer;
use super::params::Params;
use super::state::SimState;

/// A Web App URL Telegram accepts: https only.
pub(crate) fn check_web_app_url(web_app: &Value, what: &str) -> Result<(), ApiError> {
    let url = web_app
        .get("url")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let lower = url.to_ascii_lowercase();
    if !lower.starts_with("https://") || url.len() <= "https://".len() {
        return Err(ApiError::bad_request(format!(
            "{what} Web App URL '{url}' is invalid: Only HTTPS links are allowed"
        )));
    }
    Ok(())
}

impl SimState {
    pub(crate) fn set_chat_menu_button(&self, p: &Params) -> Result<Answer, ApiError> {
        let unparsable = || ApiError::bad_request("can't parse menu button JSON object");
        let button = p
            .json("menu_button")
            .map_err(|()| unparsable())?
            .unwrap_or_else(|| json!({"type": "default"}));
        match button.get("type").and_then(Value::as_str) {
            Some("commands" | "default") => {}
            Some("web_app") => {
                let text = button
                    .get("text")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if text.trim().is_empty() {
                    return Err(ApiError::bad_request("menu button text must be non-empty"));
                }
                let web_app = button.get("web_app").ok_or_else(unparsable)?;
                check_web_app_url(web_app, "menu button")?;
            }
            _ => return Err(ApiError::bad_request("unsupported menu button type")),
        }
        let chat = p.int("chat_id");
        self.lock().menu_buttons.insert(chat, button);
        Ok(Answer::ok(json!(true)))
    }

    pub(crate) fn get_chat_menu_button(&self, p: &Params) -> Answer {
        let chat = p.int("chat_id");
        let inner = self.lock();
        let button = inner
            .menu_buttons
            .get(&chat)
            .cloned()
            .unwrap_or_else(|| json!({"type": "default"}));
        Answer::ok(button)
    }

    /// The menu button set for `chat` (`None`: the bot's default).
    pub(crate) fn menu_button(&self, chat: Option<i64>) -> Option<Value> {
        self.read(|inner| inner.menu_buttons.get(&chat).cloned())
    }
}
