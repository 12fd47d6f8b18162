//! The Bot API methods the simulator implements, with Telegram's checks and error wording.
//!
//! Checks run in Telegram's order where it is observable: parameters and markup first, then the
//! chat, then the flood limit, so a malformed request never uses up the bot's quota.

use std::time::{Duration, Instant};

use chrono::Utc;
use serde::Serialize;
use serde_json::{Value, json};

use super::config::TextLength;
use super::error::ApiError;
use super::media::{document_mime_type, image_dimensions};
use super::params::{Params, UploadedFile};
use super::parse_mode::{
    FormattedText, parse_html, parse_markdown, parse_markdown_v2, trim, utf16_len,
};
use super::state::{
    CallbackAnswer, ChatActionRecord, ChatState, CommandList, FileKind, Inner, SentFile,
    SentRecord, SimState, StoredFile, StoredMessage, WebhookState, unix_now,
};
use super::types::{BotCommand, Document, File, Message, MessageEntity, PhotoSize, WebhookInfo};

/// A successful answer: `{"ok":true,"result":…,"description":…}`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Answer {
    pub(crate) result: Value,
    pub(crate) description: Option<&'static str>,
}

impl Answer {
    pub(crate) fn ok(result: Value) -> Self {
        Self {
            result,
            description: None,
        }
    }

    fn described(result: Value, description: &'static str) -> Self {
        Self {
            result,
            description: Some(description),
        }
    }

    /// The JSON body Telegram sends.
    pub(crate) fn to_json(&self) -> Value {
        let mut body = json!({ "ok": true, "result": self.result });
        if let Some(description) = self.description {
            body["description"] = json!(description);
        }
        body
    }
}

fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

const MAX_TEXT: usize = 4096;
const MAX_CAPTION: usize = 1024;
const QUERY_TOO_OLD: &str = "query is too old and response timeout expired or query ID is invalid";
const NOT_MODIFIED: &str = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";
const CHAT_ACTIONS: &[&str] = &[
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "record_audio",
    "upload_audio",
    "upload_document",
    "choose_sticker",
    "find_location",
    "pick_up_location",
    "record_video_note",
    "upload_video_note",
    "cancel",
];
const INLINE_BUTTON_ACTIONS: &[&str] = &[
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
];

/// `chat_id` as an integer; `@username` and other text name no chat the bot can reach (bots
/// cannot address private chats by username).
fn chat_id(p: &Params) -> Result<i64, ApiError> {
    let raw = p.string("chat_id").unwrap_or_default();
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(ApiError::bad_request("chat_id is empty"));
    }
    raw.parse().map_err(|_| ApiError::chat_not_found())
}

/// The validated `reply_markup`: as the bot sent it, and as a message shows it (inline
/// keyboards only).
fn reply_markup(p: &Params, inline_only: bool) -> Result<(Option<Value>, Option<Value>), ApiError> {
    let what = if inline_only {
        "inline keyboard"
    } else {
        "reply keyboard"
    };
    let unparsable = || ApiError::bad_request(format!("can't parse {what} markup JSON object"));
    let Some(markup) = p.json("reply_markup").map_err(|()| unparsable())? else {
        return Ok((None, None));
    };
    let Some(object) = markup.as_object() else {
        return Err(unparsable());
    };
    if let Some(keyboard) = object.get("inline_keyboard") {
        let rows = keyboard
            .as_array()
            .filter(|rows| rows.iter().all(Value::is_array));
        let Some(rows) = rows else {
            return Err(ApiError::bad_request(
                "field \"inline_keyboard\" of the InlineKeyboardMarkup should be an Array of Arrays",
            ));
        };
        for button in rows.iter().filter_map(Value::as_array).flatten() {
            validate_inline_button(button)?;
        }
        return Ok((Some(markup.clone()), Some(markup)));
    }
    let other_kind = ["keyboard", "remove_keyboard", "force_reply"]
        .iter()
        .any(|key| object.contains_key(*key));
    if other_kind && !inline_only {
        return Ok((Some(markup), None));
    }
    Err(unparsable())
}

fn validate_inline_button(button: &Value) -> Result<(), ApiError> {
    let Some(button) = button.as_object() else {
        return Err(ApiError::bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object",
        ));
    };
    if !button.get("text").is_some_and(Value::is_string) {
        return Err(ApiError::bad_request(
            "can't parse inline keyboard button: Field \"text\" must be of type String",
        ));
    }
    let actions: Vec<&str> = INLINE_BUTTON_ACTIONS
        .iter()
        .copied()
        .filter(|key| button.contains_key(*key))
        .collect();
    if actions.is_empty() {
        return Err(ApiError::bad_request(
            "text buttons are unallowed in the inline keyboard",
        ));
    }
    if let Some(data) = button.get("callback_data") {
        let length = data.as_str().map_or(0, str::len);
        if !(1..=64).contains(&length) {
            return Err(ApiError::bad_request("BUTTON_DATA_INVALID"));
        }
    }
    if let Some(web_app) = button.get("web_app") {
        super::menu::check_web_app_url(web_app, "inline keyboard button")?;
    }
    if let Some(url) = button.get("url") {
        let url = url.as_str().unwrap_or_default();
        let lower = url.to_ascii_lowercase();
        let valid = ["http://", "https://", "tg://"]
            .iter()
            .any(|scheme| lower.starts_with(scheme) && url.len() > scheme.len());
        if !valid {
            return Err(ApiError::bad_request(format!(
                "inline keyboard button URL '{url}' is invalid: Wrong HTTP URL"
            )));
        }
    }
    Ok(())
}

