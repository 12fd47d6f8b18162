//! A simulated Telegram Bot API over real HTTP.
//!
//! Point a bot at [`TelegramSim::base_url`] (it appends `/bot<token>/<method>`, as with
//! `https://api.telegram.org`), then play the users: [`TelegramSim::send_text`],
//! [`TelegramSim::send_voice`], [`TelegramSim::press_button`]; and read what the bot did:
//! [`TelegramSim::sent`], [`TelegramSim::wait_for_sent`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), wellness_sim::telegram::SimError> {
//! use std::time::Duration;
//! use wellness_sim::telegram::{SimConfig, SimUser, TelegramSim};
//!
//! let sim = TelegramSim::start(SimConfig::default()).await?;
//! let ann = SimUser::new(1001, "Ann").with_language("uk");
//! sim.send_text(&ann, "/start");
//! // … run the bot against sim.base_url() with sim.token() …
//! let replies = sim.wait_for_sent(1, Duration::from_secs(5)).await?;
//! assert_eq!(replies[0].chat_id, ann.chat_id());
//! # Ok(()) }
//! ```

mod config;
mod control;
mod error;
pub mod faults;
pub mod limits;
mod media;
mod menu;
mod methods;
pub mod ogg;
mod params;
pub mod parse_mode;
mod server;
mod state;
pub mod types;
pub mod web_app;
mod webhook;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::web;
use tokio::task::JoinHandle;

pub use config::{SimConfig, TextLength, WebhookDelivery};
pub use error::{ApiError, SimError};
pub use faults::{Fault, FaultRule};
pub use limits::{RateLimit, RateLimits};
pub use ogg::silent_voice_note;
pub use parse_mode::HtmlAmpersand;
use state::{ButtonChoice, SimState};
pub use state::{
    CallbackAnswer, ChatActionRecord, CommandList, DeliveryAttempt, FileKind, SentFile, SentRecord,
    SimSummary, SimUser, WebhookState,
};
use types::{Message, Update, User, WebhookInfo};

/// A running Telegram simulator. Stops when dropped.
pub struct TelegramSim {
    state: Arc<SimState>,
    addr: SocketAddr,
    server: ServerHandle,
    webhook_task: JoinHandle<()>,
}

impl std::fmt::Debug for TelegramSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelegramSim")
            .field("addr", &self.addr)
            .field("bot", &self.state.bot.username)
            .finish_non_exhaustive()
    }
}

