//! Food logging: free text and voice are understood by the assistant, the catalogue gives the
//! numbers, the log keeps them; the reply lists each item with the day's total and buttons to
//! undo or correct. Corrections (undo, change grams, delete the last entry) and voice notes are
//! their own modules.

mod barcode;
mod corrections;
mod label;
mod logging;
mod meal;
mod personal;
mod voice;

use std::sync::Arc;

use crate::model::{Grams, LocalDate, User};
use crate::ports::{
    AnswerAudit, Assistant, Clock, Conversations, FoodCatalog, FoodLog, FoodMemory,
    PendingQuestions, ProductReader, SavedProducts, Users, WearableStore,
};
use crate::reply::Say;
use crate::usecases::chat::ChatError;

pub use barcode::{BarcodePhotos, PHOTO_MAX_BYTES, Scanned};
pub use label::LabelDraft;
pub use meal::MAX_MEAL_ITEMS;
pub use personal::{AMBIGUITY_RATIO, CHOICE_KEPT_FOR, candidates};
pub use voice::{Heard, VoiceLimits, VoiceNotes};

/// The user's own foods, tried before any catalogue.
#[derive(Clone)]
pub struct PersonalFoods {
    /// Remembered meanings, usual portions, candidates offered.
    pub memory: Arc<dyn FoodMemory>,
    /// Products the user saved.
    pub products: Arc<dyn SavedProducts>,
    /// Reads "granola 450 kcal per 100 g" (the offline rules).
    pub reader: Arc<dyn ProductReader>,
}

impl std::fmt::Debug for PersonalFoods {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PersonalFoods")
    }
}

/// What a message did to the conversation history (the assistant's context), written once the
/// reply is out so a retried send does not leave it there twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum History {
    /// Nothing to remember (a command, an error).
    Nothing,
    /// The user's words (with the intent seen in them) and the bot's reply.
    Exchange {
        /// What the user said (or the transcript).
        said: String,
        /// The intent the assistant saw.
        intent: Option<&'static str>,
    },
    /// Only the user's side ("[voice note]" that could not be heard).
    UserOnly {
        /// What stands for it.
        said: String,
        /// Why.
        intent: &'static str,
    },
    /// Only the bot's reply (to a button).
    BotOnly {
        /// What the button did.
        intent: &'static str,
    },
}

/// A reply and what it leaves in the history.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// What to say.
    pub reply: crate::reply::Reply,
    /// What to remember.
    pub history: History,
}

/// Logging food and answering questions about it: the ports it needs and nothing else.
#[derive(Clone)]
pub struct FoodLogging {
    /// People (a goal said in words changes it).
    pub users: Arc<dyn Users>,
    /// Their food.
    pub food: Arc<dyn FoodLog>,
    /// Their WHOOP records (context for questions).
    pub wearables: Arc<dyn WearableStore>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Conversation history (context for the assistant).
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
    /// The user's own foods, tried first.
    pub personal: PersonalFoods,
}

impl std::fmt::Debug for FoodLogging {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FoodLogging")
    }
}

impl FoodLogging {
    /// The day's total against the goal, for the user's local day, from the database's sum.
    async fn day_total(&self, user: &User) -> Result<Say, ChatError> {
        let day = LocalDate::of(self.clock.now(), user.time_zone);
        let totals = self.food.day_totals(user.id, day).await?;
        Ok(Say::DayTotal {
            totals,
            goal: user.calorie_goal,
        })
    }
}

/// Reads "150", "150 g", "150г", "1,5 кг"-free plain grams typed after "how many grams?".
fn typed_grams(text: &str) -> Option<Grams> {
    let t = text.trim().to_lowercase();
    let number: String = t
        .trim_end_matches(|c: char| c.is_alphabetic() || c == '.' || c.is_whitespace())
        .replace(',', ".");
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let unit = t[number.len().min(t.len())..].trim();
    if !(unit.is_empty() || unit.starts_with('g') || unit.starts_with('г')) {
        return None;
    }
    number.parse::<f64>().ok().and_then(|g| Grams::new(g).ok())
}

#[cfg(test)]
mod tests;
