//! Everything the simulated Telegram remembers: chats and their messages, the update queue,
//! files, callback queries, the webhook, command lists and what the bot sent.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::watch;

use super::config::SimConfig;
use super::error::SimError;
use super::faults::{Fault, FaultRule, Faults};
use super::limits::RateLimiter;
use super::parse_mode::bot_command_entities;
use super::types::{
    BotCommand, CallbackQuery, Chat, Message, MessageEntity, PhotoSize, Update, User, Voice,
};

/// A person talking to the bot in a private chat (whose id equals the user's id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimUser {
    pub id: i64,
    pub first_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// IETF language tag of the user's app, e.g. "uk" or "en".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_code: Option<String>,
}

impl SimUser {
    /// A user with an id and a first name.
    pub fn new(id: i64, first_name: impl Into<String>) -> Self {
        Self {
            id,
            first_name: first_name.into(),
            last_name: None,
            username: None,
            language_code: None,
        }
    }

    /// Sets the app's language.
    pub fn with_language(mut self, language_code: impl Into<String>) -> Self {
        self.language_code = Some(language_code.into());
        self
    }

    /// Sets the `@username` (without `@`).
    pub fn with_username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// The id of the user's private chat with the bot.
    pub fn chat_id(&self) -> i64 {
        self.id
    }

    /// The Bot API `User` of this person.
    pub fn to_user(&self) -> User {
        User {
            id: self.id,
            is_bot: false,
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            username: self.username.clone(),
            language_code: self.language_code.clone(),
            can_join_groups: None,
            can_read_all_group_messages: None,
            supports_inline_queries: None,
            can_connect_to_business: None,
            has_main_web_app: None,
        }
    }

    fn to_chat(&self) -> Chat {
        Chat {
            id: self.id,
            kind: "private".to_owned(),
            title: None,
            username: self.username.clone(),
            first_name: Some(self.first_name.clone()),
            last_name: self.last_name.clone(),
        }
    }
}

/// What kind of file a file id stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Document,
    Photo,
    Voice,
}

impl FileKind {
    fn tdlib_name(self) -> &'static str {
        match self {
            Self::Document => "Document",
            Self::Photo => "Photo",
            Self::Voice => "VoiceNote",
        }
    }
}

fn serialize_base64<S: serde::Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// A file the bot sent, with its bytes when it uploaded them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentFile {
    pub kind: FileKind,
    pub file_id: String,
    pub file_name: Option<String>,
    pub mime_type: Option<String>,
    /// Empty when the bot passed a URL (the simulator does not fetch it).
    #[serde(serialize_with = "serialize_base64", rename = "bytes_base64")]
    pub bytes: Vec<u8>,
    /// The URL the bot passed instead of uploading.
    pub url: Option<String>,
}

/// One message-producing call of the bot (`sendMessage`, `sendDocument`, `sendPhoto`,
/// `editMessageText`, `editMessageReplyMarkup`), in the order they succeeded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SentRecord {
    /// Position in [`super::TelegramSim::sent`], from 0.
    pub seq: u64,
    /// The Bot API method, e.g. "sendMessage".
    pub method: String,
    pub chat_id: i64,
    pub message_id: i64,
    /// The text (or caption) as the bot sent it, markup included.
    pub text: Option<String>,
    pub parse_mode: Option<String>,
    /// The text the user sees: markup removed, trimmed.
    pub rendered_text: Option<String>,
    pub entities: Vec<MessageEntity>,
    pub reply_markup: Option<Value>,
    pub reply_to_message_id: Option<i64>,
    pub link_preview_options: Option<Value>,
    pub disable_notification: bool,
    pub file: Option<SentFile>,
    pub at: DateTime<Utc>,
}

impl SentRecord {
    /// The visible text, or the raw text when there is none.
    pub fn visible_text(&self) -> &str {
        self.rendered_text
            .as_deref()
            .or(self.text.as_deref())
            .unwrap_or_default()
    }

