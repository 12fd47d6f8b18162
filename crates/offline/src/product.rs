//! A product typed to be saved: "granola 450 kcal per 100 g", "гранола 450 ккал на 100 г",
//! with optional macros "P 10 F 20 C 60" / "б 10 ж 20 в 60" (or the words: protein, fat,
//! carbs; білки, жири, вуглеводи). Energy must be given per 100 g: anything else is not read
//! as a product, so "how many kcal in 100 g of rice?" stays a question.

use wellness_domain::model::ProductDraft;
use wellness_domain::{Kcal, MacroGrams, Nutrients};

const KCAL: &[&str] = &["kcal", "ккал", "cal", "calories", "кал", "калорій"];
const PER: &[&str] = &["per", "на", "/", "in", "в"];
const GRAMS: &[&str] = &["g", "gr", "gram", "grams", "г", "гр", "грам", "грамів"];

#[derive(Clone, Copy)]
enum Macro {
    Protein,
    Fat,
    Carbs,
}

fn macro_word(word: &str) -> Option<Macro> {
    Some(match word {
        "p" | "protein" | "proteins" | "б" | "білки" | "білок" | "білків" => {
            Macro::Protein
        }
        "f" | "fat" | "fats" | "ж" | "жири" | "жир" | "жирів" => Macro::Fat,
        "c" | "carbs" | "carb" | "carbohydrates" | "в" | "вуглеводи" | "вуглеводів" | "у" => {
            Macro::Carbs
        }
        _ => return None,
    })
}

/// Splits a digit from a letter ("450kcal", "100г", "p10") and a decimal comma to a point.
fn tokens(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.to_lowercase().chars().collect();
    let mut spaced = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        let digit_comma = c == ','
            && prev.is_some_and(|p| p.is_ascii_digit())
            && next.is_some_and(|n| n.is_ascii_digit());
        if digit_comma {
            spaced.push('.');
            continue;
        }
        if matches!(
            c,
            ',' | ':' | ';' | '(' | ')' | '—' | '–' | '=' | '«' | '»' | '"'
        ) {
            spaced.push(' ');
            continue;
        }
        if c == '/' {
            spaced.push_str(" / ");
            continue;
        }
        if let Some(p) = prev
            && (p.is_ascii_digit() && c.is_alphabetic() || p.is_alphabetic() && c.is_ascii_digit())
        {
            spaced.push(' ');
        }
        spaced.push(c);
    }
    spaced.split_whitespace().map(str::to_owned).collect()
}

fn number(token: &str) -> Option<f64> {
    let value: f64 = token.parse().ok()?;
    (value.is_finite() && value >= 0.0).then_some(value)
}

/// Reads a product to save, when the text is one.
pub(crate) fn read_product(text: &str) -> Option<ProductDraft> {
    let tokens = tokens(text);
    let at = tokens.iter().position(|t| KCAL.contains(&t.as_str()))?;
    let kcal = number(tokens.get(at.checked_sub(1)?)?)?;
    let mut rest = at + 1;
    if !PER.contains(&tokens.get(rest)?.as_str()) || tokens.get(rest + 1)?.as_str() != "100" {
        return None;
    }
    rest += 2;
    if tokens
        .get(rest)
        .is_some_and(|t| GRAMS.contains(&t.as_str()))
    {
        rest += 1;
    }
    let name_tokens: Vec<&str> = tokens[..at - 1]
        .iter()
        .map(String::as_str)
        .filter(|t| *t != "-")
        .collect();
    let name = name_tokens.join(" ");
    if name.is_empty() || !name.chars().any(char::is_alphabetic) || name_tokens.len() > 6 {
        return None;
    }
    let (mut protein, mut fat, mut carbs) = (0.0, 0.0, 0.0);
    let mut i = rest;
    while i < tokens.len() {
        let word = macro_word(&tokens[i])?;
        let mut value_at = i + 1;
        let value = number(tokens.get(value_at)?)?;
        if tokens
            .get(value_at + 1)
            .is_some_and(|t| GRAMS.contains(&t.as_str()))
        {
            value_at += 1;
        }
        match word {
            Macro::Protein => protein = value,
            Macro::Fat => fat = value,
            Macro::Carbs => carbs = value,
        }
        i = value_at + 1;
    }
    if kcal > 900.0 || protein + fat + carbs > 100.0 {
        return None;
    }
    Some(ProductDraft {
        name: capitalised_as_typed(text, &name),
        per_100g: Nutrients {
            kcal: Kcal::new(kcal).ok()?,
            protein: MacroGrams::new(protein).ok()?,
            fat: MacroGrams::new(fat).ok()?,
            carbs: MacroGrams::new(carbs).ok()?,
        },
    })
}

/// The name as the user wrote it (case kept) when it is found as typed, else lower case.
fn capitalised_as_typed(text: &str, lower: &str) -> String {
    let start = text.to_lowercase().find(lower);
    match start {
        Some(start) if text.is_char_boundary(start) => text
            .get(start..)
            .and_then(|t| t.get(..lower.len()))
            .filter(|t| t.to_lowercase() == lower)
            .map_or_else(|| lower.to_owned(), str::to_owned),
        _ => lower.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Option<(String, f64, f64, f64, f64)> {
        read_product(text).map(|p| {
            let n = p.per_100g;
            (
                p.name,
                n.kcal.get(),
                n.protein.get(),
                n.fat.get(),
                n.carbs.get(),
            )
        })
    }

    #[test]
    fn products_are_read_in_both_languages_with_optional_macros() {
        let granola = |name: &str| Some((name.to_owned(), 450.0, 10.0, 20.0, 60.0));
        assert_eq!(
            read("granola 450 kcal per 100 g P 10 F 20 C 60"),
            granola("granola")
        );
        assert_eq!(
            read("Granola: 450kcal/100g, p10 f20 c60"),
            granola("Granola")
        );
        assert_eq!(
            read("гранола 450 ккал на 100 г б 10 ж 20 в 60"),
            granola("гранола")
        );
        assert_eq!(
            read("гранола 450 ккал на 100 г, білки 10 г, жири 20 г, вуглеводи 60 г"),
            granola("гранола")
        );
        assert_eq!(
            read("protein bar 380,5 kcal per 100g"),
            Some(("protein bar".to_owned(), 380.5, 0.0, 0.0, 0.0))
        );
    }

    #[test]
    fn other_texts_are_not_products() {
        for text in [
            "100 г вівсянки",
            "how many kcal in 100 g of rice?",
            "450 kcal per 100 g",
            "granola 450 kcal",
            "granola 450 kcal per serving",
            "granola 450 kcal per 100 g P 60 F 30 C 60",
            "granola 950 kcal per 100 g",
            "granola 450 kcal per 100 g and some more words",
        ] {
            assert_eq!(read(text), None, "{text}");
        }
    }
}