impl TelegramSim {
    /// Starts on `127.0.0.1` at a free port.
    pub async fn start(config: SimConfig) -> Result<Self, SimError> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), config).await
    }

    /// Starts on `addr` (port 0 picks a free port). Must run inside a Tokio runtime.
    pub async fn start_on(addr: SocketAddr, config: SimConfig) -> Result<Self, SimError> {
        let (listener, local_addr) = crate::serve::bind(addr)?;
        let json_limit = config.max_upload_bytes.saturating_mul(2);
        let control_token = config.control_token.clone();
        let state = Arc::new(SimState::new(config));
        let handle = crate::serve::serve(
            listener,
            "telegram",
            &state,
            control_token.as_deref(),
            move |cfg| {
                cfg.app_data(web::JsonConfig::default().limit(json_limit))
                    .configure(server::routes)
                    .default_service(web::to(server::not_found));
            },
        )?;
        let webhook_task = tokio::spawn(webhook::deliver_updates(Arc::clone(&state)));
        Ok(Self {
            state,
            addr: local_addr,
            server: handle,
            webhook_task,
        })
    }

    /// Stops the server and waits for it to finish.
    pub async fn shutdown(self) {
        self.webhook_task.abort();
        self.server.stop(true).await;
    }

    /// `http://127.0.0.1:PORT`: the root a bot appends `/bot<token>` to.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `{base_url}/bot{token}`, what `frankenstein::Bot::new_url` takes.
    pub fn bot_api_url(&self) -> String {
        format!("{}/bot{}", self.base_url(), self.token())
    }

    /// The address the simulator listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bot token it accepts.
    pub fn token(&self) -> &str {
        &self.state.config.token
    }

    /// Its settings.
    pub fn config(&self) -> &SimConfig {
        &self.state.config
    }

    /// The bot's own user, as `getMe` returns it.
    pub fn bot(&self) -> User {
        self.state.bot.clone()
    }

    /// `user` sends `text`; commands get `bot_command` entities. Returns the update id.
    pub fn send_text(&self, user: &SimUser, text: &str) -> i64 {
        self.state.inject_text(user, text).0
    }

    /// Like [`Self::send_text`], returning the message as the bot will see it.
    pub fn send_text_message(&self, user: &SimUser, text: &str) -> Message {
        self.state.inject_text(user, text).1
    }

    /// `user` records a voice note; `getFile` and the download serve `ogg`. Returns the update id.
    pub fn send_voice(&self, user: &SimUser, ogg: impl Into<Vec<u8>>, duration_secs: u32) -> i64 {
        self.state.inject_voice(user, ogg.into(), duration_secs).0
    }

    /// Like [`Self::send_voice`], returning the message (its `voice.file_id` included).
    pub fn send_voice_message(
        &self,
        user: &SimUser,
        ogg: impl Into<Vec<u8>>,
        duration_secs: u32,
    ) -> Message {
        self.state.inject_voice(user, ogg.into(), duration_secs).1
    }

    /// `user` sends a photo in several sizes (smallest first, as Telegram lists them; the bot
    /// downloads one with `getFile` and `/file/bot<token>/<path>`; over 20 MB `getFile`
    /// refuses it), with an optional caption. Returns the update id.
    pub fn send_photo(&self, user: &SimUser, sizes: Vec<Vec<u8>>, caption: Option<&str>) -> i64 {
        self.state.inject_photo(user, sizes, caption).0
    }

    /// Like [`Self::send_photo`], returning the message (its `photo` sizes included).
    pub fn send_photo_message(
        &self,
        user: &SimUser,
        sizes: Vec<Vec<u8>>,
        caption: Option<&str>,
    ) -> Message {
        self.state.inject_photo(user, sizes, caption).1
    }

    /// `user` presses the inline button with `callback_data` under the bot's message
    /// `message_id`; the bot gets a `callback_query` update carrying that message.
    pub fn press_button(
        &self,
        user: &SimUser,
        message_id: i64,
        callback_data: &str,
    ) -> Result<i64, SimError> {
        self.state
            .inject_callback(user, message_id, ButtonChoice::CallbackData(callback_data))
            .map(|(update_id, _)| update_id)
    }

    /// Like [`Self::press_button`], choosing the button by its label.
    pub fn press_button_labeled(
        &self,
        user: &SimUser,
        message_id: i64,
        label: &str,
    ) -> Result<i64, SimError> {
        self.state
            .inject_callback(user, message_id, ButtonChoice::Label(label))
            .map(|(update_id, _)| update_id)
    }

    /// Everything the bot sent or edited, in order.
    pub fn sent(&self) -> Vec<SentRecord> {
        self.state.sent(None, None)
    }

    /// What the bot sent or edited in one chat.
    pub fn sent_to(&self, chat_id: i64) -> Vec<SentRecord> {
        self.state.sent(None, Some(chat_id))
    }

    /// Waits until the bot has sent at least `count` records; returns all of them.
    pub async fn wait_for_sent(
        &self,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<SentRecord>, SimError> {
        self.state
            .wait_for_sent(timeout, |records| {
                (records.len() >= count).then(|| records.to_vec())
            })
            .await
            .ok_or_else(|| SimError::Timeout {
                waited: timeout,
                what: format!(
                    "expected {count} sent messages, got {:?}",
                    self.sent_texts()
                ),
            })
    }

    /// Waits for the first sent record that satisfies `matches`.
    pub async fn wait_for_sent_matching(
        &self,
        timeout: Duration,
        mut matches: impl FnMut(&SentRecord) -> bool,
    ) -> Result<SentRecord, SimError> {
        self.state
            .wait_for_sent(timeout, |records| {
                records.iter().find(|r| matches(r)).cloned()
            })
            .await
            .ok_or_else(|| SimError::Timeout {
                waited: timeout,
                what: format!("no matching sent message among {:?}", self.sent_texts()),
            })
    }

    /// `method: visible text` of each sent record, for failure messages.
    fn sent_texts(&self) -> Vec<String> {
        self.state.read(|inner| {
            inner
                .sent
                .iter()
                .map(|r| format!("{}: {}", r.method, r.visible_text()))
                .collect()
        })
    }

    /// The bot's messages in a chat as they are now (edits applied, deletions gone).
    pub fn bot_messages(&self, chat_id: i64) -> Vec<Message> {
        self.state
            .chat_history(chat_id)
            .into_iter()
            .filter_map(|(message, from_bot)| from_bot.then_some(message))
            .collect()
    }

    /// The whole conversation of a chat, users' and bot's messages in order.
    pub fn chat_history(&self, chat_id: i64) -> Vec<Message> {
        self.state
            .chat_history(chat_id)
            .into_iter()
            .map(|(message, _)| message)
            .collect()
    }

    /// Updates not yet confirmed by `getUpdates` or delivered to the webhook.
    pub fn pending_updates(&self) -> Vec<Update> {
        self.state.pending_updates()
    }

    /// Command lists set with `setMyCommands`.
    pub fn commands(&self) -> Vec<CommandList> {
        self.state
            .read(|inner| inner.commands.values().cloned().collect())
    }

    /// The menu button set with `setChatMenuButton` for `chat` (`None`: the bot's default).
    pub fn menu_button(&self, chat: Option<i64>) -> Option<serde_json::Value> {
        self.state.menu_button(chat)
    }

    /// The webhook, when one is set.
    pub fn webhook(&self) -> Option<WebhookState> {
        self.state.read(|inner| inner.webhook.clone())
    }

    /// What `getWebhookInfo` would answer.
    pub fn webhook_info(&self) -> WebhookInfo {
        self.state.webhook_info()
    }

    /// Every webhook delivery attempt so far.
    pub fn webhook_deliveries(&self) -> Vec<DeliveryAttempt> {
        self.state.read(|inner| inner.deliveries.clone())
    }

    /// `sendChatAction` calls so far.
    pub fn chat_actions(&self) -> Vec<ChatActionRecord> {
        self.state.read(|inner| inner.chat_actions.clone())
    }

    /// Successful `answerCallbackQuery` calls so far.
    pub fn callback_answers(&self) -> Vec<CallbackAnswer> {
        self.state.read(|inner| inner.callback_answers.clone())
    }

    /// How many calls were refused with 429.
    pub fn too_many_requests_count(&self) -> u64 {
        self.state.read(|inner| inner.too_many_requests)
    }

    /// The most counted messages (sends and edits, refused ones included) the bot attempted
    /// within any one second, over every caller: what Telegram's ~30 a second is about.
    pub fn peak_messages_per_second(&self) -> u32 {
        self.state.read(|inner| inner.limiter.peak_per_second())
    }

    /// Starts [`Self::peak_messages_per_second`] afresh.
    pub fn reset_peak(&self) {
        self.state.lock().limiter.reset_peak();
    }

    /// All of the above at once.
    pub fn summary(&self) -> SimSummary {
        self.state.summary()
    }

    /// Refuses the next `count` counted sends with 429 and `retry_after` seconds, whatever the
    /// rate limits say.
    pub fn force_too_many_requests(&self, count: u32, retry_after: u32) {
        self.state.force_too_many_requests(count, retry_after);
    }

    /// The next matching Bot API calls fail as `rule` says (5xx, garbage, a hang), without
    /// being carried out.
    pub fn inject_fault(&self, rule: FaultRule) {
        self.state.add_fault(rule);
    }

    /// Drops the scripted failures not served yet: the outage is over.
    pub fn clear_faults(&self) {
        self.state.clear_faults();
    }

    /// Calls answered with a scripted failure so far.
    pub fn faults_served(&self) -> u64 {
        self.state.faults_served()
    }

    /// `user` blocks (or unblocks) the bot: sends to them fail with 403.
    pub fn set_blocked(&self, user: &SimUser, blocked: bool) {
        self.state.set_blocked(user, blocked);
    }

    /// Forgets chats, updates, files, records, commands and the webhook; keeps the settings.
    pub fn reset(&self) {
        self.state.reset();
    }
}

impl Drop for TelegramSim {
    fn drop(&mut self) {
        self.webhook_task.abort();
        // The stop command is sent right away; the returned future only waits for it.
        drop(self.server.stop(false));
    }
}
