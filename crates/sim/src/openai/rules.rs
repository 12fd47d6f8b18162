//! The deterministic "model": a small rule set that reads the last user message the way the
//! real model is asked to, so tests know exactly what comes back.
//!
//! - **delete_entry**: a word like "delete", "remove", "undo", "видали", "скасуй".
//! - **set_goal**: a word like "goal", "target", "ціль", "норма" and a number ≥ 100, which becomes
//!   `calorie_goal` ("set my goal to 2200").
//! - **query_data**: a `?`, or a first word like "how", "what", "скільки", "чи".
//! - **log_food**: a known food (egg, buckwheat, banana, milk, oatmeal, chicken breast, apple,
//!   bread, rice, cheese, yogurt, coffee, in English or Ukrainian). Amounts: "200 g гречки" or
//!   "гречки 200 г" → grams (ml counts as grams, kg as 1000); "2 eggs", "a banana",
//!   "півтора банана" → portions; "склянка молока", "a cup of milk" → a portion with a unit
//!   (glass, cup, slice, tbsp, bowl); nothing → neither. A meal word ("breakfast", "на обід")
//!   sets the meal of every item.
//! - **general**: anything else, with a short fixed reply in the message's language.

use serde::Serialize;
use serde_json::Value;

/// What the rule set made of a message (the shape of the adapter's strict schema).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Understanding {
    /// log_food, query_data, delete_entry, set_goal or general.
    pub intent: &'static str,
    /// Foods mentioned.
    pub items: Vec<UnderstoodItem>,
    /// The goal asked for.
    pub calorie_goal: Option<i64>,
    /// A reply, for general messages.
    pub reply: Option<String>,
}

/// One food of a message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnderstoodItem {
    /// The user's word for it, as written.
    pub said: String,
    /// An English name.
    pub lookup_name: &'static str,
    /// Grams, when a weight was said.
    pub grams: Option<f64>,
    /// Portions, when a count was said.
    pub portions: Option<f64>,
    /// The portion's unit, when said.
    pub unit: Option<&'static str>,
    /// The meal, when said.
    pub meal: Option<&'static str>,
}

impl Understanding {
    /// As JSON, with `null` for what is absent.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// Whether the text is Ukrainian (has Cyrillic letters).
pub fn is_ukrainian(text: &str) -> bool {
    text.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
}

/// Applies the rule set to a message.
pub fn understand(text: &str) -> Understanding {
    let tokens = tokenize(text);
    let has = |words: &[&str]| tokens.iter().any(|t| words.contains(&t.lower.as_str()));
    let nothing = |intent| Understanding {
        intent,
        items: Vec::new(),
        calorie_goal: None,
        reply: None,
    };
    if has(DELETE_WORDS) {
        return nothing("delete_entry");
    }
    if has(GOAL_WORDS)
        && let Some(goal) = tokens
            .iter()
            .filter_map(|t| t.number)
            .find(|n| *n >= 100.0 && n.fract() == 0.0)
    {
        return Understanding {
            // A whole number of at least 100 read from digits: it fits.
            calorie_goal: Some(goal as i64),
            ..nothing("set_goal")
        };
    }
    let asks = text.contains('?')
        || tokens
            .first()
            .is_some_and(|t| QUESTION_WORDS.contains(&t.lower.as_str()));
    if asks {
        return nothing("query_data");
    }
    let items = foods(&tokens);
    if !items.is_empty() {
        return Understanding {
            items,
            ..nothing("log_food")
        };
    }
    let reply = if is_ukrainian(text) {
        "Я записую, що ви їсте, і відповідаю на питання про ваш день."
    } else {
        "I log what you eat and answer questions about your day."
    };
    Understanding {
        reply: Some(reply.to_owned()),
        ..nothing("general")
    }
}

const DELETE_WORDS: &[&str] = &[
    "delete",
    "remove",
    "undo",
    "erase",
    "видали",
    "видалити",
    "видаліть",
    "прибери",
    "скасуй",
    "скасувати",
];
const GOAL_WORDS: &[&str] = &[
    "goal",
    "target",
    "limit",
    "ціль",
    "мета",
    "мету",
    "ціллю",
    "норма",
    "норму",
    "ліміт",
];
const QUESTION_WORDS: &[&str] = &[
    "how",
    "what",
    "when",
    "which",
    "did",
    "do",
    "am",
    "is",
    "скільки",
    "як",
    "що",
    "чи",
    "коли",
    "який",
    "яка",
    "яке",
];

struct Food {
    lookup_name: &'static str,
    /// A word starting with one of these is the food.
    stems: &'static [&'static str],
    /// Words that are the food only when whole (short stems would match too much).
    words: &'static [&'static str],
}

