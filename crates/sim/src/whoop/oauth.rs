//! The OAuth 2 server: `GET /oauth/oauth2/auth` (checks, then the consent page or, with
//! auto-approve, straight back to the app), `POST /oauth/oauth2/auth/consent` (the page's
//! form) and `POST /oauth/oauth2/token` (authorization_code and refresh_token grants, client
//! credentials in the form body).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use actix_web::{HttpRequest, HttpResponse, web};

use super::config::WhoopUser;
use super::state::{AuthorizeOutcome, Consent, SimState};

pub(crate) const AUTHORIZE_PATH: &str = "/oauth/oauth2/auth";
pub(crate) const CONSENT_PATH: &str = "/oauth/oauth2/auth/consent";
pub(crate) const TOKEN_PATH: &str = "/oauth/oauth2/token";

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .route(AUTHORIZE_PATH, web::get().to(authorize))
        .route(CONSENT_PATH, web::post().to(consent))
        .route(TOKEN_PATH, web::post().to(token));
}

/// Decodes `a=1&b=2` (a query string or a form body); the first value of a name wins.
pub(crate) fn decode_pairs(encoded: &str) -> Option<Vec<(String, String)>> {
    web::Query::<Vec<(String, String)>>::from_query(encoded)
        .ok()
        .map(web::Query::into_inner)
}

fn to_map(pairs: Vec<(String, String)>) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for (key, value) in pairs {
        map.entry(key).or_insert(value);
    }
    map
}

async fn authorize(request: HttpRequest, state: web::Data<SimState>) -> HttpResponse {
    let params = to_map(decode_pairs(request.query_string()).unwrap_or_default());
    respond(state.authorize(&params), StatusCode::FOUND)
}

async fn consent(state: web::Data<SimState>, body: web::Bytes) -> HttpResponse {
    let form = to_map(
        std::str::from_utf8(&body)
            .ok()
            .and_then(decode_pairs)
            .unwrap_or_default(),
    );
    let consent_id = form
        .get("consent_id")
        .map(String::as_str)
        .unwrap_or_default();
    let allow = form.get("decision").map(String::as_str) == Some("allow");
    let user_id = form.get("user_id").and_then(|id| id.parse().ok());
    // After a form POST the browser must GET the redirect: 303.
    respond(
        state.decide(consent_id, allow, user_id),
        StatusCode::SEE_OTHER,
    )
}

fn respond(outcome: AuthorizeOutcome, redirect_status: StatusCode) -> HttpResponse {
    match outcome {
        AuthorizeOutcome::ErrorPage { status, message } => {
            HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST))
                .content_type("text/html; charset=utf-8")
                .body(error_page(&message))
        }
        AuthorizeOutcome::Redirect(url) => HttpResponse::build(redirect_status)
            .insert_header((LOCATION, url))
            .finish(),
        AuthorizeOutcome::Consent(screen) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((CACHE_CONTROL, "no-store"))
            .body(consent_page(
                &screen.consent_id,
                &screen.consent,
                &screen.signed_in,
                &screen.members,
            )),
    }
}

async fn token(request: HttpRequest, state: web::Data<SimState>, body: web::Bytes) -> HttpResponse {
    let is_form = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    let pairs = is_form
        .then(|| std::str::from_utf8(&body).ok().and_then(decode_pairs))
        .flatten();
    let answer = match pairs {
        Some(pairs) => state.token(&to_map(pairs)),
        None => super::state::TokenAnswer {
            status: 400,
            body: serde_json::json!({
                "error": "invalid_request",
                "error_description": "The request must be application/x-www-form-urlencoded.",
            }),
        },
    };
    HttpResponse::build(StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_REQUEST))
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(answer.body)
}

/// Escapes text for HTML content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn scope_label(scope: &str) -> &'static str {
    match scope {
        "read:recovery" => "Read your recovery",
        "read:cycles" => "Read your physiological cycles and day strain",
        "read:workout" => "Read your workouts",
        "read:sleep" => "Read your sleep",
        "read:profile" => "Read your name and email",
        "read:body_measurement" => "Read your height, weight and max heart rate",
        "offline" => "Keep access while you are away (refresh tokens)",
        _ => "Unknown permission",
    }
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;\
padding:0 1rem;line-height:1.5;color:#111;background:#fff}\
h1{font-size:1.5rem}button{font-size:1rem;padding:.6rem 1.2rem;margin-right:.5rem;\
border-radius:.4rem;border:2px solid #111;cursor:pointer}\
button:focus-visible,select:focus-visible{outline:3px solid #1565c0;outline-offset:2px}\
.allow{background:#111;color:#fff}.deny{background:#fff;color:#111}\
select{font-size:1rem;padding:.3rem}";

fn consent_page(
    consent_id: &str,
    consent: &Consent,
    signed_in: &WhoopUser,
    members: &[WhoopUser],
) -> String {
    let scopes: String = consent
        .scopes
        .iter()
        .map(|s| {
            format!(
                "<li>{} <code>{}</code></li>",
                escape(scope_label(s)),
                escape(s)
            )
        })
        .collect();
    let options: String = members
        .iter()
        .map(|m| {
            format!(
                "<option value=\"{id}\"{selected}>{first} {last} ({id})</option>",
                id = m.user_id,
                selected = if m.user_id == signed_in.user_id {
                    " selected"
                } else {
                    ""
                },
                first = escape(&m.first_name),
                last = escape(&m.last_name),
            )
        })
        .collect();
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>Authorize access to your WHOOP data (simulator)</title><style>{STYLE}</style></head>\
<body><main><h1>Allow access to your WHOOP data?</h1>\
<p>An app wants to:</p><ul>{scopes}</ul>\
<p>It will be sent back to <code>{redirect}</code>.</p>\
<form method=\"post\" action=\"{action}\">\
<input type=\"hidden\" name=\"consent_id\" value=\"{consent_id}\">\
<p><label for=\"user_id\">Signed in as</label>\
<select id=\"user_id\" name=\"user_id\">{options}</select></p>\
<p><button type=\"submit\" class=\"allow\" name=\"decision\" value=\"allow\">Allow</button>\
<button type=\"submit\" class=\"deny\" name=\"decision\" value=\"deny\">Deny</button></p>\
</form><p><small>WHOOP simulator: nothing here is a real WHOOP account.</small></p>\
</main></body></html>\n",
        redirect = escape(&consent.redirect_uri),
        action = CONSENT_PATH,
        consent_id = escape(consent_id),
    )
}

fn error_page(message: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>Authorization error (WHOOP simulator)</title><style>{STYLE}</style></head>\
<body><main><h1>This authorization request cannot be completed</h1>\
<p role=\"alert\">{}</p></main></body></html>\n",
        escape(message)
    )
}
