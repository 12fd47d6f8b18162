use chrono::{DateTime, Utc};

use super::{ChatId, TelegramUserId, UpdateId};
use crate::conversation::{Callback, Command};

/// Who wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// Their Telegram account.
    pub telegram_id: TelegramUserId,
    /// Their first name.
    pub first_name: String,
    /// Telegram's language_code of their app ("uk", "en-GB"), when sent.
    pub language_code: Option<String>,
}

/// What a person did in the chat, as the domain sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    /// A /command with its arguments, parsed ("/goal 1800" -> `Command::Goal(Set(1800))`).
    Command(Command),
    /// Plain text.
    Text(String),
    /// A voice note.
    Voice {
        /// Telegram's file_id, for getFile.
        file_id: String,
        /// Its length in seconds.
        duration_secs: u32,
        /// Its size in bytes, when Telegram says.
        file_size: Option<u64>,
    },
    /// A photo: the largest size the bot may download.
    Photo {
        /// Telegram's file_id of the largest size within the download limit; `None` when
        /// every size is over it.
        file_id: Option<String>,
        /// The caption ("200 g"), when written.
        caption: Option<String>,
    },
    /// An inline button was pressed.
    Button {
        /// Telegram's callback_query id (must be answered).
        callback_id: String,
        /// What the button does; `None` when its data is no button of ours.
        callback: Option<Callback>,
        /// The message the button is on, when Telegram still has it.
        message_id: Option<i64>,
    },
    /// Something we do not handle (a sticker, an edit): answered with a short help.
    Unsupported,
}

/// One inbound update, mapped from the messenger's format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMessage {
    /// The update it came in.
    pub update_id: UpdateId,
    /// The chat to answer in.
    pub chat: ChatId,
    /// Who.
    pub sender: Sender,
    /// What.
    pub event: Inbound,
    /// When Telegram says it was sent.
    pub sent_at: DateTime<Utc>,
}