/// `reply_parameters` (or the older `reply_to_message_id`): the message id and whether a
/// missing message is acceptable.
fn reply_target(p: &Params) -> Result<Option<(i64, bool)>, ApiError> {
    let unparsable = || ApiError::bad_request("can't parse reply parameters JSON object");
    if let Some(parameters) = p.json("reply_parameters").map_err(|()| unparsable())? {
        let message_id = parameters
            .get("message_id")
            .and_then(|id| id.as_i64().or_else(|| id.as_str()?.parse().ok()))
            .ok_or_else(unparsable)?;
        let allow = parameters
            .get("allow_sending_without_reply")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        return Ok(Some((message_id, allow)));
    }
    Ok(p.int("reply_to_message_id")
        .filter(|&id| id > 0)
        .map(|id| (id, p.flag("allow_sending_without_reply"))))
}

fn nonempty(entities: Vec<MessageEntity>) -> Option<Vec<MessageEntity>> {
    (!entities.is_empty()).then_some(entities)
}

/// Text of a message as the bot sent it and as Telegram shows it.
struct Text {
    raw: String,
    parse_mode: Option<String>,
    formatted: FormattedText,
}

impl Inner {
    fn reachable_chat(&mut self, chat_id: i64) -> Result<&mut ChatState, ApiError> {
        let chat = self
            .chats
            .get_mut(&chat_id)
            .ok_or_else(ApiError::chat_not_found)?;
        if chat.blocked {
            return Err(ApiError::forbidden("bot was blocked by the user"));
        }
        Ok(chat)
    }

    /// Counts one message against the flood limits, or refuses with 429.
    fn admit(&mut self, limits: &super::limits::RateLimits, chat_id: i64) -> Result<(), ApiError> {
        self.limiter.attempted(Instant::now());
        if let Some((left, retry_after)) = self.forced_too_many {
            self.forced_too_many = (left > 1).then_some((left - 1, retry_after));
            self.too_many_requests += 1;
            return Err(ApiError::too_many_requests(retry_after));
        }
        self.limiter
            .admit(limits, chat_id, Instant::now())
            .map_err(|retry_after| {
                self.too_many_requests += 1;
                ApiError::too_many_requests(retry_after)
            })
    }

    fn reply_message(
        &mut self,
        chat_id: i64,
        target: Option<(i64, bool)>,
    ) -> Result<Option<Box<Message>>, ApiError> {
        let Some((message_id, allow_missing)) = target else {
            return Ok(None);
        };
        let chat = self.reachable_chat(chat_id)?;
        match chat.messages.get(&message_id) {
            Some(stored) => {
                let mut replied = stored.message.clone();
                replied.reply_to_message = None;
                Ok(Some(Box::new(replied)))
            }
            None if allow_missing => Ok(None),
            None => Err(ApiError::bad_request("message to be replied not found")),
        }
    }

    fn post_bot_message(
        &mut self,
        chat_id: i64,
        bot: &super::types::User,
        fill: impl FnOnce(&mut Message),
    ) -> Result<Message, ApiError> {
        let chat = self.reachable_chat(chat_id)?;
        let message_id = chat.next_message_id;
        chat.next_message_id += 1;
        let mut message = Message {
            message_id,
            from: Some(bot.clone()),
            date: unix_now(),
            chat: chat.chat.clone(),
            reply_to_message: None,
            edit_date: None,
            text: None,
            entities: None,
            link_preview_options: None,
            document: None,
            photo: None,
            voice: None,
            caption: None,
            caption_entities: None,
            reply_markup: None,
        };
        fill(&mut message);
        chat.messages.insert(
            message_id,
            StoredMessage {
                message: message.clone(),
                from_bot: true,
            },
        );
        Ok(message)
    }

    fn record(&mut self, mut record: SentRecord) {
        record.seq = self.sent.len() as u64;
        self.sent.push(record);
    }
}

fn sent_record(method: &str, chat_id: i64, message_id: i64) -> SentRecord {
    SentRecord {
        seq: 0,
        method: method.to_owned(),
        chat_id,
        message_id,
        text: None,
        parse_mode: None,
        rendered_text: None,
        entities: Vec::new(),
        reply_markup: None,
        reply_to_message_id: None,
        link_preview_options: None,
        disable_notification: false,
        file: None,
        at: Utc::now(),
    }
}

