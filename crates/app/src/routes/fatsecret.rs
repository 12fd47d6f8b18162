//! FatSecret: /fatsecret/connect (request token, then FatSecret's authorize page) and
//! /fatsecret/callback (the access token), OAuth 1.0a three-legged.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use wellness_domain::Provider;
use wellness_domain::usecases::connect::CallbackParams;

use crate::pages::{self, not_configured};
use crate::state::AppState;

/// Attaches the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/fatsecret/connect", web::get().to(connect))
        .route("/fatsecret/callback", web::get().to(callback));
}

/// The link from the chat: the page naming the account; then (Continue) uses the state once,
/// asks FatSecret for a request token (kept encrypted, bound to the user and this browser), and
/// sends the browser to FatSecret's authorize page.
async fn connect(
    req: HttpRequest,
    query: web::Query<super::consent::LinkQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Some(fs) = state.fatsecret.as_ref() else {
        return not_configured(&state.texts, Provider::Fatsecret);
    };
    let secure = state.settings.public_base_url_is_https();
    super::consent::link(&req, &fs.connect, &state.texts, query.into_inner(), secure).await
}

#[derive(Deserialize)]
struct CallbackQuery {
    oauth_token: Option<String>,
    oauth_verifier: Option<String>,
    denied: Option<String>,
}

/// FatSecret sends the browser back: the request token is used once, traded for the user's
/// access token, and the tokens are stored encrypted.
async fn callback(
    req: HttpRequest,
    query: web::Query<CallbackQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Some(fs) = state.fatsecret.as_ref() else {
        return not_configured(&state.texts, Provider::Fatsecret);
    };
    let query = query.into_inner();
    // No verifier means FatSecret did not approve: the same page as an explicit denial.
    let declined = query.denied.is_some() || query.oauth_verifier.is_none();
    let completed = fs
        .connect
        .complete(&CallbackParams {
            key: query.oauth_token,
            grant: query.oauth_verifier,
            declined,
            browser: super::consent::browser(&req),
        })
        .await;
    pages::completed(&state.texts, &completed)
}
