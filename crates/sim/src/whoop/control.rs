//! The control surface over HTTP, for a simulator in another process (the standalone binary or
//! the sandbox). Everything the Rust API does is here too:
//!
//! | method and path                                      | body                                   | answer |
//! |------------------------------------------------------|----------------------------------------|--------|
//! | `GET  /__sim/whoop/state`                            |                                        | counters and settings |
//! | `GET  /__sim/whoop/requests`                         |                                        | `[RequestLog]` of the data API |
//! | `POST /__sim/whoop/users`                            | `{"user_id":1,"email",..}`             | `{}` |
//! | `GET  /__sim/whoop/users/{id}/records`               |                                        | `{cycles,sleeps,recoveries,workouts}` |
//! | `POST /__sim/whoop/users/{id}/workouts`              | `{"start","end","sport_name"}`         | the new workout |
//! | `POST /__sim/whoop/users/{id}/tokens`                |                                        | tokens (all scopes) |
//! | `POST /__sim/whoop/users/{id}/expire-access-tokens`  |                                        | `{"expired":n}` |
//! | `POST /__sim/whoop/users/{id}/revoke`                |                                        | `{}` |
//! | `POST /__sim/whoop/records`                          | `{"type":"workout",...record}`         | the record |
//! | `POST /__sim/whoop/records/rescore`                  | `{"type":"sleep","id":"<uuid>"}`       | the record |
//! | `POST /__sim/whoop/records/score-state`              | `{"record":{..ref},"score_state":".."}` | the record |
//! | `POST /__sim/whoop/records/delete`                   | `{"type":"cycle","id":123}`            | the removed record |
//! | `POST /__sim/whoop/sign-in`                          | `{"user_id":1}`                        | `{}` |
//! | `POST /__sim/whoop/auto-approve`                     | `{"enabled":true}`                     | `{}` |
//! | `POST /__sim/whoop/too-many-requests`                | `{"count":1,"reset":3}` (no reset: no headers) | `{}` |
//! | `POST /__sim/whoop/server-errors`                    | `{"count":1,"status":500}`             | `{}` |
//! | `POST /__sim/whoop/garbage`                          | `{"count":1}`                          | `{}` |
//! | `POST /__sim/whoop/hangs`                            | `{"count":1,"ms":35000}`               | `{}` |
//! | `POST /__sim/whoop/delay`                            | `{"ms":250}`                           | `{}` |
//! | `PUT  /__sim/whoop/webhook-url`                      | `{"url":"https://..."}` or `{"url":null}` | `{}` |
//! | `POST /__sim/whoop/webhooks`                         | `{"user_id":1,"type":"sleep.updated","id":".."}` | the last `DeliveryAttempt` |
//! | `GET  /__sim/whoop/webhooks`                         |                                        | every `DeliveryAttempt` |
//! | `POST /__sim/whoop/reset-stats`                      |                                        | `{}` |

use std::time::Duration;

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use super::config::WhoopUser;
use super::error::SimError;
use super::records::{Record, RecordRef, ScoreState};
use super::state::{SimState, WhoopStats, new_workout};
use super::webhook::{WebhookNotice, WebhookType};

/// Where the control surface lives.
pub(crate) const PREFIX: &str = "/__sim/whoop";

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/state", web::get().to(summary))
        .route("/requests", web::get().to(requests))
        .route("/users", web::post().to(add_user))
        .route("/users/{id}/records", web::get().to(records))
        .route("/users/{id}/workouts", web::post().to(add_workout))
        .route("/users/{id}/tokens", web::post().to(issue_tokens))
        .route(
            "/users/{id}/expire-access-tokens",
            web::post().to(expire_access_tokens),
        )
        .route("/users/{id}/revoke", web::post().to(revoke))
        .route("/records", web::post().to(upsert))
        .route("/records/rescore", web::post().to(rescore))
        .route("/records/score-state", web::post().to(score_state))
        .route("/records/delete", web::post().to(delete))
        .route("/sign-in", web::post().to(sign_in))
        .route("/auto-approve", web::post().to(auto_approve))
        .route("/too-many-requests", web::post().to(too_many_requests))
        .route("/server-errors", web::post().to(server_errors))
        .route("/garbage", web::post().to(garbage))
        .route("/hangs", web::post().to(hangs))
        .route("/delay", web::post().to(delay))
        .route("/webhook-url", web::put().to(webhook_url))
        .route("/webhooks", web::post().to(send_webhook))
        .route("/webhooks", web::get().to(deliveries))
        .route("/reset-stats", web::post().to(reset_stats));
}

fn failed(error: &SimError) -> HttpResponse {
    let body = json!({ "error": error.to_string() });
    match error {
        SimError::UnknownUser(_) | SimError::RecordNotFound(_) => {
            HttpResponse::NotFound().json(body)
        }
        SimError::UserExists(_) => HttpResponse::Conflict().json(body),
        _ => HttpResponse::BadRequest().json(body),
    }
}

fn answer<T: serde::Serialize>(result: Result<T, SimError>) -> HttpResponse {
    match result {
        Ok(value) => HttpResponse::Ok().json(value),
        Err(error) => failed(&error),
    }
}

fn done() -> HttpResponse {
    HttpResponse::Ok().json(json!({}))
}

async fn summary(state: web::Data<SimState>) -> HttpResponse {
    HttpResponse::Ok().json(state.summary())
}

async fn requests(state: web::Data<SimState>) -> HttpResponse {
    HttpResponse::Ok().json(state.read(|inner| inner.requests.clone()))
}

