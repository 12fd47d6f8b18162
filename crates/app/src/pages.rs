//! The pages a browser shows after a connect link: the domain's typed outcome, its words from
//! the Fluent resources (`wellness-texts`), HTML from an askama template that escapes every
//! value, sent with security headers.

use std::sync::atomic::{AtomicBool, Ordering};

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;
use tracing::{info, warn};
use wellness_domain::Provider;
use wellness_domain::usecases::connect::{
    Begun, Completed, ConnectionOutcome, ConnectionPage, Previewed,
};
use wellness_texts::{PageText, Texts};

/// Set once when the sandbox runs: its chat page is where the person goes back to.
static BACK_TO_SANDBOX: AtomicBool = AtomicBool::new(false);

/// Pages link back to /sandbox from now on.
#[cfg_attr(not(feature = "sandbox"), allow(dead_code))]
pub fn link_back_to_sandbox() {
    BACK_TO_SANDBOX.store(true, Ordering::Relaxed);
}

fn sandbox() -> bool {
    BACK_TO_SANDBOX.load(Ordering::Relaxed)
}

/// What every page is sent with: nothing may load from elsewhere, run a script, be framed or
/// be sniffed as another type; the address (with its single-use state) is not passed on.
pub const PAGE_HEADERS: [(&str, &str); 4] = [
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
];

/// What the Mini App's page and assets are sent with: its own script and style, Telegram's
/// script (which the page works without), requests to this server only. Telegram Web shows Mini
/// Apps in a frame, so web.telegram.org may frame it (no `X-Frame-Options`: it cannot name an
/// origin, and `frame-ancestors` supersedes it).
pub const MINI_APP_HEADERS: [(&str, &str); 3] = [
    (
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self' https://telegram.org; style-src 'self'; \
         connect-src 'self'; base-uri 'none'; form-action 'none'; \
         frame-ancestors https://web.telegram.org",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
];

#[derive(Template)]
#[template(path = "page.html")]
struct Page<'a> {
    text: &'a PageText,
    back_to_sandbox: bool,
    /// Where the page's one button (`text.action`) leads.
    action_href: Option<&'a str>,
}

/// The page after a step of the connect flow.
pub fn connection_page(texts: &Texts, page: &ConnectionPage) -> HttpResponse {
    let status = match page.outcome {
        ConnectionOutcome::Connected => StatusCode::OK,
        ConnectionOutcome::Declined | ConnectionOutcome::Rejected(_) => StatusCode::BAD_REQUEST,
        ConnectionOutcome::AccountTaken => StatusCode::CONFLICT,
        ConnectionOutcome::ProviderFailed => StatusCode::BAD_GATEWAY,
        ConnectionOutcome::Busy => StatusCode::SERVICE_UNAVAILABLE,
    };
    html(status, &texts.connection_page(page, sandbox()))
}

/// The link from the chat: whom it connects, with a Continue to `continue_href`, or a page
/// saying why there is nothing to continue.
pub fn previewed(
    texts: &Texts,
    provider: Provider,
    previewed: Previewed,
    continue_href: &str,
) -> HttpResponse {
    match previewed {
        Previewed::Confirm(confirmation) => {
            let text = texts.confirmation_page(&confirmation, sandbox());
            render(StatusCode::OK, &text, Some(continue_href))
        }
        Previewed::Stopped { page, problem } => {
            if let Some(problem) = problem {
                warn!(%provider, %problem, "connect link not shown");
            }
            connection_page(texts, &page)
        }
    }
}

/// Continue: to the provider, or a page saying why not.
pub fn begun(texts: &Texts, provider: Provider, begun: Begun) -> HttpResponse {
    match begun {
        Begun::Redirect(url) => HttpResponse::Found()
            .insert_header(("Location", url))
            .insert_header(("Referrer-Policy", "no-referrer"))
            .finish(),
        Begun::Page { page, problem } => {
            if let Some(problem) = problem {
                warn!(%provider, %problem, "connect link not followed");
            }
            connection_page(texts, &page)
        }
    }
}

/// The provider's callback: the page, and the problem (if any) in the log.
pub fn completed(texts: &Texts, completed: &Completed) -> HttpResponse {
    if let Some(problem) = &completed.problem {
        warn!(provider = %completed.page.provider, %problem, "connecting went wrong");
    }
    if let Some(user) = &completed.connected {
        info!(user = %user.id, "{} connected", completed.page.provider);
    }
    connection_page(texts, &completed.page)
}

