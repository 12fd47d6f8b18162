//! The methods of `server.api`, answering JSON the way FatSecret does: every scalar a string,
//! a single result as an object where the method's version does that, `null` for an empty day.

use std::collections::HashMap;

use chrono::{Datelike, Duration as Days, NaiveDate};
use serde_json::{Map, Value, json};

use super::error::ApiError;
use super::foods::{ServingNutrients, SimFood, SimServing};
use super::state::{
    NewSimEntry, SimEntryEdit, SimFoodEntry, SimMeal, SimState, TokenRule, today_date_int,
};

/// Whether a method needs the user's access token.
pub(crate) fn token_rule(method: &str) -> TokenRule {
    if method.starts_with("food_entr") {
        TokenRule::RequiredAccess
    } else {
        TokenRule::OptionalAccess
    }
}

/// Every method the simulator knows.
pub(crate) fn is_known(method: &str) -> bool {
    matches!(
        method,
        "foods.search"
            | "food.get"
            | "food.get.v2"
            | "food.get.v3"
            | "food.get.v4"
            | "food_entries.get"
            | "food_entries.get.v2"
            | "food_entries.get_month"
            | "food_entries.get_month.v2"
            | "food_entry.create"
            | "food_entry.delete"
            | "food_entry.edit"
    )
}

type Params = HashMap<String, String>;

fn required<'a>(params: &'a Params, name: &str) -> Result<&'a str, ApiError> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| ApiError::missing(name))
}

/// A list, or its only element as an object when `single_as_object`, or nothing when empty.
fn one_or_many(items: Vec<Value>, single_as_object: bool) -> Option<Value> {
    match items.len() {
        0 => None,
        1 if single_as_object => items.into_iter().next(),
        _ => Some(Value::Array(items)),
    }
}

fn amount(value: f64) -> String {
    format!("{value:.3}")
}

fn nutrient_fields(object: &mut Map<String, Value>, n: ServingNutrients) {
    object.insert("calories".into(), json!(format!("{:.0}", n.calories)));
    object.insert(
        "carbohydrate".into(),
        json!(format!("{:.2}", n.carbohydrate)),
    );
    object.insert("protein".into(), json!(format!("{:.2}", n.protein)));
    object.insert("fat".into(), json!(format!("{:.2}", n.fat)));
}

/// Calls `method` for the verified `user` (if any).
pub(crate) fn call(
    state: &SimState,
    method: &str,
    params: &Params,
    user: Option<&str>,
) -> Result<Value, ApiError> {
    let user = user.unwrap_or_default();
    let quirks = state.config.quirks;
    match method {
        "foods.search" => foods_search(state, params),
        "food.get" | "food.get.v2" => food_get(state, params, true),
        "food.get.v3" | "food.get.v4" => food_get(state, params, quirks.single_objects_everywhere),
        "food_entries.get" => food_entries_get(state, params, user, true),
        "food_entries.get.v2" => {
            food_entries_get(state, params, user, quirks.single_objects_everywhere)
        }
        "food_entries.get_month" => get_month(state, params, user, true),
        "food_entries.get_month.v2" => {
            get_month(state, params, user, quirks.single_objects_everywhere)
        }
        "food_entry.create" => food_entry_create(state, params, user),
        "food_entry.delete" => food_entry_delete(state, params, user),
        "food_entry.edit" => food_entry_edit(state, params, user),
        _ => Err(ApiError::new(1, format!("Unknown method: '{method}'"))),
    }
}

fn foods_search(state: &SimState, params: &Params) -> Result<Value, ApiError> {
    let expression = required(params, "search_expression")?;
    let max_results = match params.get("max_results") {
        None => 20,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=50).contains(n))
            .ok_or_else(|| ApiError::out_of_range("max_results", text))?,
    };
    let page_number = match params.get("page_number") {
        None => 0,
        Some(text) => text
            .parse::<usize>()
            .map_err(|_| ApiError::out_of_range("page_number", text))?,
    };
    let found = state.search(expression);
    let total = found.len();
    let page: Vec<Value> = found
        .iter()
        .skip(page_number.saturating_mul(max_results))
        .take(max_results)
        .map(search_result)
        .collect();
    let mut foods = Map::new();
    // v1: one result is an object, none leaves the key out.
    if let Some(food) = one_or_many(page, true) {
        foods.insert("food".into(), food);
    }
    foods.insert("max_results".into(), json!(max_results.to_string()));
    foods.insert("page_number".into(), json!(page_number.to_string()));
    foods.insert("total_results".into(), json!(total.to_string()));
    Ok(json!({ "foods": foods }))
}

