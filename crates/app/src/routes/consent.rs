//! The steps of a connect link shared by WHOOP and FatSecret: the page naming the account,
//! Continue (which binds the attempt to this browser with a cookie), and reading that cookie
//! back at the provider's callback.

use actix_web::http::header::{COOKIE, SET_COOKIE};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;
use wellness_domain::usecases::connect::Connect;
use wellness_texts::Texts;

use crate::pages;

/// The cookie that binds an attempt to the browser that continued from the link.
pub const BROWSER_COOKIE: &str = "wellness_connect";

/// The link's query: its state, and `go` once the person pressed Continue.
#[derive(Debug, Deserialize)]
pub struct LinkQuery {
    state: Option<String>,
    go: Option<String>,
}

/// `GET /{provider}/connect`: first the page naming the Telegram account with a Continue;
/// with `go`, on to the provider's consent page, this browser bound to the attempt.
/// `secure`: the public address is https, so the cookie is sent over https only.
pub async fn link(
    connect: &Connect,
    texts: &Texts,
    query: LinkQuery,
    secure: bool,
) -> HttpResponse {
    let provider = connect.provider;
    if query.go.is_none() {
        let previewed = connect.preview(query.state.as_deref()).await;
        let state = query.state.unwrap_or_default();
        return pages::previewed(texts, provider, previewed, &state);
    }
    let browser = crate::connect::new_key();
    let begun = connect.begin(query.state.as_deref(), &browser).await;
    let mut response = pages::begun(texts, provider, begun);
    if response.status().is_redirection() {
        // Back at the callback only (Lax: WHOOP's redirect is a top-level navigation), for
        // the 10 minutes an attempt lives.
        let cookie = format!(
            "{BROWSER_COOKIE}={browser}; Path=/{}/callback; Max-Age=600; HttpOnly; SameSite=Lax{}",
            provider.code(),
            if secure { "; Secure" } else { "" }
        );
        if let Ok(value) = cookie.parse() {
            response.headers_mut().insert(SET_COOKIE, value);
        }
    }
    response
}

/// The browser key the callback's request carries, if any.
pub fn browser(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get_all(COOKIE)
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == BROWSER_COOKIE)
        .map(|(_, value)| value.to_owned())
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn the_browser_key_is_read_from_its_cookie_among_others() {
        let req = TestRequest::default()
            .insert_header((COOKIE, "a=1; wellness_connect=key-123; b=2"))
            .to_http_request();
        assert_eq!(browser(&req).as_deref(), Some("key-123"));
        assert_eq!(browser(&TestRequest::default().to_http_request()), None);
    }
}
