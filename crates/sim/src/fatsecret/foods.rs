//! The simulated food database: ~55 common foods with realistic values (USDA-like, per 100 g or
//! per 100 ml for drinks), each with FatSecret-style servings: a "100 g" (or "100 ml") serving
//! whose `number_of_units` is 100 and `measurement_description` "g", household servings with a
//! metric amount ("1 large" = 50 g), and — for a few branded foods — servings without any metric
//! amount ("1 burger"), as FatSecret has.
//!
//! Serving numbers are derived from the food's per-100 values and the serving's weight, then
//! rounded as FatSecret shows them: calories to 0 decimals, macros to 2, amounts to 3.

use serde::{Deserialize, Serialize};

/// The unit of a serving's metric amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricUnit {
    /// Grams.
    #[serde(rename = "g")]
    Grams,
    /// Millilitres.
    #[serde(rename = "ml")]
    Millilitres,
}

impl MetricUnit {
    /// `"g"` or `"ml"`, as `metric_serving_unit` spells it.
    pub fn code(self) -> &'static str {
        match self {
            MetricUnit::Grams => "g",
            MetricUnit::Millilitres => "ml",
        }
    }
}

/// Energy and macros per 100 g (per 100 ml for drinks).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Per100 {
    /// kcal.
    pub calories: f64,
    /// Grams of protein.
    pub protein: f64,
    /// Grams of fat.
    pub fat: f64,
    /// Grams of carbohydrate.
    pub carbohydrate: f64,
}

/// One serving of a food.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimServing {
    /// FatSecret's serving_id.
    pub serving_id: String,
    /// "1 large", "100 g", "3 oz".
    pub serving_description: String,
    /// "large", "g", "oz".
    pub measurement_description: String,
    /// How many measurement units the serving is (100 for "100 g", 3 for "3 oz").
    pub number_of_units: f64,
    /// The metric amount shown, or `None` for a serving FatSecret gives no weight for.
    pub metric: Option<(f64, MetricUnit)>,
    /// The real weight (g, or ml for drinks), hidden when `metric` is `None`; nutrients follow it.
    pub weight: f64,
}

/// Nutrients of an amount of food, rounded as FatSecret shows them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ServingNutrients {
    /// kcal, whole.
    pub calories: f64,
    /// Grams, 2 decimals.
    pub protein: f64,
    /// Grams, 2 decimals.
    pub fat: f64,
    /// Grams, 2 decimals.
    pub carbohydrate: f64,
}

impl ServingNutrients {
    /// Nutrients of `weight` grams (or ml) of a food.
    pub fn of(per_100: Per100, weight: f64) -> Self {
        let f = weight / 100.0;
        Self {
            calories: (per_100.calories * f).round(),
            protein: round2(per_100.protein * f),
            fat: round2(per_100.fat * f),
            carbohydrate: round2(per_100.carbohydrate * f),
        }
    }

    /// These nutrients times `factor`, rounded again.
    pub fn scaled(self, factor: f64) -> Self {
        Self {
            calories: (self.calories * factor).round(),
            protein: round2(self.protein * factor),
            fat: round2(self.fat * factor),
            carbohydrate: round2(self.carbohydrate * factor),
        }
    }
}

pub(crate) fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// A food of the simulated database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimFood {
    /// FatSecret's food_id.
    pub food_id: String,
    /// "Chicken Breast".
    pub food_name: String,
    /// Set for `"Brand"` foods.
    pub brand_name: Option<String>,
    /// Values per 100 g (or ml).
    pub per_100: Per100,
    /// Its servings; the first is the typical one.
    pub servings: Vec<SimServing>,
}

