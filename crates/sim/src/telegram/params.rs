//! Method parameters, read the way the Bot API server reads them: from the query string and from
//! a JSON, `application/x-www-form-urlencoded` or `multipart/form-data` body. Form values are
//! strings; objects inside them (`reply_markup`, `commands`, …) are JSON-encoded strings.

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::ApiError;

/// A file part of a multipart request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedFile {
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// The parameters of one Bot API call.
#[derive(Debug, Clone, Default)]
pub struct Params {
    values: HashMap<String, Value>,
    files: HashMap<String, UploadedFile>,
}

impl Params {
    /// Parameters from a JSON object (as `frankenstein` and most clients send them).
    pub fn from_json_object(object: serde_json::Map<String, Value>) -> Self {
        Self {
            values: object.into_iter().collect(),
            files: HashMap::new(),
        }
    }

    /// Reads a query string or urlencoded body into `self`, keeping values already present.
    fn add_urlencoded(&mut self, encoded: &str) -> Result<(), ApiError> {
        let pairs = actix_web::web::Query::<Vec<(String, String)>>::from_query(encoded)
            .map_err(|_| ApiError::bad_request("can't parse query string"))?;
        for (name, value) in pairs.into_inner() {
            self.values.insert(name, Value::String(value));
        }
        Ok(())
    }

    /// Parameters of an HTTP request: query string first, then the body by its content type.
    pub fn from_request(
        query: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<Self, ApiError> {
        let mut params = Self::default();
        if !query.is_empty() {
            params.add_urlencoded(query)?;
        }
        let content_type = content_type.unwrap_or_default();
        let media_type = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let body_is_blank = body.iter().all(u8::is_ascii_whitespace);
        match media_type.as_str() {
            _ if body_is_blank => {}
            "application/json" => {
                let value: Value = serde_json::from_slice(body)
                    .map_err(|_| ApiError::bad_request("can't parse JSON object"))?;
                let Value::Object(object) = value else {
                    return Err(ApiError::bad_request("can't parse JSON object"));
                };
                params.values.extend(object);
            }
            "application/x-www-form-urlencoded" => {
                let text = std::str::from_utf8(body)
                    .map_err(|_| ApiError::bad_request("can't parse query string"))?;
                params.add_urlencoded(text)?;
            }
            "multipart/form-data" => {
                let boundary = boundary(content_type).ok_or_else(|| {
                    ApiError::bad_request("can't parse multipart/form-data: no boundary")
                })?;
                for part in parse_multipart(body, &boundary)? {
                    match part.file_name {
                        Some(file_name) => {
                            params.files.insert(
                                part.name,
                                UploadedFile {
                                    file_name: Some(file_name),
                                    content_type: part.content_type,
                                    bytes: part.bytes,
                                },
                            );
                        }
                        None => {
                            let text = String::from_utf8(part.bytes).map_err(|_| {
                                ApiError::bad_request("strings must be encoded in UTF-8")
                            })?;
                            params.values.insert(part.name, Value::String(text));
                        }
                    }
                }
            }
            // The Bot API server ignores bodies of other types.
            _ => {}
        }
        Ok(params)
    }

    /// Whether the parameter is present.
    pub fn has(&self, name: &str) -> bool {
        self.values.contains_key(name) || self.files.contains_key(name)
    }

    /// A string parameter; numbers and booleans are read as their text.
    pub fn string(&self, name: &str) -> Option<String> {
        match self.values.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null => None,
            other => Some(other.to_string()),
        }
    }

    /// An integer parameter; like Telegram, text that is not a number reads as absent.
    pub fn int(&self, name: &str) -> Option<i64> {
        match self.values.get(name)? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// A boolean parameter: `true`, `"true"` or `"1"`.
    pub fn flag(&self, name: &str) -> bool {
        match self.values.get(name) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s.eq_ignore_ascii_case("true") || s == "1",
            Some(Value::Number(n)) => n.as_i64().is_some_and(|n| n != 0),
            _ => false,
        }
    }

    /// A JSON parameter, given either as JSON or as a JSON-encoded string; `Err(())` when the
    /// string is not JSON.
    pub fn json(&self, name: &str) -> Result<Option<Value>, ()> {
        match self.values.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => serde_json::from_str(s).map(Some).map_err(|_| ()),
            Some(other) => Ok(Some(other.clone())),
        }
    }

    /// A JSON parameter decoded into `T`; `Err(())` when it is malformed.
    pub fn typed<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, ()> {
        match self.json(name)? {
            None => Ok(None),
            Some(value) => serde_json::from_value(value).map(Some).map_err(|_| ()),
        }
    }

    /// The uploaded file of a multipart part.
    pub fn file(&self, name: &str) -> Option<&UploadedFile> {
        self.files.get(name)
    }
}

