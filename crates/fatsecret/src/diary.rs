//! The [`FoodDiary`] port: `food_entry.create`, `food_entry.edit`, `food_entry.delete` and
//! `food_entries.get.v2`, signed with the user's OAuth 1.0a token and sent as POST forms (the
//! token never sits in a URL).
//!
//! - The day is the user's **local** date as FatSecret's `date_int` (days since 1970-01-01).
//! - The meal: breakfast, lunch, dinner; a snack is FatSecret's `other`. Read back
//!   case-insensitively ("Breakfast"); an unknown meal reads as a snack.
//! - `number_of_units` is FatSecret's own: measurement units of the serving, written and read
//!   back unchanged (150 on a "100 g" serving whose `number_of_units` is 100 means 150 g).
//! - A unit's weight is the serving's metric amount / the serving's own `number_of_units` (one
//!   "1 large" egg of 50 g weighs 50 g, not 1), from one `food.get`; a food FatSecret no longer
//!   has, or a serving without a metric amount, has no known weight.
//! - Deleting an entry FatSecret no longer has (error 106) succeeds: the entry is gone either way,
//!   which makes a retried delete safe. Editing one (error 106) is rejected: there is nothing to
//!   change. An edit sends only `number_of_units` (worked out from the grams as for a create);
//!   it sets rather than adds, so sending it again is safe.

use async_trait::async_trait;
use chrono::{Days, NaiveDate};
use serde_json::Value;
use wellness_domain::model::{
    CatalogueRef, Grams, Kcal, LocalDate, MacroGrams, Meal, Nutrients, Tokens,
};
use wellness_domain::ports::{DiaryEntry, DiaryError, FoodDiary};

use crate::catalog::FoodDetails;
use crate::client::{FatSecretClient, UserToken, Verb};
use crate::error::{Effect, Failure};
use crate::json::{number, one_or_many, text};

/// FatSecret's meal name.
pub(crate) fn meal_code(meal: Meal) -> &'static str {
    match meal {
        Meal::Breakfast => "breakfast",
        Meal::Lunch => "lunch",
        Meal::Dinner => "dinner",
        Meal::Snack => "other",
    }
}

fn meal_from(text: &str) -> Meal {
    match text.trim().to_ascii_lowercase().as_str() {
        "breakfast" => Meal::Breakfast,
        "lunch" => Meal::Lunch,
        "dinner" => Meal::Dinner,
        _ => Meal::Snack,
    }
}

