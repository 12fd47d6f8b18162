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
            // The offline parser only reads units it knows.
            Amount::Unmeasured { .. } => panic!("{text:?}: {:?}", food.amount),
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

/// Bounded fuzzing with proptest (`PROPTEST_CASES` sets the run length; docs/security.md).
mod fuzz {
    use proptest::prelude::*;
    use wellness_domain::Locale;
    use wellness_domain::ports::{Amount, Intent};
    use wellness_offline::{RuleAssistant, portion_grams};

    use super::{PIECES, assert_sane};
    use crate::support::empty_context;

    fn assistant() -> &'static RuleAssistant {
        static ASSISTANT: std::sync::OnceLock<RuleAssistant> = std::sync::OnceLock::new();
        ASSISTANT.get_or_init(RuleAssistant::new)
    }

    /// Numbers as people type them, and as nobody should.
    fn number() -> impl Strategy<Value = String> {
        prop_oneof![
            (0..100_000u32).prop_map(|n| n.to_string()),
            (0..1000u32, 0..100u32).prop_map(|(a, b)| format!("{a}.{b}")),
            (0..1000u32, 0..100u32).prop_map(|(a, b)| format!("{a},{b}")),
            (0..100u32, 0..100u32).prop_map(|(a, b)| format!("{a}/{b}")),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<f64>().prop_map(|n| n.to_string()),
            "[0-9]{15,40}",
        ]
    }

    /// A word of the catalogue (any language, synonyms too), a unit, a number or a piece of noise.
    fn word() -> impl Strategy<Value = String> {
        let names: Vec<String> = assistant()
            .catalog()
            .catalogue()
            .foods()
            .iter()
            .flat_map(|f| f.names().map(str::to_owned).collect::<Vec<_>>())
            .collect();
        prop_oneof![
            3 => prop::sample::select(names),
            3 => prop::sample::select(PIECES).prop_map(str::to_owned),
            2 => number(),
            1 => any::<String>(),
        ]
    }

    fn message() -> impl Strategy<Value = String> {
        prop::collection::vec(
            (
                word(),
                prop_oneof![Just(" "), Just(""), Just(", "), Just(" and ")],
            ),
            1..10,
        )
        .prop_map(|words| {
            words
                .into_iter()
                .flat_map(|(w, sep)| [w, sep.to_owned()])
                .collect()
        })
    }

    /// English catalogue names that are plain words (names like "coffee with milk" hold a
    /// splitter word and are read by their own rules).
    fn plain_food_name() -> impl Strategy<Value = String> {
        let names: Vec<String> = assistant()
            .catalog()
            .catalogue()
            .foods()
            .iter()
            .map(|f| f.name_en.clone())
            .filter(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == ' '))
            .collect();
        prop::sample::select(names)
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics_nor_gives_an_invalid_amount(text in any::<String>()) {
            assert_sane(&text, assistant());
        }

        #[test]
        fn food_words_numbers_and_units_in_any_order_give_only_sane_amounts(text in message()) {
            assert_sane(&text, assistant());
        }

        #[test]
        fn every_food_logged_in_grams_reads_back_as_those_grams(
            grams in 1..=10_000u32,
            unit in prop_oneof![Just("g"), Just("г"), Just("grams")],
            name in plain_food_name(),
        ) {
            let text = format!("{grams} {unit} {name}");
            let reading = assistant().read_message(&text, &empty_context(Locale::En));
            prop_assert_eq!(reading.intent, Intent::LogFood, "{}", text);
            prop_assert_eq!(reading.foods.len(), 1, "{}: {:?}", text, reading.foods);
            prop_assert_eq!(&reading.foods[0].lookup_name, &name, "{}", text);
            match &reading.foods[0].amount {
                Amount::Grams(read) => prop_assert_eq!(read.get(), f64::from(grams), "{}", text),
                other => prop_assert!(false, "{}: {:?}", text, other),
            }
        }

        #[test]
        fn a_count_of_a_food_reads_back_as_that_many_portions(
            count in 1..=100u32,
            name in plain_food_name(),
        ) {
            let text = format!("{count} {name}");
            let reading = assistant().read_message(&text, &empty_context(Locale::En));
            let amount = Amount::Portions { count: f64::from(count), unit: None };
            let food = assistant()
                .catalog()
                .catalogue()
                .foods()
                .iter()
                .find(|f| f.name_en == name)
                .ok_or_else(|| TestCaseError::fail(name.clone()))?;
            if portion_grams(&food.facts(Locale::En), &amount).is_some() {
                prop_assert_eq!(reading.foods.len(), 1, "{}: {:?}", text, reading.foods);
                prop_assert_eq!(&reading.foods[0].lookup_name, &name, "{}", text);
                prop_assert_eq!(&reading.foods[0].amount, &amount, "{}", text);
            } else {
                // More than 10 kg of it: refused, not logged.
                prop_assert!(reading.foods.is_empty(), "{}: {:?}", text, reading.foods);
            }
        }
    }
}
