//! OAuth 1.0a HMAC-SHA1 signatures (RFC 5849 §3.4), computed the way the server does: from the
//! parameters it received, the HTTP method and the URL the client was meant to sign.

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

/// Percent-encodes per RFC 3986 as OAuth requires: `A-Z a-z 0-9 - . _ ~` stay, every other byte
/// becomes `%XX` in upper-case hex (a space is `%20`, never `+`).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The signature base string: `METHOD&pct(url)&pct(sorted, encoded params)`. `params` are the
/// decoded request parameters without `oauth_signature` (and without `realm`).
pub fn base_string(http_method: &str, url: &str, params: &[(String, String)]) -> String {
    let mut encoded: Vec<(String, String)> = params
        .iter()
        .map(|(name, value)| (percent_encode(name), percent_encode(value)))
        .collect();
    encoded.sort();
    let normalized = encoded
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("&");
    format!(
        "{}&{}&{}",
        http_method.to_ascii_uppercase(),
        percent_encode(url),
        percent_encode(&normalized)
    )
}

/// `base64(HMAC-SHA1(pct(consumer_secret)&pct(token_secret), base_string))`; the token secret is
/// empty for consumer-only (two-legged) requests.
pub fn hmac_sha1_signature(
    http_method: &str,
    url: &str,
    params: &[(String, String)],
    consumer_secret: &str,
    token_secret: &str,
) -> String {
    let key = format!(
        "{}&{}",
        percent_encode(consumer_secret),
        percent_encode(token_secret)
    );
    let base = base_string(http_method, url, params);
    // HMAC accepts keys of any length, so this cannot fail.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    mac.update(base.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Compares two signatures without leaking where they differ.
pub(crate) fn same_signature(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn reproduces_the_rfc_5849_section_1_2_example() {
        let params = pairs(&[
            ("file", "vacation.jpg"),
            ("size", "original"),
            ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
            ("oauth_token", "nnch734d00sl2jdk"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131202"),
            ("oauth_nonce", "chapoH"),
        ]);
        let signature = hmac_sha1_signature(
            "GET",
            "http://photos.example.net/photos",
            &params,
            "kd94hf93k423kf44",
            "pfkkdhi9sl3r4s00",
        );
        assert_eq!(signature, "MdpQcU8iPSUjWoN/UDMsK2sui9I=");
    }

    #[test]
    fn encodes_spaces_as_percent_20_and_keeps_unreserved_characters() {
        assert_eq!(percent_encode("a b+c~d.e_f-g"), "a%20b%2Bc~d.e_f-g");
        assert_eq!(
            percent_encode("гречка"),
            "%D0%B3%D1%80%D0%B5%D1%87%D0%BA%D0%B0"
        );
    }

    #[test]
    fn compares_signatures_exactly() {
        assert!(same_signature("abc=", "abc="));
        assert!(!same_signature("abc=", "abd="));
        assert!(!same_signature("abc", "abc="));
    }
}
