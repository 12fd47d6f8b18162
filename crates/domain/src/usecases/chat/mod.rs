//! The conversation: a small router that registers the sender and hands each command, button
//! and message to the use case of its capability, then renders the typed reply (through the
//! [`Presenter`]) and sends it.

mod connections;
mod privacy;
mod settings;

use std::sync::Arc;

use thiserror::Error;

pub use connections::{Connections, SyncNow, TodayView};
pub use privacy::{Document, Privacy};
pub use settings::Settings;

use crate::conversation::{Callback, Command};
use crate::model::{
    ChatId, ConversationMessage, EntrySource, Inbound, InboundMessage, Locale, NewUser, Role, User,
};
use crate::ports::{
    AnswerAudit, Assistant, Attachment, Clock, ConnectLinks, Conversations, CredentialStore,
    DiaryOutbox, FoodCatalog, FoodDiary, FoodLog, Hit, Limit, Messenger, MessengerError,
    PendingQuestions, Presenter, StorageError, Throttle, Throttled, Transcriber, UserData, Users,
    Wearable, WearableStore,
};
use crate::reply::{Reply, Say};
use crate::usecases::food::{
    BarcodePhotos, FoodLogging, Heard, History, Outcome, Scanned, VoiceLimits, VoiceNotes,
};
use crate::usecases::profile::SettingsError;

/// Handling a message failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChatError {
    /// Worth retrying later (the database or Telegram were unavailable, or rate limited).
    #[error("temporary failure: {0}")]
    Temporary(String),
    /// Will fail the same way again.
    #[error("permanent failure: {0}")]
    Permanent(String),
    /// The handling itself panicked or hung: tried again like a temporary failure (it may
    /// have been a passing state), but once every attempt failed so it is a fault of the
    /// update's, never an outage (see [`crate::ParkCause`]). Shown as the temporary failure
    /// it was treated as.
    #[error("temporary failure: {0}")]
    Crashed(String),
}

impl From<StorageError> for ChatError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::Unavailable(m) => ChatError::Temporary(m),
            other => ChatError::Permanent(other.to_string()),
        }
    }
}

impl From<SettingsError> for ChatError {
    fn from(e: SettingsError) -> Self {
        match e {
            SettingsError::Storage(s) => s.into(),
            other => ChatError::Permanent(other.to_string()),
        }
    }
}

/// FatSecret's diary as /sync uses it.
#[derive(Clone)]
pub struct FatSecretDiary {
    /// The diary.
    pub diary: Arc<dyn FoodDiary>,
    /// Links already ours.
    pub outbox: Arc<dyn DiaryOutbox>,
}

impl std::fmt::Debug for FatSecretDiary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FatSecretDiary")
    }
}

/// Every port the conversation's use cases need, wired once; [`ChatService::new`] hands each
/// use case only its own.
#[derive(Clone)]
pub struct ChatPorts {
    /// People.
    pub users: Arc<dyn Users>,
    /// Their food.
    pub food: Arc<dyn FoodLog>,
    /// Their WHOOP records.
    pub wearables: Arc<dyn WearableStore>,
    /// Their connections.
    pub credentials: Arc<dyn CredentialStore>,
    /// Connect links.
    pub links: Arc<dyn ConnectLinks>,
    /// Telegram.
    pub messenger: Arc<dyn Messenger>,
    /// Renders replies in the user's language.
    pub presenter: Arc<dyn Presenter>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Conversation history.
    pub conversations: Arc<dyn Conversations>,
    /// The question the bot waits for an answer to ("how many grams?").
    pub pending: Arc<dyn PendingQuestions>,
    /// Understands free text (OpenAI, or the offline rules).
    pub assistant: Arc<dyn Assistant>,
    /// Stands in when the assistant fails (the offline rules behind OpenAI).
    pub fallback_assistant: Option<Arc<dyn Assistant>>,
    /// Told of the assistant's replies withheld as not grounded in the data.
    pub audit: Arc<dyn AnswerAudit>,
    /// Nutrition of foods.
    pub catalog: Arc<dyn FoodCatalog>,
    /// Voice to text; `None` when no service is configured.
    pub transcriber: Option<Arc<dyn Transcriber>>,
    /// Limits on voice notes.
    pub voice: VoiceLimits,
    /// WHOOP's API, when configured (for /sync).
    pub whoop: Option<Arc<dyn Wearable>>,
    /// Export and erasure of a user's data.
    pub user_data: Arc<dyn UserData>,
    /// FatSecret's diary and our links to it, when configured (/sync imports the diary).
    pub fatsecret: Option<FatSecretDiary>,
    /// Per-user limits, shared by every instance.
    pub throttle: Arc<dyn Throttle>,
    /// How often one user may send messages and /sync.
    pub limits: UserLimits,
    /// The user's own foods: remembered meanings, usual portions, saved products.
    pub personal: crate::usecases::food::PersonalFoods,
}

