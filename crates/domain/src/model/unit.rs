//! Portion units: what people count food in, and the words they use for them.

use serde::{Deserialize, Serialize};

/// A portion unit: what a count of a food is counted in ("2 cups", "3 скибки"), and what a
/// catalogue's portion is a portion of. Its key ("cup") is its name in data files and storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// One item: an egg, a banana, a patty.
    Piece,
    /// A slice (скибка).
    Slice,
    /// A cup or glass (склянка, чашка).
    Cup,
    /// A tablespoon (столова ложка).
    Tbsp,
    /// A teaspoon (чайна ложка).
    Tsp,
    /// A bowl or plate (тарілка, миска).
    Bowl,
    /// A handful (жменя).
    Handful,
    /// A serving (порція).
    Serving,
    /// A pack (пачка).
    Pack,
    /// A bar of chocolate (плитка).
    Bar,
    /// A scoop (кулька).
    Scoop,
    /// A can (банка).
    Can,
    /// A bottle (пляшка).
    Bottle,
    /// A shot of spirits (чарка).
    Shot,
    /// A pint.
    Pint,
    /// A small one.
    Small,
    /// A large one.
    Large,
}

impl Unit {
    /// Every unit.
    pub const ALL: [Unit; 17] = [
        Unit::Piece,
        Unit::Slice,
        Unit::Cup,
        Unit::Tbsp,
        Unit::Tsp,
        Unit::Bowl,
        Unit::Handful,
        Unit::Serving,
        Unit::Pack,
        Unit::Bar,
        Unit::Scoop,
        Unit::Can,
        Unit::Bottle,
        Unit::Shot,
        Unit::Pint,
        Unit::Small,
        Unit::Large,
    ];

