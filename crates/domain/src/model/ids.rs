use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// An identifier was outside the range its issuer uses.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{kind} must be positive, got {value}")]
pub struct InvalidId {
    /// Which identifier was wrong.
    pub kind: &'static str,
    /// The value that was given.
    pub value: i64,
}

macro_rules! positive_id {
    ($(#[$doc:meta])* $name:ident, $label:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "i64", into = "i64")]
        pub struct $name(i64);

        impl $name {
            /// Accepts only positive values, as the issuer never hands out others.
            pub fn new(value: i64) -> Result<Self, InvalidId> {
                if value > 0 {
                    Ok(Self(value))
                } else {
                    Err(InvalidId { kind: $label, value })
                }
            }

            /// The raw value, for storage and wire formats.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl TryFrom<i64> for $name {
            type Error = InvalidId;
            fn try_from(value: i64) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

positive_id!(
    /// Our own key of a user (the database's surrogate key).
    UserId,
    "user id"
);
positive_id!(
    /// A Telegram user's id: positive and stable for the life of the account.
    TelegramUserId,
    "Telegram user id"
);
positive_id!(
    /// Our own key of one food entry.
    FoodEntryId,
    "food entry id"
);
positive_id!(
    /// Our own key of a product a user saved.
    SavedProductId,
    "saved product id"
);

/// A Telegram chat id: positive for private chats, negative for groups and channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ChatId(pub i64);

impl ChatId {
    /// The private chat a user has with the bot shares the user's id.
    pub fn private(user: TelegramUserId) -> Self {
        Self(user.get())
    }
}

impl fmt::Display for ChatId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Telegram's update_id: non-negative and increasing per bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct UpdateId(i64);

impl UpdateId {
    /// Accepts zero and positive values.
    pub fn new(value: i64) -> Result<Self, InvalidId> {
        if value >= 0 {
            Ok(Self(value))
        } else {
            Err(InvalidId {
                kind: "update id",
                value,
            })
        }
    }

    /// The raw value.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl TryFrom<i64> for UpdateId {
    type Error = InvalidId;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<UpdateId> for i64 {
    fn from(id: UpdateId) -> i64 {
        id.0
    }
}

impl fmt::Display for UpdateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_reject_zero_and_negative_values() {
        assert!(UserId::new(0).is_err());
        assert!(TelegramUserId::new(-5).is_err());
        assert_eq!(TelegramUserId::new(42).map(i64::from), Ok(42));
        assert!(UpdateId::new(0).is_ok());
        assert!(UpdateId::new(-1).is_err());
    }

    #[test]
    fn ids_refuse_invalid_values_when_deserialised() {
        assert!(serde_json::from_str::<TelegramUserId>("0").is_err());
        assert_eq!(
            serde_json::from_str::<TelegramUserId>("7").ok(),
            TelegramUserId::new(7).ok()
        );
    }
}