impl SimFood {
    /// `"Generic"` or `"Brand"`.
    pub fn food_type(&self) -> &'static str {
        if self.brand_name.is_some() {
            "Brand"
        } else {
            "Generic"
        }
    }

    /// A serving by id.
    pub fn serving(&self, serving_id: &str) -> Option<&SimServing> {
        self.servings.iter().find(|s| s.serving_id == serving_id)
    }

    /// The nutrients of one serving, as food.get shows them.
    pub fn serving_nutrients(&self, serving: &SimServing) -> ServingNutrients {
        ServingNutrients::of(self.per_100, serving.weight)
    }

    /// `https://foods.fatsecret.com/calories-nutrition/...`, for `food_url`.
    pub fn url(&self) -> String {
        let slug: String = self
            .food_name
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        match &self.brand_name {
            Some(brand) => format!(
                "https://foods.fatsecret.com/calories-nutrition/{}/{slug}",
                brand.to_ascii_lowercase().replace(' ', "-")
            ),
            None => format!("https://foods.fatsecret.com/calories-nutrition/generic/{slug}"),
        }
    }

    /// The `food_description` line of foods.search: "Per 100g - Calories: 165kcal | Fat: 3.57g |
    /// Carbs: 0.00g | Protein: 31.02g" (per the first serving when there is no 100 g one).
    pub fn description(&self) -> String {
        let hundred = self
            .servings
            .iter()
            .find(|s| matches!(s.metric, Some((amount, _)) if (amount - 100.0).abs() < 1e-9));
        let (label, nutrients) = match hundred.or(self.servings.first()) {
            Some(s) if hundred.is_some() => (
                format!("100{}", s.metric.map(|(_, u)| u.code()).unwrap_or("g")),
                self.serving_nutrients(s),
            ),
            Some(s) => (s.serving_description.clone(), self.serving_nutrients(s)),
            None => ("100g".to_owned(), ServingNutrients::of(self.per_100, 100.0)),
        };
        format!(
            "Per {label} - Calories: {:.0}kcal | Fat: {:.2}g | Carbs: {:.2}g | Protein: {:.2}g",
            nutrients.calories, nutrients.fat, nutrients.carbohydrate, nutrients.protein
        )
    }

    /// Whether every word of `expression` starts a word of the name or brand (a plural "s" or
    /// "es" is forgiven: "eggs" finds "Egg").
    pub(crate) fn matches(&self, expression: &str) -> bool {
        let words = words(&format!(
            "{} {}",
            self.food_name,
            self.brand_name.as_deref().unwrap_or_default()
        ));
        let query = words_of_query(expression);
        !query.is_empty()
            && query
                .iter()
                .all(|q| words.iter().any(|w| word_matches(w, q)))
    }

    /// Lower is better: the exact name first, then names starting with the query, then shorter.
    pub(crate) fn rank(&self, expression: &str) -> (u8, usize) {
        let name = self.food_name.to_lowercase();
        let query = words_of_query(expression).join(" ");
        let class = if name == query {
            0
        } else if name.starts_with(&query) {
            1
        } else if self.brand_name.is_none() {
            2
        } else {
            3
        };
        (class, name.len())
    }
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn words_of_query(text: &str) -> Vec<String> {
    words(text)
}

fn word_matches(word: &str, query: &str) -> bool {
    word.starts_with(query)
        || (query.starts_with(word) && query.len() - word.len() <= 2 && query.ends_with('s'))
}

/// How a food's servings are described, before ids are given.
struct Portion {
    description: &'static str,
    measurement: &'static str,
    units: f64,
    weight: f64,
    /// Whether FatSecret shows the weight.
    metric: bool,
}

const fn p(
    description: &'static str,
    measurement: &'static str,
    units: f64,
    weight: f64,
) -> Portion {
    Portion {
        description,
        measurement,
        units,
        weight,
        metric: true,
    }
}

/// A serving FatSecret gives no weight for.
const fn opaque(description: &'static str, measurement: &'static str, weight: f64) -> Portion {
    Portion {
        description,
        measurement,
        units: 1.0,
        weight,
        metric: false,
    }
}

/// How the "100 g" serving is added.
#[derive(Clone, Copy)]
enum Base {
    /// A "100 g" serving, last.
    Grams,
    /// A "100 ml" serving, last, and the household servings' amounts are in ml.
    Millilitres,
    /// No 100 g serving (the household servings alone).
    None,
}

struct Row {
    id: u32,
    name: &'static str,
    brand: Option<&'static str>,
    per_100: [f64; 4],
    base: Base,
    portions: &'static [Portion],
}

