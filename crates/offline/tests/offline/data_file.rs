//! The data file: complete, plausible and traceable to its source.

use std::collections::HashMap;

use wellness_domain::Locale;
use wellness_offline::{COLUMNS, Catalogue, FOODS_TSV, FoodSource, OfflineCatalog, Unit};

fn embedded() -> OfflineCatalog {
    OfflineCatalog::new()
}

#[test]
fn every_row_parses_and_there_are_at_least_300_foods() {
    let catalogue = Catalogue::parse(FOODS_TSV);
    assert_eq!(catalogue.errors(), &[], "malformed rows");
    assert!(
        catalogue.foods().len() >= 300,
        "{}",
        catalogue.foods().len()
    );
    let rows = FOODS_TSV
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .count();
    assert_eq!(rows, catalogue.foods().len());
}

#[test]
fn energy_agrees_with_the_macros_by_atwater_factors() {
    // 4 kcal/g protein and carbs, 9 fat, 7 alcohol; USDA uses food-specific factors and counts
    // fibre in carbs, so a row may instead match with fibre at 2 kcal/g. Within 15 % or 10 kcal.
    for food in embedded().catalogue().foods() {
        let n = food.per_100g;
        let (p, f, c) = (n.protein.get(), n.fat.get(), n.carbs.get());
        let plain = 4.0 * p + 4.0 * c + 9.0 * f + 7.0 * food.alcohol_g;
        let with_fibre = plain - 2.0 * food.fibre_g;
        let kcal = n.kcal.get();
        let tolerance = (0.15 * kcal).max(10.0);
        assert!(
            (kcal - plain).abs() <= tolerance || (kcal - with_fibre).abs() <= tolerance,
            "{}: {kcal} kcal but macros give {plain:.0} ({with_fibre:.0} with fibre)",
            food.id
        );
    }
}

#[test]
fn values_are_non_negative_and_macros_fit_in_100_g() {
    for food in embedded().catalogue().foods() {
        let n = food.per_100g;
        let macros = n.protein.get() + n.fat.get() + n.carbs.get() + food.alcohol_g;
        assert!(
            macros <= 100.5,
            "{}: {macros} g of macros in 100 g",
            food.id
        );
        assert!(
            food.fibre_g <= n.carbs.get() + 0.5,
            "{}: fibre is part of carbs",
            food.id
        );
        for value in [
            n.kcal.get(),
            n.protein.get(),
            n.fat.get(),
            n.carbs.get(),
            food.fibre_g,
            food.alcohol_g,
        ] {
            assert!(value >= 0.0 && value.is_finite(), "{}", food.id);
        }
        assert!(
            n.kcal.get() <= 902.0,
            "{}: nothing is denser than pure fat",
            food.id
        );
    }
}

