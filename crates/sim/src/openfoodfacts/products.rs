//! Products as Open Food Facts stores them: a JSON document per barcode, built by
//! [`SimProduct`] in the shape of the real product API v2 (`product_name`, localized names,
//! `serving_size` text and `serving_quantity`, `nutriments` with `_100g` and `_serving` values).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// A product to serve. Fields left `None` are absent from the document, as on the real
/// service, where any field may be missing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimProduct {
    /// The barcode (EAN-13, EAN-8 or UPC-A digits).
    pub code: String,
    /// `product_name`.
    pub product_name: Option<String>,
    /// `product_name_uk`.
    pub product_name_uk: Option<String>,
    /// `product_name_en`.
    pub product_name_en: Option<String>,
    /// `brands`.
    pub brands: Option<String>,
    /// `quantity` ("400 g").
    pub quantity: Option<String>,
    /// `serving_size` ("40 g").
    pub serving_size: Option<String>,
    /// `serving_quantity` (grams of a serving).
    pub serving_quantity: Option<f64>,
    /// `energy-kcal_100g`; `None` leaves the product without energy.
    pub kcal_100g: Option<f64>,
    /// `proteins_100g`.
    pub proteins_100g: Option<f64>,
    /// `fat_100g`.
    pub fat_100g: Option<f64>,
    /// `carbohydrates_100g`.
    pub carbohydrates_100g: Option<f64>,
    /// Whether `nutriments` is there at all (some products have none).
    pub has_nutriments: bool,
    /// Numbers written as strings ("389"), as some imported products have them.
    pub numbers_as_strings: bool,
}

impl SimProduct {
    /// A product named `name` with nutriments per 100 g.
    pub fn new(code: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            product_name: Some(name.into()),
            product_name_uk: None,
            product_name_en: None,
            brands: None,
            quantity: None,
            serving_size: None,
            serving_quantity: None,
            kcal_100g: None,
            proteins_100g: None,
            fat_100g: None,
            carbohydrates_100g: None,
            has_nutriments: true,
            numbers_as_strings: false,
        }
    }

    /// Energy and macros per 100 g.
    pub fn per_100g(mut self, kcal: f64, proteins: f64, fat: f64, carbohydrates: f64) -> Self {
        self.kcal_100g = Some(kcal);
        self.proteins_100g = Some(proteins);
        self.fat_100g = Some(fat);
        self.carbohydrates_100g = Some(carbohydrates);
        self
    }

    /// `serving_size` "{grams} g" and `serving_quantity`.
    pub fn serving_grams(mut self, grams: f64) -> Self {
        self.serving_size = Some(format!("{grams} g"));
        self.serving_quantity = Some(grams);
        self
    }

    /// `product_name_uk`.
    pub fn name_uk(mut self, name: impl Into<String>) -> Self {
        self.product_name_uk = Some(name.into());
        self
    }

    /// `product_name_en`.
    pub fn name_en(mut self, name: impl Into<String>) -> Self {
        self.product_name_en = Some(name.into());
        self
    }

    /// No `nutriments` object at all.
    pub fn without_nutriments(mut self) -> Self {
        self.has_nutriments = false;
        self
    }

    fn number(&self, value: f64) -> Value {
        if self.numbers_as_strings {
            Value::String(value.to_string())
        } else {
            json!(value)
        }
    }

    /// The `product` object of the API's answer.
    pub fn to_json(&self) -> Value {
        let mut product = Map::new();
        product.insert("code".into(), json!(self.code));
        let texts = [
            ("product_name", &self.product_name),
            ("product_name_uk", &self.product_name_uk),
            ("product_name_en", &self.product_name_en),
            ("brands", &self.brands),
            ("quantity", &self.quantity),
            ("serving_size", &self.serving_size),
        ];
        for (key, value) in texts {
            if let Some(value) = value {
                product.insert(key.into(), json!(value));
            }
        }
        if let Some(q) = self.serving_quantity {
            product.insert("serving_quantity".into(), self.number(q));
        }
        if self.has_nutriments {
            product.insert("nutriments".into(), Value::Object(self.nutriments()));
        }
        Value::Object(product)
    }

    fn nutriments(&self) -> Map<String, Value> {
        let mut n = Map::new();
        let values = [
            ("energy-kcal", self.kcal_100g),
            ("proteins", self.proteins_100g),
            ("fat", self.fat_100g),
            ("carbohydrates", self.carbohydrates_100g),
        ];
        for (name, value) in values {
            let Some(value) = value else { continue };
            n.insert(format!("{name}_100g"), self.number(value));
            n.insert(name.to_owned(), self.number(value));
            n.insert(
                format!("{name}_unit"),
                json!(if name == "energy-kcal" { "kcal" } else { "g" }),
            );
            if let Some(serving) = self.serving_quantity {
                let per_serving = (value * serving / 100.0 * 100.0).round() / 100.0;
                n.insert(format!("{name}_serving"), self.number(per_serving));
            }
        }
        if let Some(kcal) = self.kcal_100g {
            n.insert("energy-kj_100g".into(), self.number((kcal * 4.184).round()));
            n.insert("energy_100g".into(), self.number((kcal * 4.184).round()));
        }
        n
    }
}

/// Keeps only `fields` (comma separated) of a product, as `?fields=` does.
pub(crate) fn only_fields(product: &Value, fields: Option<&str>) -> Value {
    let (Some(fields), Value::Object(all)) = (fields, product) else {
        return product.clone();
    };
    let wanted: Vec<&str> = fields.split(',').map(str::trim).collect();
    Value::Object(
        all.iter()
            .filter(|(k, _)| wanted.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_product_is_shaped_like_the_api_v2_document() {
        let p = SimProduct::new("4823063112628", "Вівсяні пластівці")
            .per_100g(370.0, 12.0, 6.0, 60.0)
            .serving_grams(40.0)
            .to_json();
        assert_eq!(p["product_name"], "Вівсяні пластівці");
        assert_eq!(p["serving_size"], "40 g");
        assert_eq!(p["nutriments"]["energy-kcal_100g"], 370.0);
        assert_eq!(p["nutriments"]["energy-kcal_serving"], 148.0);
        assert_eq!(p["nutriments"]["energy-kj_100g"], 1548.0);
        let bare = SimProduct::new("1", "x").without_nutriments().to_json();
        assert!(bare.get("nutriments").is_none());
        let some = only_fields(&p, Some("code,product_name"));
        assert_eq!(some.as_object().map(|o| o.len()), Some(2));
    }
}
