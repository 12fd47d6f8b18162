//! The rules that turn a message into an intent and food mentions.

use wellness_domain::ports::{Amount, FoodMention, Intent, Interpretation};
use wellness_domain::{Grams, Meal};

use crate::catalogue::Catalogue;
use crate::lex::{Token, half_token, lex, word};
use crate::units::{Unit, mass_unit, portion_grams, portion_unit, size_word};
use crate::vocabulary::{
    is_delete_word, is_eating_verb, is_filler, is_goal_word, is_meal_preposition,
    is_question_start, is_question_word, is_splitter, is_strong_eating_verb, meal_word,
};

/// More portions than this of one food in one message is not a meal.
const MAX_COUNT: f64 = 100.0;
/// The longest food name, in words.
const MAX_SPAN: usize = 6;

/// Merges "1 and a half", "два з половиною", "один і пів" into one number.
fn merge_halves(tokens: Vec<Token>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if let Token::Num {
            value,
            digits,
            article: false,
            half: false,
        } = tokens[i]
        {
            let joiner = tokens
                .get(i + 1)
                .and_then(word)
                .is_some_and(|w| matches!(w, "and" | "з" | "і" | "й" | "та"));
            let skip_article = matches!(tokens.get(i + 2), Some(Token::Num { article: true, .. }));
            let at = if skip_article { i + 3 } else { i + 2 };
            if joiner && matches!(tokens.get(at), Some(Token::Num { half: true, .. })) {
                out.push(Token::Num {
                    value: value + 0.5,
                    digits,
                    article: false,
                    half: false,
                });
                i = at + 1;
                continue;
            }
        }
        out.push(tokens[i].clone());
        i += 1;
    }
    out
}

/// "півбанана": a glued "пів" before a food becomes a half and the food.
fn split_glued_half(tokens: Vec<Token>, catalogue: &Catalogue) -> Vec<Token> {
    let mut out = Vec::with_capacity(tokens.len());
    for token in tokens {
        if let Token::Word { raw, norm } = &token {
            let rest: String = norm.chars().skip(3).collect();
            if norm.starts_with("пів")
                && rest.chars().count() >= 3
                && catalogue
                    .exact_or_stem(std::slice::from_ref(norm))
                    .is_none()
                && catalogue
                    .exact_or_stem(std::slice::from_ref(&rest))
                    .is_some()
            {
                out.push(half_token());
                out.push(Token::Word {
                    raw: raw.chars().skip(3).collect(),
                    norm: rest,
                });
                continue;
            }
        }
        out.push(token);
    }
    out
}

/// Finds the meal and removes its words ("for breakfast", "на сніданок").
fn take_meal(tokens: &mut Vec<Token>) -> Option<Meal> {
    let at = tokens
        .iter()
        .position(|t| word(t).and_then(meal_word).is_some())?;
    let meal = word(&tokens[at]).and_then(meal_word);
    let mut from = at;
    while from > 0 {
        let previous = &tokens[from - 1];
        let removable = word(previous).is_some_and(is_meal_preposition)
            || matches!(previous, Token::Num { article: true, .. });
        if !removable {
            break;
        }
        from -= 1;
    }
    tokens.drain(from..=at);
    meal
}

/// A unit said in one or two words; returns it and how many words it took.
fn unit_at(tokens: &[Token], at: usize) -> Option<(UnitSaid, usize)> {
    let first = word(tokens.get(at)?)?;
    let second = tokens.get(at + 1).and_then(word);
    let spoon = |w: Option<&str>| {
        w.is_some_and(|w| matches!(w, "ложка" | "ложки" | "ложку" | "ложок" | "ложкою" | "л"))
    };
    if matches!(first, "столова" | "столові" | "столових" | "столову" | "ст") && spoon(second)
    {
        return Some((UnitSaid::Portion(Unit::Tbsp), 2));
    }
    if matches!(first, "чайна" | "чайні" | "чайних" | "чайну" | "ч") && spoon(second)
    {
        return Some((UnitSaid::Portion(Unit::Tsp), 2));
    }
    if let Some(mass) = mass_unit(first) {
        return Some((UnitSaid::Grams(mass.grams_per_unit), 1));
    }
    portion_unit(first).map(|unit| (UnitSaid::Portion(unit), 1))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum UnitSaid {
    Grams(f64),
    Portion(Unit),
}

/// A food's words in the message: a catalogue span (exact or inflected name) or plain words.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Food { at: usize, raw: String },
    Words { raw: String, norm: String },
}