const FOODS: &[Food] = &[
    Food {
        lookup_name: "egg",
        stems: &["egg", "яйц", "яєць"],
        words: &[],
    },
    Food {
        lookup_name: "buckwheat",
        stems: &["buckwheat", "гречк"],
        words: &[],
    },
    Food {
        lookup_name: "banana",
        stems: &["banana", "банан"],
        words: &[],
    },
    Food {
        lookup_name: "milk",
        stems: &["milk", "молок"],
        words: &[],
    },
    Food {
        lookup_name: "oatmeal",
        stems: &["oatmeal", "porridge", "вівсян"],
        words: &["oats"],
    },
    Food {
        lookup_name: "chicken breast",
        stems: &["chicken", "курк", "куряч", "курят"],
        words: &[],
    },
    Food {
        lookup_name: "apple",
        stems: &["apple", "яблук"],
        words: &[],
    },
    Food {
        lookup_name: "bread",
        stems: &["bread", "toast", "хліб", "тост"],
        words: &[],
    },
    Food {
        lookup_name: "rice",
        stems: &[],
        words: &["rice", "рис", "рису", "рисом"],
    },
    Food {
        lookup_name: "cheese",
        stems: &["cheese"],
        words: &["сир", "сиру", "сиром"],
    },
    Food {
        lookup_name: "yogurt",
        stems: &["yogurt", "yoghurt", "йогурт"],
        words: &[],
    },
    Food {
        lookup_name: "coffee",
        stems: &["coffee"],
        words: &["кава", "каву", "кави", "кавою"],
    },
];

fn food(word: &str) -> Option<&'static str> {
    FOODS
        .iter()
        .find(|f| f.words.contains(&word) || f.stems.iter().any(|s| word.starts_with(s)))
        .map(|f| f.lookup_name)
}

fn number_word(word: &str) -> Option<f64> {
    Some(match word {
        "a" | "an" | "one" | "один" | "одна" | "одне" | "одну" => 1.0,
        "two" | "два" | "дві" => 2.0,
        "three" | "три" => 3.0,
        "four" | "чотири" => 4.0,
        "five" | "п'ять" => 5.0,
        "half" | "пів" => 0.5,
        "півтора" | "півтори" => 1.5,
        _ => return None,
    })
}

/// Grams per unit of a weight word.
fn weight_unit(word: &str) -> Option<f64> {
    match word {
        "g" | "gr" | "gram" | "grams" | "gramme" | "grammes" | "г" | "гр" | "грам" | "грамів"
        | "грами" | "грама" | "ml" | "мл" => Some(1.0),
        "kg" | "кг" => Some(1000.0),
        _ => None,
    }
}

fn portion_unit(word: &str) -> Option<&'static str> {
    Some(match word {
        "cup" | "cups" | "чашка" | "чашки" | "чашку" | "чашок" => "cup",
        "glass" | "glasses" | "склянка" | "склянки" | "склянку" | "склянок" => {
            "glass"
        }
        "slice" | "slices" | "скибка" | "скибки" | "скибку" | "скибок" | "шматок" | "шматки" => {
            "slice"
        }
        "tbsp" | "tablespoon" | "tablespoons" | "ложка" | "ложки" | "ложку" | "ложок" => {
            "tbsp"
        }
        "bowl" | "bowls" | "тарілка" | "тарілки" | "тарілку" => "bowl",
        _ => return None,
    })
}

fn meal_word(word: &str) -> Option<&'static str> {
    Some(match word {
        "breakfast" | "сніданок" | "сніданку" | "снідав" | "снідала" => {
            "breakfast"
        }
        "lunch" | "обід" | "обіду" | "обідав" | "обідала" => "lunch",
        "dinner" | "supper" | "вечеря" | "вечерю" | "вечері" | "вечеряв" | "вечеряла" => {
            "dinner"
        }
        "snack" | "перекус" | "перекусив" | "перекусила" => "snack",
        _ => return None,
    })
}

#[derive(Debug, Clone)]
struct Token {
    /// As written.
    text: String,
    /// Lowercase, apostrophes normalised to `'`.
    lower: String,
    /// Its value, for digits and number words.
    number: Option<f64>,
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ')
}

/// Words and numbers; "200г" is two tokens, "1,5" and "1.5" are one number.
fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        if chars[i].is_ascii_digit() {
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || (matches!(chars[i], '.' | ',')
                        && chars.get(i + 1).is_some_and(char::is_ascii_digit)))
            {
                i += 1;
            }
        } else if chars[i].is_alphabetic() {
            while i < chars.len()
                && (chars[i].is_alphabetic()
                    || (is_apostrophe(chars[i])
                        && chars.get(i + 1).is_some_and(|c| c.is_alphabetic())))
            {
                i += 1;
            }
        } else {
            i += 1;
            continue;
        }
        let text: String = chars[start..i].iter().collect();
        let lower: String = text
            .to_lowercase()
            .chars()
            .map(|c| if is_apostrophe(c) { '\'' } else { c })
            .collect();
        let number = if chars[start].is_ascii_digit() {
            lower.replace(',', ".").parse().ok()
        } else {
            number_word(&lower)
        };
        tokens.push(Token {
            text,
            lower,
            number,
        });
    }
    tokens
}