/// "1.5", "150": a decimal without trailing zeros.
fn units_text(units: f64) -> String {
    let text = format!("{units:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The day of a `date_int`.
pub(crate) fn local_date(date_int: i64) -> Option<LocalDate> {
    let days = u64::try_from(date_int).ok()?;
    NaiveDate::default()
        .checked_add_days(Days::new(days))
        .map(LocalDate::from_calendar)
}

fn user_token(tokens: &Tokens) -> Result<UserToken<'_>, DiaryError> {
    match tokens {
        Tokens::OAuth1 {
            token,
            token_secret,
        } => Ok(UserToken {
            token,
            secret: token_secret,
        }),
        Tokens::OAuth2 { .. } => Err(DiaryError::Rejected(
            "FatSecret's diary needs OAuth 1.0a tokens".to_owned(),
        )),
    }
}

fn macro_grams(entry: &Value, key: &str) -> Result<MacroGrams, String> {
    let value = number(entry, key)?.unwrap_or_default();
    MacroGrams::new(value).map_err(|e| e.to_string())
}

/// One `food_entry` of `food_entries.get`.
pub(crate) fn parse_entry(entry: &Value, asked: LocalDate) -> Result<DiaryEntry, String> {
    let food_entry_id = text(entry, "food_entry_id").ok_or("an entry has no food_entry_id")?;
    let catalogue_ref = match (text(entry, "food_id"), text(entry, "serving_id")) {
        (Some(food_id), Some(serving_id)) => Some(CatalogueRef {
            food_id,
            serving_id,
        }),
        _ => None,
    };
    let day = match number(entry, "date_int")? {
        // date_int is a whole number of days; anything else is not a date.
        Some(days) if days.fract() == 0.0 => {
            local_date(days as i64).ok_or_else(|| format!("date_int {days} is not a date"))?
        }
        Some(days) => return Err(format!("date_int {days} is not a date")),
        None => asked,
    };
    let calories = number(entry, "calories")?.unwrap_or_default();
    Ok(DiaryEntry {
        food_entry_id: Some(food_entry_id),
        name: text(entry, "food_entry_name")
            .or_else(|| text(entry, "food_entry_description"))
            .unwrap_or_default(),
        catalogue_ref,
        number_of_units: number(entry, "number_of_units")?.unwrap_or(1.0),
        grams: None,
        meal: text(entry, "meal").map_or(Meal::Snack, |m| meal_from(&m)),
        day,
        nutrients: Nutrients {
            kcal: Kcal::new(calories).map_err(|e| e.to_string())?,
            protein: macro_grams(entry, "protein")?,
            fat: macro_grams(entry, "fat")?,
            carbs: macro_grams(entry, "carbohydrate")?,
        },
    })
}

/// The entries of a `food_entries.get(.v2)` answer: an array, a single object, or `null`.
pub(crate) fn parse_day(answer: &Value, asked: LocalDate) -> Result<Vec<DiaryEntry>, Failure> {
    let Some(entries) = answer.get("food_entries") else {
        return Err(Failure::Malformed(
            "no \"food_entries\" in the answer".to_owned(),
        ));
    };
    one_or_many(entries.get("food_entry"))
        .into_iter()
        .map(|entry| parse_entry(entry, asked).map_err(Failure::Malformed))
        .collect()
}

#[async_trait]
impl FoodDiary for FatSecretClient {
    async fn create(&self, tokens: &Tokens, entry: &DiaryEntry) -> Result<String, DiaryError> {
        let user = user_token(tokens)?;
        let Some(catalogue_ref) = &entry.catalogue_ref else {
            return Err(no_serving());
        };
        let units = self.units(entry, catalogue_ref).await?;
        let name = if entry.name.trim().is_empty() {
            "Food".to_owned()
        } else {
            entry.name.trim().to_owned()
        };
        let args = [
            ("date", entry.day.days_since_epoch().to_string()),
            ("food_entry_name", name),
            ("food_id", catalogue_ref.food_id.clone()),
            ("meal", meal_code(entry.meal).to_owned()),
            ("number_of_units", units_text(units)),
            ("serving_id", catalogue_ref.serving_id.clone()),
        ];
        let answer = self
            .call(Verb::Post, "food_entry.create", &args, Some(user))
            .await
            .map_err(|failure| failure.into_diary(Effect::Write))?;
        // {"food_entry_id":{"value":"24691181560"}}; a bare id is accepted too.
        let id = answer
            .get("food_entry_id")
            .and_then(|id| text(id, "value").or_else(|| id.as_str().map(str::to_owned)));
        id.ok_or_else(|| {
            // FatSecret answered 200, so the entry most likely exists: say we cannot tell.
            DiaryError::OutcomeUnknown("the answer has no food_entry_id".to_owned())
        })
    }

    async fn delete(&self, tokens: &Tokens, food_entry_id: &str) -> Result<(), DiaryError> {
        let user = user_token(tokens)?;
        let args = [("food_entry_id", food_entry_id.to_owned())];
        match self
            .call(Verb::Post, "food_entry.delete", &args, Some(user))
            .await
        {
            Ok(_) => Ok(()),
            Err(failure) if failure.is_code(106) => Ok(()),
            Err(failure) => Err(failure.into_diary(Effect::Write)),
        }
    }

    async fn edit(
        &self,
        tokens: &Tokens,
        food_entry_id: &str,
        entry: &DiaryEntry,
    ) -> Result<(), DiaryError> {
        let user = user_token(tokens)?;
        let Some(catalogue_ref) = &entry.catalogue_ref else {
            return Err(no_serving());
        };
        let units = self.units(entry, catalogue_ref).await?;
        // Only the portion changes: the entry keeps its food, serving, name and meal.
        let args = [
            ("food_entry_id", food_entry_id.to_owned()),
            ("number_of_units", units_text(units)),
        ];
        self.call(Verb::Post, "food_entry.edit", &args, Some(user))
            .await
            .map(|_| ())
            .map_err(|failure| failure.into_diary(Effect::Write))
    }

    async fn day(&self, tokens: &Tokens, day: LocalDate) -> Result<Vec<DiaryEntry>, DiaryError> {
        let user = user_token(tokens)?;
        let args = [("date", day.days_since_epoch().to_string())];
        let answer = self
            .call(Verb::Post, "food_entries.get.v2", &args, Some(user))
            .await
            .map_err(|failure| failure.into_diary(Effect::Read))?;
        parse_day(&answer, day).map_err(|failure| failure.into_diary(Effect::Read))
    }

    async fn unit_weight(&self, serving: &CatalogueRef) -> Result<Option<Grams>, DiaryError> {
        match self.food(&serving.food_id).await {
            Ok(food) => Ok(unit_weight(&food, &serving.serving_id)),
            // An API error here is about this food (FatSecret no longer has it): its weight is
            // unknown. Being unreachable or rate limited is worth a retry.
            Err(Failure::Api { code, .. }) if !matches!(code, 6 | 7) => Ok(None),
            Err(failure) => Err(failure.into_diary(Effect::Read)),
        }
    }
}

fn no_serving() -> DiaryError {
    DiaryError::Rejected("the entry has no FatSecret food and serving".to_owned())
}

impl FatSecretClient {
    /// The `number_of_units` to write for an entry: FatSecret counts units of the serving,
    /// grams for a "100 g" serving (whose number_of_units is 100), eggs for "1 large"
    /// (number_of_units 1, 50 g). From grams eaten, units = grams x the serving's
    /// number_of_units / its metric amount (the serving from one cached `food.get`).
    async fn units(
        &self,
        entry: &DiaryEntry,
        catalogue_ref: &CatalogueRef,
    ) -> Result<f64, DiaryError> {
        let units = match entry.grams {
            Some(grams) => {
                let food = self
                    .food(&catalogue_ref.food_id)
                    .await
                    .map_err(|failure| failure.into_diary(Effect::Read))?;
                let serving = food
                    .servings
                    .iter()
                    .find(|s| s.serving_id == catalogue_ref.serving_id)
                    .ok_or_else(|| {
                        DiaryError::Rejected("the serving is no longer offered".to_owned())
                    })?;
                match serving.metric {
                    Some((amount, _)) if amount > 0.0 && serving.number_of_units > 0.0 => {
                        grams.get() * serving.number_of_units / amount
                    }
                    _ => {
                        return Err(DiaryError::Rejected(
                            "the serving has no weight in grams".to_owned(),
                        ));
                    }
                }
            }
            None => entry.number_of_units,
        };
        if !(units.is_finite() && units > 0.0) {
            return Err(DiaryError::Rejected(format!(
                "number_of_units must be positive, got {units}"
            )));
        }
        Ok(units)
    }
}

/// One unit of a serving: its metric amount / its own number of units. Millilitres count as
/// grams, as in the catalogue.
fn unit_weight(food: &FoodDetails, serving_id: &str) -> Option<Grams> {
    let serving = food.servings.iter().find(|s| s.serving_id == serving_id)?;
    let (amount, _) = serving.metric?;
    if !(amount > 0.0 && serving.number_of_units > 0.0) {
        return None;
    }
    Grams::new(amount / serving.number_of_units).ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn day(y: i32, m: u32, d: u32) -> LocalDate {
        LocalDate::from_calendar(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    #[test]
    fn date_ints_are_days_since_1970() {
        assert_eq!(local_date(14289), Some(day(2009, 2, 14)));
        assert_eq!(day(2009, 2, 14).days_since_epoch(), 14289);
        assert_eq!(local_date(-1), None);
    }

    #[test]
    fn an_empty_day_is_null_or_missing() {
        let asked = day(2026, 1, 1);
        assert!(
            parse_day(&json!({"food_entries": null}), asked)
                .unwrap()
                .is_empty()
        );
        assert!(
            parse_day(&json!({"food_entries": ""}), asked)
                .unwrap()
                .is_empty()
        );
        assert!(
            parse_day(&json!({"food_entries": {}}), asked)
                .unwrap()
                .is_empty()
        );
        assert!(parse_day(&json!({"foods": {}}), asked).is_err());
    }

    #[test]
    fn a_single_entry_may_be_an_object_with_string_numbers() {
        let answer = json!({"food_entries": {"food_entry": {
            "food_entry_id": "24691181560", "food_entry_description": "1 cup Instant Oatmeal",
            "date_int": "19724", "meal": "Breakfast", "food_id": "12345", "serving_id": "54321",
            "number_of_units": "1.000", "food_entry_name": "Instant Oatmeal", "calories": "150",
            "carbohydrate": "27.00", "protein": "5.00", "fat": "3.00"}}});
        let entries = parse_day(&answer, day(2024, 1, 1)).unwrap();
        assert_eq!(entries.len(), 1);
        let entry = &entries[0];
        assert_eq!(entry.food_entry_id.as_deref(), Some("24691181560"));
        assert_eq!(entry.meal, Meal::Breakfast);
        assert_eq!(entry.day, local_date(19724).unwrap());
        assert_eq!(entry.nutrients.kcal.get(), 150.0);
        assert_eq!(entry.nutrients.carbs.get(), 27.0);
        assert_eq!(entry.number_of_units, 1.0);
        assert_eq!(
            entry.catalogue_ref,
            Some(CatalogueRef {
                food_id: "12345".into(),
                serving_id: "54321".into()
            })
        );
    }

    #[test]
    fn snacks_are_other_and_units_lose_trailing_zeros() {
        assert_eq!(meal_code(Meal::Snack), "other");
        assert_eq!(meal_from("Other"), Meal::Snack);
        assert_eq!(meal_from("DINNER"), Meal::Dinner);
        assert_eq!(units_text(150.0), "150");
        assert_eq!(units_text(1.25), "1.25");
    }
}