const fn row(
    id: u32,
    name: &'static str,
    per_100: [f64; 4],
    base: Base,
    portions: &'static [Portion],
) -> Row {
    Row {
        id,
        name,
        brand: None,
        per_100,
        base,
        portions,
    }
}

const fn brand(
    id: u32,
    name: &'static str,
    brand: &'static str,
    per_100: [f64; 4],
    portions: &'static [Portion],
) -> Row {
    Row {
        id,
        name,
        brand: Some(brand),
        per_100,
        base: Base::None,
        portions,
    }
}

use Base::{Grams as G, Millilitres as ML};

/// `[kcal, protein, fat, carbohydrate]` per 100 g (100 ml for drinks).
const ROWS: &[Row] = &[
    row(
        3092,
        "Egg",
        [143.0, 12.56, 9.51, 0.72],
        G,
        &[
            p("1 large", "large", 1.0, 50.0),
            p("1 medium", "medium", 1.0, 44.0),
            p("1 cup", "cup", 1.0, 243.0),
        ],
    ),
    row(
        3093,
        "Egg White",
        [52.0, 10.9, 0.17, 0.73],
        G,
        &[p("1 large", "large", 1.0, 33.0)],
    ),
    row(
        3094,
        "Fried Egg",
        [196.0, 13.61, 14.84, 0.83],
        G,
        &[p("1 large", "large", 1.0, 46.0)],
    ),
    row(
        3095,
        "Scrambled Eggs",
        [149.0, 9.99, 10.98, 1.61],
        G,
        &[p("1 cup", "cup", 1.0, 220.0)],
    ),
    row(
        38820,
        "White Bread",
        [266.0, 7.64, 3.29, 50.61],
        G,
        &[p("1 slice", "slice", 1.0, 25.0)],
    ),
    row(
        38821,
        "Whole Wheat Bread",
        [252.0, 12.45, 3.5, 42.71],
        G,
        &[p("1 slice", "slice", 1.0, 32.0)],
    ),
    row(
        38822,
        "Rye Bread",
        [259.0, 8.5, 3.3, 48.3],
        G,
        &[p("1 slice", "slice", 1.0, 32.0)],
    ),
    row(
        4497,
        "Buckwheat",
        [92.0, 3.38, 0.62, 19.94],
        G,
        &[p("1 cup", "cup", 1.0, 168.0)],
    ),
    row(
        4498,
        "Buckwheat Flour",
        [335.0, 12.62, 3.1, 70.59],
        G,
        &[p("1 cup", "cup", 1.0, 120.0)],
    ),
    row(
        4499,
        "Buckwheat Pancakes",
        [204.0, 6.1, 8.3, 26.8],
        G,
        &[p("1 medium pancake", "medium pancake", 1.0, 38.0)],
    ),
    row(
        4510,
        "Oatmeal",
        [71.0, 2.54, 1.52, 12.0],
        G,
        &[p("1 cup", "cup", 1.0, 234.0)],
    ),
    row(
        4511,
        "Rolled Oats",
        [379.0, 13.15, 6.52, 67.7],
        G,
        &[p("1 cup", "cup", 1.0, 81.0)],
    ),
    row(
        5388,
        "Banana",
        [89.0, 1.09, 0.33, 22.84],
        G,
        &[
            p("1 medium", "medium", 1.0, 118.0),
            p("1 large", "large", 1.0, 136.0),
            p("1 small", "small", 1.0, 101.0),
        ],
    ),
    row(
        793,
        "Milk",
        [50.0, 3.3, 1.98, 4.8],
        ML,
        &[
            p("1 cup", "cup", 1.0, 244.0),
            p("1 glass", "glass", 1.0, 250.0),
        ],
    ),
    row(
        794,
        "Whole Milk",
        [61.0, 3.15, 3.25, 4.8],
        ML,
        &[p("1 cup", "cup", 1.0, 244.0)],
    ),
    row(
        33691,
        "Chicken Breast",
        [165.0, 31.02, 3.57, 0.0],
        G,
        &[
            p("1 breast", "breast", 1.0, 172.0),
            p("1 oz", "oz", 1.0, 28.35),
        ],
    ),
    row(
        4501,
        "White Rice",
        [130.0, 2.69, 0.28, 28.17],
        G,
        &[p("1 cup", "cup", 1.0, 158.0)],
    ),
    row(
        4502,
        "Brown Rice",
        [112.0, 2.32, 0.83, 23.51],
        G,
        &[p("1 cup", "cup", 1.0, 195.0)],
    ),
    row(
        35718,
        "Apple",
        [52.0, 0.26, 0.17, 13.81],
        G,
        &[
            p("1 medium", "medium", 1.0, 182.0),
            p("1 small", "small", 1.0, 149.0),
        ],
    ),
    row(
        6380,
        "Coffee",
        [1.0, 0.12, 0.02, 0.0],
        ML,
        &[p("1 cup (8 fl oz)", "cup (8 fl oz)", 1.0, 237.0)],
    ),
    row(
        6381,
        "Espresso",
        [9.0, 0.12, 0.18, 1.67],
        ML,
        &[p("1 shot", "shot", 1.0, 30.0)],
    ),
    row(
        6382,
        "Cappuccino",
        [31.0, 1.7, 1.6, 2.5],
        ML,
        &[p("1 cup", "cup", 1.0, 240.0)],
    ),
    row(
        6390,
        "Black Tea",
        [1.0, 0.0, 0.0, 0.3],
        ML,
        &[p("1 cup", "cup", 1.0, 237.0)],
    ),
    row(
        35205,
        "Orange",
        [47.0, 0.94, 0.12, 11.75],
        G,
        &[p("1 medium", "medium", 1.0, 131.0)],
    ),
    row(
        6400,
        "Orange Juice",
        [45.0, 0.7, 0.2, 10.4],
        ML,
        &[
            p("1 cup", "cup", 1.0, 248.0),
            p("1 glass", "glass", 1.0, 250.0),
        ],
    ),
    row(
        5600,
        "Potato",
        [87.0, 1.87, 0.1, 20.13],
        G,
        &[p("1 medium", "medium", 1.0, 167.0)],
    ),
    row(
        5601,
        "Mashed Potatoes",
        [113.0, 1.96, 4.2, 16.95],
        G,
        &[p("1 cup", "cup", 1.0, 210.0)],
    ),
    row(
        4520,
        "Pasta",
        [158.0, 5.8, 0.93, 30.86],
        G,
        &[p("1 cup", "cup", 1.0, 140.0)],
    ),
    row(
        1640,
        "Ground Beef",
        [250.0, 25.93, 15.41, 0.0],
        G,
        &[
            p("1 patty", "patty", 1.0, 85.0),
            p("1 oz", "oz", 1.0, 28.35),
        ],
    ),
    row(
        1740,
        "Salmon",
        [208.0, 20.42, 13.42, 0.0],
        G,
        &[
            p("1 fillet", "fillet", 1.0, 154.0),
            p("3 oz", "oz", 3.0, 85.05),
        ],
    ),
    row(
        1750,
        "Tuna",
        [116.0, 25.51, 0.82, 0.0],
        G,
        &[p("1 can", "can", 1.0, 165.0)],
    ),
    row(
        845,
        "Cottage Cheese",
        [98.0, 11.12, 4.3, 3.38],
        G,
        &[p("1 cup", "cup", 1.0, 226.0)],
    ),
    row(
        846,
        "Greek Yogurt",
        [97.0, 9.0, 5.0, 3.98],
        G,
        &[p("1 container", "container", 1.0, 170.0)],
    ),
    row(
        847,
        "Yogurt",
        [61.0, 3.47, 3.25, 4.66],
        G,
        &[p("1 cup", "cup", 1.0, 245.0)],
    ),
    // Only a cup: per 100 g has to be worked out from 243 g.
    row(
        848,
        "Kefir",
        [41.0, 3.79, 0.93, 4.48],
        Base::None,
        &[p("1 cup", "cup", 1.0, 243.0)],
    ),
    row(
        810,
        "Cheddar Cheese",
        [403.0, 24.9, 33.14, 1.28],
        G,
        &[
            p("1 slice", "slice", 1.0, 28.0),
            p("1 oz", "oz", 1.0, 28.35),
        ],
    ),
    row(
        811,
        "Butter",
        [717.0, 0.85, 81.11, 0.06],
        G,
        &[p("1 tbsp", "tbsp", 1.0, 14.2), p("1 pat", "pat", 1.0, 5.0)],
    ),
    row(
        812,
        "Olive Oil",
        [884.0, 0.0, 100.0, 0.0],
        G,
        &[p("1 tbsp", "tbsp", 1.0, 13.5)],
    ),
    row(
        813,
        "Sour Cream",
        [198.0, 2.44, 19.35, 4.63],
        G,
        &[p("1 tbsp", "tbsp", 1.0, 12.0)],
    ),
    row(
        2690,
        "Peanut Butter",
        [588.0, 25.09, 50.39, 19.56],
        G,
        &[p("2 tbsp", "tbsp", 2.0, 32.0)],
    ),
    row(
        2691,
        "Almonds",
        [579.0, 21.15, 49.93, 21.55],
        G,
        &[p("1 oz", "oz", 1.0, 28.35), p("1 cup", "cup", 1.0, 143.0)],
    ),
    row(
        2692,
        "Walnuts",
        [654.0, 15.23, 65.21, 13.71],
        G,
        &[p("1 oz", "oz", 1.0, 28.35)],
    ),
    row(
        5700,
        "Broccoli",
        [35.0, 2.38, 0.41, 7.18],
        G,
        &[p("1 cup", "cup", 1.0, 156.0)],
    ),
    row(
        5701,
        "Carrot",
        [41.0, 0.93, 0.24, 9.58],
        G,
        &[p("1 medium", "medium", 1.0, 61.0)],
    ),
    row(
        5702,
        "Tomato",
        [18.0, 0.88, 0.2, 3.89],
        G,
        &[p("1 medium", "medium", 1.0, 123.0)],
    ),
    row(
        5703,
        "Cucumber",
        [15.0, 0.65, 0.11, 3.63],
        G,
        &[p("1 cup slices", "cup slices", 1.0, 104.0)],
    ),
    row(
        5704,
        "Avocado",
        [160.0, 2.0, 14.66, 8.53],
        G,
        &[p("1 avocado", "avocado", 1.0, 201.0)],
    ),
    row(
        7100,
        "Borscht",
        [49.0, 1.5, 2.3, 5.5],
        G,
        &[p("1 cup", "cup", 1.0, 245.0)],
    ),
    row(
        7101,
        "Potato Pierogi",
        [162.0, 4.2, 4.1, 27.6],
        G,
        &[p("1 pierogi", "pierogi", 1.0, 38.0)],
    ),
    row(
        7102,
        "Pizza",
        [266.0, 11.39, 9.69, 33.33],
        G,
        &[p("1 slice", "slice", 1.0, 107.0)],
    ),
    row(
        7103,
        "Pancakes",
        [227.0, 6.4, 9.7, 28.3],
        G,
        &[p("1 medium pancake", "medium pancake", 1.0, 38.0)],
    ),
    row(
        7104,
        "Frankfurter",
        [290.0, 10.26, 25.76, 4.17],
        G,
        &[p("1 frankfurter", "frankfurter", 1.0, 45.0)],
    ),
    row(
        7105,
        "Granola",
        [471.0, 10.5, 20.3, 64.3],
        G,
        &[p("1 cup", "cup", 1.0, 122.0)],
    ),
    row(
        3900,
        "Honey",
        [304.0, 0.3, 0.0, 82.4],
        G,
        &[p("1 tbsp", "tbsp", 1.0, 21.0)],
    ),
    row(
        3901,
        "Sugar",
        [387.0, 0.0, 0.0, 99.98],
        G,
        &[p("1 tsp", "tsp", 1.0, 4.2)],
    ),
    row(
        3902,
        "Dark Chocolate",
        [598.0, 7.79, 42.63, 45.9],
        G,
        &[p("1 oz", "oz", 1.0, 28.35)],
    ),
    row(
        6410,
        "Cola",
        [42.0, 0.0, 0.0, 10.6],
        ML,
        &[p("1 can (12 fl oz)", "can (12 fl oz)", 1.0, 355.0)],
    ),
    row(
        6411,
        "Beer",
        [43.0, 0.46, 0.0, 3.55],
        ML,
        &[p("1 bottle (12 fl oz)", "bottle (12 fl oz)", 1.0, 356.0)],
    ),
    // Branded foods whose servings have no weight: a client cannot compute per 100 g from them.
    brand(
        90001,
        "Big Mac",
        "McDonald's",
        [257.0, 11.8, 15.1, 20.1],
        &[opaque("1 burger", "burger", 219.0)],
    ),
    brand(
        90002,
        "Protein Bar",
        "Questa",
        [333.0, 35.0, 13.3, 35.0],
        &[opaque("1 bar", "bar", 60.0)],
    ),
];