fn foods(tokens: &[Token]) -> Vec<UnderstoodItem> {
    let meal = tokens.iter().find_map(|t| meal_word(&t.lower));
    tokens
        .iter()
        .enumerate()
        .filter_map(|(index, token)| {
            let lookup_name = food(&token.lower)?;
            let (grams, portions, unit) = amount(tokens, index);
            Some(UnderstoodItem {
                said: token.text.clone(),
                lookup_name,
                grams,
                portions,
                unit,
                meal,
            })
        })
        .collect()
}

type Found = (Option<f64>, Option<f64>, Option<&'static str>);

/// The amount said around the food at `index`: before it ("200 g of", "2", "a cup of"), else
/// a weight right after it ("гречки 200 г").
fn amount(tokens: &[Token], index: usize) -> Found {
    let before = |back: usize| index.checked_sub(back).and_then(|i| tokens.get(i));
    let mut back = 1;
    if before(back).is_some_and(|t| t.lower == "of") {
        back += 1;
    }
    let number_at = |back: usize| before(back).and_then(|t| t.number);
    if let Some(previous) = before(back) {
        if let Some(factor) = weight_unit(&previous.lower) {
            if let Some(n) = number_at(back + 1) {
                return (Some(n * factor), None, None);
            }
        } else if let Some(unit) = portion_unit(&previous.lower) {
            return (None, Some(number_at(back + 1).unwrap_or(1.0)), Some(unit));
        } else if let Some(n) = previous.number {
            return (None, Some(n), None);
        } else if food(&previous.lower).is_none()
            && let Some(n) = number_at(back + 1)
        {
            // "2 boiled eggs": one word between the count and the food.
            return (None, Some(n), None);
        }
    }
    let after = |ahead: usize| tokens.get(index + ahead);
    if let (Some(n), Some(factor)) = (
        after(1).and_then(|t| t.number),
        after(2).and_then(|t| weight_unit(&t.lower)),
    ) {
        return (Some(n * factor), None, None);
    }
    (None, None, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(said: &str, lookup_name: &'static str) -> UnderstoodItem {
        UnderstoodItem {
            said: said.to_owned(),
            lookup_name,
            grams: None,
            portions: None,
            unit: None,
            meal: None,
        }
    }

    #[test]
    fn counts_weights_and_units_are_read_in_both_languages() {
        let got = understand("2 eggs and 200 g гречки");
        assert_eq!(got.intent, "log_food");
        assert_eq!(
            got.items,
            vec![
                UnderstoodItem {
                    portions: Some(2.0),
                    ..item("eggs", "egg")
                },
                UnderstoodItem {
                    grams: Some(200.0),
                    ..item("гречки", "buckwheat")
                },
            ]
        );
        let got = understand("Склянка молока і півтора банана на сніданок");
        assert_eq!(
            got.items,
            vec![
                UnderstoodItem {
                    portions: Some(1.0),
                    unit: Some("glass"),
                    meal: Some("breakfast"),
                    ..item("молока", "milk")
                },
                UnderstoodItem {
                    portions: Some(1.5),
                    meal: Some("breakfast"),
                    ..item("банана", "banana")
                },
            ]
        );
        let got = understand("a banana, гречка 150г, a cup of milk, toast");
        let amounts: Vec<_> = got
            .items
            .iter()
            .map(|i| (i.lookup_name, i.grams, i.portions, i.unit))
            .collect();
        assert_eq!(
            amounts,
            vec![
                ("banana", None, Some(1.0), None),
                ("buckwheat", Some(150.0), None, None),
                ("milk", None, Some(1.0), Some("cup")),
                ("bread", None, None, None),
            ]
        );
    }

    #[test]
    fn goals_deletions_questions_and_the_rest() {
        let goal = understand("set my goal to 2200");
        assert_eq!((goal.intent, goal.calorie_goal), ("set_goal", Some(2200)));
        assert_eq!(
            understand("встанови ціль 1800 ккал").calorie_goal,
            Some(1800)
        );
        assert_eq!(understand("what is my goal?").intent, "query_data");
        assert_eq!(understand("delete the last entry").intent, "delete_entry");
        assert_eq!(understand("Видали останній запис").intent, "delete_entry");
        assert_eq!(
            understand("how many calories in 2 eggs").intent,
            "query_data"
        );
        assert_eq!(understand("Скільки я сьогодні з'їв?").intent, "query_data");
        let general = understand("привіт");
        assert_eq!(general.intent, "general");
        assert!(general.reply.is_some_and(|r| is_ukrainian(&r)));
        assert!(understand("hello").items.is_empty());
    }
}
