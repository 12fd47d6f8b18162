//! Portion units: the catalogue's portion names, the words people use for them, and how a said
//! amount becomes grams.

use wellness_domain::Grams;
pub use wellness_domain::Unit;
use wellness_domain::ports::{Amount, FoodFacts};

/// A weight unit: amounts in these are grams straight away (a millilitre of a drink ≈ a gram).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Mass {
    pub(crate) grams_per_unit: f64,
}

/// Words for weights and volumes that convert to grams.
pub(crate) fn mass_unit(word: &str) -> Option<Mass> {
    let grams_per_unit = match word {
        "g" | "gr" | "gram" | "grams" | "gramme" | "grammes" | "г" | "гр" | "грам" | "грама"
        | "грами" | "грамів" | "грм" => 1.0,
        "kg"
        | "kgs"
        | "kilo"
        | "kilos"
        | "kilogram"
        | "kilograms"
        | "кг"
        | "кіло"
        | "кілограм"
        | "кілограма"
        | "кілограми"
        | "кілограмів" => 1000.0,
        "ml"
        | "milliliter"
        | "milliliters"
        | "millilitre"
        | "millilitres"
        | "мл"
        | "мілілітр"
        | "мілілітра"
        | "мілілітри"
        | "мілілітрів" => 1.0,
        "l" | "liter" | "liters" | "litre" | "litres" | "л" | "літр" | "літра" | "літри"
        | "літрів" => 1000.0,
        "oz" | "ounce" | "ounces" | "унція" | "унції" | "унцій" => 28.35,
        _ => return None,
    };
    Some(Mass { grams_per_unit })
}

/// Words for portion units (one word; "столова ложка" is read by the parser): the domain's
/// one list of them.
pub(crate) fn portion_unit(word: &str) -> Option<Unit> {
    Unit::from_word(word)
}

/// Size words: "a large banana" uses the food's "large" portion when it has one.
pub(crate) fn size_word(word: &str) -> Option<Option<Unit>> {
    Some(match word {
        "small"
        | "little"
        | "маленький"
        | "маленька"
        | "маленьке"
        | "маленьку"
        | "маленького"
        | "маленької"
        | "невеликий"
        | "невелика"
        | "невелике"
        | "невелику"
        | "невеликого"
        | "невеликої" => Some(Unit::Small),
        "large" | "big" | "великий" | "велика" | "велике" | "велику" | "великого" | "великої"
        | "великі" | "великих" => Some(Unit::Large),
        "medium" | "середній" | "середня" | "середнє" | "середню" | "середнього" | "середньої" => {
            None
        }
        _ => return None,
    })
}

/// The grams of a said amount of a food: a weight as is; a count of portions times the
/// portion of that name, else a measure's usual weight (a cup ≈ 240 g), else the typical
/// (first) portion. None when the result is not a valid weight (0.1 g to 10 kg).
pub fn portion_grams(facts: &FoodFacts, amount: &Amount) -> Option<Grams> {
    match amount {
        Amount::Grams(grams) => Some(*grams),
        Amount::Portions { count, unit } => {
            if !count.is_finite() || *count <= 0.0 {
                return None;
            }
            let named = unit
                .and_then(|unit| facts.portions.iter().find(|p| p.unit == Some(unit)))
                .map(|p| p.grams.get());
            let generic = unit.and_then(Unit::generic_grams);
            let typical = facts.portions.first().map(|p| p.grams.get());
            let each = named.or(generic).or(typical)?;
            Grams::new(count * each).ok()
        }
        Amount::Unmeasured { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_words_in_both_languages_map_to_units() {
        assert_eq!(portion_unit("склянка"), Some(Unit::Cup));
        assert_eq!(portion_unit("cups"), Some(Unit::Cup));
        assert_eq!(portion_unit("скибки"), Some(Unit::Slice));
        assert_eq!(portion_unit("жменя"), Some(Unit::Handful));
        assert_eq!(portion_unit("тарілка"), Some(Unit::Bowl));
        assert_eq!(portion_unit("шт"), Some(Unit::Piece));
        assert_eq!(mass_unit("кг").map(|m| m.grams_per_unit), Some(1000.0));
        assert_eq!(mass_unit("гр").map(|m| m.grams_per_unit), Some(1.0));
        assert_eq!(mass_unit("eggs"), None);
    }
}
