//! The control surface over HTTP, for a simulator in another process (the standalone binary or
//! the sandbox). Everything the Rust API does is here too:
//!
//! | method and path                                       | body / query                          | answer |
//! |-------------------------------------------------------|---------------------------------------|--------|
//! | `POST /__sim/fatsecret/users`                         | `{"user":"ann"}`                      | `{"user","oauth_token","oauth_token_secret"}` (a fresh access token) |
//! | `POST /__sim/fatsecret/users/{user}/revoke`           |                                       | `{"revoked":N}` |
//! | `GET  /__sim/fatsecret/users/{user}/diary`            | `?date_int=`                          | `[SimFoodEntry]` |
//! | `POST /__sim/fatsecret/users/{user}/diary`            | `NewSimEntry` (`food_id`, `serving_id`, `number_of_units`, `meal`, `date_int`, `food_entry_name?`) | `SimFoodEntry` (made "in FatSecret's app") |
//! | `POST /__sim/fatsecret/auto-approve`                  | `{"user":"ann"}` or `{"user":null}`   | `{}` |
//! | `POST /__sim/fatsecret/request-tokens/{token}/approve`| `{"user":"ann"}`                      | `{"oauth_verifier"}` |
//! | `POST /__sim/fatsecret/faults`                        | `FaultRule`, e.g. `{"fault":{"kind":"error","code":9},"method":"food_entry.create","times":1}`; kinds `error`, `http_status{status}`, `timeout`, `garbage`, `store_then_timeout`, `store_then_status{status}` | `{}` |
//! | `DELETE /__sim/fatsecret/faults`                      |                                       | `{}` |
//! | `GET  /__sim/fatsecret/requests`                      |                                       | `[RecordedRequest]` |
//! | `GET  /__sim/fatsecret/foods`                         |                                       | `[SimFood]` |
//! | `GET  /__sim/fatsecret/state`                         |                                       | `SimSummary` |
//! | `POST /__sim/fatsecret/reset`                         |                                       | `{}` |

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::state::{FaultRule, NewSimEntry, SimState};

/// Where the control surface lives.
pub(crate) const PREFIX: &str = "/__sim/fatsecret";

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/users", web::post().to(create_user))
        .route("/users/{user}/revoke", web::post().to(revoke))
        .route("/users/{user}/diary", web::get().to(diary))
        .route("/users/{user}/diary", web::post().to(add_entry))
        .route("/auto-approve", web::post().to(auto_approve))
        .route("/request-tokens/{token}/approve", web::post().to(approve))
        .route("/faults", web::post().to(add_fault))
        .route("/faults", web::delete().to(clear_faults))
        .route("/requests", web::get().to(requests))
        .route("/foods", web::get().to(foods))
        .route("/state", web::get().to(summary))
        .route("/reset", web::post().to(reset));
}

fn bad_request(message: impl std::fmt::Display) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({ "error": message.to_string() }))
}

#[derive(Deserialize)]
struct UserBody {
    user: Option<String>,
}

async fn create_user(state: web::Data<SimState>, body: web::Json<UserBody>) -> HttpResponse {
    let Some(user) = body.user.as_deref().filter(|u| !u.is_empty()) else {
        return bad_request("user is required");
    };
    let tokens = state.issue_access_token(user);
    HttpResponse::Ok().json(json!({
        "user": user,
        "oauth_token": tokens.oauth_token,
        "oauth_token_secret": tokens.oauth_token_secret,
    }))
}

async fn revoke(state: web::Data<SimState>, user: web::Path<String>) -> HttpResponse {
    let revoked = state.revoke_user(&user);
    HttpResponse::Ok().json(json!({ "revoked": revoked }))
}

#[derive(Deserialize)]
struct DiaryQuery {
    date_int: Option<i64>,
}

async fn diary(
    state: web::Data<SimState>,
    user: web::Path<String>,
    query: web::Query<DiaryQuery>,
) -> HttpResponse {
    HttpResponse::Ok().json(state.entries(&user, query.date_int))
}

async fn add_entry(
    state: web::Data<SimState>,
    user: web::Path<String>,
    body: web::Json<NewSimEntry>,
) -> HttpResponse {
    match state.add_entry(&user, &body, true) {
        Ok(entry) => HttpResponse::Ok().json(entry),
        Err(error) => bad_request(error),
    }
}

async fn auto_approve(state: web::Data<SimState>, body: web::Json<UserBody>) -> HttpResponse {
    state.set_auto_approve(body.into_inner().user);
    HttpResponse::Ok().json(json!({}))
}

async fn approve(
    state: web::Data<SimState>,
    token: web::Path<String>,
    body: web::Json<UserBody>,
) -> HttpResponse {
    let user = body.user.clone().unwrap_or_else(|| "demo".to_owned());
    match state.approve(&token, &user) {
        Ok(verifier) => HttpResponse::Ok().json(json!({ "oauth_verifier": verifier })),
        Err(error) => bad_request(error),
    }
}

async fn add_fault(state: web::Data<SimState>, body: web::Json<FaultRule>) -> HttpResponse {
    state.add_fault(body.into_inner());
    HttpResponse::Ok().json(json!({}))
}

async fn clear_faults(state: web::Data<SimState>) -> HttpResponse {
    state.clear_faults();
    HttpResponse::Ok().json(json!({}))
}

async fn requests(state: web::Data<SimState>) -> HttpResponse {
    HttpResponse::Ok().json(state.requests())
}

async fn foods(state: web::Data<SimState>) -> HttpResponse {
    HttpResponse::Ok().json(state.foods())
}

async fn summary(state: web::Data<SimState>) -> HttpResponse {
    HttpResponse::Ok().json(state.summary())
}

async fn reset(state: web::Data<SimState>) -> HttpResponse {
    state.reset();
    HttpResponse::Ok().json(json!({}))
}
