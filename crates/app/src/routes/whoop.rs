//! WHOOP: /whoop/connect (to WHOOP's consent page), /whoop/callback (tokens), /whoop/webhook.

use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use tracing::warn;
use wellness_domain::Provider;
use wellness_domain::usecases::connect::CallbackParams;

use crate::pages::{self, not_configured};
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

/// The link from the chat: a valid state goes on to WHOOP's consent page.
async fn connect(query: web::Query<ConnectQuery>, state: web::Data<AppState>) -> HttpResponse {
    let Some(whoop) = state.whoop.as_ref() else {
        return not_configured(&state.texts, Provider::Whoop);
    };
    let begun = whoop.connect.begin(query.state.as_deref()).await;
    pages::begun(&state.texts, Provider::Whoop, begun)
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// WHOOP sends the browser back with a code (or an error): the connection is completed for the
/// user the state was issued to, then the chat hears of it and the first sync runs (queued tasks).
async fn callback(query: web::Query<CallbackQuery>, state: web::Data<AppState>) -> HttpResponse {
    let Some(whoop) = state.whoop.as_ref() else {
        return not_configured(&state.texts, Provider::Whoop);
    };
    let query = query.into_inner();
    let completed = whoop
        .connect
        .complete(&CallbackParams {
            key: query.state,
            grant: query.code,
            declined: query.error.is_some(),
        })
        .await;
    pages::completed(&state.texts, &completed)
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
        whoop.connect.clock.now(),
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