/// The message after lexing: numbers, units, catalogue spans, other words, separators.
#[derive(Debug, Clone, PartialEq)]
enum Part {
    Num {
        value: f64,
        digits: usize,
        article: bool,
    },
    Unit(UnitSaid),
    Size(Option<Unit>),
    Piece(Piece),
    Split,
}

fn to_parts(tokens: &[Token], catalogue: &Catalogue) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Sep => {
                parts.push(Part::Split);
                i += 1;
                continue;
            }
            Token::Num {
                value,
                digits,
                article,
                ..
            } => {
                parts.push(Part::Num {
                    value: *value,
                    digits: *digits,
                    article: *article,
                });
                i += 1;
                continue;
            }
            Token::Word { .. } => {}
        }
        // The longest catalogue name starting here, across "з"/"and" ("кава з молоком").
        let mut span = None;
        let mut words = Vec::new();
        let mut raws = Vec::new();
        for token in tokens.iter().skip(i).take(MAX_SPAN) {
            let (raw, norm) = match token {
                Token::Word { raw, norm } => (raw.as_str(), norm.as_str()),
                // "a" inside a name ("herring under a fur coat") was lexed as an article.
                Token::Num { article: true, .. } if !words.is_empty() => ("a", "a"),
                _ => break,
            };
            // A verb starts no name ("пив" is not "пиво"), but may be inside one ("energy drink").
            if words.is_empty() && is_eating_verb(norm) {
                break;
            }
            words.push(norm.to_owned());
            raws.push(raw.to_owned());
        }
        while !words.is_empty() {
            if let Some(at) = catalogue.exact_or_stem(&words) {
                span = Some((at, words.len(), raws[..words.len()].join(" ")));
                break;
            }
            words.pop();
        }
        if let Some((at, len, raw)) = span {
            parts.push(Part::Piece(Piece::Food { at, raw }));
            i += len;
            continue;
        }
        if let Some((unit, len)) = unit_at(tokens, i) {
            parts.push(Part::Unit(unit));
            i += len;
            continue;
        }
        let Token::Word { raw, norm } = &tokens[i] else {
            i += 1;
            continue;
        };
        if let Some(size) = size_word(norm) {
            parts.push(Part::Size(size));
        } else if is_splitter(norm) {
            parts.push(Part::Split);
        } else if !is_filler(norm) {
            parts.push(Part::Piece(Piece::Words {
                raw: raw.clone(),
                norm: norm.clone(),
            }));
        }
        i += 1;
    }
    parts
}

/// One food with what was said about its amount.
#[derive(Debug, Default)]
struct Item {
    numbers: Vec<(f64, usize, bool)>,
    unit: Option<UnitSaid>,
    size: Option<Option<Unit>>,
    pieces: Vec<Piece>,
}

impl Item {
    fn has_quantity(&self) -> bool {
        !self.numbers.is_empty() || self.unit.is_some()
    }
}

/// Splits a segment into items: "2 eggs 1 banana" is two; "chicken 200 g rice 100 g" too.
fn items(segment: &[Part]) -> Vec<Item> {
    let prefix_style = matches!(
        segment.first(),
        Some(Part::Num { .. } | Part::Unit(_) | Part::Size(_))
    );
    let mut items = Vec::new();
    let mut current = Item::default();
    for part in segment {
        let is_quantity = matches!(part, Part::Num { .. } | Part::Unit(_));
        let starts_new = if prefix_style {
            is_quantity && !current.pieces.is_empty() && matches!(part, Part::Num { .. })
        } else {
            matches!(part, Part::Piece(_)) && !current.pieces.is_empty() && current.has_quantity()
        };
        if starts_new {
            items.push(std::mem::take(&mut current));
        }
        match part {
            Part::Num {
                value,
                digits,
                article,
            } => current.numbers.push((*value, *digits, *article)),
            Part::Unit(unit) => {
                current.unit.get_or_insert(*unit);
            }
            Part::Size(size) => current.size = Some(*size),
            Part::Piece(piece) => current.pieces.push(piece.clone()),
            Part::Split => {}
        }
    }
    items.push(current);
    items
}

/// What became of one item.
enum Outcome {
    Mention(FoodMention),
    BadAmount,
    NotFood,
}

