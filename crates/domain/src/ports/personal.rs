//! A user's own foods: what they meant by an ambiguous phrase, their usual portions, the
//! candidates offered until one is picked, and the products they saved.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{FoodFacts, StorageError};
use crate::model::{
    FoodChoice, Grams, ProductDraft, SavedProduct, SavedProductId, UpdateId, UserId,
};

/// What a user taught the bot about their food (table `food_choices`, `food_meanings`,
/// `usual_portions`). Keys are [`crate::model::food_key`]s.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait FoodMemory: Send + Sync {
    /// Keeps candidates offered under a message until one is picked (the same message and
    /// item again replaces them).
    async fn offer(
        &self,
        user: UserId,
        choice: &FoodChoice,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError>;

    /// The candidates offered for that message's item, if still kept.
    async fn offered(
        &self,
        user: UserId,
        update: UpdateId,
        item: u8,
    ) -> Result<Option<FoodChoice>, StorageError>;

    /// Forgets the candidates offered for that message's item (answered or cancelled); no
    /// error when they were not kept.
    async fn withdraw(&self, user: UserId, update: UpdateId, item: u8) -> Result<(), StorageError>;

    /// The food the user meant by the first of these keys they taught.
    async fn meaning(
        &self,
        user: UserId,
        keys: &[String],
    ) -> Result<Option<FoodFacts>, StorageError>;

    /// Remembers the food the user means by each key.
    async fn remember(
        &self,
        user: UserId,
        keys: &[String],
        facts: &FoodFacts,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError>;

    /// The user's usual portion of a food, by the key of the name the reply showed.
    async fn usual_portion(&self, user: UserId, food: &str) -> Result<Option<Grams>, StorageError>;

    /// Sets the user's usual portion of a food.
    async fn set_usual_portion(
        &self,
        user: UserId,
        food: &str,
        grams: Grams,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError>;
}

/// Products a user saved with their own numbers (table `saved_products`).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait SavedProducts: Send + Sync {
    /// Saves a product; one of the same name (by [`crate::model::food_key`]) is replaced.
    async fn save(
        &self,
        user: UserId,
        product: &ProductDraft,
        now: DateTime<Utc>,
    ) -> Result<SavedProduct, StorageError>;

    /// The user's products, by name.
    async fn list(&self, user: UserId) -> Result<Vec<SavedProduct>, StorageError>;

    /// Deletes one; `None` when it was not there.
    async fn delete(
        &self,
        user: UserId,
        id: SavedProductId,
    ) -> Result<Option<SavedProduct>, StorageError>;

    /// The product of that name (by [`crate::model::food_key`]).
    async fn named(&self, user: UserId, name: &str) -> Result<Option<SavedProduct>, StorageError>;

    /// The product with that barcode (for the barcode reader: saved products come first).
    async fn by_barcode(
        &self,
        user: UserId,
        barcode: &str,
    ) -> Result<Option<SavedProduct>, StorageError>;
}

/// Reads a product typed to be saved ("granola 450 kcal per 100 g", "гранола 450 ккал на
/// 100 г, б 10 ж 20 в 60"). The offline rules implement it; the domain asks it before any
/// assistant, so this pattern is read by rules even when OpenAI is configured.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait ProductReader: Send + Sync {
    /// The product, when the text is one.
    fn read_product(&self, text: &str) -> Option<ProductDraft>;
}
