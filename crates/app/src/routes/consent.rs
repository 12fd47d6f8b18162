//! The steps of a connect link shared by WHOOP and FatSecret: the page naming the account,
//! Continue (which binds the attempt to this browser with a cookie), and reading that cookie
//! back at the provider's callback.
//!
//! Continue counts only from the page itself: the page sets a random nonce in a
//! `SameSite=Strict` cookie and puts the same nonce in its Continue link; a Continue whose
//! nonce does not match the cookie (a hand-made `go` link, another site sending the browser
//! there) just shows the page again. So nobody is taken to the provider without having been
//! shown whose Telegram account the link connects.

use actix_web::http::header::{CACHE_CONTROL, SET_COOKIE};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;
use wellness_domain::usecases::connect::Connect;
use wellness_texts::Texts;

use crate::pages;
use crate::security::cookie;

/// The cookie that binds an attempt to the browser that continued from the link.
pub const BROWSER_COOKIE: &str = "wellness_connect";
/// The cookie that proves Continue was pressed on the page naming the account.
pub const CONFIRM_COOKIE: &str = "wellness_confirm";

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
    req: &HttpRequest,
    connect: &Connect,
    texts: &Texts,
    query: LinkQuery,
    secure: bool,
) -> HttpResponse {
    let provider = connect.provider;
    let confirmed = match (query.go.as_deref(), cookie(req, CONFIRM_COOKIE)) {
        (Some(go), Some(nonce)) => {
            wellness_domain::constant_time_eq(go.as_bytes(), nonce.as_bytes())
        }
        _ => false,
    };
    if !confirmed {
        return preview(connect, texts, query.state.as_deref(), secure).await;
    }
    let browser = crate::security::random_key();
    let begun = connect.begin(query.state.as_deref(), &browser).await;
    let mut response = pages::begun(texts, provider, begun);
    if response.status().is_redirection() {
        // Back at the callback only (Lax: WHOOP's redirect is a top-level navigation), for
        // the 10 minutes an attempt lives.
        let path = format!("/{}/callback", provider.code());
        set_cookie(
            &mut response,
            BROWSER_COOKIE,
            &browser,
            &path,
            "Lax",
            secure,
        );
    }
    response
}

/// The page naming the account, with a fresh nonce in its Continue link and in a cookie.
async fn preview(
    connect: &Connect,
    texts: &Texts,
    state: Option<&str>,
    secure: bool,
) -> HttpResponse {
    let provider = connect.provider;
    let previewed = connect.preview(state).await;
    let nonce = crate::security::random_key();
    // The state was found in our table, so it is one of ours: URL-safe characters.
    let href = format!(
        "/{}/connect?state={}&go={nonce}",
        provider.code(),
        state.unwrap_or_default()
    );
    let mut response = pages::previewed(texts, provider, previewed, &href);
    if response.status().is_success() {
        let path = format!("/{}/connect", provider.code());
        set_cookie(
            &mut response,
            CONFIRM_COOKIE,
            &nonce,
            &path,
            "Strict",
            secure,
        );
        if let Ok(value) = "no-store".parse() {
            response.headers_mut().insert(CACHE_CONTROL, value);
        }
    }
    response
}

/// Adds a cookie that lives as long as an attempt (10 minutes), for `path` only.
fn set_cookie(
    response: &mut HttpResponse,
    name: &str,
    value: &str,
    path: &str,
    same_site: &str,
    secure: bool,
) {
    let secure = if secure { "; Secure" } else { "" };
    let cookie =
        format!("{name}={value}; Path={path}; Max-Age=600; HttpOnly; SameSite={same_site}{secure}");
    if let Ok(value) = cookie.parse() {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

/// The browser key the callback's request carries, if any.
pub fn browser(req: &HttpRequest) -> Option<String> {
    cookie(req, BROWSER_COOKIE)
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::COOKIE;
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
