//! Odd input never panics and never yields an invalid amount.

use wellness_domain::Locale;
use wellness_domain::ports::{Amount, Intent};
use wellness_offline::{RuleAssistant, portion_grams};

use crate::support::empty_context;

/// A small deterministic generator (no dependency needed for a fuzz-ish test).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() as usize) % items.len()]
    }
}

const PIECES: &[&str] = &[
    "2",
    "0",
    "-5",
    "999999",
    "1e308",
    "0.0001",
    "1,5",
    "½",
    "1/0",
    "0/0",
    "99999999999999999999",
    "g",
    "г",
    "kg",
    "кг",
    "ml",
    "л",
    "cups",
    "склянки",
    "шт",
    "ложка",
    "ст. л.",
    "eggs",
    "яйця",
    "банан",
    "гречки",
    "кава з молоком",
    "and",
    "і",
    "з",
    "with",
    ",",
    "+",
    "?",
    "!",
    "🍌",
    "🥚",
    "😀😀",
    "\u{200b}",
    "\t",
    "\n",
    "пів",
    "півтора",
    "a",
    "half",
    "couple",
    "of",
    "for",
    "breakfast",
    "на обід",
    "delete",
    "ціль",
    "норма",
    "скільки",
    "unicorn",
    "ʼ",
    "’",
    "'",
    "-",
    "...",
    "()",
    "%",
    "ккал",
    "x",
    "2x",
    "₴",
    "ß",
    "中文",
    "عربى",
    "  ",
    "ё",
    "пиво",
    "пив",
];

fn assert_sane(text: &str, assistant: &RuleAssistant) {
    let reading = assistant.read_message(text, &empty_context(Locale::Uk));
    if reading.intent != Intent::LogFood {
        assert!(reading.foods.is_empty(), "{text:?}");
    }
    for food in &reading.foods {
        assert!(!food.said.trim().is_empty(), "{text:?}");
        match &food.amount {
            Amount::Grams(g) => assert!((0.1..=10_000.0).contains(&g.get()), "{text:?}: {g}"),
            Amount::Portions { count, .. } => {
                assert!(
                    count.is_finite() && *count > 0.0 && *count <= 100.0,
                    "{text:?}: {count}"
                )
            }
        }
        if let Some(found) = assistant.catalog().lookup(&food.said, &food.lookup_name) {
            let facts = found.facts(Locale::Uk);
            let grams = portion_grams(&facts, &food.amount);
            assert!(
                grams.is_some(),
                "{text:?}: {:?} has no valid weight",
                food.amount
            );
        }
    }
    let _ = assistant.answer_question(text, &empty_context(Locale::En));
}

#[test]
fn thousands_of_odd_messages_neither_panic_nor_give_invalid_amounts() {
    let assistant = RuleAssistant::new();
    let mut rng = Lcg(42);
    for _ in 0..3000 {
        let words = 1 + rng.next() % 8;
        let mut text = String::new();
        for _ in 0..words {
            text.push_str(rng.pick(PIECES));
            if !rng.next().is_multiple_of(3) {
                text.push(' ');
            }
        }
        assert_sane(&text, &assistant);
    }
}

#[test]
fn random_characters_neither_panic_nor_give_invalid_amounts() {
    let assistant = RuleAssistant::new();
    let mut rng = Lcg(7);
    for _ in 0..1000 {
        let len = rng.next() % 40;
        let text: String = (0..len)
            .filter_map(|_| char::from_u32((rng.next() % 0x1_F700) as u32))
            .collect();
        assert_sane(&text, &assistant);
    }
}

#[test]
fn nonsense_amounts_are_not_logged() {
    let assistant = RuleAssistant::new();
    for text in [
        "0 eggs",
        "-5 g rice",
        "999999 kg potatoes",
        "99999999999999999999 g гречки",
        "1e308 g rice",
        "0/0 банана",
        "1/0 банана",
        "500 eggs",
        "0 г гречки",
    ] {
        let reading = assistant.read_message(text, &empty_context(Locale::En));
        assert!(
            reading.foods.is_empty() || text.starts_with("1e308"),
            "{text:?}: {:?}",
            reading.foods
        );
        assert_sane(text, &assistant);
    }
    let reading = assistant.read_message("0 eggs", &empty_context(Locale::En));
    assert_eq!(reading.intent, Intent::General);
    assert!(reading.reply.unwrap().contains("amount"));
}

#[test]
fn empty_and_huge_messages_are_fine() {
    let assistant = RuleAssistant::new();
    for text in ["", " ", "\n\n", "🍌🍌🍌", "?", "..."] {
        assert_sane(text, &assistant);
    }
    assert_sane(&"2 eggs and ".repeat(2000), &assistant);
    assert_sane(&"я".repeat(100_000), &assistant);
}
