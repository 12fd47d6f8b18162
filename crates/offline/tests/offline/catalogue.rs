//! Looking foods up, and what a said amount weighs and brings.

use wellness_domain::ports::{Amount, FoodCatalog, FoodFacts};
use wellness_domain::{Locale, NutritionSource, Unit};
use wellness_offline::{OfflineCatalog, RuleAssistant, portion_grams};

use crate::support::{empty_context, ready};

fn find(said: &str, lookup_name: &str) -> Option<FoodFacts> {
    ready(OfflineCatalog::new().find(said, lookup_name, Locale::En)).unwrap()
}

fn id_of(said: &str) -> Option<String> {
    OfflineCatalog::new().lookup(said, "").map(|f| f.id.clone())
}

/// Interprets, looks up and weighs the single food of a message: (grams, kcal).
fn weigh(text: &str, locale: Locale) -> (f64, f64) {
    let assistant = RuleAssistant::new();
    let reading = assistant.read_message(text, &empty_context(locale));
    assert_eq!(reading.foods.len(), 1, "{text:?}");
    let mention = &reading.foods[0];
    let facts = ready(OfflineCatalog::new().find(&mention.said, &mention.lookup_name, locale))
        .unwrap()
        .unwrap();
    let grams = portion_grams(&facts, &mention.amount).unwrap();
    let kcal = facts.per_100g.per_100g_scaled(grams).kcal.get();
    (grams.get(), kcal)
}

#[test]
fn two_hundred_grams_of_buckwheat_weigh_200_g_and_bring_184_kcal() {
    let (grams, kcal) = weigh("200 г гречки", Locale::Uk);
    assert_eq!(grams, 200.0);
    assert!((kcal - 200.0 / 100.0 * 92.0).abs() < 1e-9, "{kcal}");
}

#[test]
fn a_banana_is_a_medium_118_g_banana() {
    let (grams, kcal) = weigh("a banana", Locale::En);
    assert_eq!(grams, 118.0);
    assert!((kcal - 118.0 / 100.0 * 89.0).abs() < 1e-9, "{kcal}");
}

#[test]
fn a_glass_of_milk_is_a_cup_of_244_g() {
    let (grams, kcal) = weigh("склянка молока", Locale::Uk);
    assert_eq!(grams, 244.0);
    assert!((kcal - 244.0 / 100.0 * 50.0).abs() < 1e-9, "{kcal}");
}

#[test]
fn counted_and_measured_portions_weigh_what_the_catalogue_says() {
    assert_eq!(weigh("два яйця", Locale::Uk).0, 100.0);
    assert_eq!(weigh("три скибки хліба", Locale::Uk).0, 90.0);
    assert_eq!(weigh("тарілка борщу", Locale::Uk).0, 300.0);
    assert_eq!(weigh("пів банана", Locale::Uk).0, 59.0);
    assert_eq!(weigh("1.5 cups of rice", Locale::En).0, 237.0);
    assert!((weigh("1,5 склянки кефіру", Locale::Uk).0 - 364.5).abs() < 1e-9);
    assert_eq!(weigh("a tablespoon of honey", Locale::En).0, 21.0);
}

#[test]
fn a_measure_the_food_lacks_uses_its_usual_weight_and_a_count_the_typical_portion() {
    let egg = find("egg", "").unwrap();
    let cup = Amount::Portions {
        count: 1.0,
        unit: Some(Unit::Cup),
    };
    assert_eq!(portion_grams(&egg, &cup).unwrap().get(), 240.0);
    let slices = Amount::Portions {
        count: 2.0,
        unit: Some(Unit::Slice),
    };
    assert_eq!(portion_grams(&egg, &slices).unwrap().get(), 100.0);
    let absurd = Amount::Portions {
        count: 1_000.0,
        unit: None,
    };
    assert_eq!(
        portion_grams(&egg, &absurd),
        None,
        "50 kg of eggs is not a valid entry"
    );
}

