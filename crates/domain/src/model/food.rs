use std::fmt;

use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::{FoodEntryId, Grams, LocalDate, Nutrients, UserId};

/// Which meal of the day an entry belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Meal {
    /// Breakfast.
    Breakfast,
    /// Lunch.
    Lunch,
    /// Dinner.
    Dinner,
    /// Anything in between.
    Snack,
}

impl Meal {
    /// Every meal, in the order of the day.
    pub const ALL: [Meal; 4] = [Meal::Breakfast, Meal::Lunch, Meal::Dinner, Meal::Snack];

    /// The meal a user most likely means at a local time when they do not say: breakfast before
    /// 11:00, lunch until 16:00, dinner until 21:00, else a snack.
    pub fn at_local_time(time: NaiveTime) -> Meal {
        let hour = chrono::Timelike::hour(&time);
        match hour {
            4..=10 => Meal::Breakfast,
            11..=15 => Meal::Lunch,
            16..=20 => Meal::Dinner,
            _ => Meal::Snack,
        }
    }

    /// The storage code.
    pub fn code(self) -> &'static str {
        match self {
            Meal::Breakfast => "breakfast",
            Meal::Lunch => "lunch",
            Meal::Dinner => "dinner",
            Meal::Snack => "snack",
        }
    }

    /// Parses the storage code.
    pub fn from_code(code: &str) -> Option<Self> {
        Meal::ALL.into_iter().find(|m| m.code() == code)
    }
}

impl fmt::Display for Meal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// How an entry reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntrySource {
    /// Typed in the chat.
    Text,
    /// Said in a voice note.
    Voice,
    /// Made in FatSecret's own app and imported by the diary sync.
    FatsecretDiary,
    /// A photo of a product's barcode.
    Barcode,
    /// A photo of a nutrition label, confirmed by the user.
    Label,
    /// A photo of a meal: foods and grams estimated, confirmed by the user.
    MealPhoto,
}

impl EntrySource {
    /// The storage code.
    pub fn code(self) -> &'static str {
        match self {
            EntrySource::Text => "text",
            EntrySource::Voice => "voice",
            EntrySource::FatsecretDiary => "fatsecret_diary",
            EntrySource::Barcode => "barcode",
            EntrySource::Label => "label",
            EntrySource::MealPhoto => "meal_photo",
        }
    }

    /// Parses the storage code.
    pub fn from_code(code: &str) -> Option<Self> {
        [
            EntrySource::Text,
            EntrySource::Voice,
            EntrySource::FatsecretDiary,
            EntrySource::Barcode,
            EntrySource::Label,
            EntrySource::MealPhoto,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// Who gave the nutrition numbers of an entry (the reply says so).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NutritionSource {
    /// FatSecret's food database.
    Fatsecret,
    /// Our embedded catalogue (USDA FoodData Central values).
    OfflineCatalogue,
    /// Open Food Facts (a product found by its barcode).
    OpenFoodFacts,
    /// A product the user saved with its own numbers ("granola 450 kcal per 100 g").
    SavedProduct,
}

impl NutritionSource {
    /// The storage code.
    pub fn code(self) -> &'static str {
        match self {
            NutritionSource::Fatsecret => "fatsecret",
            NutritionSource::OfflineCatalogue => "offline_catalogue",
            NutritionSource::OpenFoodFacts => "open_food_facts",
            NutritionSource::SavedProduct => "saved_product",
        }
    }

    /// Parses the storage code.
    pub fn from_code(code: &str) -> Option<Self> {
        [
            NutritionSource::Fatsecret,
            NutritionSource::OfflineCatalogue,
            NutritionSource::OpenFoodFacts,
            NutritionSource::SavedProduct,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// Whether an entry counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryStatus {
    /// Counts in the day's totals.
    Active,
    /// Undone by the user: kept for history, counts nowhere.
    Voided,
}

impl EntryStatus {
    /// The storage code.
    pub fn code(self) -> &'static str {
        match self {
            EntryStatus::Active => "active",
            EntryStatus::Voided => "voided",
        }
    }

    /// Parses the storage code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "active" => Some(EntryStatus::Active),
            "voided" => Some(EntryStatus::Voided),
            _ => None,
        }
    }
}

/// A key that makes logging idempotent: the same inbound update logs its items once.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdempotencyKey(String);

/// An idempotency key must be 1..=200 printable characters.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("an idempotency key must be 1 to 200 printable characters")]
pub struct InvalidIdempotencyKey;

impl IdempotencyKey {
    /// Accepts 1..=200 characters without control characters.
    pub fn new(key: impl Into<String>) -> Result<Self, InvalidIdempotencyKey> {
        let key = key.into();
        if !key.is_empty() && key.chars().count() <= 200 && !key.chars().any(char::is_control) {
            Ok(Self(key))
        } else {
            Err(InvalidIdempotencyKey)
        }
    }