impl SimState {
    /// Runs one Bot API method (`method` is case-insensitive, as in Telegram).
    pub(crate) async fn call(&self, method: &str, p: &Params) -> Result<Answer, ApiError> {
        match method.to_ascii_lowercase().as_str() {
            "getme" => Ok(Answer::ok(to_json(&self.bot))),
            "getupdates" => self.get_updates(p).await,
            "setwebhook" => self.set_webhook(p),
            "deletewebhook" => Ok(self.delete_webhook(p.flag("drop_pending_updates"))),
            "getwebhookinfo" => Ok(Answer::ok(to_json(&self.webhook_info()))),
            "sendmessage" => self.send_message(p),
            "editmessagetext" => self.edit_message_text(p),
            "editmessagereplymarkup" => self.edit_message_reply_markup(p),
            "deletemessage" => self.delete_message(p),
            "answercallbackquery" => self.answer_callback_query(p),
            "sendchataction" => self.send_chat_action(p),
            "senddocument" => self.send_file(p, FileKind::Document),
            "sendphoto" => self.send_file(p, FileKind::Photo),
            "setmycommands" => self.set_my_commands(p),
            "getmycommands" => self.get_my_commands(p),
            "deletemycommands" => self.delete_my_commands(p),
            "getfile" => self.get_file(p),
            "setchatmenubutton" => self.set_chat_menu_button(p),
            "getchatmenubutton" => Ok(self.get_chat_menu_button(p)),
            _ => Err(ApiError::not_found()),
        }
    }

    fn text_length(&self, text: &str) -> usize {
        match self.config.text_length {
            TextLength::Utf16CodeUnits => utf16_len(text),
            TextLength::Chars => text.chars().count(),
        }
    }

    /// Parses marked-up text into what the user sees (trimmed, as Telegram trims it).
    fn format(
        &self,
        raw: &str,
        parse_mode: Option<&str>,
        p: &Params,
        entities_field: &str,
    ) -> Result<FormattedText, ApiError> {
        let explicit: Option<Vec<MessageEntity>> = p
            .typed(entities_field)
            .map_err(|()| ApiError::bad_request("can't parse entities JSON object"))?;
        let formatted = match explicit {
            Some(entities) => {
                let length = utf16_len(raw);
                FormattedText {
                    text: raw.to_owned(),
                    entities: entities
                        .into_iter()
                        .filter(|e| e.length > 0 && e.offset + e.length <= length)
                        .collect(),
                }
            }
            None => {
                let mode = parse_mode
                    .map(|mode| mode.trim().to_ascii_lowercase())
                    .filter(|mode| !mode.is_empty());
                let parsed = match mode.as_deref() {
                    None => Ok(FormattedText {
                        text: raw.to_owned(),
                        entities: Vec::new(),
                    }),
                    Some("html") => parse_html(raw, self.config.html_ampersand),
                    Some("markdownv2") => parse_markdown_v2(raw),
                    Some("markdown") => parse_markdown(raw),
                    Some(_) => return Err(ApiError::bad_request("unsupported parse_mode")),
                };
                parsed.map_err(|e| {
                    ApiError::bad_request(format!("can't parse entities: {}", e.message))
                })?
            }
        };
        Ok(trim(formatted))
    }

    fn message_text(&self, p: &Params) -> Result<Text, ApiError> {
        let raw = p.string("text").unwrap_or_default();
        if raw.is_empty() {
            return Err(ApiError::bad_request("message text is empty"));
        }
        let parse_mode = p.string("parse_mode");
        let formatted = self.format(&raw, parse_mode.as_deref(), p, "entities")?;
        if formatted.text.is_empty() {
            return Err(ApiError::bad_request("message text is empty"));
        }
        if self.text_length(&formatted.text) > MAX_TEXT {
            return Err(ApiError::bad_request("message is too long"));
        }
        Ok(Text {
            raw,
            parse_mode,
            formatted,
        })
    }

    fn caption(&self, p: &Params) -> Result<Option<Text>, ApiError> {
        let Some(raw) = p.string("caption").filter(|c| !c.is_empty()) else {
            return Ok(None);
        };
        let parse_mode = p.string("parse_mode");
        let formatted = self.format(&raw, parse_mode.as_deref(), p, "caption_entities")?;
        if self.text_length(&formatted.text) > MAX_CAPTION {
            return Err(ApiError::bad_request("message caption is too long"));
        }
        Ok((!formatted.text.is_empty()).then_some(Text {
            raw,
            parse_mode,
            formatted,
        }))
    }

