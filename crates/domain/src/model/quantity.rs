use std::fmt;
use std::iter::Sum;
use std::ops::Add;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A quantity was not a finite number in its allowed range.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("{quantity} must be a number between {min} and {max}, got {value}")]
pub struct QuantityOutOfRange {
    /// Which quantity was wrong.
    pub quantity: &'static str,
    /// The value given.
    pub value: f64,
    /// The smallest value allowed.
    pub min: f64,
    /// The largest value allowed.
    pub max: f64,
}

fn checked(
    quantity: &'static str,
    value: f64,
    min: f64,
    max: f64,
) -> Result<f64, QuantityOutOfRange> {
    if value.is_finite() && value >= min && value <= max {
        Ok(value)
    } else {
        Err(QuantityOutOfRange {
            quantity,
            value,
            min,
            max,
        })
    }
}

macro_rules! quantity {
    ($(#[$doc:meta])* $name:ident, $label:literal, $min:expr, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default, Serialize, Deserialize)]
        #[serde(try_from = "f64", into = "f64")]
        pub struct $name(f64);

        impl $name {
            /// The smallest value allowed.
            pub const MIN: f64 = $min;
            /// The largest value allowed.
            pub const MAX: f64 = $max;

            /// Accepts a finite value within the allowed range.
            pub fn new(value: f64) -> Result<Self, QuantityOutOfRange> {
                checked($label, value, $min, $max).map(Self)
            }

            /// The raw value.
            pub fn get(self) -> f64 {
                self.0
            }

            /// Rounded to whole units, for display.
            pub fn rounded(self) -> i64 {
                // Values are bounded by MAX, far inside i64.
                self.0.round() as i64
            }
        }

        impl TryFrom<f64> for $name {
            type Error = QuantityOutOfRange;
            fn try_from(value: f64) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }

        impl From<$name> for f64 {
            fn from(q: $name) -> f64 {
                q.0
            }
        }
    };
}

quantity!(
    /// Food energy in kilocalories: never negative.
    Kcal,
    "kcal",
    0.0,
    1_000_000.0
);
quantity!(
    /// The weight of a portion of food in grams: positive, at most 10 kg in one entry.
    Grams,
    "grams",
    0.1,
    10_000.0
);
quantity!(
    /// Grams of one macronutrient (protein, fat or carbohydrate): never negative.
    MacroGrams,
    "macronutrient grams",
    0.0,
    100_000.0
);
quantity!(
    /// A percentage from 0 to 100 (recovery, sleep performance, efficiency).
    Percent,
    "percentage",
    0.0,
    100.0
);

impl Add for Kcal {
    type Output = Kcal;
    fn add(self, rhs: Kcal) -> Kcal {
        Kcal(self.0 + rhs.0)
    }
}

impl Sum for Kcal {
    fn sum<I: Iterator<Item = Kcal>>(iter: I) -> Kcal {
        iter.fold(Kcal::default(), Add::add)
    }
}

impl Add for MacroGrams {
    type Output = MacroGrams;
    fn add(self, rhs: MacroGrams) -> MacroGrams {
        MacroGrams(self.0 + rhs.0)
    }
}

impl Kcal {
    /// Energy from kilojoules (WHOOP reports kJ): 1 kcal = 4.184 kJ.
    pub fn from_kilojoules(kj: f64) -> Result<Kcal, QuantityOutOfRange> {
        Kcal::new(kj / 4.184)
    }
}

impl fmt::Display for Kcal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.rounded())
    }
}

impl fmt::Display for Grams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", trim_decimal(self.0))
    }
}

impl fmt::Display for MacroGrams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", trim_decimal(self.0))
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.rounded())
    }
}

/// One decimal when it carries information ("12.5"), none otherwise ("12").
fn trim_decimal(value: f64) -> String {
    let tenths = (value * 10.0).round() / 10.0;
    if (tenths - tenths.round()).abs() < f64::EPSILON {
        format!("{}", tenths.round() as i64)
    } else {
        format!("{tenths:.1}")
    }
}

/// Energy and macronutrients of an amount of food.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Nutrients {
    /// Energy.
    pub kcal: Kcal,
    /// Protein.
    pub protein: MacroGrams,
    /// Fat.
    pub fat: MacroGrams,
    /// Carbohydrates.
    pub carbs: MacroGrams,
}

impl Nutrients {
    /// Scales nutrients given per 100 g to a portion of `grams`.
    pub fn per_100g_scaled(&self, grams: Grams) -> Nutrients {
        self.scaled(grams.get() / 100.0)
    }

    /// The nutrients of `factor` times this amount (a positive factor: a portion's ratio of
    /// weights, never below zero).
    pub fn scaled(&self, factor: f64) -> Nutrients {
        let factor = if factor.is_finite() {
            factor.max(0.0)
        } else {
            0.0
        };
        Nutrients {
            kcal: Kcal(self.kcal.0 * factor),
            protein: MacroGrams(self.protein.0 * factor),
            fat: MacroGrams(self.fat.0 * factor),
            carbs: MacroGrams(self.carbs.0 * factor),
        }
    }
}

