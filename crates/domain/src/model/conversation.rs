use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::UserId;

/// Who said a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The person.
    User,
    /// The bot.
    Assistant,
}

impl Role {
    /// The storage code.
    pub fn code(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }

    /// Parses the storage code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "user" => Some(Role::User),
            "assistant" => Some(Role::Assistant),
            _ => None,
        }
    }
}

/// One message of a conversation, kept (7 days) as context for the assistant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationMessage {
    /// Whose conversation.
    pub user_id: UserId,
    /// Who said it.
    pub role: Role,
    /// What was said.
    pub content: String,
    /// The intent the assistant saw in it, for user messages.
    pub intent: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}