/// How often one user may do the costly things.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserLimits {
    /// Text and voice messages (each may cost an OpenAI call).
    pub messages: Limit,
    /// `/sync` (WHOOP's daily requests are shared by everyone).
    pub sync: Limit,
}

impl Default for UserLimits {
    fn default() -> Self {
        Self {
            messages: Limit {
                limit: 20,
                window: chrono::Duration::minutes(1),
            },
            sync: Limit {
                limit: 1,
                window: chrono::Duration::minutes(5),
            },
        }
    }
}

impl std::fmt::Debug for ChatPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChatPorts")
    }
}

/// The conversation: the router and the use cases it dispatches to.
#[derive(Clone)]
pub struct ChatService {
    users: Arc<dyn Users>,
    messenger: Arc<dyn Messenger>,
    presenter: Arc<dyn Presenter>,
    conversations: Arc<dyn Conversations>,
    clock: Arc<dyn Clock>,
    settings: Settings,
    connections: Connections,
    today: TodayView,
    sync: SyncNow,
    privacy: Privacy,
    food: FoodLogging,
    voice: VoiceNotes,
    photos: Option<BarcodePhotos>,
    throttle: Arc<dyn Throttle>,
    limits: UserLimits,
}

impl std::fmt::Debug for ChatService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChatService")
    }
}

impl ChatService {
    /// Builds each use case from the ports it needs.
    pub fn new(p: ChatPorts) -> Self {
        let connections = Connections {
            links: p.links.clone(),
            credentials: p.credentials.clone(),
        };
        Self {
            settings: Settings {
                users: p.users.clone(),
            },
            today: TodayView {
                food: p.food.clone(),
                wearables: p.wearables.clone(),
                clock: p.clock.clone(),
                connections: connections.clone(),
            },
            sync: SyncNow {
                connections: connections.clone(),
                whoop: p.whoop.clone(),
                wearables: p.wearables.clone(),
                fatsecret: p.fatsecret.clone(),
                food: p.food.clone(),
                users: p.users.clone(),
                messenger: p.messenger.clone(),
                presenter: p.presenter.clone(),
                clock: p.clock.clone(),
            },
            privacy: Privacy {
                user_data: p.user_data.clone(),
                credentials: p.credentials.clone(),
                whoop: p.whoop.clone(),
                clock: p.clock.clone(),
            },
            food: FoodLogging {
                users: p.users.clone(),
                food: p.food.clone(),
                wearables: p.wearables.clone(),
                clock: p.clock.clone(),
                conversations: p.conversations.clone(),
                pending: p.pending.clone(),
                assistant: p.assistant.clone(),
                fallback_assistant: p.fallback_assistant.clone(),
                audit: p.audit.clone(),
                catalog: p.catalog.clone(),
                personal: p.personal.clone(),
            },
            voice: VoiceNotes {
                transcriber: p.transcriber.clone(),
                messenger: p.messenger.clone(),
                limits: p.voice,
            },
            photos: None,
            connections,
            users: p.users,
            messenger: p.messenger,
            presenter: p.presenter,
            conversations: p.conversations,
            clock: p.clock,
            throttle: p.throttle,
            limits: p.limits,
        }
    }

    /// Photos are read for barcodes with these ports (without, a photo is unsupported).
    pub fn with_barcode_photos(mut self, photos: BarcodePhotos) -> Self {
        self.photos = Some(photos);
        self
    }

    /// Handles one inbound message: registers the sender, acts, replies.
    pub async fn handle(&self, message: &InboundMessage) -> Result<(), ChatError> {
        let registration = self
            .users
            .register(&NewUser {
                telegram_id: message.sender.telegram_id,
                first_name: message.sender.first_name.clone(),
                locale: Locale::from_language_code(message.sender.language_code.as_deref()),
            })
            .await?;
        let user = registration.user;
        let chat = message.chat;
        if matches!(
            message.event,
            Inbound::Text(_) | Inbound::Voice { .. } | Inbound::Photo { .. }
        ) {
            match self
                .throttle
                .hit(user.id, Throttled::Message, self.limits.messages)
                .await?
            {
                Hit::Allowed => {}
                // Explained once per window; the rest are skipped without a word (and without
                // an outside call).
                Hit::Exceeded { first: false, .. } => return Ok(()),
                Hit::Exceeded {
                    first: true,
                    retry_after,
                } => {
                    let seconds = retry_after.num_seconds().max(1);
                    return self
                        .say(&user, chat, Say::SlowDown { seconds }.into())
                        .await;
                }
            }
        }
        match &message.event {
            Inbound::Command(command) => {
                self.command(&user, chat, command, registration.is_new)
                    .await
            }
            Inbound::Text(text) => {
                let outcome = self
                    .food
                    .text(&user, message.update_id, text, EntrySource::Text)
                    .await?;
                self.answer(&user, chat, outcome).await
            }
            Inbound::Voice {
                file_id,
                duration_secs,
                ..
            } => self.voice(&user, message, file_id, *duration_secs).await,
            Inbound::Photo { file_id, caption } => {
                self.photo(&user, message, file_id.as_deref(), caption.as_deref())
                    .await
            }
            Inbound::Button {
                callback_id,
                callback,
                ..
            } => self.button(&user, chat, callback_id, *callback).await,
            Inbound::Unsupported => self.say(&user, chat, Say::Unsupported.into()).await,
        }
    }