#[test]
fn facts_come_from_the_offline_catalogue_named_in_the_users_language() {
    let uk = ready(OfflineCatalog::new().find("гречки", "buckwheat", Locale::Uk))
        .unwrap()
        .unwrap();
    assert_eq!(uk.name, "гречка, варена", "named with its form");
    assert_eq!(uk.family.as_deref(), Some("buckwheat"));
    assert_eq!(
        uk.alternatives
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>(),
        ["гречка, суха"],
        "the other form is offered"
    );
    assert_eq!(uk.source, NutritionSource::OfflineCatalogue);
    assert_eq!(uk.catalogue_ref, None);
    assert_eq!(uk.per_100g.kcal.get(), 92.0);
    assert_eq!(
        uk.portions[0].name, "bowl",
        "the typical portion comes first"
    );
    let en = find("гречки", "buckwheat").unwrap();
    assert_eq!(en.name, "buckwheat, cooked");
}

#[test]
fn lookup_ignores_case_apostrophes_spaces_and_lookalike_letters() {
    for said in ["кеш'ю", "кеш’ю", "кешʼю", "кешю", "КЕШ'Ю", "  кеш'ю  "]
    {
        assert_eq!(id_of(said).as_deref(), Some("cashews"), "{said:?}");
    }
    assert_eq!(id_of("хлiб").as_deref(), Some("white_bread"), "Latin i");
    assert_eq!(id_of("Chicken   Breast").as_deref(), Some("chicken_breast"));
    assert_eq!(id_of("олів’є").as_deref(), Some("olivier"));
}

#[test]
fn lookup_knows_inflected_forms_and_plurals() {
    let cases = [
        ("гречки", "buckwheat"),
        ("гречку", "buckwheat"),
        ("гречкою", "buckwheat"),
        ("яйця", "egg"),
        ("яєць", "egg"),
        ("банана", "banana"),
        ("бананів", "banana"),
        ("молока", "milk"),
        ("хліба", "white_bread"),
        ("курки", "chicken"),
        ("курячого філе", "chicken_breast"),
        ("вареників", "varenyky_potato"),
        ("бананами", "banana"),
        ("eggs", "egg"),
        ("cherries", "cherries"),
        ("tomatoes", "tomato"),
        ("pancake", "pancakes"),
    ];
    for (said, id) in cases {
        assert_eq!(id_of(said).as_deref(), Some(id), "{said:?}");
    }
}

#[test]
fn the_english_lookup_name_finds_the_food_when_the_words_do_not() {
    assert_eq!(
        find("щось таке", "buckwheat").unwrap().name,
        "buckwheat, cooked"
    );
    assert_eq!(
        find("", "chicken breast").unwrap().name,
        "chicken breast, skinless, roasted"
    );
}

#[test]
fn small_typos_still_find_the_food_when_only_one_food_is_close() {
    assert_eq!(id_of("chiken breast").as_deref(), Some("chicken_breast"));
    assert_eq!(id_of("banan").as_deref(), Some("banana"));
    assert_eq!(id_of("avocadoes").as_deref(), Some("avocado"));
    assert_eq!(id_of("chick"), None, "chicken and chickpeas are both close");
}

#[test]
fn unknown_foods_are_not_found_rather_than_matched_to_something_else() {
    assert_eq!(id_of("борщ").as_deref(), Some("borscht"));
    assert_eq!(id_of("борошно").as_deref(), Some("flour"));
    for said in [
        "unicorn",
        "dragon fruit",
        "table",
        "машина",
        "пивоварня",
        "кіт",
        "бор",
        "сир з пліснявою",
        "beef wellington",
        "chocolate eggs",
        "sushi burrito",
        "",
        "   ",
        "123",
    ] {
        assert_eq!(id_of(said), None, "{said:?}");
        assert_eq!(find(said, said), None, "{said:?}");
    }
}
