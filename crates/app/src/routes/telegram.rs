//! POST /telegram/webhook: check the secret, store the raw update (group-committed with the
//! other requests in flight), answer 200 once it is stored.

use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt as _;
use serde_json::json;
use wellness_domain::Stored;
use wellness_domain::ports::StorageError;
use wellness_postgres::RawUpdate;

use crate::security::constant_time_eq;
use crate::state::AppState;

/// Telegram never sends more; anything bigger is refused unread.
const MAX_BODY: usize = 1 << 20;

/// Attaches the route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/telegram/webhook", web::post().to(webhook));
}

fn bad_request(state: &AppState, reason: &str) -> HttpResponse {
    state.metrics.inc(
        "wellness_webhook_requests_total",
        &[("outcome", "bad_request")],
    );
    HttpResponse::BadRequest().json(json!({"ok": false, "error": reason}))
}

async fn webhook(
    req: HttpRequest,
    mut body: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Some(bot) = state.bot.as_ref() else {
        return HttpResponse::NotFound().finish();
    };
    let given = req
        .headers()
        .get("X-Telegram-Bot-Api-Secret-Token")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !constant_time_eq(given, bot.webhook_secret.expose().as_bytes()) {
        state.metrics.inc(
            "wellness_webhook_requests_total",
            &[("outcome", "unauthorized")],
        );
        return HttpResponse::Unauthorized()
            .json(json!({"ok": false, "error": "wrong secret token"}));
    }
    let mut bytes = Vec::with_capacity(1024);
    while let Some(chunk) = body.next().await {
        let Ok(chunk) = chunk else {
            return bad_request(&state, "the body could not be read");
        };
        if bytes.len() + chunk.len() > MAX_BODY {
            return bad_request(&state, "the body is over 1 MiB");
        }
        bytes.extend_from_slice(&chunk);
    }
    // The borrowing parse reads the whole body, so it is JSON when it succeeds; the text itself
    // is what is stored (jsonb parses it once more), never a re-serialised tree.
    let Ok((update_id, chat)) = wellness_telegram::routing_key(&bytes) else {
        return bad_request(&state, "not a Telegram update");
    };
    let Ok(payload) = String::from_utf8(bytes) else {
        return bad_request(&state, "not UTF-8");
    };
    let update = RawUpdate {
        update_id,
        chat_id: chat,
        payload,
    };
    // Answered once the batch holding this update has committed: 200 means stored.
    // Not stored in time: 503, and Telegram delivers it again. Should the batch commit after
    // all, the redelivery is a duplicate, acknowledged and stored once.
    let stored = tokio::time::timeout(bot.store_within, bot.writer.submit(update))
        .await
        .unwrap_or_else(|_| {
            Err(StorageError::Unavailable(
                "the database did not store the update in time".into(),
            ))
        });
    let (outcome, response) = match stored {
        Ok(Stored::New) => {
            bot.wake.notify_one();
            ("stored", HttpResponse::Ok().finish())
        }
        // A redelivery: acknowledged, ignored.
        Ok(Stored::Duplicate) => ("duplicate", HttpResponse::Ok().finish()),
        // Not stored: Telegram must deliver it again.
        Err(e) => {
            tracing::warn!(error = %e, update_id = %update_id, "update not stored");
            ("not_stored", HttpResponse::ServiceUnavailable().finish())
        }
    };
    state
        .metrics
        .inc("wellness_webhook_requests_total", &[("outcome", outcome)]);
    response
}