    /// Tells the sender their message was set aside: every attempt to handle it failed (a
    /// fault of ours, or an outside service down for long), and it is kept, not handled. In
    /// the user's language when we know them, else in their Telegram's.
    pub async fn set_aside(&self, message: &InboundMessage) -> Result<(), ChatError> {
        let known = self
            .users
            .find_by_telegram_id(message.sender.telegram_id)
            .await
            .ok()
            .flatten();
        let locale = known.map_or_else(
            || Locale::from_language_code(message.sender.language_code.as_deref()),
            |user| user.locale,
        );
        self.send(message.chat, locale, &Say::SetAside.into()).await
    }

    async fn command(
        &self,
        user: &User,
        chat: ChatId,
        command: &Command,
        is_new: bool,
    ) -> Result<(), ChatError> {
        if let Some((say, locale)) = self.settings.command(user, command).await? {
            let mut reply = Reply::one(say);
            // The chat's menu button follows the language the user chose.
            if matches!(reply.parts[..], [Say::LanguageSet]) {
                reply = reply.with_menu_button();
            }
            return self.send(chat, locale, &reply).await;
        }
        let reply: Reply = match command {
            // The chat's own menu button, labelled in the user's language (Telegram's default
            // one has a single label for every chat).
            Command::Start => Reply::one(Say::Welcome {
                name: user.first_name.clone(),
                returning: !is_new,
            })
            .with_menu_button(),
            Command::Help => Say::Help.into(),
            Command::Today => Reply::from(self.today.today(user).await?).with_dashboard(),
            Command::Sync => match self
                .throttle
                .hit(user.id, Throttled::Sync, self.limits.sync)
                .await?
            {
                Hit::Allowed => self.sync.sync(user).await?,
                Hit::Exceeded { retry_after, .. } => Say::SyncCooldown {
                    minutes: (retry_after.num_seconds() + 59) / 60,
                }
                .into(),
            },
            Command::Connect(provider) => self.connections.offer(user, *provider).await?.into(),
            Command::Export => return self.export(user, chat).await,
            Command::Delete => self.privacy.confirm(),
            Command::Products => self.food.products(user).await?,
            Command::Unknown(name) => Say::UnknownCommand {
                command: name.clone(),
            }
            .into(),
            // Settings commands were answered above.
            Command::Goal(_)
            | Command::TimeZone(_)
            | Command::Language(_)
            | Command::BriefingTime(_)
            | Command::Briefings { .. } => return Ok(()),
        };
        self.say(user, chat, reply).await
    }

    /// A voice note: heard, then the same flow as text with what was heard on top.
    async fn voice(
        &self,
        user: &User,
        message: &InboundMessage,
        file_id: &str,
        duration_secs: u32,
    ) -> Result<(), ChatError> {
        let heard = match self.voice.hear(user, file_id, duration_secs).await? {
            Heard::Text(text) => text,
            Heard::Not(outcome) => return self.answer(user, message.chat, outcome).await,
        };
        let mut outcome = self
            .food
            .text(user, message.update_id, &heard, EntrySource::Voice)
            .await?;
        outcome.reply.parts.insert(0, Say::Heard { text: heard });
        self.answer(user, message.chat, outcome).await
    }

    /// A photo: its barcode read and the product logged, or its nutrition label read and
    /// shown for confirmation.
    async fn photo(
        &self,
        user: &User,
        message: &InboundMessage,
        file_id: Option<&str>,
        caption: Option<&str>,
    ) -> Result<(), ChatError> {
        let Some(photos) = &self.photos else {
            return self.say(user, message.chat, Say::Unsupported.into()).await;
        };
        let outcome = match photos.scan(user, file_id, caption).await? {
            Scanned::Product { product, grams } => {
                self.food
                    .log_product(user, message.update_id, product, grams)
                    .await?
            }
            Scanned::Meal(items) => self.food.offer_meal(user, message.update_id, items).await?,
            Scanned::Label(draft) => {
                self.food
                    .offer_label(user, message.update_id, draft)
                    .await?
            }
            Scanned::Not(outcome) => outcome,
        };
        self.answer(user, message.chat, outcome).await
    }

