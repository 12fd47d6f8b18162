//! WHOOP: /whoop/connect (to WHOOP's consent page), /whoop/callback (tokens), /whoop/webhook.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use tracing::{info, warn};
use wellness_domain::Provider;
use wellness_domain::ports::{NewTask, StorageError, TaskKind};
use wellness_domain::usecases::connect::CallbackParams;
use wellness_whoop::{WebhookError, WebhookEvent};

use crate::integrations::WhoopIntegration;
use crate::pages::{self, not_configured};
use crate::state::AppState;

/// Attaches the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/whoop/connect", web::get().to(connect))
        .route("/whoop/callback", web::get().to(callback))
        .route("/whoop/webhook", web::post().to(webhook));
}

/// The link from the chat: the page naming the account, then (Continue) WHOOP's consent page.
async fn connect(
    req: HttpRequest,
    query: web::Query<super::consent::LinkQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Some(whoop) = state.whoop.as_ref() else {
        return not_configured(&state.texts, Provider::Whoop);
    };
    let secure = state.settings.public_base_url_is_https();
    super::consent::link(
        &req,
        &whoop.connect,
        &state.texts,
        query.into_inner(),
        secure,
    )
    .await
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// WHOOP sends the browser back with a code (or an error): the connection is completed for the
/// user the state was issued to, then the chat hears of it and the first sync runs (queued tasks).
async fn callback(
    req: HttpRequest,
    query: web::Query<CallbackQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
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
            browser: super::consent::browser(&req),
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
    let count = |outcome: &str| {
        state
            .metrics
            .inc("wellness_whoop_webhooks_total", &[("outcome", outcome)]);
    };
    if let Err(e) = verified {
        count("rejected");
        warn!(error = %e, "WHOOP webhook refused");
        return HttpResponse::Unauthorized().finish();
    }
    let event = match wellness_whoop::parse_webhook(&body) {
        Ok(event) => event,
        // Signed, so WHOOP's: a type we do not use is acknowledged, or WHOOP would retry it.
        Err(WebhookError::UnknownType(kind)) => {
            count("ignored");
            info!(%kind, "WHOOP webhook of a type we do not use");
            return HttpResponse::NoContent().finish();
        }
        Err(e) => {
            count("bad_request");
            warn!(error = %e, "WHOOP webhook body refused");
            return HttpResponse::BadRequest().finish();
        }
    };
    // Stored before it is acknowledged: a 5xx makes WHOOP deliver it again.
    match store(whoop, &event, header(wellness_whoop::TIMESTAMP_HEADER)).await {
        Ok(outcome) => {
            count(outcome);
            HttpResponse::NoContent().finish()
        }
        Err(e) => {
            count("not_stored");
            warn!(error = %e, "WHOOP webhook not stored");
            HttpResponse::ServiceUnavailable().finish()
        }
    }
}

/// Stores a signed notice of one of our users as a task, once per receipt; what became of it
/// ("accepted", "duplicate", "unknown_user").
async fn store(
    whoop: &WhoopIntegration,
    event: &WebhookEvent,
    timestamp: &str,
) -> Result<&'static str, StorageError> {
    let Some(user) = whoop
        .credentials
        .user_by_external_id(Provider::Whoop, &event.user_id.to_string())
        .await?
    else {
        return Ok("unknown_user");
    };
    // One receipt per (type, record, signed timestamp): a redelivery or a replay of the same
    // signed notice is acknowledged and queued once.
    let receipt = format!(
        "whoop:{:?}:{}:{}:{}",
        event.kind,
        if event.deleted { "deleted" } else { "updated" },
        event.id,
        timestamp
    );
    let task = NewTask {
        user,
        kind: TaskKind::WhoopChange(event.change()),
    };
    let queued = whoop.tasks.enqueue_once(&receipt, &task).await?;
    Ok(if queued { "accepted" } else { "duplicate" })
}