fn food_of_item(item: &Item, catalogue: &Catalogue) -> (Option<usize>, String) {
    let raw = item
        .pieces
        .iter()
        .map(|p| match p {
            Piece::Food { raw, .. } | Piece::Words { raw, .. } => raw.as_str(),
        })
        .collect::<Vec<_>>()
        .join(" ");
    let foods: Vec<(usize, &str)> = item
        .pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Food { at, raw } => Some((*at, raw.as_str())),
            Piece::Words { .. } => None,
        })
        .collect();
    let others: Vec<&str> = item
        .pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Words { norm, .. } => Some(norm.as_str()),
            Piece::Food { .. } => None,
        })
        .collect();
    if let [(at, food_raw)] = foods.as_slice()
        && others.iter().all(|w| Catalogue::is_modifier(w))
    {
        return (Some(*at), (*food_raw).to_owned());
    }
    let found = catalogue
        .find(&raw)
        .and_then(|food| catalogue.foods().iter().position(|f| f.id == food.id));
    (found, raw)
}

fn outcome(item: &Item, meal: Option<Meal>, strong_verb: bool, catalogue: &Catalogue) -> Outcome {
    if item.pieces.is_empty() {
        return Outcome::NotFood;
    }
    let (at, said) = food_of_item(item, catalogue);
    let food = at.and_then(|at| catalogue.food(at));
    let explicit = item.numbers.iter().any(|(_, _, article)| !article) || item.unit.is_some();
    if food.is_none() {
        let words = said.split_whitespace().count();
        let plausible = (explicit && words <= 4) || (strong_verb && words <= 2);
        if !plausible || !said.chars().any(char::is_alphabetic) {
            return Outcome::NotFood;
        }
    }
    let quantity: f64 = if item.numbers.is_empty() {
        1.0
    } else {
        item.numbers.iter().map(|(v, _, _)| v).product()
    };
    let amount = match item.unit {
        Some(UnitSaid::Grams(per_unit)) if explicit && !item.numbers.is_empty() => {
            match Grams::new(quantity * per_unit) {
                Ok(grams) => Amount::Grams(grams),
                Err(_) => return Outcome::BadAmount,
            }
        }
        _ => {
            if !quantity.is_finite() || quantity <= 0.0 || quantity > MAX_COUNT {
                return Outcome::BadAmount;
            }
            let said_unit = match item.unit {
                Some(UnitSaid::Portion(unit)) => Some(unit),
                _ => item.size.flatten(),
            };
            // A unit the food has no portion of: a measure becomes its usual weight ("a cup"
            // ≈ 240 g), a count the food's typical portion, so the amount can always be weighed
            // by the portion's name.
            let (unit, generic) = match (said_unit, food) {
                (Some(unit), Some(food)) if !food.has_portion(unit) => (None, unit.generic_grams()),
                (unit, _) => (unit, None),
            };
            let amount = match generic {
                Some(each) => match Grams::new(quantity * each) {
                    Ok(grams) => Amount::Grams(grams),
                    Err(_) => return Outcome::BadAmount,
                },
                None => Amount::Portions {
                    count: quantity,
                    unit,
                },
            };
            if let Some(food) = food
                && portion_grams(&food.facts(wellness_domain::Locale::En), &amount).is_none()
            {
                return Outcome::BadAmount;
            }
            amount
        }
    };
    let lookup_name = match food {
        Some(food) => food.name_en.clone(),
        None => crate::text::fold_phrase(&said),
    };
    Outcome::Mention(FoodMention {
        said,
        lookup_name,
        amount,
        meal,
    })
}

/// What a message is about before looking for food.
#[derive(Debug, Clone, PartialEq)]
enum Topic {
    Delete,
    Goal(i64),
    Question,
    Other,
}

fn topic(tokens: &[Token], question_mark: bool) -> Topic {
    let words: Vec<&str> = tokens.iter().filter_map(word).collect();
    if words.iter().any(|w| is_delete_word(w)) {
        return Topic::Delete;
    }
    if words.iter().any(|w| is_goal_word(w)) {
        let numbers: Vec<(f64, usize)> = tokens
            .iter()
            .filter_map(|t| match t {
                Token::Num { value, digits, .. } if *digits > 0 => Some((*value, *digits)),
                _ => None,
            })
            .collect();
        if let Some((first, _)) = numbers.first() {
            // "2 200" written with a thousands space.
            let value = match numbers.get(1) {
                Some((rest, 3)) if *first < 100.0 && first.fract() == 0.0 => first * 1000.0 + rest,
                _ => *first,
            };
            // `as` saturates: an absurd goal stays absurd and the caller rejects it.
            return Topic::Goal(value.round() as i64);
        }
    }
    let starts_with_question = words.first().is_some_and(|w| is_question_start(w));
    if question_mark || starts_with_question || words.iter().any(|w| is_question_word(w)) {
        return Topic::Question;
    }
    Topic::Other
}