    /// A button: answered at once (so Telegram stops its spinner), then acted on.
    async fn button(
        &self,
        user: &User,
        chat: ChatId,
        callback_id: &str,
        callback: Option<Callback>,
    ) -> Result<(), ChatError> {
        deliver(self.messenger.answer_button(callback_id, None).await)?;
        match callback {
            // A button of no message of ours: answered, nothing else.
            None => Ok(()),
            Some(Callback::ConfirmDelete) => {
                let said = self.privacy.erase(user).await?;
                self.say(user, chat, said.into()).await
            }
            Some(Callback::CancelDelete) => self.say(user, chat, Say::DataKept.into()).await,
            Some(Callback::Undo(update)) => {
                let outcome = self.food.undo(user, update).await?;
                self.answer(user, chat, outcome).await
            }
            Some(Callback::ChangeGrams(id)) => {
                let outcome = self.food.ask_grams(user, id).await?;
                self.answer(user, chat, outcome).await
            }
            Some(Callback::PickFood {
                update,
                item,
                choice,
            }) => {
                let outcome = self.food.pick(user, update, item, choice).await?;
                self.answer(user, chat, outcome).await
            }
            Some(Callback::Meal { update, action }) => {
                let outcome = self.food.answer_meal(user, update, action).await?;
                self.answer(user, chat, outcome).await
            }
            Some(Callback::Label { update, action }) => {
                let outcome = self.food.answer_label(user, update, action).await?;
                self.answer(user, chat, outcome).await
            }
            Some(Callback::DeleteProduct(id)) => {
                let reply = self.food.delete_product(user, id).await?;
                self.say(user, chat, reply).await
            }
        }
    }

    /// Sends the export's files.
    async fn export(&self, user: &User, chat: ChatId) -> Result<(), ChatError> {
        for document in self.privacy.export(user).await? {
            let caption = document
                .caption
                .map(|say| self.presenter.render(user.locale, &Reply::one(say)).text);
            let attachment = Attachment {
                filename: document.filename,
                bytes: document.bytes,
                caption,
            };
            deliver(
                self.messenger
                    .send_document(chat, &attachment)
                    .await
                    .map(|_| ()),
            )?;
        }
        Ok(())
    }

    /// Sends the reply, then writes what it leaves in the history: once the reply is out, so
    /// it waits for no extra round trip, and a send that fails and is retried does not leave
    /// the user's message in the history twice.
    async fn answer(&self, user: &User, chat: ChatId, outcome: Outcome) -> Result<(), ChatError> {
        let message = self.presenter.render(user.locale, &outcome.reply);
        deliver(self.messenger.send(chat, &message).await.map(|_| ()))?;
        let entry = |role, content: &str, intent: Option<&str>| ConversationMessage {
            user_id: user.id,
            role,
            content: content.to_owned(),
            intent: intent.map(str::to_owned),
            created_at: self.clock.now(),
        };
        let remembered = match outcome.history {
            History::Nothing => return Ok(()),
            History::Exchange { said, intent } => vec![
                entry(Role::User, &said, intent),
                entry(Role::Assistant, &message.text, None),
            ],
            History::UserOnly { said, intent } => vec![entry(Role::User, &said, Some(intent))],
            History::BotOnly { intent } => {
                vec![entry(Role::Assistant, &message.text, Some(intent))]
            }
        };
        self.conversations.append(&remembered).await?;
        Ok(())
    }

    async fn say(&self, user: &User, chat: ChatId, reply: Reply) -> Result<(), ChatError> {
        self.send(chat, user.locale, &reply).await
    }

    async fn send(&self, chat: ChatId, locale: Locale, reply: &Reply) -> Result<(), ChatError> {
        let message = self.presenter.render(locale, reply);
        deliver(self.messenger.send(chat, &message).await.map(|_| ()))
    }
}

/// A user who blocked the bot cannot be answered: that is not a failure to retry.
pub(crate) fn deliver(result: Result<(), MessengerError>) -> Result<(), ChatError> {
    match result {
        Ok(()) | Err(MessengerError::Unreachable(_)) => Ok(()),
        Err(MessengerError::RateLimited { retry_after_secs }) => Err(ChatError::Temporary(
            format!("rate limited for {retry_after_secs} s"),
        )),
        Err(MessengerError::Unavailable(m)) => Err(ChatError::Temporary(m)),
        Err(MessengerError::Rejected(m)) => Err(ChatError::Permanent(m)),
    }
}

#[cfg(test)]
mod tests;