fn search_result(food: &SimFood) -> Value {
    let mut object = Map::new();
    object.insert("food_id".into(), json!(food.food_id));
    object.insert("food_name".into(), json!(food.food_name));
    object.insert("food_type".into(), json!(food.food_type()));
    if let Some(brand) = &food.brand_name {
        object.insert("brand_name".into(), json!(brand));
    }
    object.insert("food_url".into(), json!(food.url()));
    object.insert("food_description".into(), json!(food.description()));
    Value::Object(object)
}

fn food_get(state: &SimState, params: &Params, single_as_object: bool) -> Result<Value, ApiError> {
    let food_id = required(params, "food_id")?;
    let food = state
        .food(food_id)
        .ok_or_else(|| ApiError::invalid_id("food_id", food_id))?;
    let servings: Vec<Value> = food
        .servings
        .iter()
        .map(|s| serving_json(&food, s))
        .collect();
    let mut object = Map::new();
    object.insert("food_id".into(), json!(food.food_id));
    object.insert("food_name".into(), json!(food.food_name));
    object.insert("food_type".into(), json!(food.food_type()));
    if let Some(brand) = &food.brand_name {
        object.insert("brand_name".into(), json!(brand));
    }
    object.insert("food_url".into(), json!(food.url()));
    if let Some(servings) = one_or_many(servings, single_as_object) {
        object.insert("servings".into(), json!({ "serving": servings }));
    }
    Ok(json!({ "food": object }))
}

fn serving_json(food: &SimFood, serving: &SimServing) -> Value {
    let mut object = Map::new();
    object.insert("serving_id".into(), json!(serving.serving_id));
    object.insert(
        "serving_description".into(),
        json!(serving.serving_description),
    );
    object.insert(
        "serving_url".into(),
        json!(format!(
            "{}?portionid={}&portionamount={}",
            food.url(),
            serving.serving_id,
            amount(serving.number_of_units)
        )),
    );
    if let Some((metric_amount, unit)) = serving.metric {
        object.insert("metric_serving_amount".into(), json!(amount(metric_amount)));
        object.insert("metric_serving_unit".into(), json!(unit.code()));
    }
    object.insert(
        "number_of_units".into(),
        json!(amount(serving.number_of_units)),
    );
    object.insert(
        "measurement_description".into(),
        json!(serving.measurement_description),
    );
    nutrient_fields(&mut object, food.serving_nutrients(serving));
    Value::Object(object)
}

fn date_param(params: &Params) -> Result<i64, ApiError> {
    match params.get("date") {
        None => Ok(today_date_int()),
        Some(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|d| (0..=200_000).contains(d))
            .ok_or_else(|| ApiError::invalid_date(text)),
    }
}

fn entry_json(entry: &SimFoodEntry) -> Value {
    let mut object = Map::new();
    object.insert("food_entry_id".into(), json!(entry.food_entry_id));
    object.insert(
        "food_entry_description".into(),
        json!(entry.food_entry_description),
    );
    object.insert("date_int".into(), json!(entry.date_int.to_string()));
    object.insert("meal".into(), json!(entry.meal.answer_name()));
    object.insert("food_id".into(), json!(entry.food_id));
    object.insert("serving_id".into(), json!(entry.serving_id));
    object.insert(
        "number_of_units".into(),
        json!(amount(entry.number_of_units)),
    );
    object.insert("food_entry_name".into(), json!(entry.food_entry_name));
    nutrient_fields(&mut object, entry.nutrients);
    Value::Object(object)
}

fn food_entries_get(
    state: &SimState,
    params: &Params,
    user: &str,
    single_as_object: bool,
) -> Result<Value, ApiError> {
    let entries = match params.get("food_entry_id") {
        Some(id) => vec![
            state
                .entry(user, id)
                .ok_or_else(|| ApiError::invalid_id("food_entry_id", id))?,
        ],
        None => state.entries(user, Some(date_param(params)?)),
    };
    let items = entries.iter().map(entry_json).collect();
    Ok(match one_or_many(items, single_as_object) {
        Some(list) => json!({ "food_entries": { "food_entry": list } }),
        None => json!({ "food_entries": null }),
    })
}

fn date_of(date_int: i64) -> Option<NaiveDate> {
    NaiveDate::default().checked_add_signed(Days::days(date_int))
}

fn date_int_of(date: NaiveDate) -> i64 {
    (date - NaiveDate::default()).num_days()
}

