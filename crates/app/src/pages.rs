//! Small HTML pages shown after OAuth redirects, in the user's language.

use std::sync::atomic::{AtomicBool, Ordering};

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use wellness_domain::{Locale, Provider, StateRejected};

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Set once when the sandbox runs: its chat page is where the person goes back to.
static BACK_TO_SANDBOX: AtomicBool = AtomicBool::new(false);

/// Pages link back to /sandbox from now on.
#[cfg_attr(not(feature = "sandbox"), allow(dead_code))]
pub fn link_back_to_sandbox() {
    BACK_TO_SANDBOX.store(true, Ordering::Relaxed);
}

/// A page with a heading and a line, answered with `status`.
pub fn page(status: StatusCode, locale: Locale, heading: &str, body: &str) -> HttpResponse {
    let lang = locale.code();
    let (heading, body) = (escape(heading), escape(body));
    let back = match (locale, BACK_TO_SANDBOX.load(Ordering::Relaxed)) {
        (Locale::En, false) => "You can close this page and go back to Telegram.".to_owned(),
        (Locale::Uk, false) => "Можна закрити цю сторінку й повернутися в Telegram.".to_owned(),
        (Locale::En, true) => "<a href=\"/sandbox\">Back to the sandbox chat</a>".to_owned(),
        (Locale::Uk, true) => "<a href=\"/sandbox\">Назад до чату пісочниці</a>".to_owned(),
    };
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{heading} — wellness</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;\
         color:#1a1a1a;background:#fff;line-height:1.5}}h1{{font-size:1.4rem}}</style></head>\
         <body><main><h1>{heading}</h1><p>{body}</p><p>{back}</p></main></body></html>"
    );
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(html)
}

/// "WHOOP was not connected" / "FatSecret не під'єднано".
pub fn failed_heading(locale: Locale, provider: Provider) -> String {
    match locale {
        Locale::En => format!("{provider} was not connected"),
        Locale::Uk => format!("{provider} не під'єднано"),
    }
}

/// A connect link that cannot be used (forged, expired or already used): a 400 page.
pub fn state_rejected(locale: Locale, provider: Provider, why: StateRejected) -> HttpResponse {
    let command = format!("/connect_{}", provider.code());
    let body = match (locale, why) {
        (Locale::En, StateRejected::Expired) => {
            format!("This link has expired. Send {command} in the bot for a new one.")
        }
        (Locale::En, StateRejected::AlreadyUsed) => {
            format!("This link was already used. Send {command} in the bot for a new one.")
        }
        (Locale::En, StateRejected::Unknown) => {
            format!("This link is not valid. Send {command} in the bot for a new one.")
        }
        (Locale::Uk, StateRejected::Expired) => {
            format!("Термін дії посилання минув. Надішли {command} у боті, щоб отримати нове.")
        }
        (Locale::Uk, StateRejected::AlreadyUsed) => {
            format!("Це посилання вже використано. Надішли {command} у боті, щоб отримати нове.")
        }
        (Locale::Uk, StateRejected::Unknown) => {
            format!("Посилання недійсне. Надішли {command} у боті, щоб отримати нове.")
        }
    };
    page(
        StatusCode::BAD_REQUEST,
        locale,
        &failed_heading(locale, provider),
        &body,
    )
}

/// This server has no app registered with the provider: a 404 page.
pub fn not_configured(provider: Provider) -> HttpResponse {
    page(
        StatusCode::NOT_FOUND,
        Locale::En,
        &format!("{provider} is not available"),
        &format!("This server has no {provider} app configured."),
    )
}