async fn add_user(state: web::Data<SimState>, body: web::Json<WhoopUser>) -> HttpResponse {
    answer(state.add_user(body.into_inner()).map(|()| json!({})))
}

async fn records(state: web::Data<SimState>, id: web::Path<i64>) -> HttpResponse {
    answer(state.records(id.into_inner()))
}

#[derive(Deserialize)]
struct NewWorkout {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    #[serde(default = "running")]
    sport_name: String,
}

fn running() -> String {
    "running".to_owned()
}

async fn add_workout(
    state: web::Data<SimState>,
    id: web::Path<i64>,
    body: web::Json<NewWorkout>,
) -> HttpResponse {
    let result = state.user(id.into_inner()).and_then(|user| {
        let workout = new_workout(&user, body.start, body.end, &body.sport_name);
        state.upsert(Record::Workout(workout))
    });
    answer(result)
}

async fn issue_tokens(state: web::Data<SimState>, id: web::Path<i64>) -> HttpResponse {
    answer(state.issue_tokens(id.into_inner()))
}

async fn expire_access_tokens(state: web::Data<SimState>, id: web::Path<i64>) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "expired": state.expire_access_tokens(id.into_inner()) }))
}

async fn revoke(state: web::Data<SimState>, id: web::Path<i64>) -> HttpResponse {
    state.revoke(id.into_inner());
    done()
}

async fn upsert(state: web::Data<SimState>, body: web::Json<Record>) -> HttpResponse {
    answer(state.upsert(body.into_inner()))
}

async fn rescore(state: web::Data<SimState>, body: web::Json<RecordRef>) -> HttpResponse {
    answer(state.rescore(&body))
}

#[derive(Deserialize)]
struct ScoreStateRequest {
    record: RecordRef,
    score_state: ScoreState,
}

async fn score_state(
    state: web::Data<SimState>,
    body: web::Json<ScoreStateRequest>,
) -> HttpResponse {
    answer(state.set_score_state(&body.record, body.score_state))
}

async fn delete(state: web::Data<SimState>, body: web::Json<RecordRef>) -> HttpResponse {
    answer(state.delete(&body))
}

#[derive(Deserialize)]
struct SignIn {
    user_id: i64,
}

async fn sign_in(state: web::Data<SimState>, body: web::Json<SignIn>) -> HttpResponse {
    answer(state.sign_in(body.user_id).map(|()| json!({})))
}

#[derive(Deserialize)]
struct AutoApprove {
    enabled: bool,
}

async fn auto_approve(state: web::Data<SimState>, body: web::Json<AutoApprove>) -> HttpResponse {
    state.write(|inner| inner.auto_approve = body.enabled);
    done()
}

#[derive(Deserialize)]
struct TooManyRequests {
    count: u32,
    reset: Option<u64>,
}

async fn too_many_requests(
    state: web::Data<SimState>,
    body: web::Json<TooManyRequests>,
) -> HttpResponse {
    state.force_too_many_requests(body.count, body.reset);
    done()
}

#[derive(Deserialize)]
struct ServerErrors {
    count: u32,
    #[serde(default = "internal_error")]
    status: u16,
}

fn internal_error() -> u16 {
    500
}

async fn server_errors(state: web::Data<SimState>, body: web::Json<ServerErrors>) -> HttpResponse {
    if !(500..=599).contains(&body.status) {
        return failed(&SimError::Config("status must be 5xx".to_owned()));
    }
    state.force_server_errors(body.count, body.status);
    done()
}

#[derive(Deserialize)]
struct Garbage {
    count: u32,
}

async fn garbage(state: web::Data<SimState>, body: web::Json<Garbage>) -> HttpResponse {
    state.force_garbage(body.count);
    done()
}

#[derive(Deserialize)]
struct Hangs {
    count: u32,
    ms: u64,
}

async fn hangs(state: web::Data<SimState>, body: web::Json<Hangs>) -> HttpResponse {
    state.force_hangs(body.count, Duration::from_millis(body.ms.min(600_000)));
    done()
}

#[derive(Deserialize)]
struct Delay {
    ms: u64,
}

async fn delay(state: web::Data<SimState>, body: web::Json<Delay>) -> HttpResponse {
    state.write(|inner| inner.delay = Duration::from_millis(body.ms.min(60_000)));
    done()
}

#[derive(Deserialize)]
struct WebhookUrl {
    url: Option<String>,
}

async fn webhook_url(state: web::Data<SimState>, body: web::Json<WebhookUrl>) -> HttpResponse {
    state.write(|inner| inner.webhook_url = body.into_inner().url);
    done()
}

#[derive(Deserialize)]
struct SendWebhook {
    user_id: i64,
    #[serde(rename = "type")]
    kind: WebhookType,
    id: serde_json::Value,
}

async fn send_webhook(state: web::Data<SimState>, body: web::Json<SendWebhook>) -> HttpResponse {
    let body = body.into_inner();
    let (reply, outcome) = tokio::sync::oneshot::channel();
    state.queue_webhook(
        WebhookNotice::new(body.user_id, body.kind, body.id),
        Some(reply),
    );
    match outcome.await {
        Ok(result) => answer(result),
        Err(_) => failed(&SimError::Webhook("the simulator stopped".to_owned())),
    }
}

async fn deliveries(state: web::Data<SimState>) -> HttpResponse {
    HttpResponse::Ok().json(state.read(|inner| inner.deliveries.clone()))
}

async fn reset_stats(state: web::Data<SimState>) -> HttpResponse {
    state.write(|inner| {
        inner.stats = WhoopStats::default();
        inner.requests.clear();
    });
    done()
}