/// This server has no app registered with the provider: a 404 page.
pub fn not_configured(texts: &Texts, provider: Provider) -> HttpResponse {
    html(
        StatusCode::NOT_FOUND,
        &texts.not_configured_page(provider, sandbox()),
    )
}

fn html(status: StatusCode, text: &PageText) -> HttpResponse {
    render(status, text, None)
}

fn render(status: StatusCode, text: &PageText, action_href: Option<&str>) -> HttpResponse {
    let page = Page {
        text,
        back_to_sandbox: sandbox(),
        action_href,
    };
    match page.render() {
        Ok(body) => {
            let mut response = HttpResponse::build(status);
            for header in PAGE_HEADERS {
                response.insert_header(header);
            }
            response.content_type("text/html; charset=utf-8").body(body)
        }
        Err(e) => {
            warn!(error = %e, "a page did not render");
            HttpResponse::InternalServerError().finish()
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::body::MessageBody as _;
    use wellness_domain::{Locale, StateRejected};

    use super::*;

    fn body(response: HttpResponse) -> String {
        let bytes = response.into_body().try_into_bytes().unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[test]
    fn every_outcome_has_its_status_words_and_security_headers() {
        let texts = Texts::load().unwrap();
        let cases = [
            (ConnectionOutcome::Connected, 200, "WHOOP під'єднано"),
            (ConnectionOutcome::Declined, 400, "Доступ не надано"),
            (
                ConnectionOutcome::Rejected(StateRejected::Expired),
                400,
                "Термін дії посилання минув. Надішли /connect_whoop у боті",
            ),
            (ConnectionOutcome::ProviderFailed, 502, "WHOOP не прийняв"),
            (ConnectionOutcome::Busy, 503, "Сервер зайнятий"),
        ];
        for (outcome, status, words) in cases {
            let page = ConnectionPage {
                provider: Provider::Whoop,
                locale: Locale::Uk,
                outcome,
            };
            let response = connection_page(&texts, &page);
            assert_eq!(response.status().as_u16(), status, "{outcome:?}");
            for (name, value) in PAGE_HEADERS {
                assert_eq!(response.headers().get(name).unwrap(), value);
            }
            let html = body(response);
            assert!(html.contains("<html lang=\"uk\">"), "{html}");
            // The template escapes: Ukrainian apostrophes are entities in the markup.
            assert!(shown(&html).contains(words), "{outcome:?}: {html}");
        }
    }

    /// The text as a browser shows it (askama writes `<` as `&#60;`, `&` as `&#38;`, ...).
    fn shown(html: &str) -> String {
        [
            ("&#60;", "<"),
            ("&#62;", ">"),
            ("&#34;", "\""),
            ("&#39;", "'"),
            ("&#38;", "&"),
        ]
        .iter()
        .fold(html.to_owned(), |text, (entity, c)| text.replace(entity, c))
    }

    #[test]
    fn markup_in_a_text_is_escaped() {
        let text = PageText {
            lang: "en",
            heading: "<script>alert(1)</script>".into(),
            body: "a & b \"quoted\"".into(),
            next: "<b>next</b>".into(),
            action: Some("<i>go</i>".into()),
        };
        let html = body(render(
            StatusCode::OK,
            &text,
            Some("/whoop/connect?state=\"><script>&go=1"),
        ));
        for raw in ["<script>", "a & b", "\"quoted\"", "<b>", "<i>"] {
            assert!(!html.contains(raw), "{raw} unescaped in {html}");
        }
        let shown = shown(&html);
        for text in [
            "<h1><script>alert(1)</script></h1>",
            "<p>a & b \"quoted\"</p>",
            "<b>next</b>",
        ] {
            assert!(shown.contains(text), "{text} not shown in {html}");
        }
    }

    #[test]
    fn a_provider_without_an_app_is_a_404_in_english() {
        let response = not_configured(&Texts::load().unwrap(), Provider::Fatsecret);
        assert_eq!(response.status().as_u16(), 404);
        let html = body(response);
        assert!(html.contains("FatSecret is not available"), "{html}");
    }
}