/// The `boundary` parameter of a multipart content type.
fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|parameter| {
        let (key, value) = parameter.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

struct Part {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    bytes: Vec<u8>,
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|p| p + from)
}

fn malformed() -> ApiError {
    ApiError::bad_request("can't parse multipart/form-data")
}

/// Splits a `multipart/form-data` body (RFC 7578) into its parts.
fn parse_multipart(body: &[u8], boundary: &str) -> Result<Vec<Part>, ApiError> {
    let delimiter = format!("--{boundary}").into_bytes();
    let next_delimiter = format!("\r\n--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let mut pos = find(body, &delimiter, 0).ok_or_else(malformed)? + delimiter.len();
    loop {
        if body[pos..].starts_with(b"--") {
            return Ok(parts);
        }
        while matches!(body.get(pos), Some(b' ' | b'\t')) {
            pos += 1;
        }
        if !body[pos..].starts_with(b"\r\n") {
            return Err(malformed());
        }
        pos += 2;
        let headers_end = find(body, b"\r\n\r\n", pos).ok_or_else(malformed)?;
        let headers = String::from_utf8_lossy(&body[pos..headers_end]).into_owned();
        let content_start = headers_end + 4;
        let content_end = find(body, &next_delimiter, content_start).ok_or_else(malformed)?;
        let mut name = None;
        let mut file_name = None;
        let mut content_type = None;
        for line in headers.split("\r\n") {
            let Some((header, value)) = line.split_once(':') else {
                continue;
            };
            if header.trim().eq_ignore_ascii_case("content-disposition") {
                name = disposition_parameter(value, "name");
                file_name = disposition_parameter(value, "filename");
            } else if header.trim().eq_ignore_ascii_case("content-type") {
                content_type = Some(value.trim().to_owned());
            }
        }
        parts.push(Part {
            name: name.ok_or_else(malformed)?,
            file_name,
            content_type,
            bytes: body[content_start..content_end].to_vec(),
        });
        pos = content_end + next_delimiter.len();
    }
}

/// A parameter of a `Content-Disposition` header value, unquoted and percent-decoded.
fn disposition_parameter(value: &str, wanted: &str) -> Option<String> {
    let mut rest = value;
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].rsplit(';').next().unwrap_or_default().trim();
        let after = &rest[eq + 1..];
        let (raw, remaining) = if let Some(quoted) = after.strip_prefix('"') {
            let mut out = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((index, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            out.push(escaped);
                        }
                    }
                    '"' => {
                        end = index + 1;
                        break;
                    }
                    c => out.push(c),
                }
            }
            (out, &quoted[end.min(quoted.len())..])
        } else {
            let end = after.find(';').unwrap_or(after.len());
            (after[..end].trim().to_owned(), &after[end..])
        };
        if key.eq_ignore_ascii_case(wanted) {
            return Some(percent_decode(&raw));
        }
        rest = remaining;
    }
    None
}

/// Decodes `%XX` escapes (some clients escape non-ASCII file names); other text is kept.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_multipart_text_and_file_parts() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n42\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"document\"; filename=\"r%C3%A9port.csv\"\r\n\
Content-Type: text/csv\r\n\r\na,b\r\n1,2\r\n--XyZ--\r\n";
        let params =
            Params::from_request("", Some("multipart/form-data; boundary=XyZ"), body).unwrap();
        assert_eq!(params.int("chat_id"), Some(42));
        let file = params.file("document").unwrap();
        assert_eq!(file.file_name.as_deref(), Some("réport.csv"));
        assert_eq!(file.content_type.as_deref(), Some("text/csv"));
        assert_eq!(file.bytes, b"a,b\r\n1,2");
    }

    #[test]
    fn reads_query_form_and_json_encoded_values() {
        let params = Params::from_request(
            "offset=5",
            Some("application/x-www-form-urlencoded"),
            b"reply_markup=%7B%22inline_keyboard%22%3A%5B%5D%7D&flag=true",
        )
        .unwrap();
        assert_eq!(params.int("offset"), Some(5));
        assert!(params.flag("flag"));
        assert_eq!(
            params.json("reply_markup").unwrap(),
            Some(serde_json::json!({"inline_keyboard": []}))
        );
    }

    #[test]
    fn an_empty_json_body_means_no_parameters() {
        let params = Params::from_request("", Some("application/json"), b"").unwrap();
        assert!(!params.has("chat_id"));
    }
}
