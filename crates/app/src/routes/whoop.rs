//! WHOOP: /whoop/connect (to WHOOP's consent page), /whoop/callback (tokens), /whoop/webhook.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use tracing::{info, warn};
use wellness_domain::{ChatId, ConnectionStatus, Credentials, Locale, Provider, StateRejected};

use crate::integrations::WhoopIntegration;
use crate::pages::{failed_heading, not_configured, page, state_rejected};
use crate::state::AppState;

/// Attaches the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/whoop/connect", web::get().to(connect))
        .route("/whoop/callback", web::get().to(callback))
        .route("/whoop/webhook", web::post().to(webhook));
}

#[derive(Deserialize)]
struct ConnectQuery {
    state: Option<String>,
}

async fn locale_of(whoop: &WhoopIntegration, user: wellness_domain::UserId) -> Locale {
    match whoop.users.get(user).await {
        Ok(Some(u)) => u.locale,
        _ => Locale::En,
    }
}

async fn connect(query: web::Query<ConnectQuery>, state: web::Data<AppState>) -> HttpResponse {
    let Some(whoop) = state.whoop.as_ref() else {
        return not_configured(Provider::Whoop);
    };
    let Some(s) = query.state.as_deref() else {
        return state_rejected(Locale::En, Provider::Whoop, StateRejected::Unknown);
    };
    match whoop
        .states
        .check(Provider::Whoop, s, whoop.clock.now())
        .await
    {
        Ok(Ok(_)) => HttpResponse::Found()
            .insert_header(("Location", whoop.client.authorize_url(s)))
            .finish(),
        Ok(Err(why)) => state_rejected(Locale::En, Provider::Whoop, why),
        Err(e) => {
            warn!(error = %e, "cannot check a WHOOP state");
            page(
                StatusCode::SERVICE_UNAVAILABLE,
                Locale::En,
                "Please try again",
                "The server is busy; try the link again in a minute.",
            )
        }
    }
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

async fn callback(query: web::Query<CallbackQuery>, state: web::Data<AppState>) -> HttpResponse {
    let Some(whoop) = state.whoop.as_ref() else {
        return not_configured(Provider::Whoop);
    };
    let Some(s) = query.state.as_deref() else {
        return state_rejected(Locale::En, Provider::Whoop, StateRejected::Unknown);
    };
    // Single use, whatever the outcome: a declined or failed attempt needs a new link.
    let pending = match whoop
        .states
        .consume(Provider::Whoop, s, whoop.clock.now())
        .await
    {
        Ok(Ok(pending)) => pending,
        Ok(Err(why)) => return state_rejected(Locale::En, Provider::Whoop, why),
        Err(e) => {
            warn!(error = %e, "cannot use a WHOOP state");
            return page(
                StatusCode::SERVICE_UNAVAILABLE,
                Locale::En,
                "Please try again",
                "The server is busy; send /connect_whoop again in a minute.",
            );
        }
    };
    let locale = locale_of(whoop, pending.user_id).await;
    let failed = failed_heading(locale, Provider::Whoop);
    if query.error.is_some() {
        let body = match locale {
            Locale::En => {
                "You declined access, so nothing was connected. Send /connect_whoop in the bot to try again."
            }
            Locale::Uk => {
                "Доступ не надано, тож нічого не під'єднано. Надішли /connect_whoop у боті, щоб спробувати знову."
            }
        };
        return page(StatusCode::BAD_REQUEST, locale, &failed, body);
    }
    let Some(code) = query.code.as_deref() else {
        return state_rejected(locale, Provider::Whoop, StateRejected::Unknown);
    };
    let tokens = match whoop.client.exchange_code(code).await {
        Ok(tokens) => tokens,
        Err(e) => {
            warn!(error = %e, "WHOOP code exchange failed");
            let body = match locale {
                Locale::En => {
                    "WHOOP did not accept the connection. Send /connect_whoop in the bot to try again."
                }
                Locale::Uk => {
                    "WHOOP не прийняв під'єднання. Надішли /connect_whoop у боті, щоб спробувати знову."
                }
            };
            return page(StatusCode::BAD_GATEWAY, locale, &failed, body);
        }
    };
    let access = match &tokens {
        wellness_domain::Tokens::OAuth2 { access_token, .. } => Some(access_token.clone()),
        wellness_domain::Tokens::OAuth1 { .. } => None,
    };
    let external_user_id = match access {
        Some(a) => whoop.client.profile(&a).await.ok().map(|id| id.to_string()),
        None => None,
    };
    let credentials = Credentials {
        user_id: pending.user_id,
        provider: Provider::Whoop,
        tokens,
        external_user_id,
        status: ConnectionStatus::Active,
        updated_at: whoop.clock.now(),
    };
    if let Err(e) = whoop.credentials.save(&credentials).await {
        warn!(error = %e, "cannot store WHOOP tokens");
        return page(
            StatusCode::SERVICE_UNAVAILABLE,
            locale,
            &failed,
            "The server could not save the connection; please try again.",
        );
    }
    info!(user = %pending.user_id, "WHOOP connected");
    // Tell the chat, and fetch the first 30 days in the background.
    let whoop = whoop.clone();
    tokio::spawn(async move {
        let Ok(Some(user)) = whoop.users.get(pending.user_id).await else {
            return;
        };
        if let Some(ports) = whoop.ports() {
            let message = ports.presenter.render(
                user.locale,
                &wellness_domain::reply::Reply::one(wellness_domain::reply::Say::WhoopConnected),
            );
            let _ = ports
                .messenger
                .send(ChatId::private(user.telegram_id), &message)
                .await;
            match ports.sync(&user).await {
                Ok(report) => info!(user = %user.id, records = report.total(), "first WHOOP sync"),
                Err(e) => warn!(user = %user.id, error = %e, "first WHOOP sync failed"),
            }
        }
    });
    let (heading, body) = match locale {
        Locale::En => (
            "WHOOP is connected",
            "Your sleep, recovery and workouts will appear in /today.",
        ),
        Locale::Uk => (
            "WHOOP під'єднано",
            "Сон, відновлення й тренування з'являться в /today.",
        ),
    };
    page(StatusCode::OK, locale, heading, body)
}

async fn webhook(req: HttpRequest, body: web::Bytes, state: web::Data<AppState>) -> HttpResponse {
    let Some(whoop) = state.whoop.as_ref() else {
        return HttpResponse::NotFound().finish();
    };
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    let verified = wellness_whoop::verify_webhook(
        &whoop.client_secret,
        header(wellness_whoop::TIMESTAMP_HEADER),
        &body,
        header(wellness_whoop::SIGNATURE_HEADER),
        whoop.clock.now(),
        chrono::Duration::minutes(5),
    );
    if let Err(e) = verified {
        state
            .metrics
            .inc("wellness_whoop_webhooks_total", &[("outcome", "rejected")]);
        warn!(error = %e, "WHOOP webhook refused");
        return HttpResponse::Unauthorized().finish();
    }
    let Ok(event) = wellness_whoop::parse_webhook(&body) else {
        return HttpResponse::BadRequest().finish();
    };
    state
        .metrics
        .inc("wellness_whoop_webhooks_total", &[("outcome", "accepted")]);
    // Answer at once; the record is fetched (or deleted) after.
    let whoop = whoop.clone();
    tokio::spawn(async move {
        let Ok(Some(user_id)) = whoop
            .credentials
            .user_by_external_id(Provider::Whoop, &event.user_id.to_string())
            .await
        else {
            return;
        };
        let (Ok(Some(user)), Some(ports)) = (whoop.users.get(user_id).await, whoop.ports()) else {
            return;
        };
        let change = event.change();
        match tokio::time::timeout(Duration::from_secs(60), ports.apply_change(&user, &change))
            .await
        {
            Ok(Ok(_)) => {}
            // The hourly sync picks the record up later.
            Ok(Err(e)) => {
                warn!(error = %e, kind = ?change.kind, "WHOOP webhook record not applied")
            }
            Err(_) => warn!(kind = ?change.kind, "WHOOP webhook record fetch timed out"),
        }
    });
    HttpResponse::NoContent().finish()
}
