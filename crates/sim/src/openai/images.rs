//! Images in chat messages (vision): checked as OpenAI checks them, and "seen" through what a
//! test registered for those exact bytes ([`super::OpenAiSim::register_sight`]).
//!
//! OpenAI accepts `image_url` content parts in user messages only, of models that read images,
//! as an `https` URL or a `data:image/{png,jpeg,gif,webp};base64,…` URL of at most 20 MB.

use base64::Engine as _;
use serde_json::Value;

use super::error::ApiError;

/// The largest image OpenAI takes in a chat message.
pub const MAX_IMAGE_BYTES: usize = 20 * 1024 * 1024;

const FORMATS: [&str; 4] = ["png", "jpeg", "gif", "webp"];

/// Whether `model` reads images (the GPT-4o, GPT-4.1, GPT-5 and o-series families do;
/// GPT-3.5 and the GPT-4 base models do not).
pub(crate) fn reads_images(model: &str) -> bool {
    [
        "gpt-4o",
        "gpt-4.1",
        "gpt-4-turbo",
        "gpt-5",
        "o1",
        "o3",
        "o4",
    ]
    .iter()
    .any(|family| model.starts_with(family))
        && !model.contains("audio")
}

fn unsupported_image() -> ApiError {
    ApiError::invalid_request(format!(
        "You uploaded an unsupported image. Please make sure your image has of one the \
         following formats: {FORMATS:?}."
    ))
    .with_code("invalid_image_format")
}

fn invalid_image() -> ApiError {
    ApiError::invalid_request(
        "You uploaded an unsupported image. Please make sure your image is valid.",
    )
    .with_code("invalid_image")
}

/// The format the bytes are in, if one OpenAI reads.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
        Some("png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("gif")
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Some("webp")
    } else {
        None
    }
}

/// One `image_url` part: the decoded bytes of a data URL (`None` for an `https` URL, which
/// the simulator cannot download: it sees nothing there).
fn image_of(part: &Value) -> Result<Option<Vec<u8>>, ApiError> {
    let url = part
        .get("image_url")
        .and_then(|u| u.get("url"))
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::missing_parameter("messages[].content[].image_url.url"))?;
    if url.starts_with("https://") || url.starts_with("http://") {
        return Ok(None);
    }
    let Some((header, data)) = url
        .strip_prefix("data:")
        .and_then(|rest| rest.split_once(','))
    else {
        return Err(ApiError::invalid_request(
            "Invalid image URL: the URL must be an https URL or a base64 data URL.",
        )
        .with_code("invalid_image_url"));
    };
    let declared = header
        .strip_prefix("image/")
        .and_then(|h| h.strip_suffix(";base64"))
        .ok_or_else(unsupported_image)?;
    if !FORMATS.contains(&declared) {
        return Err(unsupported_image());
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|_| invalid_image())?;
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(ApiError::invalid_request(format!(
            "Image too large: {} bytes, at most {MAX_IMAGE_BYTES} are allowed.",
            bytes.len()
        ))
        .with_code("image_too_large"));
    }
    match sniff(&bytes) {
        Some(_) => Ok(Some(bytes)),
        None => Err(invalid_image()),
    }
}

/// The images of the request's messages, checked; the bytes of those sent as data URLs.
pub(crate) fn images(model: &str, messages: &[Value]) -> Result<Vec<Vec<u8>>, ApiError> {
    let mut found = Vec::new();
    for (index, message) in messages.iter().enumerate() {
        let Some(Value::Array(parts)) = message.get("content") else {
            continue;
        };
        for part in parts {
            if part.get("type").and_then(Value::as_str) != Some("image_url") {
                continue;
            }
            let role = message
                .get("role")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if role != "user" {
                return Err(ApiError::invalid_request(format!(
                    "Invalid 'messages[{index}]'. Image URLs are only allowed for messages with \
                     role 'user', but this message with role '{role}' contains an image URL."
                ))
                .with_param(&format!("messages[{index}]"))
                .with_code("invalid_value"));
            }
            if !reads_images(model) {
                return Err(ApiError::invalid_request(
                    "Invalid content type. image_url is only supported by certain models.",
                )
                .with_param(&format!("messages.[{index}].content.[0].type"))
                .with_code("invalid_type"));
            }
            if let Some(bytes) = image_of(part)? {
                found.push(bytes);
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn with_image(role: &str, url: &str) -> Vec<Value> {
        vec![json!({"role": role, "content": [
            {"type": "text", "text": "what is this?"},
            {"type": "image_url", "image_url": {"url": url}}
        ]})]
    }

    fn data_url(mime: &str, bytes: &[u8]) -> String {
        let data = base64::engine::general_purpose::STANDARD.encode(bytes);
        format!("data:{mime};base64,{data}")
    }

    #[test]
    fn images_are_checked_like_openai_checks_them() {
        let png = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 1, 2];
        let ok = images(
            "gpt-4o-mini",
            &with_image("user", &data_url("image/png", &png)),
        );
        assert_eq!(ok.unwrap(), vec![png.to_vec()]);
        // An https URL is taken, and nothing is seen there.
        let remote = images("gpt-4o", &with_image("user", "https://example.com/a.jpg"));
        assert!(remote.unwrap().is_empty());
        let code =
            |r: Result<Vec<Vec<u8>>, ApiError>| r.unwrap_err().to_json()["error"]["code"].clone();
        assert_eq!(
            code(images(
                "gpt-4o",
                &with_image("system", &data_url("image/png", &png))
            )),
            "invalid_value"
        );
        assert_eq!(
            code(images(
                "gpt-3.5-turbo",
                &with_image("user", &data_url("image/png", &png))
            )),
            "invalid_type"
        );
        assert_eq!(
            code(images(
                "gpt-4o",
                &with_image("user", &data_url("image/bmp", &png))
            )),
            "invalid_image_format"
        );
        assert_eq!(
            code(images(
                "gpt-4o",
                &with_image("user", "data:image/png;base64,@@@")
            )),
            "invalid_image"
        );
        // Bytes that are no image at all.
        assert_eq!(
            code(images(
                "gpt-4o",
                &with_image("user", &data_url("image/jpeg", b"hello"))
            )),
            "invalid_image"
        );
        assert_eq!(
            code(images("gpt-4o", &with_image("user", "ftp://x"))),
            "invalid_image_url"
        );
    }
}
