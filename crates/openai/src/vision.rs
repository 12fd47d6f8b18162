//! The [`PhotoReader`] port over chat completions with an image: in one call a vision model says
//! whether the photo shows a nutrition label (read as printed) or a meal (its foods, each with
//! an English lookup name and estimated grams, never calories), into a strict JSON Schema
//! answer. Whether anything is used is the user's decision (the domain asks first).

use async_trait::async_trait;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Value, json};
use wellness_domain::model::{
    Grams, Kcal, LabelReading, Locale, MacroGrams, MealItem, Nutrients, PhotoReading,
};
use wellness_domain::ports::{AssistantError, PhotoReader};

use crate::assistant::{complete, unavailable};
use crate::client::{CallError, OpenAiClient};

/// The `json_schema.name` of a photo reading.
pub const PHOTO_SCHEMA_NAME: &str = "food_photo";

/// A few short fields and at most a handful of foods: no more tokens than that.
const MAX_TOKENS: u32 = 600;

/// Estimates above this many grams of one food on one plate are misreads.
const MAX_ITEM_GRAMS: f64 = 2_000.0;

/// Reads nutrition labels with an OpenAI vision model (`OPENAI_VISION_MODEL`).
#[derive(Debug, Clone)]
pub struct OpenAiPhotoReader {
    client: OpenAiClient,
}

impl OpenAiPhotoReader {
    /// A reader calling through `client` with its vision model.
    pub fn new(client: OpenAiClient) -> Self {
        Self { client }
    }
}

/// `response_format` of a label reading: strict, every property required, optional values
/// as `["type", "null"]`.
pub fn photo_response_format() -> Value {
    let number =
        |description: &str| json!({"type": ["number", "null"], "description": description});
    json!({
        "type": "json_schema",
        "json_schema": {
            "name": PHOTO_SCHEMA_NAME,
            "strict": true,
            "schema": {
                "type": "object",
                "properties": {
                    "kind": {
                        "type": "string",
                        "enum": ["other", "nutrition_label", "meal"],
                        "description": "nutrition_label only when a nutrition facts table is legible; meal when the photo shows food served to eat; other otherwise."
                    },
                    "product_name": {
                        "type": ["string", "null"],
                        "description": "The product's name as printed on the package, when visible."
                    },
                    "basis": {
                        "type": "string",
                        "enum": ["per_100g", "per_serving"],
                        "description": "What the numbers below are given for: per 100 g (or 100 ml) whenever the label prints that column, else per serving."
                    },
                    "serving_grams": number("The serving size in grams (or ml), when printed."),
                    "kcal": number("Energy in kcal for the basis; convert from kJ (divide by 4.184) only when kcal is not printed."),
                    "protein_g": number("Protein in grams for the basis."),
                    "fat_g": number("Total fat in grams for the basis."),
                    "carbs_g": number("Total carbohydrate in grams for the basis."),
                    "items": {
                        "type": "array",
                        "description": "For a meal only (else empty): each distinct food seen.",
                        "items": {
                            "type": "object",
                            "properties": {
                                "name": {"type": "string", "description": "The food's name in the user's language."},
                                "lookup_name": {"type": "string", "description": "A short English name saying how it is prepared, e.g. 'rice, cooked'."},
                                "grams": {"type": "number", "description": "Your estimate of its weight in grams."}
                            },
                            "required": ["name", "lookup_name", "grams"],
                            "additionalProperties": false
                        }
                    }
                },
                "required": ["kind", "product_name", "basis", "serving_grams", "kcal", "protein_g", "fat_g", "carbs_g", "items"],
                "additionalProperties": false
            }
        }
    })
}

const INSTRUCTIONS: &str = "You read photos of food for a food diary. For a nutrition facts \
label, report only what is printed: never estimate, never fill a number that is not legible \
(use null). For a meal, list each distinct food you see (at most six) with its name in the \
user's language, an English lookup name that says how it is prepared, and your estimate of \
its grams; give no calories for a meal. If the photo shows neither, the kind is other. The \
user's caption, when given, may name the product or the food, or give the grams eaten.";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum WireKind {
    Other,
    NutritionLabel,
    Meal,
}

