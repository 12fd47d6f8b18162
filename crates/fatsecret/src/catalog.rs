//! The [`FoodCatalog`] port: `foods.search` then `food.get.v4`, signed two-legged (no user
//! token).
//!
//! - **Which food**: search by the English lookup name first, then by the user's own words.
//!   Results are ranked by how well the name matches (the exact name, then singular/plural of
//!   it, then names starting with the query, then names holding every word), generic foods
//!   before brands on a tie, FatSecret's order after that; the first three candidates are tried.
//! - **Which serving**: only servings with a metric amount in `g` (or `ml`, taken as grams: drinks
//!   are close enough to water) count. The reference serving is the one of exactly 100, else the
//!   largest (least rounding); per-100 g nutrients are its numbers scaled to 100. Its id goes into
//!   `catalogue_ref.serving_id`.
//! - **Foods with only non-metric servings** ("1 burger" without a weight) are skipped: nothing
//!   honest can be said per 100 g. When no candidate has a metric serving the answer is
//!   `Ok(None)`, and the app falls back to its own catalogue.
//! - **Portions**: every metric serving that is not a bare weight ("100 g"), named by its
//!   measurement ("large", "cup", "slice") with the grams of one unit (a "3 oz" serving of 85 g
//!   gives "oz" = 28.35 g); FatSecret's default serving (`is_default`) first, then FatSecret's
//!   order, whose first serving is the typical one.
//! - The locale is not sent: localized search is a Premier feature.

use async_trait::async_trait;
use serde_json::Value;
use wellness_domain::model::{
    CatalogueRef, Grams, Kcal, Locale, MacroGrams, Nutrients, NutritionSource, Unit,
};
use wellness_domain::ports::{CatalogError, FoodCatalog, FoodFacts, PortionSize};

use crate::client::{FatSecretClient, Verb};
use crate::error::Failure;
use crate::json::{number, one_or_many, text};

/// Results asked of one search.
const SEARCH_RESULTS: u32 = 20;
/// Foods fetched per search before giving up on it.
const CANDIDATES: usize = 3;

/// One `foods.search` result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FoodSummary {
    pub food_id: String,
    pub food_name: String,
    pub brand_name: Option<String>,
}

/// The unit of a serving's metric amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MetricUnit {
    Grams,
    Millilitres,
}

/// One serving of `food.get`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Serving {
    pub serving_id: String,
    pub description: String,
    pub measurement: String,
    pub number_of_units: f64,
    pub metric: Option<(f64, MetricUnit)>,
    pub calories: Option<f64>,
    pub protein: Option<f64>,
    pub fat: Option<f64>,
    pub carbohydrate: Option<f64>,
    pub is_default: bool,
}

/// `food.get` of one food.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FoodDetails {
    pub food_id: String,
    pub food_name: String,
    pub brand_name: Option<String>,
    pub servings: Vec<Serving>,
}

pub(crate) fn parse_search(answer: &Value) -> Result<Vec<FoodSummary>, Failure> {
    let Some(foods) = answer.get("foods") else {
        return Err(Failure::Malformed("no \"foods\" in the answer".to_owned()));
    };
    Ok(one_or_many(foods.get("food"))
        .into_iter()
        .filter_map(|food| {
            Some(FoodSummary {
                food_id: text(food, "food_id")?,
                food_name: text(food, "food_name")?,
                brand_name: text(food, "brand_name"),
            })
        })
        .collect())
}

pub(crate) fn parse_food(answer: &Value) -> Result<FoodDetails, Failure> {
    let malformed = |what: String| Failure::Malformed(what);
    let food = answer
        .get("food")
        .filter(|f| f.is_object())
        .ok_or_else(|| malformed("no \"food\" in the answer".to_owned()))?;
    let food_id = text(food, "food_id").ok_or_else(|| malformed("no food_id".to_owned()))?;
    let servings = one_or_many(food.get("servings").and_then(|s| s.get("serving")))
        .into_iter()
        .map(|s| parse_serving(s).map_err(malformed))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(FoodDetails {
        food_id,
        food_name: text(food, "food_name").unwrap_or_default(),
        brand_name: text(food, "brand_name"),
        servings: servings.into_iter().flatten().collect(),
    })
}

