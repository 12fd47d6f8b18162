//! OAuth 1.0a HMAC-SHA1 signing with `oauth1-request`.
//!
//! `oauth1-request` signs every parameter it is given but writes only the `oauth_*` ones to its
//! output, so the request's own parameters are encoded separately (with the same RFC 3986
//! encoding) and joined to them. Each signature gets a fresh nonce and the current timestamp,
//! and `oauth_version=1.0` is sent. The URL signed is exactly the URL the request goes to.

use std::num::NonZeroU64;

use oauth1_request as oauth;
use wellness_domain::model::Secret;

/// One request to sign.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OAuthRequest<'a> {
    /// "GET" or "POST".
    pub http_method: &'a str,
    /// The URL the request is sent to, without a query.
    pub url: &'a str,
    /// The request's own parameters (`method`, `format`, the method's arguments).
    pub params: &'a [(&'a str, String)],
    /// The token and its secret: an access token, or the request token when exchanging it.
    pub token: Option<(&'a str, &'a str)>,
    /// `oauth_callback`, for the request-token step.
    pub callback: Option<&'a str>,
    /// `oauth_verifier`, for the access-token step.
    pub verifier: Option<&'a str>,
}

/// Fixed nonce and timestamp, for reproducing published examples.
#[derive(Debug, Clone, Copy)]
struct Pinned<'a> {
    nonce: &'a str,
    timestamp: u64,
    version: bool,
}

/// Signs requests as one consumer.
#[derive(Clone)]
pub(crate) struct Signer {
    consumer_key: String,
    consumer_secret: Secret,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("consumer_key", &self.consumer_key)
            .finish_non_exhaustive()
    }
}

impl Signer {
    pub fn new(consumer_key: String, consumer_secret: Secret) -> Self {
        Self {
            consumer_key,
            consumer_secret,
        }
    }

    /// The request's parameters and the `oauth_*` ones with the signature, form-encoded: the
    /// body of a POST, or the query of a GET.
    pub fn sign(&self, request: &OAuthRequest<'_>) -> String {
        self.sign_with(request, None)
    }

    fn sign_with(&self, request: &OAuthRequest<'_>, pinned: Option<Pinned<'_>>) -> String {
        let list: oauth::ParameterList<&str, &str> = request
            .params
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        let client =
            oauth::Credentials::new(self.consumer_key.as_str(), self.consumer_secret.expose());
        let mut builder = oauth::Builder::<_, _>::new(client, oauth::HmacSha1::new());
        builder.version(true);
        if let Some((token, secret)) = request.token {
            builder.token(oauth::Credentials::new(token, secret));
        }
        builder.callback(request.callback);
        builder.verifier(request.verifier);
        if let Some(pinned) = pinned {
            builder.nonce(pinned.nonce);
            builder.timestamp(NonZeroU64::new(pinned.timestamp));
            builder.version(pinned.version);
        }
        let oauth_params = builder.to_form(request.http_method, request.url, &list);
        let own_params = oauth::to_form(&list);
        if own_params.is_empty() {
            oauth_params
        } else {
            format!("{own_params}&{oauth_params}")
        }
    }
}

/// Everything but RFC 3986's unreserved characters (letters, digits, `-._~`) is encoded, as
/// OAuth 1.0a's signature base string requires.
const OAUTH_ENCODE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// RFC 3986 percent-encoding (unreserved characters kept, space as `%20`).
pub(crate) fn percent_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, OAUTH_ENCODE).to_string()
}

/// Decodes an `application/x-www-form-urlencoded` body (`+` is a space).
pub(crate) fn decode_form(body: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(body.as_bytes())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form_value<'a>(form: &'a str, name: &str) -> Option<&'a str> {
        form.split('&')
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
    }

    #[test]
    fn reproduces_the_rfc_5849_section_1_2_example_signature() {
        let signer = Signer::new("dpf43f3p2l4k3l03".into(), Secret::new("kd94hf93k423kf44"));
        let params = [
            ("file", "vacation.jpg".to_owned()),
            ("size", "original".to_owned()),
        ];
        let request = OAuthRequest {
            http_method: "GET",
            url: "http://photos.example.net/photos",
            params: &params,
            token: Some(("nnch734d00sl2jdk", "pfkkdhi9sl3r4s00")),
            callback: None,
            verifier: None,
        };
        let pinned = Pinned {
            nonce: "chapoH",
            timestamp: 137_131_202,
            version: false,
        };
        let signed = signer.sign_with(&request, Some(pinned));
        assert_eq!(
            form_value(&signed, "oauth_signature"),
            Some("MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D")
        );
        assert!(signed.starts_with("file=vacation.jpg&size=original&oauth_"));
    }

    #[test]
    fn reproduces_twitters_published_example_with_oauth_version() {
        // developer.twitter.com, "Creating a signature": includes oauth_version=1.0.
        let signer = Signer::new(
            "xvz1evFS4wEEPTGEFPHBog".into(),
            Secret::new("kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw"),
        );
        let params = [
            ("include_entities", "true".to_owned()),
            (
                "status",
                "Hello Ladies + Gentlemen, a signed OAuth request!".to_owned(),
            ),
        ];
        let request = OAuthRequest {
            http_method: "POST",
            url: "https://api.twitter.com/1.1/statuses/update.json",
            params: &params,
            token: Some((
                "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
                "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
            )),
            callback: None,
            verifier: None,
        };
        let pinned = Pinned {
            nonce: "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
            timestamp: 1_318_622_958,
            version: true,
        };
        let signed = signer.sign_with(&request, Some(pinned));
        assert_eq!(
            form_value(&signed, "oauth_signature"),
            Some("hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D")
        );
        assert_eq!(
            form_value(&signed, "status"),
            Some("Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21")
        );
    }

    #[test]
    fn every_signature_has_a_fresh_nonce_version_and_timestamp() {
        let signer = Signer::new("key".into(), Secret::new("secret"));
        let params = [("method", "foods.search".to_owned())];
        let request = OAuthRequest {
            http_method: "GET",
            url: "http://127.0.0.1:1/rest/server.api",
            params: &params,
            token: None,
            callback: None,
            verifier: None,
        };
        let a = signer.sign(&request);
        let b = signer.sign(&request);
        assert_ne!(form_value(&a, "oauth_nonce"), form_value(&b, "oauth_nonce"));
        assert_eq!(form_value(&a, "oauth_version"), Some("1.0"));
        assert_eq!(form_value(&a, "oauth_signature_method"), Some("HMAC-SHA1"));
        assert!(form_value(&a, "oauth_timestamp").is_some());
        assert_eq!(form_value(&a, "oauth_token"), None);
        assert_eq!(form_value(&a, "method"), Some("foods.search"));
    }

    #[test]
    fn forms_decode_percent_escapes_and_plus_signs() {
        assert_eq!(
            decode_form("oauth_token=a%2Fb&x=1+2&callback_confirmed=true&bad=%zz%"),
            vec![
                ("oauth_token".to_owned(), "a/b".to_owned()),
                ("x".to_owned(), "1 2".to_owned()),
                ("callback_confirmed".to_owned(), "true".to_owned()),
                ("bad".to_owned(), "%zz%".to_owned()),
            ]
        );
        assert_eq!(percent_encode("a b/ж"), "a%20b%2F%D0%B6");
    }
}