impl Add for Nutrients {
    type Output = Nutrients;
    fn add(self, rhs: Nutrients) -> Nutrients {
        Nutrients {
            kcal: self.kcal + rhs.kcal,
            protein: self.protein + rhs.protein,
            fat: self.fat + rhs.fat,
            carbs: self.carbs + rhs.carbs,
        }
    }
}

impl Sum for Nutrients {
    fn sum<I: Iterator<Item = Nutrients>>(iter: I) -> Nutrients {
        iter.fold(Nutrients::default(), Add::add)
    }
}

/// A daily calorie goal: between 500 and 10,000 kcal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i32", into = "i32")]
pub struct CalorieGoal(i32);

/// The calorie goal given was outside 500..=10000.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("a daily calorie goal must be between {min} and {max} kcal", min = CalorieGoal::MIN, max = CalorieGoal::MAX)]
pub struct InvalidCalorieGoal(pub i64);

impl CalorieGoal {
    /// The smallest goal we accept.
    pub const MIN: i32 = 500;
    /// The largest goal we accept.
    pub const MAX: i32 = 10_000;
    /// The goal of a new user.
    pub const DEFAULT: CalorieGoal = CalorieGoal(2000);

    /// Accepts 500..=10000.
    pub fn new(kcal: i64) -> Result<Self, InvalidCalorieGoal> {
        if (i64::from(Self::MIN)..=i64::from(Self::MAX)).contains(&kcal) {
            // In range, so it fits an i32.
            Ok(Self(kcal as i32))
        } else {
            Err(InvalidCalorieGoal(kcal))
        }
    }

    /// Parses what a user typed ("1800", " 2 200 ", "1800 kcal").
    pub fn parse(text: &str) -> Result<Self, InvalidCalorieGoal> {
        let digits: String = text
            .trim()
            .trim_end_matches(|c: char| c.is_alphabetic() || c.is_whitespace())
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '_' && *c != ',')
            .collect();
        let value = digits.parse::<i64>().map_err(|_| InvalidCalorieGoal(-1))?;
        Self::new(value)
    }

    /// The goal in kcal.
    pub fn kcal(self) -> i32 {
        self.0
    }
}

impl Default for CalorieGoal {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl TryFrom<i32> for CalorieGoal {
    type Error = InvalidCalorieGoal;
    fn try_from(value: i32) -> Result<Self, Self::Error> {
        Self::new(i64::from(value))
    }
}

impl From<CalorieGoal> for i32 {
    fn from(goal: CalorieGoal) -> i32 {
        goal.0
    }
}

impl fmt::Display for CalorieGoal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Grams {
    /// 100 g: the weight nutrients are given for.
    pub const HUNDRED: Grams = Grams(100.0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_reject_negative_nan_and_infinite_values() {
        assert!(Kcal::new(-1.0).is_err());
        assert!(Kcal::new(f64::NAN).is_err());
        assert!(Grams::new(f64::INFINITY).is_err());
        assert!(Grams::new(0.0).is_err(), "a portion weighs something");
        assert!(Percent::new(100.5).is_err());
        assert!(MacroGrams::new(0.0).is_ok());
    }

    #[test]
    fn nutrients_per_100g_scale_to_the_portion() -> Result<(), QuantityOutOfRange> {
        let egg = Nutrients {
            kcal: Kcal::new(143.0)?,
            protein: MacroGrams::new(12.6)?,
            fat: MacroGrams::new(9.5)?,
            carbs: MacroGrams::new(0.7)?,
        };
        let two_eggs = egg.per_100g_scaled(Grams::new(100.0)?);
        assert_eq!(two_eggs.kcal.rounded(), 143);
        let one_egg = egg.per_100g_scaled(Grams::new(50.0)?);
        assert!((one_egg.kcal.get() - 71.5).abs() < 1e-9);
        assert!((one_egg.protein.get() - 6.3).abs() < 1e-9);
        Ok(())
    }

    #[test]
    fn calorie_goal_accepts_500_to_10000_only() {
        assert!(CalorieGoal::new(499).is_err());
        assert!(CalorieGoal::new(500).is_ok());
        assert!(CalorieGoal::new(10_000).is_ok());
        assert!(CalorieGoal::new(10_001).is_err());
        assert_eq!(CalorieGoal::parse(" 1800 ").map(i32::from), Ok(1800));
        assert_eq!(CalorieGoal::parse("2 200 kcal").map(i32::from), Ok(2200));
        assert!(CalorieGoal::parse("lots").is_err());
        assert!(serde_json::from_str::<CalorieGoal>("20").is_err());
    }

    #[test]
    fn kilojoules_convert_to_kcal() -> Result<(), QuantityOutOfRange> {
        assert_eq!(Kcal::from_kilojoules(4184.0)?.rounded(), 1000);
        Ok(())
    }

    #[test]
    fn grams_display_with_one_decimal_only_when_needed() -> Result<(), QuantityOutOfRange> {
        assert_eq!(Grams::new(50.0)?.to_string(), "50");
        assert_eq!(Grams::new(12.46)?.to_string(), "12.5");
        Ok(())
    }
}
