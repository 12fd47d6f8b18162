//! A user's data as a whole: export and erasure (GDPR).

use async_trait::async_trait;

use crate::model::{FoodEntry, User, UserId};
use crate::ports::StorageError;

/// Everything stored about one user.
#[derive(Debug, Clone, PartialEq)]
pub struct UserExport {
    /// Profile, food entries, wearable records, conversation, connections (without secrets),
    /// notifications: one JSON document.
    pub document: serde_json::Value,
    /// Every food entry (active and voided), for the CSV.
    pub food_entries: Vec<FoodEntry>,
}

/// Reads or erases all of a user's data.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait UserData: Send + Sync {
    /// All of a user's data.
    async fn export(&self, user: UserId) -> Result<UserExport, StorageError>;
    /// Removes every row of the user, in one transaction (their inbound updates included).
    async fn erase(&self, user: &User) -> Result<(), StorageError>;
}