/// The built-in database, deterministic: the same ids and numbers on every run.
pub fn default_foods() -> Vec<SimFood> {
    let mut next_serving = 50_000u32;
    ROWS.iter()
        .map(|row| {
            let unit = match row.base {
                Base::Millilitres => MetricUnit::Millilitres,
                Base::Grams | Base::None => MetricUnit::Grams,
            };
            let mut servings: Vec<SimServing> = row
                .portions
                .iter()
                .map(|portion| {
                    next_serving += 1;
                    SimServing {
                        serving_id: next_serving.to_string(),
                        serving_description: portion.description.to_owned(),
                        measurement_description: portion.measurement.to_owned(),
                        number_of_units: portion.units,
                        metric: portion.metric.then_some((portion.weight, unit)),
                        weight: portion.weight,
                    }
                })
                .collect();
            if !matches!(row.base, Base::None) {
                next_serving += 1;
                servings.push(SimServing {
                    serving_id: next_serving.to_string(),
                    serving_description: format!("100 {}", unit.code()),
                    measurement_description: unit.code().to_owned(),
                    number_of_units: 100.0,
                    metric: Some((100.0, unit)),
                    weight: 100.0,
                });
            }
            let [calories, protein, fat, carbohydrate] = row.per_100;
            SimFood {
                food_id: row.id.to_string(),
                food_name: row.name.to_owned(),
                brand_name: row.brand.map(str::to_owned),
                per_100: Per100 {
                    calories,
                    protein,
                    fat,
                    carbohydrate,
                },
                servings,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_has_unique_ids_and_a_mix_of_servings() {
        let foods = default_foods();
        assert!((40..=70).contains(&foods.len()), "{}", foods.len());
        let mut food_ids: Vec<_> = foods.iter().map(|f| &f.food_id).collect();
        food_ids.sort();
        food_ids.dedup();
        assert_eq!(food_ids.len(), foods.len());
        let mut serving_ids: Vec<_> = foods
            .iter()
            .flat_map(|f| f.servings.iter().map(|s| &s.serving_id))
            .collect();
        let all = serving_ids.len();
        serving_ids.sort();
        serving_ids.dedup();
        assert_eq!(serving_ids.len(), all);
        assert!(
            foods
                .iter()
                .any(|f| f.servings.iter().all(|s| s.metric.is_none()))
        );
        assert!(foods.iter().any(|f| {
            f.servings
                .iter()
                .any(|s| matches!(s.metric, Some((_, MetricUnit::Millilitres))))
        }));
    }

    #[test]
    fn search_matches_word_prefixes_and_plurals_and_ranks_the_exact_name_first() {
        let foods = default_foods();
        let mut found: Vec<_> = foods.iter().filter(|f| f.matches("eggs")).collect();
        found.sort_by_key(|f| f.rank("eggs"));
        assert_eq!(found[0].food_name, "Egg");
        assert!(found.len() >= 3);
        assert!(foods.iter().all(|f| !f.matches("")));
        assert_eq!(foods.iter().filter(|f| f.matches("kefir")).count(), 1);
    }

    #[test]
    fn describes_a_food_per_100_g() {
        let foods = default_foods();
        let chicken = foods.iter().find(|f| f.food_id == "33691");
        assert_eq!(
            chicken.map(SimFood::description).as_deref(),
            Some("Per 100g - Calories: 165kcal | Fat: 3.57g | Carbs: 0.00g | Protein: 31.02g")
        );
    }
}
