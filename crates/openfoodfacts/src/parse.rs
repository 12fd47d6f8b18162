//! The API's answer, read leniently: any field may be missing, numbers may be strings.

use serde::Deserialize;
use serde_json::{Map, Value};
use wellness_domain::model::{
    Barcode, Grams, Kcal, Locale, MacroGrams, Nutrients, NutritionSource, Product,
};

/// The fields asked for (`?fields=`): the answer stays small.
pub(crate) const FIELDS: &str = "code,product_name,product_name_uk,product_name_en,brands,serving_size,serving_quantity,nutriments";

/// kJ in a kcal.
const KJ_PER_KCAL: f64 = 4.184;

#[derive(Debug, Deserialize)]
pub(crate) struct Answer {
    status: Value,
    #[serde(default)]
    product: Option<Map<String, Value>>,
}

pub(crate) fn answer(body: &[u8]) -> Result<Answer, serde_json::Error> {
    serde_json::from_slice(body)
}

/// A number, or a string holding one.
fn number(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().replace(',', ".").parse().ok(),
        _ => None,
    }
    .filter(|n: &f64| n.is_finite() && *n >= 0.0)
}

fn text<'a>(product: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    product
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The grams of "40 g", "40g (2 biscuits)", "30 гр".
fn serving_grams(size: &str) -> Option<f64> {
    let size = size.trim().to_lowercase();
    let digits: String = size
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
        .collect();
    let rest = size[digits.len()..].trim_start();
    let grams = rest.starts_with('g') || rest.starts_with('г');
    let ml = rest.starts_with("ml") || rest.starts_with("мл");
    (grams || ml)
        .then(|| digits.replace(',', ".").parse().ok())
        .flatten()
}

fn nutrients(n: &Map<String, Value>) -> Option<Nutrients> {
    let kcal = number(n.get("energy-kcal_100g"))
        .or_else(|| number(n.get("energy-kj_100g")).map(|kj| kj / KJ_PER_KCAL))?;
    let macro_of =
        |key: &str| MacroGrams::new(number(n.get(&format!("{key}_100g"))).unwrap_or(0.0)).ok();
    Some(Nutrients {
        kcal: Kcal::new(kcal).ok()?,
        protein: macro_of("proteins")?,
        fat: macro_of("fat")?,
        carbs: macro_of("carbohydrates")?,
    })
}

/// The product of an answer; `None` when the API says it does not know it.
pub(crate) fn product(answer: Answer, code: &Barcode, locale: Locale) -> Option<Product> {
    let found = number(Some(&answer.status)) == Some(1.0);
    let product = answer.product.filter(|_| found)?;
    let localized = match locale {
        Locale::Uk => "product_name_uk",
        Locale::En => "product_name_en",
    };
    let name = [localized, "product_name", "product_name_en", "brands"]
        .into_iter()
        .find_map(|key| text(&product, key))
        .map_or_else(|| code.to_string(), str::to_owned);
    let serving = number(product.get("serving_quantity"))
        .or_else(|| text(&product, "serving_size").and_then(serving_grams))
        .and_then(|g| Grams::new(g).ok());
    let per_100g = product
        .get("nutriments")
        .and_then(Value::as_object)
        .and_then(nutrients);
    Some(Product {
        barcode: code.clone(),
        name,
        per_100g,
        serving,
        source: NutritionSource::OpenFoodFacts,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn read(v: Value, locale: Locale) -> Option<Product> {
        let code = Barcode::new("4006381333931").ok()?;
        product(answer(v.to_string().as_bytes()).ok()?, &code, locale)
    }

    #[test]
    fn strings_kilojoules_localized_names_and_serving_text() {
        let p = read(
            json!({"status": 1, "product": {
                "product_name": "Flocons d'avoine", "product_name_uk": "Вівсяні пластівці",
                "serving_size": "40 g (1/2 cup)",
                "nutriments": {"energy-kj_100g": "1548", "proteins_100g": "12,5"}}}),
            Locale::Uk,
        )
        .unwrap();
        assert_eq!(p.name, "Вівсяні пластівці");
        assert_eq!(p.serving.map(|g| g.get()), Some(40.0));
        let n = p.per_100g.unwrap();
        assert!((n.kcal.get() - 370.0).abs() < 0.5, "{n:?}");
        assert_eq!(n.protein.get(), 12.5);
        let en = read(
            json!({"status": 1, "product": {"product_name": "Flocons"}}),
            Locale::En,
        )
        .unwrap();
        assert_eq!(en.name, "Flocons");
        assert_eq!(en.per_100g, None);
        assert_eq!(
            read(
                json!({"status": 0, "status_verbose": "product not found"}),
                Locale::En
            ),
            None
        );
    }
}