    /// `callback_data` of every inline button, row by row.
    pub fn callback_data(&self) -> Vec<String> {
        inline_buttons(self.reply_markup.as_ref())
            .filter_map(|button| button.get("callback_data")?.as_str().map(str::to_owned))
            .collect()
    }
}

/// A `sendChatAction` call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatActionRecord {
    pub chat_id: i64,
    pub action: String,
    pub at: DateTime<Utc>,
}

/// An `answerCallbackQuery` call that succeeded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallbackAnswer {
    pub callback_query_id: String,
    pub text: Option<String>,
    pub show_alert: bool,
    pub url: Option<String>,
    pub at: DateTime<Utc>,
}

/// A command list set with `setMyCommands` for one scope and language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandList {
    /// The `BotCommandScope` object; `{"type":"default"}` when none was given.
    pub scope: Value,
    /// Empty for all languages.
    pub language_code: String,
    pub commands: Vec<BotCommand>,
}

/// The webhook set with `setWebhook`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookState {
    pub url: String,
    pub secret_token: Option<String>,
    pub max_connections: u32,
    pub ip_address: Option<String>,
    /// Unix time of the last failed delivery.
    pub last_error_date: Option<i64>,
    pub last_error_message: Option<String>,
}

/// One attempt to deliver an update to the webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryAttempt {
    pub update_id: i64,
    pub url: String,
    /// The HTTP status the bot answered, if it answered.
    pub status: Option<u16>,
    /// Telegram's wording of the failure, e.g. "Wrong response from the webhook: 500 …".
    pub error: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(crate) struct StoredFile {
    pub(crate) file_id: String,
    pub(crate) file_unique_id: String,
    pub(crate) kind: FileKind,
    pub(crate) bytes: Vec<u8>,
    pub(crate) file_name: Option<String>,
    pub(crate) mime_type: Option<String>,
    pub(crate) file_path: String,
    pub(crate) url: Option<String>,
    pub(crate) dimensions: Option<(u32, u32)>,
}

impl StoredFile {
    pub(crate) fn size(&self) -> u64 {
        self.bytes.len() as u64
    }

    pub(crate) fn mismatch(&self, wanted: FileKind) -> String {
        format!(
            "can't use file of type {} as {}",
            self.kind.tdlib_name(),
            wanted.tdlib_name()
        )
    }
}

#[derive(Debug, Clone)]
pub(crate) struct StoredMessage {
    pub(crate) message: Message,
    pub(crate) from_bot: bool,
}

#[derive(Debug)]
pub(crate) struct ChatState {
    pub(crate) user: SimUser,
    pub(crate) chat: Chat,
    pub(crate) next_message_id: i64,
    pub(crate) messages: BTreeMap<i64, StoredMessage>,
    pub(crate) blocked: bool,
}

#[derive(Debug)]
pub(crate) struct PendingCallback {
    pub(crate) created: Instant,
    pub(crate) answered: bool,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) next_update_id: i64,
    pub(crate) updates: VecDeque<Update>,
    /// `None`: Telegram's default set (everything but chat_member and reactions).
    pub(crate) allowed_updates: Option<Vec<String>>,
    pub(crate) chats: BTreeMap<i64, ChatState>,
    pub(crate) files: HashMap<String, StoredFile>,
    pub(crate) file_ids_by_path: HashMap<String, String>,
    pub(crate) next_file: u64,
    pub(crate) callbacks: HashMap<String, PendingCallback>,
    pub(crate) next_callback: u64,
    pub(crate) sent: Vec<SentRecord>,
    pub(crate) chat_actions: Vec<ChatActionRecord>,
    pub(crate) callback_answers: Vec<CallbackAnswer>,
    pub(crate) commands: BTreeMap<(String, String), CommandList>,
    /// `setChatMenuButton`'s buttons by chat (`None`: the bot's default).
    pub(crate) menu_buttons: BTreeMap<Option<i64>, serde_json::Value>,
    pub(crate) webhook: Option<WebhookState>,
    pub(crate) webhook_generation: u64,
    pub(crate) deliveries: Vec<DeliveryAttempt>,
    pub(crate) limiter: RateLimiter,
    /// Calls still to refuse with 429, and the retry_after to report.
    pub(crate) forced_too_many: Option<(u32, u32)>,
    pub(crate) too_many_requests: u64,
    /// Scripted failures (see [`super::faults`]).
    pub(crate) faults: Faults,
    pub(crate) poll_generation: u64,
}

