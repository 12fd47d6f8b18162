//! Small HTML pages shown after OAuth redirects, in the user's language.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use wellness_domain::Locale;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A page with a heading and a line, answered with `status`.
pub fn page(status: StatusCode, locale: Locale, heading: &str, body: &str) -> HttpResponse {
    let lang = locale.code();
    let (heading, body) = (escape(heading), escape(body));
    let back = match locale {
        Locale::En => "You can close this page and go back to Telegram.",
        Locale::Uk => "Можна закрити цю сторінку й повернутися в Telegram.",
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