    fn send_message(&self, p: &Params) -> Result<Answer, ApiError> {
        let chat_id = chat_id(p)?;
        let text = self.message_text(p)?;
        let (markup, shown_markup) = reply_markup(p, false)?;
        let reply = reply_target(p)?;
        let link_preview_options = p
            .json("link_preview_options")
            .map_err(|()| ApiError::bad_request("can't parse link preview options JSON object"))?;
        let mut inner = self.lock();
        inner.reachable_chat(chat_id)?;
        let reply_to = inner.reply_message(chat_id, reply)?;
        let reply_to_message_id = reply_to.as_ref().map(|m| m.message_id);
        inner.admit(&self.config.rate_limits, chat_id)?;
        let message = inner.post_bot_message(chat_id, &self.sender, |m| {
            m.text = Some(text.formatted.text.clone());
            m.entities = nonempty(text.formatted.entities.clone());
            m.reply_to_message = reply_to;
            m.reply_markup = shown_markup;
        })?;
        let mut record = sent_record("sendMessage", chat_id, message.message_id);
        record.text = Some(text.raw);
        record.parse_mode = text.parse_mode;
        record.rendered_text = Some(text.formatted.text);
        record.entities = text.formatted.entities;
        record.reply_markup = markup;
        record.reply_to_message_id = reply_to_message_id;
        record.link_preview_options = link_preview_options;
        record.disable_notification = p.flag("disable_notification");
        inner.record(record);
        drop(inner);
        self.notify_sent();
        Ok(Answer::ok(to_json(&message)))
    }

    fn send_file(&self, p: &Params, kind: FileKind) -> Result<Answer, ApiError> {
        enum Source {
            Upload(UploadedFile),
            Existing(String),
            Url(String),
        }
        let (field, method) = match kind {
            FileKind::Photo => ("photo", "sendPhoto"),
            FileKind::Document | FileKind::Voice => ("document", "sendDocument"),
        };
        let chat_id = chat_id(p)?;
        let missing = || ApiError::bad_request(format!("there is no {field} in the request"));
        let source = match p.file(field) {
            Some(file) => Source::Upload(file.clone()),
            None => {
                let value = p.string(field).unwrap_or_default();
                let value = value.trim();
                if value.is_empty() {
                    return Err(missing());
                } else if let Some(name) = value.strip_prefix("attach://") {
                    Source::Upload(p.file(name).cloned().ok_or_else(missing)?)
                } else if value.starts_with("http://") || value.starts_with("https://") {
                    Source::Url(value.to_owned())
                } else {
                    Source::Existing(value.to_owned())
                }
            }
        };
        if let Source::Upload(file) = &source {
            if file.bytes.is_empty() {
                return Err(ApiError::bad_request("file must be non-empty"));
            }
            if kind == FileKind::Photo && image_dimensions(&file.bytes).is_none() {
                return Err(ApiError::bad_request("IMAGE_PROCESS_FAILED"));
            }
        }
        let caption = self.caption(p)?;
        let (markup, shown_markup) = reply_markup(p, false)?;
        let reply = reply_target(p)?;

        let mut inner = self.lock();
        inner.reachable_chat(chat_id)?;
        if let Source::Existing(file_id) = &source {
            let stored = inner
                .files
                .get(file_id)
                .ok_or_else(|| ApiError::bad_request("wrong file identifier/HTTP URL specified"))?;
            if stored.kind != kind {
                return Err(ApiError::bad_request(stored.mismatch(kind)));
            }
        }
        let reply_to = inner.reply_message(chat_id, reply)?;
        let reply_to_message_id = reply_to.as_ref().map(|m| m.message_id);
        inner.admit(&self.config.rate_limits, chat_id)?;
        let file: StoredFile = match source {
            Source::Upload(upload) => {
                let mime_type = match kind {
                    FileKind::Photo => None,
                    _ => Some(document_mime_type(
                        upload.file_name.as_deref(),
                        upload.content_type.as_deref(),
                    )),
                };
                inner.new_file(
                    &self.nonce,
                    kind,
                    upload.bytes,
                    upload.file_name,
                    mime_type,
                    None,
                )
            }
            Source::Existing(file_id) => match inner.files.get(&file_id) {
                Some(stored) => stored.clone(),
                None => {
                    return Err(ApiError::bad_request(
                        "wrong file identifier/HTTP URL specified",
                    ));
                }
            },
            Source::Url(url) => {
                let name = url
                    .split(['?', '#'])
                    .next()
                    .and_then(|path| path.rsplit('/').next())
                    .filter(|name| !name.is_empty())
                    .map(str::to_owned);
                let mime_type =
                    (kind == FileKind::Document).then(|| document_mime_type(name.as_deref(), None));
                inner.new_file(&self.nonce, kind, Vec::new(), name, mime_type, Some(url))
            }
        };
        let message = inner.post_bot_message(chat_id, &self.sender, |m| {
            match kind {
                FileKind::Photo => {
                    let (width, height) = file.dimensions.unwrap_or((0, 0));
                    m.photo = Some(vec![PhotoSize {
                        file_id: file.file_id.clone(),
                        file_unique_id: file.file_unique_id.clone(),
                        width,
                        height,
                        file_size: Some(file.size()),
                    }]);
                }
                FileKind::Document | FileKind::Voice => {
                    m.document = Some(Document {
                        file_id: file.file_id.clone(),
                        file_unique_id: file.file_unique_id.clone(),
                        file_name: file.file_name.clone(),
                        mime_type: file.mime_type.clone(),
                        file_size: Some(file.size()),
                    });
                }
            }
            if let Some(caption) = &caption {
                m.caption = Some(caption.formatted.text.clone());
                m.caption_entities = nonempty(caption.formatted.entities.clone());
            }
            m.reply_to_message = reply_to;
            m.reply_markup = shown_markup;
        })?;
        let mut record = sent_record(method, chat_id, message.message_id);
        if let Some(caption) = caption {
            record.text = Some(caption.raw);
            record.parse_mode = caption.parse_mode;
            record.rendered_text = Some(caption.formatted.text);
            record.entities = caption.formatted.entities;
        }
        record.reply_markup = markup;
        record.reply_to_message_id = reply_to_message_id;
        record.disable_notification = p.flag("disable_notification");
        record.file = Some(SentFile {
            kind,
            file_id: file.file_id.clone(),
            file_name: file.file_name.clone(),
            mime_type: file.mime_type.clone(),
            bytes: file.bytes.clone(),
            url: file.url.clone(),
        });
        inner.record(record);
        drop(inner);
        self.notify_sent();
        Ok(Answer::ok(to_json(&message)))
    }

