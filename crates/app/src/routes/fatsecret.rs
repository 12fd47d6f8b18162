//! FatSecret: /fatsecret/connect (request token, then FatSecret's authorize page) and
//! /fatsecret/callback (the access token), OAuth 1.0a three-legged.

use actix_web::{HttpResponse, web};
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

#[derive(Deserialize)]
struct ConnectQuery {
    state: Option<String>,
}

/// The link from the chat: uses the state once, asks FatSecret for a request token (kept
/// encrypted, bound to the user), and sends the browser to FatSecret's authorize page.
async fn connect(query: web::Query<ConnectQuery>, state: web::Data<AppState>) -> HttpResponse {
    let Some(fs) = state.fatsecret.as_ref() else {
        return not_configured(&state.texts, Provider::Fatsecret);
    };
    let begun = fs.connect.begin(query.state.as_deref()).await;
    pages::begun(&state.texts, Provider::Fatsecret, begun)
}

#[derive(Deserialize)]
struct CallbackQuery {
    oauth_token: Option<String>,
    oauth_verifier: Option<String>,
    denied: Option<String>,
}

/// FatSecret sends the browser back: the request token is used once, traded for the user's
/// access token, and the tokens are stored encrypted.
async fn callback(query: web::Query<CallbackQuery>, state: web::Data<AppState>) -> HttpResponse {
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
        })
        .await;
    pages::completed(&state.texts, &completed)
}