impl Inner {
    fn new(first_update_id: i64) -> Self {
        Self {
            next_update_id: first_update_id,
            updates: VecDeque::new(),
            allowed_updates: None,
            chats: BTreeMap::new(),
            files: HashMap::new(),
            file_ids_by_path: HashMap::new(),
            next_file: 1,
            callbacks: HashMap::new(),
            next_callback: 1,
            sent: Vec::new(),
            chat_actions: Vec::new(),
            callback_answers: Vec::new(),
            commands: BTreeMap::new(),
            menu_buttons: BTreeMap::new(),
            webhook: None,
            webhook_generation: 0,
            deliveries: Vec::new(),
            limiter: RateLimiter::default(),
            forced_too_many: None,
            too_many_requests: 0,
            faults: Faults::ignoring_case(),
            poll_generation: 0,
        }
    }

    /// Whether updates of `kind` are wanted under the current `allowed_updates`.
    fn allows(&self, kind: &str) -> bool {
        match &self.allowed_updates {
            Some(kinds) if !kinds.is_empty() => kinds.iter().any(|k| k == kind),
            _ => !matches!(
                kind,
                "chat_member" | "message_reaction" | "message_reaction_count"
            ),
        }
    }

    /// Queues an update unless `allowed_updates` excludes its kind; returns its id either way.
    pub(crate) fn enqueue(&mut self, mut update: Update) -> i64 {
        let update_id = self.next_update_id;
        self.next_update_id += 1;
        update.update_id = update_id;
        if self.allows(update.kind()) {
            self.updates.push_back(update);
        }
        update_id
    }

    /// The chat of `user`, created on their first message.
    pub(crate) fn chat_of(&mut self, user: &SimUser) -> &mut ChatState {
        let chat = self.chats.entry(user.id).or_insert_with(|| ChatState {
            user: user.clone(),
            chat: user.to_chat(),
            next_message_id: 1,
            messages: BTreeMap::new(),
            blocked: false,
        });
        chat.user = user.clone();
        chat.chat = user.to_chat();
        chat
    }

    pub(crate) fn new_file(
        &mut self,
        nonce: &str,
        kind: FileKind,
        bytes: Vec<u8>,
        file_name: Option<String>,
        mime_type: Option<String>,
        url: Option<String>,
    ) -> StoredFile {
        let n = self.next_file;
        self.next_file += 1;
        let (prefix, folder, extension) = match kind {
            FileKind::Voice => ("AwACAgIAAxkBAAI", "voice", "oga".to_owned()),
            FileKind::Photo => ("AgACAgIAAxkBAAI", "photos", "jpg".to_owned()),
            FileKind::Document => (
                "BQACAgIAAxkBAAI",
                "documents",
                file_name
                    .as_deref()
                    .and_then(|name| name.rsplit_once('.'))
                    .map(|(_, ext)| ext.to_ascii_lowercase())
                    .filter(|ext| !ext.is_empty() && ext.chars().all(|c| c.is_ascii_alphanumeric()))
                    .unwrap_or_else(|| "bin".to_owned()),
            ),
        };
        let extension = if kind == FileKind::Photo {
            match super::media::image_format(&bytes) {
                Some(format) => format.to_owned(),
                None => extension,
            }
        } else {
            extension
        };
        let file = StoredFile {
            file_id: format!(
                "{prefix}{}",
                URL_SAFE_NO_PAD.encode(format!("{nonce}-{n:06}"))
            ),
            file_unique_id: format!("AgAD{}", URL_SAFE_NO_PAD.encode(format!("{nonce}{n}"))),
            kind,
            dimensions: if kind == FileKind::Photo {
                super::media::image_dimensions(&bytes)
            } else {
                None
            },
            bytes,
            file_name,
            mime_type,
            file_path: format!("{folder}/file_{n}.{extension}"),
            url,
        };
        self.file_ids_by_path
            .insert(file.file_path.clone(), file.file_id.clone());
        self.files.insert(file.file_id.clone(), file.clone());
        file
    }
}

