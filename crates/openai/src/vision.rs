//! The [`LabelReader`] port over chat completions with an image: a vision model reads the
//! nutrition label in a photo into a strict JSON Schema answer. The model only reads what is
//! printed; whether the numbers are used is the user's decision (the domain asks first).

use async_trait::async_trait;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Value, json};
use wellness_domain::model::{Grams, Kcal, LabelReading, Locale, MacroGrams, Nutrients};
use wellness_domain::ports::{AssistantError, LabelReader};

use crate::assistant::{complete, unavailable};
use crate::client::{CallError, OpenAiClient};

/// The `json_schema.name` of a label reading.
pub const LABEL_SCHEMA_NAME: &str = "nutrition_label";

/// The answer is a few short fields: no more tokens than that.
const MAX_TOKENS: u32 = 300;

/// Reads nutrition labels with an OpenAI vision model (`OPENAI_VISION_MODEL`).
#[derive(Debug, Clone)]
pub struct OpenAiLabelReader {
    client: OpenAiClient,
}

impl OpenAiLabelReader {
    /// A reader calling through `client` with its vision model.
    pub fn new(client: OpenAiClient) -> Self {
        Self { client }
    }
}

/// `response_format` of a label reading: strict, every property required, optional values
/// as `["type", "null"]`.
pub fn label_response_format() -> Value {
    let number =
        |description: &str| json!({"type": ["number", "null"], "description": description});
    json!({
        "type": "json_schema",
        "json_schema": {
            "name": LABEL_SCHEMA_NAME,
            "strict": true,
            "schema": {
                "type": "object",
                "properties": {
                    "is_nutrition_label": {
                        "type": "boolean",
                        "description": "True only when a nutrition facts table is legible in the photo."
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
                    "carbs_g": number("Total carbohydrate in grams for the basis.")
                },
                "required": ["is_nutrition_label", "product_name", "basis", "serving_grams", "kcal", "protein_g", "fat_g", "carbs_g"],
                "additionalProperties": false
            }
        }
    })
}

const INSTRUCTIONS: &str = "You read nutrition facts labels from photos for a food diary. \
Report only what is printed: never estimate, never fill a number that is not legible (use \
null). If the photo shows no legible nutrition facts table, set is_nutrition_label to false. \
The user's caption, when given, may name the product or the grams eaten.";

#[derive(Debug, Deserialize)]
struct WireLabel {
    is_nutrition_label: bool,
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

/// The reading, or `None` when the photo shows no label.
fn parse_label(content: &str) -> Result<Option<LabelReading>, String> {
    let wire: WireLabel =
        serde_json::from_str(content).map_err(|e| format!("is not of the schema: {e}"))?;
    if !wire.is_nutrition_label {
        return Ok(None);
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
    Ok(Some(LabelReading {
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
impl LabelReader for OpenAiLabelReader {
    async fn read_label(
        &self,
        image: &[u8],
        hint: Option<String>,
        locale: Locale,
    ) -> Result<Option<LabelReading>, AssistantError> {
        let messages = vec![
            json!({"role": "system", "content": INSTRUCTIONS}),
            user_message(image, hint.as_deref(), locale),
        ];
        let model = self.client.config().vision_model.clone();
        let reply = complete(
            &self.client,
            &model,
            messages,
            Some(label_response_format()),
            MAX_TOKENS,
            refused_image,
        )
        .await?;
        parse_label(&reply.content)
            .map_err(|reason| AssistantError::Malformed(format!("the label reading {reason}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_are_checked_and_a_photo_without_a_label_is_none() {
        let per_100g = r#"{"is_nutrition_label":true,"product_name":" Granola ","basis":"per_100g",
            "serving_grams":45,"kcal":452,"protein_g":9.5,"fat_g":18,"carbs_g":61}"#;
        let reading = parse_label(per_100g).unwrap().unwrap();
        assert_eq!(reading.name.as_deref(), Some("Granola"));
        assert_eq!(reading.per_100g.unwrap().kcal.get(), 452.0);
        assert_eq!(reading.serving.unwrap().get(), 45.0);
        assert!(reading.per_serving.is_none());
        let per_serving = r#"{"is_nutrition_label":true,"product_name":null,"basis":"per_serving",
            "serving_grams":null,"kcal":-5,"protein_g":null,"fat_g":null,"carbs_g":null}"#;
        let reading = parse_label(per_serving).unwrap().unwrap();
        // A negative energy is a misread: no numbers rather than wrong ones.
        assert!(reading.per_serving.is_none() && reading.per_100g.is_none());
        let none = r#"{"is_nutrition_label":false,"product_name":null,"basis":"per_100g",
            "serving_grams":null,"kcal":null,"protein_g":null,"fat_g":null,"carbs_g":null}"#;
        assert_eq!(parse_label(none).unwrap(), None);
        assert!(parse_label("{\"kcal\": 5}").is_err());
        assert_eq!(mime_of(&[0x89, b'P', b'N', b'G', 0]), "image/png");
        assert_eq!(mime_of(&[0xff, 0xd8, 0xff]), "image/jpeg");
    }
}