    /// The chat and message id an edit addresses.
    fn edited_message(p: &Params) -> Result<(i64, i64), ApiError> {
        if !p.has("chat_id") && p.has("inline_message_id") {
            return Err(ApiError::bad_request("MESSAGE_ID_INVALID"));
        }
        let chat_id = chat_id(p)?;
        let message_id = p
            .int("message_id")
            .filter(|&id| id > 0)
            .ok_or_else(|| ApiError::bad_request("message identifier is not specified"))?;
        Ok((chat_id, message_id))
    }

    fn edit_message_text(&self, p: &Params) -> Result<Answer, ApiError> {
        let (chat_id, message_id) = Self::edited_message(p)?;
        let text = self.message_text(p)?;
        let (markup, shown_markup) = reply_markup(p, true)?;
        let link_preview_options = p
            .json("link_preview_options")
            .map_err(|()| ApiError::bad_request("can't parse link preview options JSON object"))?;
        let mut inner = self.lock();
        let chat = inner.reachable_chat(chat_id)?;
        let stored = chat
            .messages
            .get(&message_id)
            .ok_or_else(|| ApiError::bad_request("message to edit not found"))?;
        if !stored.from_bot {
            return Err(ApiError::bad_request("message can't be edited"));
        }
        let current = &stored.message;
        if current.text.is_none() {
            return Err(ApiError::bad_request(
                "there is no text in the message to edit",
            ));
        }
        let entities = nonempty(text.formatted.entities.clone());
        if current.text.as_deref() == Some(text.formatted.text.as_str())
            && current.entities == entities
            && current.reply_markup == shown_markup
        {
            return Err(ApiError::bad_request(NOT_MODIFIED));
        }
        inner.admit(&self.config.rate_limits, chat_id)?;
        let message = Self::update_message(&mut inner, chat_id, message_id, |m| {
            m.text = Some(text.formatted.text.clone());
            m.entities = entities;
            m.reply_markup = shown_markup;
        })?;
        let mut record = sent_record("editMessageText", chat_id, message_id);
        record.text = Some(text.raw);
        record.parse_mode = text.parse_mode;
        record.rendered_text = Some(text.formatted.text);
        record.entities = text.formatted.entities;
        record.reply_markup = markup;
        record.link_preview_options = link_preview_options;
        inner.record(record);
        drop(inner);
        self.notify_sent();
        Ok(Answer::ok(to_json(&message)))
    }

    fn edit_message_reply_markup(&self, p: &Params) -> Result<Answer, ApiError> {
        let (chat_id, message_id) = Self::edited_message(p)?;
        let (markup, shown_markup) = reply_markup(p, true)?;
        let mut inner = self.lock();
        let chat = inner.reachable_chat(chat_id)?;
        let stored = chat
            .messages
            .get(&message_id)
            .ok_or_else(|| ApiError::bad_request("message to edit not found"))?;
        if !stored.from_bot {
            return Err(ApiError::bad_request("message can't be edited"));
        }
        if stored.message.reply_markup == shown_markup {
            return Err(ApiError::bad_request(NOT_MODIFIED));
        }
        let message = Self::update_message(&mut inner, chat_id, message_id, |m| {
            m.reply_markup = shown_markup;
        })?;
        let mut record = sent_record("editMessageReplyMarkup", chat_id, message_id);
        record.text = message.text.clone().or_else(|| message.caption.clone());
        record.rendered_text = record.text.clone();
        record.reply_markup = markup;
        inner.record(record);
        drop(inner);
        self.notify_sent();
        Ok(Answer::ok(to_json(&message)))
    }

