//! HTTP routes: `server.api` (`/rest/server.api`), the OAuth 1.0a endpoints (`/oauth/...`,
//! including the consent page) and the control surface (`/__sim/fatsecret/...`).
//!
//! Errors of `server.api` are HTTP 200 with `{"error":{"code":N,"message":".."}}` (XML when
//! `format=json` is missing). The OAuth endpoints are not documented to answer errors any
//! particular way: the simulator answers 401 with a `text/plain` body "`<message> (error N)`",
//! using the same codes (8 for a bad signature, 9 for an unknown request token, ...).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE, LOCATION};
use actix_web::{HttpRequest, HttpResponse, web};

use super::api;
use super::control;
use super::error::ApiError;
use super::signature::percent_encode;
use super::state::{Fault, Outcome, SimState, TokenRule};

const SERVER_API: &str = "/rest/server.api";
const REQUEST_TOKEN: &str = "/oauth/request_token";
const ACCESS_TOKEN: &str = "/oauth/access_token";
const AUTHORIZE: &str = "/oauth/authorize";
const BODY_LIMIT: usize = 256 * 1024;

/// Attaches every route of the FatSecret simulator.
pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .service(web::scope(control::PREFIX).configure(control::routes))
        .route(SERVER_API, web::get().to(server_api))
        .route(SERVER_API, web::post().to(server_api))
        .route(REQUEST_TOKEN, web::get().to(request_token))
        .route(REQUEST_TOKEN, web::post().to(request_token))
        .route(ACCESS_TOKEN, web::get().to(access_token))
        .route(ACCESS_TOKEN, web::post().to(access_token))
        .route(AUTHORIZE, web::get().to(authorize_page))
        .route(AUTHORIZE, web::post().to(authorize_decision));
}

/// Any other path.
pub(crate) async fn not_found() -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/plain; charset=utf-8")
        .body("Not Found")
}

fn decode_pairs(encoded: &str) -> Result<Vec<(String, String)>, String> {
    web::Query::<Vec<(String, String)>>::from_query(encoded)
        .map(web::Query::into_inner)
        .map_err(|e| format!("cannot decode parameters: {e}"))
}

/// Every parameter of a request: the query string, a form body, and an `Authorization: OAuth`
/// header (without `realm`), decoded, in that order.
fn request_params(request: &HttpRequest, body: &[u8]) -> Result<Vec<(String, String)>, String> {
    let mut params = decode_pairs(request.query_string())?;
    let is_form = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.split(';')
                .next()
                .is_some_and(|m| m.trim() == "application/x-www-form-urlencoded")
        });
    if is_form && !body.is_empty() {
        let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8".to_owned())?;
        params.extend(decode_pairs(text)?);
    }
    if let Some(header) = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        && let Some(rest) = header.strip_prefix("OAuth ")
    {
        for part in rest.split(',') {
            let Some((name, value)) = part.trim().split_once('=') else {
                continue;
            };
            if name == "realm" {
                continue;
            }
            let value = value.trim_matches('"');
            params.extend(decode_pairs(&format!("{name}={value}"))?);
        }
    }
    Ok(params)
}

fn first<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn json_answer(body: &serde_json::Value) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .body(body.to_string())
}

fn api_error(error: &ApiError, json: bool) -> HttpResponse {
    if json {
        json_answer(&error.to_json())
    } else {
        HttpResponse::Ok()
            .content_type("text/xml; charset=utf-8")
            .body(error.to_xml())
    }
}

fn text(status: StatusCode, body: impl Into<String>) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/plain; charset=utf-8")
        .body(body.into())
}

/// The answer a fault gives (after the call was carried out, for the storing kinds).
async fn fault_answer(state: &SimState, fault: &Fault, json: bool) -> HttpResponse {
    match fault {
        Fault::Error { code, message } => {
            let message = message
                .clone()
                .unwrap_or_else(|| stock_message(*code).to_owned());
            api_error(&ApiError::new(*code, message), json)
        }
        Fault::HttpStatus { status } | Fault::StoreThenStatus { status } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            text(status, status.canonical_reason().unwrap_or("Error"))
        }
        Fault::Timeout | Fault::StoreThenTimeout => {
            tokio::time::sleep(state.fault_hold()).await;
            text(StatusCode::GATEWAY_TIMEOUT, "Gateway Timeout")
        }
        Fault::Garbage => HttpResponse::Ok()
            .content_type("application/json")
            .body(GARBAGE),
    }
}

/// What a `Garbage` fault answers: neither JSON nor cut at a token boundary.
const GARBAGE: &str = "<html><body>502 Bad Gate";

fn stock_message(code: u32) -> &'static str {
    match code {
        2 => "Missing required oauth parameter",
        5 => "Invalid consumer key",
        6 => "Invalid/expired timestamp",
        7 => "Invalid/used nonce",
        8 => "Invalid signature",
        9 => "Invalid access token",
        _ => "An error occurred",
    }
}