/// A serving, or `None` when it has no id.
fn parse_serving(serving: &Value) -> Result<Option<Serving>, String> {
    let Some(serving_id) = text(serving, "serving_id") else {
        return Ok(None);
    };
    let unit =
        text(serving, "metric_serving_unit").and_then(|u| match u.to_ascii_lowercase().as_str() {
            "g" => Some(MetricUnit::Grams),
            "ml" => Some(MetricUnit::Millilitres),
            _ => None,
        });
    let metric = match (number(serving, "metric_serving_amount")?, unit) {
        (Some(amount), Some(unit)) if amount > 0.0 => Some((amount, unit)),
        _ => None,
    };
    Ok(Some(Serving {
        serving_id,
        description: text(serving, "serving_description").unwrap_or_default(),
        measurement: text(serving, "measurement_description").unwrap_or_default(),
        number_of_units: number(serving, "number_of_units")?
            .filter(|n| *n > 0.0)
            .unwrap_or(1.0),
        metric,
        calories: number(serving, "calories")?,
        protein: number(serving, "protein")?,
        fat: number(serving, "fat")?,
        carbohydrate: number(serving, "carbohydrate")?,
        is_default: text(serving, "is_default").as_deref() == Some("1"),
    }))
}

fn normalize(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

fn singular(word: &str) -> &str {
    word.strip_suffix("es")
        .filter(|w| w.ends_with('o') || w.ends_with("ch") || w.ends_with("sh"))
        .or_else(|| word.strip_suffix('s'))
        .unwrap_or(word)
}

/// Lower is better.
fn match_rank(name: &str, query: &str) -> u8 {
    let name = normalize(name);
    let query = normalize(query);
    let singular_words = |text: &str| {
        text.split(' ')
            .map(|w| singular(w).to_owned())
            .collect::<Vec<_>>()
    };
    if name == query {
        0
    } else if singular_words(&name) == singular_words(&query) {
        1
    } else if name.starts_with(&query) {
        2
    } else if singular_words(&query)
        .iter()
        .all(|q| singular_words(&name).contains(q))
    {
        3
    } else {
        4
    }
}

/// The results, best match first (a stable sort keeps FatSecret's order among equals).
pub(crate) fn rank(mut results: Vec<FoodSummary>, query: &str) -> Vec<FoodSummary> {
    results.sort_by_key(|food| {
        (
            match_rank(&food.food_name, query),
            food.brand_name.is_some(),
        )
    });
    results
}

/// A serving with a metric amount, and that amount in grams.
fn metric_grams(serving: &Serving) -> Option<f64> {
    serving.metric.map(|(amount, _)| amount)
}

/// The serving per-100 g numbers come from: exactly 100, else the largest metric one.
pub(crate) fn reference_serving(servings: &[Serving]) -> Option<&Serving> {
    let usable: Vec<&Serving> = servings
        .iter()
        .filter(|s| metric_grams(s).is_some() && s.calories.is_some())
        .collect();
    usable
        .iter()
        .find(|s| metric_grams(s).is_some_and(|g| (g - 100.0).abs() < 1e-6))
        .or_else(|| {
            usable.iter().max_by(|a, b| {
                metric_grams(a)
                    .unwrap_or_default()
                    .total_cmp(&metric_grams(b).unwrap_or_default())
            })
        })
        .copied()
}

fn is_bare_weight(measurement: &str) -> bool {
    matches!(
        measurement.trim().to_ascii_lowercase().as_str(),
        "g" | "gram" | "grams" | "ml" | "millilitre" | "milliliter" | "kg" | "l"
    )
}

fn portions(servings: &[Serving]) -> Vec<PortionSize> {
    let mut ordered: Vec<&Serving> = servings.iter().collect();
    ordered.sort_by_key(|s| !s.is_default);
    let mut portions: Vec<PortionSize> = Vec::new();
    for serving in ordered {
        let Some(amount) = metric_grams(serving) else {
            continue;
        };
        if is_bare_weight(&serving.measurement) {
            continue;
        }
        let name = if serving.measurement.is_empty() {
            serving.description.clone()
        } else {
            serving.measurement.clone()
        };
        let Ok(grams) = Grams::new(amount / serving.number_of_units) else {
            continue;
        };
        if name.is_empty() || portions.iter().any(|p| p.name == name) {
            continue;
        }
        let unit = Unit::in_phrase(&name);
        portions.push(PortionSize { name, unit, grams });
    }
    portions
}

/// What the catalogue knows of a food, or `None` when it has no metric serving.
pub(crate) fn facts(food: &FoodDetails) -> Option<FoodFacts> {
    let reference = reference_serving(&food.servings)?;
    let grams = metric_grams(reference)?;
    let per_100 = |value: Option<f64>| value.unwrap_or_default() * 100.0 / grams;
    let per_100g = Nutrients {
        kcal: Kcal::new(per_100(reference.calories)).ok()?,
        protein: MacroGrams::new(per_100(reference.protein)).ok()?,
        fat: MacroGrams::new(per_100(reference.fat)).ok()?,
        carbs: MacroGrams::new(per_100(reference.carbohydrate)).ok()?,
    };
    let name = match &food.brand_name {
        Some(brand) => format!("{} ({brand})", food.food_name),
        None => food.food_name.clone(),
    };
    Some(FoodFacts {
        name,
        per_100g,
        portions: portions(&food.servings),
        source: NutritionSource::Fatsecret,
        catalogue_ref: Some(CatalogueRef {
            food_id: food.food_id.clone(),
            serving_id: reference.serving_id.clone(),
        }),
        alternatives: Vec::new(),
        family: None,
    })
}

impl FatSecretClient {
    pub(crate) async fn search_foods(&self, expression: &str) -> Result<Vec<FoodSummary>, Failure> {
        let args = [
            ("search_expression", expression.to_owned()),
            ("max_results", SEARCH_RESULTS.to_string()),
            ("page_number", "0".to_owned()),
        ];
        let answer = self.call(Verb::Get, "foods.search", &args, None).await?;
        parse_search(&answer)
    }

    pub(crate) async fn food(&self, food_id: &str) -> Result<FoodDetails, Failure> {
        let args = [("food_id", food_id.to_owned())];
        let answer = self.call(Verb::Get, "food.get.v4", &args, None).await?;
        parse_food(&answer)
    }
}

#[async_trait]
impl FoodCatalog for FatSecretClient {
    async fn find(
        &self,
        said: &str,
        lookup_name: &str,
        _locale: Locale,
    ) -> Result<Option<FoodFacts>, CatalogError> {
        let mut queries: Vec<&str> = Vec::new();
        for query in [lookup_name.trim(), said.trim()] {
            if !query.is_empty() && !queries.iter().any(|q| q.eq_ignore_ascii_case(query)) {
                queries.push(query);
            }
        }
        for query in queries {
            let found = self
                .search_foods(query)
                .await
                .map_err(Failure::into_catalog)?;
            for candidate in rank(found, query).into_iter().take(CANDIDATES) {
                let food = match self.food(&candidate.food_id).await {
                    Ok(food) => food,
                    // The search offered an id food.get does not know: try the next one.
                    Err(failure) if failure.is_code(106) => continue,
                    Err(failure) => return Err(failure.into_catalog()),
                };
                if let Some(facts) = facts(&food) {
                    return Ok(Some(facts));
                }
                tracing::debug!(food_id = %food.food_id, "fatsecret food without a metric serving skipped");
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn summary(id: &str, name: &str, brand: Option<&str>) -> FoodSummary {
        FoodSummary {
            food_id: id.into(),
            food_name: name.into(),
            brand_name: brand.map(Into::into),
        }
    }

    #[test]
    fn the_exact_name_wins_then_plurals_then_prefixes_and_generic_before_brand() {
        let results = vec![
            summary("1", "Egg White", None),
            summary("2", "Eggs", Some("Farm")),
            summary("3", "Scrambled Egg", None),
            summary("4", "Egg", None),
        ];
        let ranked = rank(results, "eggs");
        let ids: Vec<_> = ranked.iter().map(|f| f.food_id.as_str()).collect();
        assert_eq!(ids, ["2", "4", "1", "3"]);
        let ranked = rank(ranked, "egg");
        assert_eq!(ranked[0].food_id, "4");
        assert_eq!(match_rank("Tomatoes", "tomato"), 1);
    }

    #[test]
    fn per_100_g_comes_from_the_100_g_serving_or_else_the_largest_metric_one() {
        let answer = json!({"food": {"food_id": "848", "food_name": "Kefir",
            "servings": {"serving": [
                {"serving_id": "1", "serving_description": "1 cup", "metric_serving_amount": "243.000",
                 "metric_serving_unit": "g", "number_of_units": "1.000", "measurement_description": "cup",
                 "calories": "100", "protein": "9.21", "fat": "2.26", "carbohydrate": "10.89"},
                {"serving_id": "2", "serving_description": "1 tbsp", "metric_serving_amount": "15.000",
                 "metric_serving_unit": "g", "number_of_units": "1.000", "measurement_description": "tbsp",
                 "calories": "6", "protein": "0.57", "fat": "0.14", "carbohydrate": "0.67"}]}}});
        let food = parse_food(&answer).unwrap();
        let facts = facts(&food).unwrap();
        assert_eq!(facts.catalogue_ref.unwrap().serving_id, "1");
        assert!((facts.per_100g.kcal.get() - 41.15).abs() < 0.01);
        assert_eq!(facts.portions[0].name, "cup");
        assert_eq!(facts.portions[0].grams.get(), 243.0);
        assert_eq!(facts.source, NutritionSource::Fatsecret);
    }

    #[test]
    fn a_food_with_only_non_metric_servings_has_no_facts() {
        let answer = json!({"food": {"food_id": "9", "food_name": "Big Mac", "brand_name": "McDonald's",
            "servings": {"serving": {"serving_id": "5", "serving_description": "1 burger",
                "number_of_units": "1.000", "measurement_description": "burger", "calories": "563",
                "protein": "25.84", "fat": "33.07", "carbohydrate": "44.02"}}}});
        let food = parse_food(&answer).unwrap();
        assert_eq!(food.servings.len(), 1);
        assert_eq!(facts(&food), None);
    }

    #[test]
    fn millilitre_servings_count_as_grams_and_portions_are_per_unit() {
        let answer = json!({"food": {"food_id": "7", "food_name": "Salmon", "servings": {"serving": [
            {"serving_id": "a", "serving_description": "3 oz", "metric_serving_amount": "85.050",
             "metric_serving_unit": "g", "number_of_units": "3.000", "measurement_description": "oz",
             "calories": "177", "protein": "17.37", "fat": "11.41", "carbohydrate": "0.00"},
            {"serving_id": "b", "serving_description": "100 ml", "metric_serving_amount": "100.000",
             "metric_serving_unit": "ml", "number_of_units": "100.000", "measurement_description": "ml",
             "calories": "208", "protein": "20.42", "fat": "13.42", "carbohydrate": "0.00"}]}}});
        let facts = facts(&parse_food(&answer).unwrap()).unwrap();
        assert_eq!(facts.catalogue_ref.unwrap().serving_id, "b");
        assert_eq!(facts.per_100g.kcal.get(), 208.0);
        assert_eq!(facts.portions.len(), 1);
        assert!((facts.portions[0].grams.get() - 28.35).abs() < 1e-9);
    }
}