fn get_month(
    state: &SimState,
    params: &Params,
    user: &str,
    single_as_object: bool,
) -> Result<Value, ApiError> {
    let date_int = date_param(params)?;
    let date = date_of(date_int).ok_or_else(|| ApiError::invalid_date(&date_int.to_string()))?;
    let first = date.with_day(1).unwrap_or(date);
    let next_month = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    let from = date_int_of(first);
    let to = next_month.map(date_int_of).unwrap_or(from + 30) - 1;
    let mut days: Vec<(i64, ServingNutrients)> = Vec::new();
    for entry in state.entries(user, None) {
        if !(from..=to).contains(&entry.date_int) {
            continue;
        }
        let n = entry.nutrients;
        match days.iter_mut().find(|(d, _)| *d == entry.date_int) {
            Some((_, total)) => {
                total.calories += n.calories;
                total.protein += n.protein;
                total.fat += n.fat;
                total.carbohydrate += n.carbohydrate;
            }
            None => days.push((entry.date_int, n)),
        }
    }
    days.sort_by_key(|(d, _)| *d);
    let items = days
        .into_iter()
        .map(|(d, n)| {
            let mut object = Map::new();
            object.insert("date_int".into(), json!(d.to_string()));
            nutrient_fields(&mut object, n);
            Value::Object(object)
        })
        .collect();
    let mut month = Map::new();
    month.insert("from_date_int".into(), json!(from.to_string()));
    month.insert("to_date_int".into(), json!(to.to_string()));
    if let Some(day) = one_or_many(items, single_as_object) {
        month.insert("day".into(), day);
    }
    Ok(json!({ "month": month }))
}

/// A positive `number_of_units` (107 otherwise).
fn parse_units(text: &str) -> Result<f64, ApiError> {
    text.parse::<f64>()
        .ok()
        .filter(|u| u.is_finite() && *u > 0.0 && *u <= 100_000.0)
        .ok_or_else(|| ApiError::out_of_range("number_of_units", text))
}

/// `breakfast|lunch|dinner|other` (107 otherwise).
fn parse_meal(text: &str) -> Result<SimMeal, ApiError> {
    SimMeal::parse(text).ok_or_else(|| ApiError::out_of_range("meal", text))
}

fn food_entry_create(state: &SimState, params: &Params, user: &str) -> Result<Value, ApiError> {
    let food_id = required(params, "food_id")?;
    let food_entry_name = required(params, "food_entry_name")?;
    let serving_id = required(params, "serving_id")?;
    let units_text = required(params, "number_of_units")?;
    let meal_text = required(params, "meal")?;
    let food = state
        .food(food_id)
        .ok_or_else(|| ApiError::invalid_id("food_id", food_id))?;
    if food.serving(serving_id).is_none() {
        return Err(ApiError::invalid_id("serving_id", serving_id));
    }
    let number_of_units = parse_units(units_text)?;
    let meal = parse_meal(meal_text)?;
    let date_int = date_param(params)?;
    let entry = NewSimEntry {
        food_id: food_id.to_owned(),
        serving_id: serving_id.to_owned(),
        number_of_units,
        meal,
        date_int,
        food_entry_name: Some(food_entry_name.to_owned()),
    };
    let stored = state
        .add_entry(user, &entry, false)
        .map_err(|error| ApiError::new(106, error.to_string()))?;
    Ok(json!({ "food_entry_id": { "value": stored.food_entry_id } }))
}

fn food_entry_delete(state: &SimState, params: &Params, user: &str) -> Result<Value, ApiError> {
    let id = required(params, "food_entry_id")?;
    if state.delete_entry(user, id) {
        Ok(json!({ "success": { "value": "1" } }))
    } else {
        Err(ApiError::invalid_id("food_entry_id", id))
    }
}

/// `food_entry.edit`: `food_entry_id` and any of `food_entry_name`, `serving_id`,
/// `number_of_units`, `meal` (an empty value counts as absent).
fn food_entry_edit(state: &SimState, params: &Params, user: &str) -> Result<Value, ApiError> {
    let id = required(params, "food_entry_id")?;
    let optional = |name: &str| params.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let edit = SimEntryEdit {
        food_entry_name: optional("food_entry_name").map(str::to_owned),
        serving_id: optional("serving_id").map(str::to_owned),
        number_of_units: optional("number_of_units").map(parse_units).transpose()?,
        meal: optional("meal").map(parse_meal).transpose()?,
    };
    state.edit_entry(user, id, &edit)?;
    Ok(json!({ "success": { "value": "1" } }))
}