async fn server_api(
    request: HttpRequest,
    body: web::Bytes,
    state: web::Data<SimState>,
) -> HttpResponse {
    let http_method = request.method().as_str().to_owned();
    if body.len() > BODY_LIMIT {
        return text(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large");
    }
    let params = match request_params(&request, &body) {
        Ok(params) => params,
        Err(error) => return text(StatusCode::BAD_REQUEST, error),
    };
    let method = first(&params, "method").unwrap_or_default().to_owned();
    let json = first(&params, "format").is_some_and(|f| f.eq_ignore_ascii_case("json"));

    let fault = state.take_fault(&method);
    if let Some(fault) = fault.as_ref().filter(|f| !f.stores()) {
        state.record(
            &http_method,
            SERVER_API,
            &params,
            None,
            Outcome::Fault {
                fault: fault.clone(),
            },
        );
        return fault_answer(&state, fault, json).await;
    }

    let verified = match state.verify(&http_method, SERVER_API, &params, api::token_rule(&method)) {
        Ok(verified) => verified,
        Err(error) => {
            tracing::debug!(code = error.code, %method, "fatsecret sim refused a call");
            state.record(
                &http_method,
                SERVER_API,
                &params,
                None,
                Outcome::Error { code: error.code },
            );
            return api_error(&error, json);
        }
    };
    let map: HashMap<String, String> = params.iter().rev().cloned().collect();
    let result = if method.is_empty() {
        Err(ApiError::missing("method"))
    } else if !json {
        Err(ApiError::new(
            1,
            "This simulator answers only format=json (FatSecret's default is XML)",
        ))
    } else if !api::is_known(&method) {
        Err(ApiError::new(1, format!("Unknown method: '{method}'")))
    } else {
        api::call(&state, &method, &map, verified.user.as_deref())
    };

    let outcome = match (&fault, &result) {
        (Some(fault), _) => Outcome::Fault {
            fault: fault.clone(),
        },
        (None, Ok(_)) => Outcome::Answered,
        (None, Err(error)) => Outcome::Error { code: error.code },
    };
    state.record(&http_method, SERVER_API, &params, verified.user, outcome);
    if let Some(fault) = &fault {
        return fault_answer(&state, fault, json).await;
    }
    match result {
        Ok(body) => json_answer(&body),
        Err(error) => api_error(&error, json),
    }
}

/// An OAuth endpoint's refusal: 401 with a text body.
fn oauth_refusal(error: &ApiError) -> HttpResponse {
    text(
        StatusCode::UNAUTHORIZED,
        format!("{} (error {})", error.message, error.code),
    )
}

fn form_answer(pairs: &[(&str, &str)]) -> HttpResponse {
    let body = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    HttpResponse::Ok()
        .content_type("application/x-www-form-urlencoded")
        .body(body)
}

/// Parses, applies faults, verifies; returns the params and who signed, or the answer.
async fn oauth_preamble(
    request: &HttpRequest,
    body: &[u8],
    state: &SimState,
    path: &str,
    rule: TokenRule,
) -> Result<(Vec<(String, String)>, Option<String>), HttpResponse> {
    let http_method = request.method().as_str().to_owned();
    let params = request_params(request, body).map_err(|e| text(StatusCode::BAD_REQUEST, e))?;
    let fault_name = path.trim_start_matches('/');
    if let Some(fault) = state.take_fault(fault_name) {
        state.record(
            &http_method,
            path,
            &params,
            None,
            Outcome::Fault {
                fault: fault.clone(),
            },
        );
        return Err(match &fault {
            Fault::Error { code, message } => oauth_refusal(&ApiError::new(
                *code,
                message
                    .clone()
                    .unwrap_or_else(|| stock_message(*code).to_owned()),
            )),
            other => fault_answer(state, other, true).await,
        });
    }
    match state.verify(&http_method, path, &params, rule) {
        Ok(verified) => Ok((params, verified.request_token)),
        Err(error) => {
            state.record(
                &http_method,
                path,
                &params,
                None,
                Outcome::Error { code: error.code },
            );
            Err(oauth_refusal(&error))
        }
    }
}

async fn request_token(
    request: HttpRequest,
    body: web::Bytes,
    state: web::Data<SimState>,
) -> HttpResponse {
    let params =
        match oauth_preamble(&request, &body, &state, REQUEST_TOKEN, TokenRule::NoToken).await {
            Ok((params, _)) => params,
            Err(answer) => return answer,
        };
    let method = request.method().as_str();
    let Some(callback) = first(&params, "oauth_callback").filter(|c| !c.is_empty()) else {
        let error = ApiError::missing_oauth("oauth_callback");
        state.record(
            method,
            REQUEST_TOKEN,
            &params,
            None,
            Outcome::Error { code: error.code },
        );
        return oauth_refusal(&error);
    };
    let tokens = state.issue_request_token(callback);
    state.record(method, REQUEST_TOKEN, &params, None, Outcome::Answered);
    form_answer(&[
        ("oauth_token", &tokens.oauth_token),
        ("oauth_token_secret", &tokens.oauth_token_secret),
        ("oauth_callback_confirmed", "true"),
    ])
}

async fn access_token(
    request: HttpRequest,
    body: web::Bytes,
    state: web::Data<SimState>,
) -> HttpResponse {
    let (params, request_token) = match oauth_preamble(
        &request,
        &body,
        &state,
        ACCESS_TOKEN,
        TokenRule::RequestToken,
    )
    .await
    {
        Ok(verified) => verified,
        Err(answer) => return answer,
    };
    let method = request.method().as_str();
    let verifier = first(&params, "oauth_verifier").unwrap_or_default();
    let result = match &request_token {
        _ if verifier.is_empty() => Err(ApiError::missing_oauth("oauth_verifier")),
        Some(token) => state.exchange(token, verifier),
        None => Err(ApiError::missing_oauth("oauth_token")),
    };
    match result {
        Ok(tokens) => {
            state.record(method, ACCESS_TOKEN, &params, None, Outcome::Answered);
            form_answer(&[
                ("oauth_token", &tokens.oauth_token),
                ("oauth_token_secret", &tokens.oauth_token_secret),
            ])
        }
        Err(error) => {
            state.record(
                method,
                ACCESS_TOKEN,
                &params,
                None,
                Outcome::Error { code: error.code },
            );
            oauth_refusal(&error)
        }
    }
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(status: StatusCode, title: &str, body: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(format!(
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{title} · FatSecret (simulated)</title>\n\
             <style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}\
             button{{font-size:1rem;padding:.5rem 1.25rem;margin-right:.5rem}}input{{font-size:1rem;padding:.25rem}}\
             :focus-visible{{outline:3px solid #1a73e8;outline-offset:2px}}</style>\n</head>\n<body>\n<main>\n\
             <h1>{title}</h1>\n{body}\n</main>\n</body>\n</html>\n",
            title = html_escape(title),
        ))
}

fn invalid_link() -> HttpResponse {
    page(
        StatusCode::BAD_REQUEST,
        "This link does not work",
        "<p>The authorization request is unknown, was already used, or has expired. Start the \
         connection again from the app.</p>",
    )
}

/// Where the browser goes after a decision: the callback with the token and verifier (or
/// `denied`), or, for `oob`, a page showing the verifier.
fn after_decision(callback: &str, pairs: &[(&str, &str)]) -> HttpResponse {
    if callback == "oob" {
        let verifier = pairs
            .iter()
            .find(|(k, _)| *k == "oauth_verifier")
            .map(|(_, v)| *v);
        return match verifier {
            Some(verifier) => page(
                StatusCode::OK,
                "Access allowed",
                &format!(
                    "<p>Enter this code in the app:</p>\n<p><strong id=\"verifier\">{}</strong></p>",
                    html_escape(verifier)
                ),
            ),
            None => page(
                StatusCode::OK,
                "Access denied",
                "<p>You can close this page.</p>",
            ),
        };
    }
    let query = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let separator = if callback.contains('?') { '&' } else { '?' };
    HttpResponse::SeeOther()
        .insert_header((LOCATION, format!("{callback}{separator}{query}")))
        .finish()
}

async fn authorize_page(request: HttpRequest, state: web::Data<SimState>) -> HttpResponse {
    let params = decode_pairs(request.query_string()).unwrap_or_default();
    let Some(token) = first(&params, "oauth_token") else {
        return invalid_link();
    };
    let Some(callback) = state.callback_of(token) else {
        return invalid_link();
    };
    if let Some(user) = state.auto_approver() {
        return match state.approve(token, &user) {
            Ok(verifier) => after_decision(
                &callback,
                &[("oauth_token", token), ("oauth_verifier", &verifier)],
            ),
            Err(_) => invalid_link(),
        };
    }
    let token = html_escape(token);
    page(
        StatusCode::OK,
        "Allow access to your FatSecret diary?",
        &format!(
            "<p>An app asks to read and write your FatSecret food diary. You can withdraw access \
             at any time in your FatSecret account settings.</p>\n\
             <form method=\"post\" action=\"{AUTHORIZE}\">\n\
             <input type=\"hidden\" name=\"oauth_token\" value=\"{token}\">\n\
             <p><label for=\"user\">Your FatSecret account</label><br>\n\
             <input id=\"user\" name=\"user\" value=\"demo\" required autocomplete=\"username\"></p>\n\
             <p><button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\n\
             <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></p>\n\
             </form>"
        ),
    )
}

async fn authorize_decision(body: web::Bytes, state: web::Data<SimState>) -> HttpResponse {
    let params = std::str::from_utf8(&body)
        .ok()
        .and_then(|text| decode_pairs(text).ok())
        .unwrap_or_default();
    let Some(token) = first(&params, "oauth_token") else {
        return invalid_link();
    };
    let Some(callback) = state.callback_of(token) else {
        return invalid_link();
    };
    let user = first(&params, "user")
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .unwrap_or("demo");
    if first(&params, "decision") == Some("allow") {
        match state.approve(token, user) {
            Ok(verifier) => after_decision(
                &callback,
                &[("oauth_token", token), ("oauth_verifier", &verifier)],
            ),
            Err(_) => invalid_link(),
        }
    } else {
        match state.deny(token) {
            Ok(()) => after_decision(&callback, &[("oauth_token", token), ("denied", token)]),
            Err(_) => invalid_link(),
        }
    }
}