/// The inline buttons of a `reply_markup`, row by row.
pub(crate) fn inline_buttons(markup: Option<&Value>) -> impl Iterator<Item = &Value> {
    markup
        .and_then(|m| m.get("inline_keyboard"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
}

/// Unix time now.
pub(crate) fn unix_now() -> i64 {
    Utc::now().timestamp()
}

/// The shared state of one simulator.
#[derive(Debug)]
pub(crate) struct SimState {
    pub(crate) config: SimConfig,
    /// The bot as `getMe` describes it.
    pub(crate) bot: User,
    /// The bot as the `from` of its messages (without the `getMe`-only fields).
    pub(crate) sender: User,
    /// Makes file and callback ids differ between simulator instances.
    pub(crate) nonce: String,
    inner: Mutex<Inner>,
    /// Bumped on every change of the update queue, the webhook or the poller.
    pub(crate) updates_changed: watch::Sender<u64>,
    /// Bumped on every new [`SentRecord`].
    pub(crate) sent_changed: watch::Sender<u64>,
}

/// Which button of a message a user presses.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ButtonChoice<'a> {
    CallbackData(&'a str),
    Label(&'a str),
}

impl SimState {
    pub(crate) fn new(config: SimConfig) -> Self {
        let bot = User {
            id: config.bot_id(),
            is_bot: true,
            first_name: config.bot_name.clone(),
            last_name: None,
            username: Some(config.bot_username.clone()),
            language_code: None,
            can_join_groups: Some(true),
            can_read_all_group_messages: Some(false),
            supports_inline_queries: Some(false),
            can_connect_to_business: Some(false),
            has_main_web_app: Some(false),
        };
        let nonce = format!("{:08x}", rand::random::<u32>());
        let sender = User {
            can_join_groups: None,
            can_read_all_group_messages: None,
            supports_inline_queries: None,
            can_connect_to_business: None,
            has_main_web_app: None,
            ..bot.clone()
        };
        Self {
            inner: Mutex::new(Inner::new(config.first_update_id)),
            config,
            bot,
            sender,
            nonce,
            updates_changed: watch::Sender::new(0),
            sent_changed: watch::Sender::new(0),
        }
    }

    /// The state, even if a panicking thread held the lock (the data stays consistent enough
    /// for a simulator).
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn notify_updates(&self) {
        self.updates_changed.send_modify(|v| *v = v.wrapping_add(1));
    }

    pub(crate) fn notify_sent(&self) {
        self.sent_changed.send_modify(|v| *v = v.wrapping_add(1));
    }

    /// Adds a message from `user` to their chat and queues the `message` update.
    fn user_message(&self, user: &SimUser, fill: impl FnOnce(&mut Message)) -> (i64, Message) {
        let mut inner = self.lock();
        let chat = inner.chat_of(user);
        let message_id = chat.next_message_id;
        chat.next_message_id += 1;
        let mut message = Message {
            message_id,
            from: Some(user.to_user()),
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
                from_bot: false,
            },
        );
        let update_id = inner.enqueue(Update {
            update_id: 0,
            message: Some(message.clone()),
            edited_message: None,
            callback_query: None,
        });
        drop(inner);
        self.notify_updates();
        (update_id, message)
    }

    pub(crate) fn inject_text(&self, user: &SimUser, text: &str) -> (i64, Message) {
        self.user_message(user, |message| {
            let entities = bot_command_entities(text);
            message.text = Some(text.to_owned());
            message.entities = (!entities.is_empty()).then_some(entities);
        })
    }

    pub(crate) fn inject_voice(
        &self,
        user: &SimUser,
        ogg: Vec<u8>,
        duration_secs: u32,
    ) -> (i64, Message) {
        let file = self.lock().new_file(
            &self.nonce,
            FileKind::Voice,
            ogg,
            None,
            Some("audio/ogg".to_owned()),
            None,
        );
        self.user_message(user, |message| {
            message.voice = Some(Voice {
                file_id: file.file_id.clone(),
                file_unique_id: file.file_unique_id.clone(),
                duration: duration_secs,
                mime_type: file.mime_type.clone(),
                file_size: Some(file.size()),
            });
        })
    }

    /// `user` sends a photo: each of `sizes` (smallest first, as Telegram lists them) becomes
    /// a `PhotoSize` with its own file (its dimensions read from the image), under `caption`.
    pub(crate) fn inject_photo(
        &self,
        user: &SimUser,
        sizes: Vec<Vec<u8>>,
        caption: Option<&str>,
    ) -> (i64, Message) {
        let photo: Vec<PhotoSize> = sizes
            .into_iter()
            .map(|bytes| {
                let file =
                    self.lock()
                        .new_file(&self.nonce, FileKind::Photo, bytes, None, None, None);
                let (width, height) = file.dimensions.unwrap_or((1, 1));
                PhotoSize {
                    file_id: file.file_id.clone(),
                    file_unique_id: file.file_unique_id.clone(),
                    width,
                    height,
                    file_size: Some(file.size()),
                }
            })
            .collect();
        self.user_message(user, |message| {
            message.photo = Some(photo);
            message.caption = caption.map(str::to_owned);
        })
    }

    pub(crate) fn inject_callback(
        &self,
        user: &SimUser,
        message_id: i64,
        choice: ButtonChoice<'_>,
    ) -> Result<(i64, CallbackQuery), SimError> {
        let mut inner = self.lock();
        let nonce = self.nonce.clone();
        let stored = inner
            .chats
            .get(&user.id)
            .and_then(|chat| chat.messages.get(&message_id))
            .filter(|stored| stored.from_bot)
            .ok_or(SimError::MessageNotFound {
                chat_id: user.id,
                message_id,
            })?;
        let (wanted, key) = match choice {
            ButtonChoice::CallbackData(data) => (data, "callback_data"),
            ButtonChoice::Label(label) => (label, "text"),
        };
        let button = inline_buttons(stored.message.reply_markup.as_ref())
            .find(|b| b.get(key).and_then(Value::as_str) == Some(wanted))
            .filter(|b| b.get("callback_data").is_some())
            .ok_or_else(|| SimError::ButtonNotFound {
                chat_id: user.id,
                message_id,
                button: wanted.to_owned(),
            })?;
        let data = button
            .get("callback_data")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let message = stored.message.clone();
        let chat_instance = format!(
            "{}",
            user.id.wrapping_mul(2_654_435_761) ^ i64::from_str_radix(&nonce, 16).unwrap_or(0)
        );
        let seq = inner.next_callback;
        inner.next_callback += 1;
        let id = format!("{}{seq:08}", u64::from_str_radix(&nonce, 16).unwrap_or(0));
        inner.callbacks.insert(
            id.clone(),
            PendingCallback {
                created: Instant::now(),
                answered: false,
            },
        );
        let query = CallbackQuery {
            id,
            from: user.to_user(),
            message: Some(message),
            chat_instance,
            data,
        };
        let update_id = inner.enqueue(Update {
            update_id: 0,
            message: None,
            edited_message: None,
            callback_query: Some(query.clone()),
        });
        drop(inner);
        self.notify_updates();
        Ok((update_id, query))
    }

    /// Forgets everything but the configuration; update ids keep increasing so a bot's offset
    /// stays valid.
    pub(crate) fn reset(&self) {
        let mut inner = self.lock();
        let next_update_id = inner.next_update_id;
        let poll_generation = inner.poll_generation;
        let webhook_generation = inner.webhook_generation;
        *inner = Inner::new(next_update_id);
        inner.poll_generation = poll_generation;
        inner.webhook_generation = webhook_generation + 1;
        drop(inner);
        self.notify_updates();
        self.notify_sent();
    }
}

/// A snapshot of the simulator's bookkeeping, for tests and the HTTP control surface.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimSummary {
    pub bot: User,
    pub chats: Vec<i64>,
    pub pending_update_count: usize,
    pub sent_count: usize,
    pub too_many_requests: u64,
    pub webhook: Option<WebhookState>,
    pub webhook_deliveries: Vec<DeliveryAttempt>,
    pub commands: Vec<CommandList>,
    pub chat_actions: Vec<ChatActionRecord>,
    pub callback_answers: Vec<CallbackAnswer>,
}

impl SimState {
    /// Reads the state under the lock.
    pub(crate) fn read<R>(&self, read: impl FnOnce(&Inner) -> R) -> R {
        read(&self.lock())
    }

    pub(crate) fn summary(&self) -> SimSummary {
        let inner = self.lock();
        SimSummary {
            bot: self.bot.clone(),
            chats: inner.chats.keys().copied().collect(),
            pending_update_count: inner.updates.len(),
            sent_count: inner.sent.len(),
            too_many_requests: inner.too_many_requests,
            webhook: inner.webhook.clone(),
            webhook_deliveries: inner.deliveries.clone(),
            commands: inner.commands.values().cloned().collect(),
            chat_actions: inner.chat_actions.clone(),
            callback_answers: inner.callback_answers.clone(),
        }
    }

    /// Sent records after position `after_seq` (all when `None`), optionally of one chat.
    pub(crate) fn sent(&self, after_seq: Option<u64>, chat_id: Option<i64>) -> Vec<SentRecord> {
        self.lock()
            .sent
            .iter()
            .filter(|r| after_seq.is_none_or(|after| r.seq > after))
            .filter(|r| chat_id.is_none_or(|id| r.chat_id == id))
            .cloned()
            .collect()
    }

    /// Messages of a chat in order: `(message, sent by the bot)`.
    pub(crate) fn chat_history(&self, chat_id: i64) -> Vec<(Message, bool)> {
        self.lock()
            .chats
            .get(&chat_id)
            .map(|chat| {
                chat.messages
                    .values()
                    .map(|stored| (stored.message.clone(), stored.from_bot))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(crate) fn pending_updates(&self) -> Vec<Update> {
        self.lock().updates.iter().cloned().collect()
    }

    /// Marks `user` as having blocked (or unblocked) the bot.
    pub(crate) fn set_blocked(&self, user: &SimUser, blocked: bool) {
        self.lock().chat_of(user).blocked = blocked;
    }

    /// Refuses the next `count` counted sends with 429 and this `retry_after`.
    pub(crate) fn force_too_many_requests(&self, count: u32, retry_after: u32) {
        self.lock().forced_too_many = (count > 0).then_some((count, retry_after.max(1)));
    }

    /// Adds a scripted failure.
    pub(crate) fn add_fault(&self, rule: FaultRule) {
        self.lock().faults.add(rule);
    }

    /// Drops the scripted failures not served yet.
    pub(crate) fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    /// The failure to show instead of answering a call of `method`, if one is scripted.
    pub(crate) fn take_fault(&self, method: &str) -> Option<Fault> {
        self.lock().faults.take(method)
    }

    /// Calls answered with a scripted failure so far.
    pub(crate) fn faults_served(&self) -> u64 {
        self.lock().faults.served()
    }

    /// Waits until `check` finds what it looks for in the sent records, or `timeout` passes.
    pub(crate) async fn wait_for_sent<R>(
        &self,
        timeout: std::time::Duration,
        mut check: impl FnMut(&[SentRecord]) -> Option<R>,
    ) -> Option<R> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut changes = self.sent_changed.subscribe();
        loop {
            changes.borrow_and_update();
            if let Some(found) = check(&self.lock().sent) {
                return Some(found);
            }
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) | Err(_) => return check(&self.lock().sent),
            }
        }
    }
}