    /// The key of the `index`-th item logged from a Telegram update.
    pub fn for_update_item(update_id: super::UpdateId, index: usize) -> Self {
        Self(format!("tg:{update_id}:{index}"))
    }

    /// The key of an entry imported from FatSecret's diary.
    pub fn for_fatsecret_entry(food_entry_id: &str) -> Self {
        Self(format!("fs:{food_entry_id}"))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for IdempotencyKey {
    type Error = InvalidIdempotencyKey;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<IdempotencyKey> for String {
    fn from(key: IdempotencyKey) -> String {
        key.0
    }
}

/// Where an entry lives in the user's FatSecret diary, once written or imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiaryLink {
    /// FatSecret's food_entry_id (unique).
    pub food_entry_id: String,
}

/// A food FatSecret knows, with the serving our grams were scaled from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueRef {
    /// FatSecret's food_id.
    pub food_id: String,
    /// The gram-based serving chosen.
    pub serving_id: String,
}

/// One thing a user ate, as they said it, with its nutrition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoodEntry {
    /// Our key.
    pub id: FoodEntryId,
    /// Whose.
    pub user_id: UserId,
    /// The name as the user said it ("гречка", "toast").
    pub name: String,
    /// How much.
    pub grams: Grams,
    /// Energy and macros of this portion.
    pub nutrients: Nutrients,
    /// Which meal.
    pub meal: Meal,
    /// How it reached us.
    pub source: EntrySource,
    /// Who gave the numbers.
    pub nutrition_source: NutritionSource,
    /// The user's calendar day it counts on.
    pub local_date: LocalDate,
    /// When it was logged.
    pub logged_at: DateTime<Utc>,
    /// Whether it counts.
    pub status: EntryStatus,
    /// What makes logging it idempotent.
    pub idempotency_key: IdempotencyKey,
    /// FatSecret's food, when the numbers came from there.
    pub catalogue_ref: Option<CatalogueRef>,
    /// The FatSecret diary entry, once written or imported.
    pub diary_link: Option<DiaryLink>,
}

/// An entry about to be logged.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFoodEntry {
    /// Whose.
    pub user_id: UserId,
    /// The name as said.
    pub name: String,
    /// How much.
    pub grams: Grams,
    /// Energy and macros of this portion.
    pub nutrients: Nutrients,
    /// Which meal.
    pub meal: Meal,
    /// How it reached us.
    pub source: EntrySource,
    /// Who gave the numbers.
    pub nutrition_source: NutritionSource,
    /// The user's calendar day.
    pub local_date: LocalDate,
    /// When.
    pub logged_at: DateTime<Utc>,
    /// Idempotency.
    pub idempotency_key: IdempotencyKey,
    /// FatSecret's food, when the numbers came from there.
    pub catalogue_ref: Option<CatalogueRef>,
    /// Set for entries imported from the FatSecret diary.
    pub diary_link: Option<DiaryLink>,
}

/// The sum of a user's active entries on one local day.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct DayTotals {
    /// How many entries.
    pub entries: u32,
    /// Their sum.
    pub nutrients: Nutrients,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn meal_follows_the_local_clock_when_not_said() {
        assert_eq!(Meal::at_local_time(at(7, 30)), Meal::Breakfast);
        assert_eq!(Meal::at_local_time(at(10, 59)), Meal::Breakfast);
        assert_eq!(Meal::at_local_time(at(11, 0)), Meal::Lunch);
        assert_eq!(Meal::at_local_time(at(15, 59)), Meal::Lunch);
        assert_eq!(Meal::at_local_time(at(16, 0)), Meal::Dinner);
        assert_eq!(Meal::at_local_time(at(20, 59)), Meal::Dinner);
        assert_eq!(Meal::at_local_time(at(21, 0)), Meal::Snack);
        assert_eq!(Meal::at_local_time(at(2, 0)), Meal::Snack);
    }

    #[test]
    fn idempotency_keys_are_bounded_and_printable() {
        assert!(IdempotencyKey::new("").is_err());
        assert!(IdempotencyKey::new("a\nb").is_err());
        assert!(IdempotencyKey::new("x".repeat(201)).is_err());
        let key = IdempotencyKey::for_update_item(crate::UpdateId::new(77).unwrap(), 1);
        assert_eq!(key.as_str(), "tg:77:1");
    }

    #[test]
    fn storage_codes_round_trip() {
        for meal in Meal::ALL {
            assert_eq!(Meal::from_code(meal.code()), Some(meal));
        }
        for s in [
            EntrySource::Text,
            EntrySource::Voice,
            EntrySource::FatsecretDiary,
            EntrySource::Barcode,
        ] {
            assert_eq!(EntrySource::from_code(s.code()), Some(s));
        }
        assert_eq!(EntryStatus::from_code("voided"), Some(EntryStatus::Voided));
        assert_eq!(
            NutritionSource::from_code("fatsecret"),
            Some(NutritionSource::Fatsecret)
        );
    }
}
