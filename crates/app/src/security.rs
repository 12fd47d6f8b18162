//! Small pieces the routes share for secrets: comparisons that take the same time whatever the
//! input (the domain's one function, re-exported), fresh random keys, and reading a cookie.

use actix_web::HttpRequest;
use actix_web::http::header::COOKIE;
use base64::Engine as _;
pub use wellness_domain::constant_time_eq;

/// A fresh random key of 128 bits, URL-safe (22 characters): link states, OAuth 1.0a waiting
/// rows, the browser binding of a connection attempt, the sandbox's token and sessions.
pub fn random_key() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>())
}

/// The value of the cookie `wanted` the request carries, if any.
pub fn cookie(req: &HttpRequest, wanted: &str) -> Option<String> {
    req.headers()
        .get_all(COOKIE)
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value.to_owned())
}