#[derive(Debug, Deserialize)]
struct WireItem {
    name: String,
    lookup_name: String,
    grams: f64,
}

#[derive(Debug, Deserialize)]
struct WirePhoto {
    kind: WireKind,
    items: Vec<WireItem>,
    product_name: Option<String>,
    basis: WireBasis,
    serving_grams: Option<f64>,
    kcal: Option<f64>,
    protein_g: Option<f64>,
    fat_g: Option<f64>,
    carbs_g: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum WireBasis {
    #[serde(rename = "per_100g")]
    Per100g,
    PerServing,
}

/// The image's MIME type from its first bytes (Telegram sends photos as JPEG).
fn mime_of(image: &[u8]) -> &'static str {
    if image.starts_with(&[0x89, b'P', b'N', b'G']) {
        "image/png"
    } else if image.starts_with(b"GIF8") {
        "image/gif"
    } else if image.starts_with(b"RIFF") && image.get(8..12) == Some(b"WEBP") {
        "image/webp"
    } else {
        "image/jpeg"
    }
}

/// The user message: the caption as a hint, then the image as a data URL.
fn user_message(image: &[u8], hint: Option<&str>, locale: Locale) -> Value {
    let caption = match hint.map(str::trim).filter(|h| !h.is_empty()) {
        Some(hint) => format!("Caption: {hint}"),
        None => "No caption.".to_owned(),
    };
    let text = format!("{caption}\nThe user's language: {}.", locale.code());
    let data = base64::engine::general_purpose::STANDARD.encode(image);
    json!({
        "role": "user",
        "content": [
            {"type": "text", "text": text},
            {"type": "image_url", "image_url": {"url": format!("data:{};base64,{data}", mime_of(image)), "detail": "high"}}
        ]
    })
}

/// A printed number, when it is a sane one (negative or absurd values are misreads).
fn sane(value: Option<f64>, max: f64) -> Option<f64> {
    value.filter(|v| v.is_finite() && (0.0..=max).contains(v))
}

/// The foods of a meal with sane names and grams; nothing when none is.
fn meal(items: Vec<WireItem>) -> PhotoReading {
    let items: Vec<MealItem> = items
        .into_iter()
        .filter_map(|item| {
            let said = item.name.trim().to_owned();
            let lookup_name = item.lookup_name.trim().to_owned();
            let grams = Grams::new(item.grams)
                .ok()
                .filter(|g| (1.0..=MAX_ITEM_GRAMS).contains(&g.get()))?;
            (!said.is_empty() && !lookup_name.is_empty()).then_some(MealItem {
                said,
                lookup_name,
                grams,
            })
        })
        .collect();
    if items.is_empty() {
        PhotoReading::Nothing
    } else {
        PhotoReading::Meal(items)
    }
}

/// What the answer says the photo shows.
fn parse_photo(content: &str) -> Result<PhotoReading, String> {
    let wire: WirePhoto =
        serde_json::from_str(content).map_err(|e| format!("is not of the schema: {e}"))?;
    match wire.kind {
        WireKind::Other => return Ok(PhotoReading::Nothing),
        WireKind::Meal => return Ok(meal(wire.items)),
        WireKind::NutritionLabel => {}
    }
    let nutrients = sane(wire.kcal, 2_000.0).and_then(|kcal| {
        let macro_of = |v: Option<f64>| MacroGrams::new(sane(v, 1_000.0).unwrap_or(0.0)).ok();
        Some(Nutrients {
            kcal: Kcal::new(kcal).ok()?,
            protein: macro_of(wire.protein_g)?,
            fat: macro_of(wire.fat_g)?,
            carbs: macro_of(wire.carbs_g)?,
        })
    });
    let (per_100g, per_serving) = match wire.basis {
        WireBasis::Per100g => (nutrients, None),
        WireBasis::PerServing => (None, nutrients),
    };
    let name = wire
        .product_name
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    Ok(PhotoReading::Label(LabelReading {
        name,
        per_100g,
        per_serving,
        serving: sane(wire.serving_grams, 5_000.0).and_then(|g| Grams::new(g).ok()),
    }))
}