/// How a message is read: its intent and foods, without a reply text.
#[derive(Debug)]
pub(crate) struct Reading {
    pub(crate) intent: Intent,
    pub(crate) foods: Vec<FoodMention>,
    pub(crate) calorie_goal: Option<i64>,
    /// Foods were named but every amount was nonsense ("0 eggs", "-5 g").
    pub(crate) bad_amounts: bool,
}

/// Reads a message.
pub(crate) fn read(text: &str, catalogue: &Catalogue) -> Reading {
    let (tokens, question_mark) = lex(text);
    let mut tokens = split_glued_half(merge_halves(tokens), catalogue);
    let general = |bad_amounts| Reading {
        intent: Intent::General,
        foods: Vec::new(),
        calorie_goal: None,
        bad_amounts,
    };
    match topic(&tokens, question_mark) {
        Topic::Delete => {
            return Reading {
                intent: Intent::DeleteEntry,
                ..general(false)
            };
        }
        Topic::Goal(goal) => {
            return Reading {
                intent: Intent::SetGoal,
                calorie_goal: Some(goal),
                ..general(false)
            };
        }
        Topic::Question => {
            return Reading {
                intent: Intent::QueryData,
                ..general(false)
            };
        }
        Topic::Other => {}
    }
    let strong_verb = tokens.iter().filter_map(word).any(is_strong_eating_verb);
    let meal = take_meal(&mut tokens);
    let parts = to_parts(&tokens, catalogue);
    let mut foods = Vec::new();
    let mut bad = 0;
    for segment in parts.split(|p| *p == Part::Split) {
        for item in items(segment) {
            match outcome(&item, meal, strong_verb, catalogue) {
                Outcome::Mention(mention) => foods.push(mention),
                Outcome::BadAmount => bad += 1,
                Outcome::NotFood => {}
            }
        }
    }
    if foods.is_empty() {
        return general(bad > 0);
    }
    Reading {
        intent: Intent::LogFood,
        foods,
        calorie_goal: None,
        bad_amounts: false,
    }
}

impl From<Reading> for Interpretation {
    fn from(reading: Reading) -> Self {
        Interpretation {
            intent: reading.intent,
            foods: reading.foods,
            calorie_goal: reading.calorie_goal,
            reply: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_with_either_decimal_mark_and_as_fractions() {
        let (tokens, _) = lex("1,5 2.5 1/2 ½ -5");
        let values: Vec<f64> = tokens
            .iter()
            .filter_map(|t| match t {
                Token::Num { value, .. } => Some(*value),
                _ => None,
            })
            .collect();
        assert_eq!(values, vec![1.5, 2.5, 0.5, 0.5, -5.0]);
    }

    #[test]
    fn a_comma_between_words_separates_and_a_glued_unit_splits_off() {
        let (tokens, _) = lex("200g rice, 2 eggs");
        assert_eq!(tokens.len(), 6);
        assert_eq!(word(&tokens[1]), Some("g"));
        assert_eq!(tokens[3], Token::Sep);
    }

    #[test]
    fn one_and_a_half_is_one_number() {
        let (tokens, _) = lex("one and a half cups");
        let tokens = merge_halves(tokens);
        assert!(matches!(tokens[0], Token::Num { value, .. } if value == 1.5));
        assert_eq!(tokens.len(), 2);
    }

    #[test]
    fn the_meal_and_its_preposition_are_taken_out() {
        let (mut tokens, _) = lex("2 eggs for breakfast");
        assert_eq!(take_meal(&mut tokens), Some(Meal::Breakfast));
        assert_eq!(tokens.len(), 2);
        let (mut tokens, _) = lex("на сніданок гречка");
        assert_eq!(take_meal(&mut tokens), Some(Meal::Breakfast));
        assert_eq!(tokens.len(), 1);
    }
}