    fn update_message(
        inner: &mut Inner,
        chat_id: i64,
        message_id: i64,
        change: impl FnOnce(&mut Message),
    ) -> Result<Message, ApiError> {
        let stored = inner
            .reachable_chat(chat_id)?
            .messages
            .get_mut(&message_id)
            .ok_or_else(|| ApiError::bad_request("message to edit not found"))?;
        change(&mut stored.message);
        stored.message.edit_date = Some(unix_now());
        Ok(stored.message.clone())
    }

    fn delete_message(&self, p: &Params) -> Result<Answer, ApiError> {
        let chat_id = chat_id(p)?;
        let message_id = p
            .int("message_id")
            .ok_or_else(|| ApiError::bad_request("message identifier is not specified"))?;
        let mut inner = self.lock();
        let chat = inner.reachable_chat(chat_id)?;
        chat.messages
            .remove(&message_id)
            .ok_or_else(|| ApiError::bad_request("message to delete not found"))?;
        Ok(Answer::ok(json!(true)))
    }

    fn answer_callback_query(&self, p: &Params) -> Result<Answer, ApiError> {
        let id = p.string("callback_query_id").unwrap_or_default();
        let mut inner = self.lock();
        let pending = inner
            .callbacks
            .get_mut(&id)
            .filter(|pending| {
                !pending.answered && pending.created.elapsed() <= self.config.callback_query_timeout
            })
            .ok_or_else(|| ApiError::bad_request(QUERY_TOO_OLD))?;
        pending.answered = true;
        inner.callback_answers.push(CallbackAnswer {
            callback_query_id: id,
            text: p.string("text"),
            show_alert: p.flag("show_alert"),
            url: p.string("url"),
            at: Utc::now(),
        });
        Ok(Answer::ok(json!(true)))
    }

    fn send_chat_action(&self, p: &Params) -> Result<Answer, ApiError> {
        let chat_id = chat_id(p)?;
        let action = p.string("action").unwrap_or_default().to_ascii_lowercase();
        if !CHAT_ACTIONS.contains(&action.as_str()) {
            return Err(ApiError::bad_request("wrong parameter action in request"));
        }
        let mut inner = self.lock();
        inner.reachable_chat(chat_id)?;
        inner.chat_actions.push(ChatActionRecord {
            chat_id,
            action,
            at: Utc::now(),
        });
        Ok(Answer::ok(json!(true)))
    }

    /// The command list's scope object and its key; chat scopes must name a known chat.
    fn command_scope(&self, p: &Params) -> Result<(Value, String), ApiError> {
        let unparsable = || ApiError::bad_request("can't parse BotCommandScope JSON object");
        let scope = p
            .json("scope")
            .map_err(|()| unparsable())?
            .unwrap_or_else(|| json!({ "type": "default" }));
        let kind = scope
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(unparsable)?;
        let id_of = |field: &str| {
            scope
                .get(field)
                .and_then(|id| id.as_i64().or_else(|| id.as_str()?.parse().ok()))
        };
        let key = match kind {
            "default" | "all_private_chats" | "all_group_chats" | "all_chat_administrators" => {
                kind.to_owned()
            }
            "chat" | "chat_administrators" | "chat_member" => {
                let chat_id = id_of("chat_id").ok_or_else(ApiError::chat_not_found)?;
                if !self.lock().chats.contains_key(&chat_id) {
                    return Err(ApiError::chat_not_found());
                }
                if kind == "chat_administrators" {
                    return Err(ApiError::bad_request(
                        "can't use specified scope in private chats",
                    ));
                }
                if kind == "chat_member" {
                    let user_id = id_of("user_id")
                        .ok_or_else(|| ApiError::bad_request("invalid user_id specified"))?;
                    format!("chat_member:{chat_id}:{user_id}")
                } else {
                    format!("chat:{chat_id}")
                }
            }
            _ => return Err(unparsable()),
        };
        Ok((scope, key))
    }