/// A 4xx other than the key's or the quota's is OpenAI refusing this photo or this request
/// (an image it cannot read, a model that reads none): asking again would get the same, so
/// it is a refusal, not an outage.
fn refused_image(error: CallError) -> AssistantError {
    match error {
        CallError::Rejected { detail, .. } => {
            AssistantError::Refused(format!("OpenAI rejected the photo: {detail}"))
        }
        other => unavailable(other),
    }
}

#[async_trait]
impl PhotoReader for OpenAiPhotoReader {
    async fn read_photo(
        &self,
        image: &[u8],
        hint: Option<String>,
        locale: Locale,
    ) -> Result<PhotoReading, AssistantError> {
        let messages = vec![
            json!({"role": "system", "content": INSTRUCTIONS}),
            user_message(image, hint.as_deref(), locale),
        ];
        let model = self.client.config().vision_model.clone();
        let reply = complete(
            &self.client,
            &model,
            messages,
            Some(photo_response_format()),
            MAX_TOKENS,
            refused_image,
        )
        .await?;
        parse_photo(&reply.content)
            .map_err(|reason| AssistantError::Malformed(format!("the photo reading {reason}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(reading: PhotoReading) -> LabelReading {
        match reading {
            PhotoReading::Label(label) => label,
            other => panic!("not a label: {other:?}"),
        }
    }

    #[test]
    fn readings_are_checked_and_a_photo_of_neither_is_nothing() {
        let per_100g = r#"{"kind":"nutrition_label","product_name":" Granola ","basis":"per_100g",
            "serving_grams":45,"kcal":452,"protein_g":9.5,"fat_g":18,"carbs_g":61,"items":[]}"#;
        let reading = label(parse_photo(per_100g).unwrap());
        assert_eq!(reading.name.as_deref(), Some("Granola"));
        assert_eq!(reading.per_100g.unwrap().kcal.get(), 452.0);
        assert_eq!(reading.serving.unwrap().get(), 45.0);
        assert!(reading.per_serving.is_none());
        let per_serving = r#"{"kind":"nutrition_label","product_name":null,"basis":"per_serving",
            "serving_grams":null,"kcal":-5,"protein_g":null,"fat_g":null,"carbs_g":null,"items":[]}"#;
        let reading = label(parse_photo(per_serving).unwrap());
        // A negative energy is a misread: no numbers rather than wrong ones.
        assert!(reading.per_serving.is_none() && reading.per_100g.is_none());
        let none = r#"{"kind":"other","product_name":null,"basis":"per_100g",
            "serving_grams":null,"kcal":null,"protein_g":null,"fat_g":null,"carbs_g":null,"items":[]}"#;
        assert_eq!(parse_photo(none).unwrap(), PhotoReading::Nothing);
        assert!(parse_photo("{\"kcal\": 5}").is_err());
        assert_eq!(mime_of(&[0x89, b'P', b'N', b'G', 0]), "image/png");
        assert_eq!(mime_of(&[0xff, 0xd8, 0xff]), "image/jpeg");
    }

    #[test]
    fn a_meal_keeps_only_foods_with_names_and_sane_grams() {
        let meal = r#"{"kind":"meal","product_name":null,"basis":"per_100g","serving_grams":null,
            "kcal":null,"protein_g":null,"fat_g":null,"carbs_g":null,"items":[
              {"name":" гречка ","lookup_name":"buckwheat, cooked","grams":180},
              {"name":"","lookup_name":"chicken","grams":120},
              {"name":"соус","lookup_name":"sauce","grams":0},
              {"name":"хліб","lookup_name":"bread","grams":90000}]}"#;
        let PhotoReading::Meal(items) = parse_photo(meal).unwrap() else {
            panic!("a meal");
        };
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].said, "гречка");
        assert_eq!(items[0].lookup_name, "buckwheat, cooked");
        assert_eq!(items[0].grams.get(), 180.0);
        let empty = meal.replace("180", "0");
        assert_eq!(parse_photo(&empty).unwrap(), PhotoReading::Nothing);
    }
}