fn normalise(name: &str) -> String {
    name.to_lowercase()
        .replace(['\'', '’', 'ʼ', '`'], "")
        .replace('-', " ")
        .replace('ё', "е")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn names_and_synonyms_are_unique_after_normalisation() {
    let mut owner: HashMap<String, &str> = HashMap::new();
    for food in embedded().catalogue().foods() {
        for name in food.names() {
            if let Some(other) = owner.insert(normalise(name), &food.id) {
                assert_eq!(
                    other, food.id,
                    "{name:?} names both {other} and {}",
                    food.id
                );
            }
        }
    }
}

#[test]
fn every_row_cites_its_usda_record_or_recipe() {
    let mut with_fdc = 0;
    for food in embedded().catalogue().foods() {
        match &food.source {
            FoodSource::SrLegacy {
                ndb,
                fdc_id,
                description,
            } => {
                assert!(
                    ndb.len() == 5 && ndb.chars().all(|c| c.is_ascii_digit()),
                    "{}",
                    food.id
                );
                assert!(!description.is_empty(), "{}", food.id);
                if let Some(id) = fdc_id {
                    // SR Legacy's FoodData Central ids.
                    assert!((167_512..=175_304).contains(id), "{}: {id}", food.id);
                    with_fdc += 1;
                }
            }
            FoodSource::Recipe { description } => {
                assert!(description.contains("NDB"), "{}: {description}", food.id);
            }
        }
    }
    assert!(with_fdc >= 5);
}

#[test]
fn the_foods_people_eat_in_ukraine_and_english_speaking_countries_are_there() {
    let catalog = embedded();
    for said in [
        "гречка",
        "вівсянка",
        "рис",
        "пшоно",
        "булгур",
        "хліб",
        "чорний хліб",
        "яйце",
        "молоко",
        "кефір",
        "сир кисломолочний",
        "сметана",
        "йогурт",
        "твердий сир",
        "масло",
        "курка",
        "куряче філе",
        "індичка",
        "свинина",
        "яловичина",
        "сало",
        "ковбаса",
        "сосиски",
        "оселедець",
        "лосось",
        "тунець",
        "скумбрія",
        "буряк",
        "капуста",
        "морква",
        "цибуля",
        "картопля",
        "пюре",
        "картопля фрі",
        "макарони",
        "борщ",
        "вареники",
        "голубці",
        "деруни",
        "сирники",
        "млинці",
        "плов",
        "котлета",
        "пельмені",
        "салат олів'є",
        "каша",
        "яблуко",
        "банан",
        "полуниця",
        "волоські горіхи",
        "насіння",
        "квасоля",
        "сочевиця",
        "шоколад",
        "печиво",
        "торт",
        "кава з молоком",
        "чай",
        "апельсиновий сік",
        "кола",
        "пиво",
        "червоне вино",
        "олія",
        "цукор",
        "мед",
        "pizza",
        "hamburger",
        "french fries",
        "toast",
        "bagel",
        "bacon",
        "peanut butter",
        "cheddar",
        "oatmeal",
        "porridge",
        "orange juice",
        "beer",
        "wine",
    ] {
        assert!(catalog.lookup(said, "").is_some(), "{said:?} is missing");
    }
}

#[test]
fn typical_portions_are_realistic() {
    let catalogue = embedded();
    let portion = |id: &str, unit: Unit| -> f64 {
        let food = catalogue.catalogue().by_id(id).unwrap();
        food.portions
            .iter()
            .find(|(u, _)| *u == unit)
            .unwrap()
            .1
            .get()
    };
    assert_eq!(portion("egg", Unit::Piece), 50.0);
    assert!((25.0..=35.0).contains(&portion("white_bread", Unit::Slice)));
    assert!((240.0..=250.0).contains(&portion("milk", Unit::Cup)));
    assert_eq!(portion("banana", Unit::Piece), 118.0);
    assert!((14.0..=15.0).contains(&portion("butter", Unit::Tbsp)));
    assert!((250.0..=350.0).contains(&portion("borscht", Unit::Bowl)));
    assert!((150.0..=300.0).contains(&portion("buckwheat", Unit::Bowl)));
    assert!((20.0..=40.0).contains(&portion("walnuts", Unit::Handful)));
    for food in catalogue.catalogue().foods() {
        let (_, first) = food.portions[0];
        assert!((0.5..=1000.0).contains(&first.get()), "{}", food.id);
        assert!(!food.name(Locale::Uk).is_empty() && !food.name(Locale::En).is_empty());
    }
}

#[test]
fn a_malformed_row_is_skipped_at_run_time_and_the_rest_still_serve() {
    let header = COLUMNS.join("\t");
    let good = FOODS_TSV.lines().nth(1).unwrap();
    let negative = good.replacen("\t92\t", "\t-92\t", 1);
    let tsv = format!("{header}\n{negative}\nnot a row\n{good}\n");
    let catalog = OfflineCatalog::from_tsv(&tsv);
    assert_eq!(catalog.load_errors().len(), 2);
    assert_eq!(catalog.load_errors()[0].line, 2);
    assert_eq!(catalog.catalogue().foods().len(), 1);
    assert!(catalog.lookup("гречка", "").is_some());
}
