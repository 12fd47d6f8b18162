//! FatSecret: /fatsecret/connect (request token, then FatSecret's authorize page) and
//! /fatsecret/callback (the access token), OAuth 1.0a three-legged.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use tracing::{info, warn};
use wellness_domain::{
    ChatId, ConnectionStatus, Credentials, Locale, OAUTH_STATE_TTL, OAuthState, Provider,
    StateRejected, UserId,
};

use crate::integrations::FatSecretIntegration;
use crate::pages::{failed_heading, not_configured, page, state_rejected};
use crate::state::AppState;

/// Attaches the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/fatsecret/connect", web::get().to(connect))
        .route("/fatsecret/callback", web::get().to(callback));
}

fn busy(locale: Locale) -> HttpResponse {
    let body = match locale {
        Locale::En => "The server is busy; send /connect_fatsecret again in a minute.",
        Locale::Uk => "Сервер зайнятий; надішли /connect_fatsecret ще раз за хвилину.",
    };
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        locale,
        &failed_heading(locale, Provider::Fatsecret),
        body,
    )
}

fn refused(locale: Locale) -> HttpResponse {
    let body = match locale {
        Locale::En => {
            "FatSecret did not accept the connection. Send /connect_fatsecret in the bot to try again."
        }
        Locale::Uk => {
            "FatSecret не прийняв під'єднання. Надішли /connect_fatsecret у боті, щоб спробувати знову."
        }
    };
    page(
        StatusCode::BAD_GATEWAY,
        locale,
        &failed_heading(locale, Provider::Fatsecret),
        body,
    )
}

async fn locale_of(fs: &FatSecretIntegration, user: UserId) -> Locale {
    match fs.users.get(user).await {
        Ok(Some(u)) => u.locale,
        _ => Locale::En,
    }
}

#[derive(Deserialize)]
struct ConnectQuery {
    state: Option<String>,
}

/// The link from the chat: uses the state once, asks FatSecret for a request token (kept
/// encrypted, bound to the user), and sends the browser to FatSecret's authorize page.
async fn connect(query: web::Query<ConnectQuery>, state: web::Data<AppState>) -> HttpResponse {
    let Some(fs) = state.fatsecret.as_ref() else {
        return not_configured(Provider::Fatsecret);
    };
    let Some(s) = query.state.as_deref() else {
        return state_rejected(Locale::En, Provider::Fatsecret, StateRejected::Unknown);
    };
    let pending = match fs
        .states
        .consume(Provider::Fatsecret, s, fs.clock.now())
        .await
    {
        Ok(Ok(pending)) => pending,
        Ok(Err(why)) => return state_rejected(Locale::En, Provider::Fatsecret, why),
        Err(e) => {
            warn!(error = %e, "cannot use a FatSecret state");
            return busy(Locale::En);
        }
    };
    let locale = locale_of(fs, pending.user_id).await;
    let (token, secret) = match fs.client.request_token(&fs.callback_url).await {
        Ok(pair) => pair,
        Err(e) => {
            warn!(error = %e, "FatSecret request token failed");
            return refused(locale);
        }
    };
    let waiting = OAuthState {
        state: wellness_whoop::new_state(),
        user_id: pending.user_id,
        provider: Provider::Fatsecret,
        expires_at: fs.clock.now() + OAUTH_STATE_TTL,
        request_token: Some((token.clone(), secret)),
    };
    if let Err(e) = fs.states.create(&waiting).await {
        warn!(error = %e, "cannot store a FatSecret request token");
        return busy(locale);
    }
    HttpResponse::Found()
        .insert_header(("Location", fs.client.authorize_url(&token)))
        .finish()
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
        return not_configured(Provider::Fatsecret);
    };
    let Some(token) = query.oauth_token.as_deref() else {
        return state_rejected(Locale::En, Provider::Fatsecret, StateRejected::Unknown);
    };
    // Single use, whatever the outcome: a declined or failed attempt needs a new link.
    let pending = match fs
        .states
        .consume_request_token(Provider::Fatsecret, token, fs.clock.now())
        .await
    {
        Ok(Ok(pending)) => pending,
        Ok(Err(why)) => return state_rejected(Locale::En, Provider::Fatsecret, why),
        Err(e) => {
            warn!(error = %e, "cannot use a FatSecret request token");
            return busy(Locale::En);
        }
    };
    let locale = locale_of(fs, pending.user_id).await;
    let (Some((request_token, request_secret)), Some(verifier), None) = (
        pending.request_token.as_ref(),
        query.oauth_verifier.as_deref(),
        query.denied.as_deref(),
    ) else {
        let body = match locale {
            Locale::En => {
                "You declined access, so nothing was connected. Send /connect_fatsecret in the bot to try again."
            }
            Locale::Uk => {
                "Доступ не надано, тож нічого не під'єднано. Надішли /connect_fatsecret у боті, щоб спробувати знову."
            }
        };
        return page(
            StatusCode::BAD_REQUEST,
            locale,
            &failed_heading(locale, Provider::Fatsecret),
            body,
        );
    };
    let tokens = match fs
        .client
        .access_token(request_token, request_secret, verifier)
        .await
    {
        Ok(tokens) => tokens,
        Err(e) => {
            warn!(error = %e, "FatSecret access token failed");
            return refused(locale);
        }
    };
    let credentials = Credentials {
        user_id: pending.user_id,
        provider: Provider::Fatsecret,
        tokens,
        external_user_id: None,
        status: ConnectionStatus::Active,
        updated_at: fs.clock.now(),
    };
    if let Err(e) = fs.credentials.save(&credentials).await {
        warn!(error = %e, "cannot store FatSecret tokens");
        return busy(locale);
    }
    info!(user = %pending.user_id, "FatSecret connected");
    let fs = fs.clone();
    tokio::spawn(async move {
        let (Ok(Some(user)), Some(messenger)) =
            (fs.users.get(pending.user_id).await, fs.messenger.as_ref())
        else {
            return;
        };
        let message = fs.presenter.render(
            user.locale,
            &wellness_domain::reply::Reply::one(wellness_domain::reply::Say::FatsecretConnected),
        );
        let _ = messenger
            .send(ChatId::private(user.telegram_id), &message)
            .await;
    });
    let (heading, body) = match locale {
        Locale::En => (
            "FatSecret is connected",
            "The food you log in the bot will also go to your FatSecret diary.",
        ),
        Locale::Uk => (
            "FatSecret під'єднано",
            "Їжа, яку ти записуєш у боті, потраплятиме й у щоденник FatSecret.",
        ),
    };
    page(StatusCode::OK, locale, heading, body)
}