    /// The key used in data files and storage ("cup").
    pub fn key(self) -> &'static str {
        match self {
            Unit::Piece => "piece",
            Unit::Slice => "slice",
            Unit::Cup => "cup",
            Unit::Tbsp => "tbsp",
            Unit::Tsp => "tsp",
            Unit::Bowl => "bowl",
            Unit::Handful => "handful",
            Unit::Serving => "serving",
            Unit::Pack => "pack",
            Unit::Bar => "bar",
            Unit::Scoop => "scoop",
            Unit::Can => "can",
            Unit::Bottle => "bottle",
            Unit::Shot => "shot",
            Unit::Pint => "pint",
            Unit::Small => "small",
            Unit::Large => "large",
        }
    }

    /// Parses a key.
    pub fn from_key(key: &str) -> Option<Unit> {
        Unit::ALL.into_iter().find(|u| u.key() == key)
    }

    /// A sensible weight for measures when a food has no portion of that name: a cup of
    /// anything is about 240 g. Counted units (piece, slice, ...) have none: the food's typical
    /// portion stands in.
    pub fn generic_grams(self) -> Option<f64> {
        match self {
            Unit::Cup => Some(240.0),
            Unit::Tbsp => Some(15.0),
            Unit::Tsp => Some(5.0),
            Unit::Bowl => Some(250.0),
            Unit::Handful => Some(30.0),
            Unit::Scoop => Some(30.0),
            Unit::Can => Some(330.0),
            Unit::Bottle => Some(500.0),
            Unit::Shot => Some(50.0),
            Unit::Pint => Some(568.0),
            _ => None,
        }
    }

    /// The unit a word names, in English or Ukrainian, any case ("склянки", "Cups"): words
    /// the parsers must understand, as data. Two-word units ("столова ложка") are read by
    /// [`Unit::in_phrase`].
    pub fn from_word(word: &str) -> Option<Unit> {
        let word = word.trim().to_lowercase();
        Some(match word.as_str() {
            "piece" | "pieces" | "pc" | "pcs" | "item" | "items" | "шт" | "штука" | "штуки"
            | "штук" | "штуку" | "шматок" | "шматка" | "шматки" | "шматків" | "шматочок"
            | "шматочка" | "шматочки" | "шматочків" | "кусок" | "куска" | "куски" | "кусочок" => {
                Unit::Piece
            }
            "slice" | "slices" | "скибка" | "скибки" | "скибку" | "скибок" | "скибочка"
            | "скибочки" | "скибочку" | "скибочок" | "скиба" | "скибу" => {
                Unit::Slice
            }
            "cup" | "cups" | "glass" | "glasses" | "mug" | "mugs" | "склянка" | "склянки"
            | "склянку" | "склянок" | "склянкою" | "чашка" | "чашки" | "чашку" | "чашок"
            | "чашкою" | "горнятко" | "горнятка" | "кухоль" | "кухля" | "келих" | "келиха"
            | "келихи" | "келихів" => Unit::Cup,
            "tbsp" | "tbs" | "tablespoon" | "tablespoons" | "стл" | "ложка" | "ложки" | "ложку"
            | "ложок" => Unit::Tbsp,
            "tsp" | "teaspoon" | "teaspoons" | "чл" | "ложечка" | "ложечки" | "ложечку"
            | "ложечок" => Unit::Tsp,
            "bowl" | "bowls" | "plate" | "plates" | "тарілка" | "тарілки" | "тарілку"
            | "тарілок" | "тарілочка" | "тарілочку" | "миска" | "миски" | "миску" | "мисок"
            | "мисочка" | "мисочку" => Unit::Bowl,
            "handful" | "handfuls" | "жменя" | "жмені" | "жменю" | "жменька" | "жменьку"
            | "жменьки" => Unit::Handful,
            "serving" | "servings" | "portion" | "portions" | "порція" | "порції" | "порцію"
            | "порцій" => Unit::Serving,
            "pack" | "packs" | "packet" | "packets" | "package" | "bag" | "bags" | "пачка"
            | "пачки" | "пачку" | "пачок" | "упаковка" | "упаковки" | "упаковку" | "пакет"
            | "пакетик" | "пакетики" => Unit::Pack,
            "bar" | "bars" | "плитка" | "плитки" | "плитку" | "плиток" => {
                Unit::Bar
            }
            "scoop" | "scoops" | "кулька" | "кульки" | "кульку" | "кульок" => {
                Unit::Scoop
            }
            "can" | "cans" | "tin" | "tins" | "банка" | "банки" | "банку" | "банок" | "баночка"
            | "баночку" | "баночки" => Unit::Can,
            "bottle" | "bottles" | "пляшка" | "пляшки" | "пляшку" | "пляшок" | "пляшечка"
            | "пляшечку" => Unit::Bottle,
            "shot" | "shots" | "чарка" | "чарки" | "чарку" | "чарок" | "чарочка" | "чарочку"
            | "стопка" | "стопки" | "стопку" | "рюмка" | "рюмки" | "рюмку" => {
                Unit::Shot
            }
            "pint" | "pints" | "пінта" | "пінти" | "пінту" => Unit::Pint,
            _ => return None,
        })
    }

    /// The unit a phrase names: a serving's description ("1 cup, chopped", "2 slices"), or a
    /// model's unit ("tablespoon", "чайна ложка"). The first word that names a unit counts; a
    /// spoon with "чайна"/"tea" before it is a teaspoon.
    pub fn in_phrase(phrase: &str) -> Option<Unit> {
        let phrase = phrase.to_lowercase();
        let words: Vec<&str> = phrase
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let tea = |w: &str| matches!(w, "чайна" | "чайні" | "чайних" | "чайну" | "ч" | "tea");
        for (i, word) in words.iter().enumerate() {
            let Some(unit) = Unit::from_word(word) else {
                continue;
            };
            let after_tea = i > 0 && tea(words[i - 1]);
            return Some(if unit == Unit::Tbsp && after_tea {
                Unit::Tsp
            } else {
                unit
            });
        }
        // Catalogues name size portions "small" and "large" (the Ukrainian forms are read by
        // the offline parser with the rest of the sentence).
        words.iter().find_map(|w| match *w {
            "small" => Some(Unit::Small),
            "large" | "big" => Some(Unit::Large),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_keys_round_trip() {
        for unit in Unit::ALL {
            assert_eq!(Unit::from_key(unit.key()), Some(unit));
        }
        assert_eq!(Unit::from_key("spoonful"), None);
    }

    #[test]
    fn unit_words_in_both_languages_map_to_units() {
        assert_eq!(Unit::from_word("склянка"), Some(Unit::Cup));
        assert_eq!(Unit::from_word("Cups"), Some(Unit::Cup));
        assert_eq!(Unit::from_word("glass"), Some(Unit::Cup));
        assert_eq!(Unit::from_word("скибки"), Some(Unit::Slice));
        assert_eq!(Unit::from_word("жменя"), Some(Unit::Handful));
        assert_eq!(Unit::from_word("тарілка"), Some(Unit::Bowl));
        assert_eq!(Unit::from_word("шт"), Some(Unit::Piece));
        assert_eq!(Unit::from_word("eggs"), None);
    }

    #[test]
    fn phrases_name_their_unit_and_a_tea_spoon_is_a_teaspoon() {
        assert_eq!(Unit::in_phrase("1 cup, chopped"), Some(Unit::Cup));
        assert_eq!(Unit::in_phrase("2 slices"), Some(Unit::Slice));
        assert_eq!(Unit::in_phrase("чайна ложка"), Some(Unit::Tsp));
        assert_eq!(Unit::in_phrase("столова ложка"), Some(Unit::Tbsp));
        assert_eq!(Unit::in_phrase("tsp"), Some(Unit::Tsp));
        // The units people say meet the catalogue's across languages.
        assert_eq!(Unit::in_phrase("склянка"), Unit::in_phrase("glass"));
        assert_eq!(Unit::in_phrase("скибки"), Some(Unit::Slice));
        assert_eq!(Unit::in_phrase("large"), Some(Unit::Large));
        assert_eq!(Unit::in_phrase("1 small (6\" dia)"), Some(Unit::Small));
        assert_eq!(Unit::in_phrase("medium"), None);
        assert_eq!(Unit::in_phrase(""), None);
    }
}
