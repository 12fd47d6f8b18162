//! The data API under `/developer/v2`: collections, records by id, the profile and body
//! measurements, and `DELETE /v2/user/access`. Every answer carries the `X-RateLimit-*`
//! headers (while limits are configured).

use actix_web::http::StatusCode;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{HttpRequest, HttpResponse, web};

use super::oauth::decode_pairs;
use super::state::{DataCall, Endpoint, SimState};

/// Where the data API lives, below the WHOOP root.
pub(crate) const PREFIX: &str = "/developer/v2";

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config.service(
        web::scope(PREFIX)
            .route("/activity/workout", web::get().to(workouts))
            .route("/activity/workout/{id}", web::get().to(workout))
            .route("/activity/sleep", web::get().to(sleeps))
            .route("/activity/sleep/{id}", web::get().to(sleep))
            .route("/recovery", web::get().to(recoveries))
            .route("/cycle", web::get().to(cycles))
            .route("/cycle/{id}", web::get().to(cycle))
            .route("/cycle/{id}/recovery", web::get().to(cycle_recovery))
            .route("/cycle/{id}/sleep", web::get().to(cycle_sleep))
            .route("/user/profile/basic", web::get().to(profile))
            .route("/user/measurement/body", web::get().to(body))
            .route("/user/access", web::delete().to(revoke))
            .default_service(web::to(not_found)),
    );
}

/// Any other path.
pub(crate) async fn not_found() -> HttpResponse {
    HttpResponse::NotFound().json(serde_json::json!({ "error": "Not Found" }))
}

fn id(request: &HttpRequest) -> String {
    request
        .match_info()
        .get("id")
        .unwrap_or_default()
        .to_owned()
}

async fn workouts(request: HttpRequest, state: web::Data<SimState>) -> HttpResponse {
    serve(request, state, Endpoint::Workouts).await
}

async fn workout(request: HttpRequest, state: web::Data<SimState>) -> HttpResponse {
    let endpoint = Endpoint::Workout(id(&request));
    serve(request, state, endpoint).await
}

async fn sleeps(request: HttpRequest, state: web::Data<SimState>) -> HttpResponse {
    serve(request, state, Endpoint::Sleeps).await
}

async fn sleep(request: HttpRequest, state: web::Data<SimState>) -> HttpResponse {
    let endpoint = Endpoint::Sleep(id(&request));
    serve(request, state, endpoint).await
}

async fn recoveries(request: HttpRequest, state: web::Data<SimState>) -> HttpResponse {
    serve(request, state, Endpoint::Recoveries).await
}

async fn cycles(request: HttpRequest, state: web::Data<SimState>) -> HttpResponse {
    serve(request, state, Endpoint::Cycles).await
}

async fn cycle(request: HttpRequest, state: web::Data<SimState>) -> HttpResponse {
    let endpoint = Endpoint::Cycle(id(&request));
    serve(request, state, endpoint).await
}

async fn cycle_recovery(request: HttpRequest, state: web::Data<SimState>) -> HttpResponse {
    let endpoint = Endpoint::CycleRecovery(id(&request));
    serve(request, state, endpoint).await
}

async fn cycle_sleep(request: HttpRequest, state: web::Data<SimState>) -> HttpResponse {
    let endpoint = Endpoint::CycleSleep(id(&request));
    serve(request, state, endpoint).await
}

async fn profile(request: HttpRequest, state: web::Data<SimState>) -> HttpResponse {
    serve(request, state, Endpoint::Profile).await
}

async fn body(request: HttpRequest, state: web::Data<SimState>) -> HttpResponse {
    serve(request, state, Endpoint::Body).await
}

async fn revoke(request: HttpRequest, state: web::Data<SimState>) -> HttpResponse {
    serve(request, state, Endpoint::RevokeAccess).await
}

async fn serve(
    request: HttpRequest,
    state: web::Data<SimState>,
    endpoint: Endpoint,
) -> HttpResponse {
    let delay = state.read(|inner| inner.delay) + state.take_hang().unwrap_or_default();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let bearer = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, token) = value.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_owned())
        });
    let answer = state.data_call(DataCall {
        method: request.method().to_string(),
        path: request.path().to_owned(),
        query: decode_pairs(request.query_string()).unwrap_or_default(),
        bearer,
        endpoint,
    });
    let mut response = HttpResponse::build(
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
    );
    if let Some(quota) = answer.quota {
        response
            .insert_header(("X-RateLimit-Limit", quota.limit))
            .insert_header(("X-RateLimit-Remaining", quota.remaining.to_string()))
            .insert_header(("X-RateLimit-Reset", quota.reset_secs.to_string()));
    }
    if answer.garbage {
        // Cut off mid-record, as a proxy that dropped the connection would leave it.
        return response
            .content_type("application/json")
            .body(r#"{"records":[{"id":"#);
    }
    match answer.body {
        Some(body) => response.json(body),
        None => response.finish(),
    }
}
