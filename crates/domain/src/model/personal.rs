//! A user's own foods: products they saved with their numbers, the food they meant by an
//! ambiguous phrase, and the portion they usually eat.

use serde::{Deserialize, Serialize};

use super::{EntrySource, Grams, Meal, Nutrients, SavedProductId, UpdateId};
use crate::ports::{FoodFacts, FoodMention, PortionSize};

/// A product as typed ("granola 450 kcal per 100 g, P 10 F 20 C 60"), before it is saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductDraft {
    /// Its name as typed ("granola").
    pub name: String,
    /// Energy and macros per 100 g (macros zero when not given).
    pub per_100g: Nutrients,
}

/// What a nutrition label in a photo says, as read (by a vision model): the numbers as printed,
/// per 100 g or per serving, nothing estimated.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelReading {
    /// The product's name as printed, when it was legible.
    pub name: Option<String>,
    /// Energy and macros per 100 g, when the label gives them so.
    pub per_100g: Option<Nutrients>,
    /// Energy and macros per serving, when the label gives only those.
    pub per_serving: Option<Nutrients>,
    /// The serving's weight, when printed.
    pub serving: Option<Grams>,
}

impl LabelReading {
    /// The numbers per 100 g: as printed, or the serving's scaled by its weight; `None` when
    /// neither can be known (per serving with no serving weight).
    pub fn nutrients_per_100g(&self) -> Option<Nutrients> {
        self.per_100g.or_else(|| {
            let serving = self.serving?;
            self.per_serving.map(|n| n.scaled(100.0 / serving.get()))
        })
    }
}

/// A food seen on a plate, with the grams a model estimated (an estimate, never a weighing).
#[derive(Debug, Clone, PartialEq)]
pub struct MealItem {
    /// Its name in the user's language ("гречка").
    pub said: String,
    /// An English name to look it up by ("buckwheat, cooked").
    pub lookup_name: String,
    /// The estimated weight.
    pub grams: Grams,
}

/// What a photo of food shows.
#[derive(Debug, Clone, PartialEq)]
pub enum PhotoReading {
    /// A nutrition label.
    Label(LabelReading),
    /// A meal: its foods with estimated grams (never empty).
    Meal(Vec<MealItem>),
    /// Neither.
    Nothing,
}

/// A product a user saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedProduct {
    /// Our key.
    pub id: SavedProductId,
    /// Its name as typed.
    pub name: String,
    /// Energy and macros per 100 g.
    pub per_100g: Nutrients,
    /// Its barcode (EAN-13, EAN-8, UPC-A), when known.
    pub barcode: Option<String>,
}

impl SavedProduct {
    /// Its facts for logging: the user's own numbers, a 100 g portion.
    pub fn facts(&self) -> FoodFacts {
        FoodFacts {
            name: self.name.clone(),
            per_100g: self.per_100g,
            portions: vec![PortionSize {
                name: "100 g".to_owned(),
                unit: None,
                grams: super::Grams::HUNDRED,
            }],
            source: super::NutritionSource::SavedProduct,
            catalogue_ref: None,
            alternatives: Vec::new(),
            family: None,
        }
    }
}

/// The key a product, a remembered phrase or a usual portion is found by: lower case, words of
/// letters and digits, each without its final vowels ("Гранолу" = "гранола" = "гранол"), so a
/// Ukrainian case ending does not hide a name.
pub fn food_key(phrase: &str) -> String {
    const VOWELS: &[char] = &[
        'а', 'я', 'у', 'ю', 'и', 'і', 'о', 'е', 'є', 'ї', 'ь', 'й', 'a', 'e', 'i', 'o', 'u', 'y',
    ];
    phrase
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|word| {
            let mut w: Vec<char> = word.chars().collect();
            while w.len() > 4 && w.last().is_some_and(|c| VOWELS.contains(c)) {
                w.pop();
            }
            w.into_iter().collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Candidates offered for one mention of a message ("100 g вівсянки": dry flakes or cooked
/// porridge?), kept until a button picks one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoodChoice {
    /// The message that mentioned it.
    pub update_id: UpdateId,
    /// Which mention of that message (its idempotency key's index).
    pub item: u8,
    /// The mention as read.
    pub mention: FoodMention,
    /// The foods offered, in button order (at most three).
    pub candidates: Vec<FoodFacts>,
    /// The meal it goes to.
    pub meal: Meal,
    /// How the message reached us.
    pub source: EntrySource,
}