    fn language_code(p: &Params) -> Result<String, ApiError> {
        let code = p.string("language_code").unwrap_or_default();
        let valid =
            code.is_empty() || (code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase()));
        if valid {
            Ok(code)
        } else {
            Err(ApiError::bad_request("invalid language code specified"))
        }
    }

    fn set_my_commands(&self, p: &Params) -> Result<Answer, ApiError> {
        let unparsable = || ApiError::bad_request("can't parse BotCommand array JSON object");
        let commands = p.json("commands").map_err(|()| unparsable())?;
        let commands = match commands {
            None => Vec::new(),
            Some(Value::Array(items)) => items,
            Some(_) => return Err(unparsable()),
        };
        if commands.len() > 100 {
            return Err(ApiError::bad_request("BOT_COMMANDS_TOO_MUCH"));
        }
        let mut parsed = Vec::with_capacity(commands.len());
        for item in &commands {
            let field = |name: &str| item.get(name).and_then(Value::as_str).map(str::to_owned);
            let (Some(command), Some(description)) = (field("command"), field("description"))
            else {
                return Err(ApiError::bad_request("can't parse BotCommand JSON object"));
            };
            if command.is_empty() {
                return Err(ApiError::bad_request("command must be non-empty"));
            }
            if command.chars().count() > 32 {
                return Err(ApiError::bad_request("command length must not exceed 32"));
            }
            let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
            if !command.chars().all(allowed) {
                return Err(ApiError::bad_request("BOT_COMMAND_INVALID"));
            }
            if description.trim().is_empty() {
                return Err(ApiError::bad_request(
                    "command description must be non-empty",
                ));
            }
            if description.chars().count() > 256 {
                return Err(ApiError::bad_request(
                    "command description length must not exceed 256",
                ));
            }
            parsed.push(BotCommand {
                command,
                description,
            });
        }
        let (scope, key) = self.command_scope(p)?;
        let language_code = Self::language_code(p)?;
        let mut inner = self.lock();
        let key = (key, language_code.clone());
        if parsed.is_empty() {
            inner.commands.remove(&key);
        } else {
            inner.commands.insert(
                key,
                CommandList {
                    scope,
                    language_code,
                    commands: parsed,
                },
            );
        }
        Ok(Answer::ok(json!(true)))
    }

    fn get_my_commands(&self, p: &Params) -> Result<Answer, ApiError> {
        let (_, key) = self.command_scope(p)?;
        let language_code = Self::language_code(p)?;
        let inner = self.lock();
        let commands = inner
            .commands
            .get(&(key, language_code))
            .map(|list| list.commands.clone())
            .unwrap_or_default();
        Ok(Answer::ok(to_json(&commands)))
    }

    fn delete_my_commands(&self, p: &Params) -> Result<Answer, ApiError> {
        let (_, key) = self.command_scope(p)?;
        let language_code = Self::language_code(p)?;
        self.lock().commands.remove(&(key, language_code));
        Ok(Answer::ok(json!(true)))
    }

    fn get_file(&self, p: &Params) -> Result<Answer, ApiError> {
        let file_id = p.string("file_id").unwrap_or_default();
        let file_id = file_id.trim();
        if file_id.is_empty() {
            return Err(ApiError::bad_request("file_id not specified"));
        }
        let inner = self.lock();
        let file = inner
            .files
            .get(file_id)
            .ok_or_else(|| ApiError::bad_request("invalid file_id"))?;
        if file.size() > self.config.max_download_bytes {
            return Err(ApiError::bad_request("file is too big"));
        }
        Ok(Answer::ok(to_json(&File {
            file_id: file.file_id.clone(),
            file_unique_id: file.file_unique_id.clone(),
            file_size: Some(file.size()),
            file_path: Some(file.file_path.clone()),
        })))
    }

    /// The bytes behind a `file_path` returned by `getFile`.
    pub(crate) fn download(&self, file_path: &str) -> Option<Vec<u8>> {
        let inner = self.lock();
        let file_id = inner.file_ids_by_path.get(file_path)?;
        let file = inner.files.get(file_id)?;
        (file.size() <= self.config.max_download_bytes).then(|| file.bytes.clone())
    }

    // -----------------------------------------------------------------------------------------
    // Getting updates

    async fn get_updates(&self, p: &Params) -> Result<Answer, ApiError> {
        let offset = p.int("offset").unwrap_or(0);
        let limit = usize::try_from(p.int("limit").unwrap_or(100).clamp(1, 100)).unwrap_or(100);
        let timeout =
            Duration::from_secs(u64::try_from(p.int("timeout").unwrap_or(0)).unwrap_or(0))
                .min(self.config.max_long_poll);
        // Telegram ignores a malformed allowed_updates and keeps the previous setting.
        let allowed_updates = p.typed::<Vec<String>>("allowed_updates").ok().flatten();
        let deadline = tokio::time::Instant::now() + timeout;
        let mut changes = self.updates_changed.subscribe();
        let generation = {
            let mut inner = self.lock();
            if inner.webhook.is_some() {
                return Err(ApiError::conflict(
                    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
                ));
            }
            if offset > 0 {
                inner.updates.retain(|u| u.update_id >= offset);
            } else if offset < 0 {
                let keep = usize::try_from(offset.unsigned_abs()).unwrap_or(usize::MAX);
                let excess = inner.updates.len().saturating_sub(keep);
                inner.updates.drain(..excess);
            }
            if let Some(kinds) = allowed_updates {
                inner.allowed_updates = Some(kinds);
            }
            inner.poll_generation += 1;
            inner.poll_generation
        };
        // Wakes an older long poll, which then ends with 409 as in Telegram.
        self.notify_updates();
        changes.borrow_and_update();
        loop {
            {
                let inner = self.lock();
                if inner.webhook.is_some() {
                    return Err(ApiError::conflict("terminated by setWebhook request"));
                }
                if inner.poll_generation != generation {
                    return Err(ApiError::conflict(
                        "terminated by other getUpdates request; make sure that only one bot instance is running",
                    ));
                }
                if !inner.updates.is_empty() || tokio::time::Instant::now() >= deadline {
                    let batch: Vec<_> = inner.updates.iter().take(limit).cloned().collect();
                    return Ok(Answer::ok(to_json(&batch)));
                }
            }
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) | Err(_) => {}
                Ok(Err(_)) => return Ok(Answer::ok(json!([]))),
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Webhooks

    fn set_webhook(&self, p: &Params) -> Result<Answer, ApiError> {
        let url = p.string("url").unwrap_or_default();
        let url = url.trim();
        if url.is_empty() {
            return Ok(self.delete_webhook(p.flag("drop_pending_updates")));
        }
        self.check_webhook_url(url)?;
        let secret_token = p.string("secret_token").filter(|s| !s.is_empty());
        if let Some(secret) = &secret_token {
            if secret.len() > 256 {
                return Err(ApiError::bad_request("secret token is too long"));
            }
            let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
            if !secret.chars().all(allowed) {
                return Err(ApiError::bad_request(
                    "secret token contains illegal characters",
                ));
            }
        }
        let max_connections =
            u32::try_from(p.int("max_connections").unwrap_or(40).clamp(1, 100)).unwrap_or(40);
        let ip_address = p.string("ip_address").filter(|ip| !ip.is_empty());
        let allowed_updates = p.typed::<Vec<String>>("allowed_updates").ok().flatten();
        let mut inner = self.lock();
        if p.flag("drop_pending_updates") {
            inner.updates.clear();
        }
        if let Some(kinds) = allowed_updates {
            inner.allowed_updates = Some(kinds);
        }
        let unchanged = inner.webhook.as_ref().is_some_and(|current| {
            current.url == url
                && current.secret_token == secret_token
                && current.max_connections == max_connections
                && current.ip_address == ip_address
        });
        if !unchanged {
            inner.webhook = Some(WebhookState {
                url: url.to_owned(),
                secret_token,
                max_connections,
                ip_address,
                last_error_date: None,
                last_error_message: None,
            });
            inner.webhook_generation += 1;
        }
        drop(inner);
        self.notify_updates();
        Ok(if unchanged {
            Answer::described(json!(true), "Webhook is already set")
        } else {
            Answer::described(json!(true), "Webhook was set")
        })
    }

    fn check_webhook_url(&self, url: &str) -> Result<(), ApiError> {
        let invalid = || ApiError::bad_request("invalid webhook URL specified");
        let (scheme, rest) = url.split_once("://").ok_or_else(invalid)?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(invalid());
        }
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host_port = authority.rsplit('@').next().unwrap_or_default();
        let (host, port) = if let Some(bracketed) = host_port.strip_prefix('[') {
            let (host, after) = bracketed.split_once(']').ok_or_else(invalid)?;
            (host, after.strip_prefix(':'))
        } else {
            match host_port.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (host_port, None),
            }
        };
        if host.is_empty() {
            return Err(invalid());
        }
        let port: u16 = match port {
            Some(port) => port.parse().map_err(|_| invalid())?,
            None if scheme == "https" => 443,
            None => 80,
        };
        if self.config.webhook.require_https {
            if scheme != "https" {
                return Err(ApiError::bad_request(
                    "bad webhook: An HTTPS URL must be provided for webhook",
                ));
            }
            if ![443, 80, 88, 8443].contains(&port) {
                return Err(ApiError::bad_request(
                    "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443",
                ));
            }
        }
        Ok(())
    }

    pub(crate) fn delete_webhook(&self, drop_pending_updates: bool) -> Answer {
        let mut inner = self.lock();
        if drop_pending_updates {
            inner.updates.clear();
        }
        let existed = inner.webhook.take().is_some();
        if existed {
            inner.webhook_generation += 1;
        }
        drop(inner);
        self.notify_updates();
        if existed {
            Answer::described(json!(true), "Webhook was deleted")
        } else {
            Answer::described(json!(true), "Webhook is already deleted")
        }
    }

    pub(crate) fn webhook_info(&self) -> WebhookInfo {
        let inner = self.lock();
        let pending_update_count = u32::try_from(inner.updates.len()).unwrap_or(u32::MAX);
        match &inner.webhook {
            None => WebhookInfo {
                url: String::new(),
                has_custom_certificate: false,
                pending_update_count,
                ip_address: None,
                last_error_date: None,
                last_error_message: None,
                max_connections: None,
                allowed_updates: None,
            },
            Some(webhook) => WebhookInfo {
                url: webhook.url.clone(),
                has_custom_certificate: false,
                pending_update_count,
                ip_address: webhook.ip_address.clone(),
                last_error_date: webhook.last_error_date,
                last_error_message: webhook.last_error_message.clone(),
                max_connections: Some(webhook.max_connections),
                allowed_updates: inner.allowed_updates.clone().filter(|k| !k.is_empty()),
            },
        }
    }
}
