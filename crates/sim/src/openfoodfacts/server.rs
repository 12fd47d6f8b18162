//! The product route and the control surface.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::products::only_fields;
use super::{Fault, FaultRule, Inner, RecordedRequest, SimProduct, SimState};

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/api/v2/product/{code}", web::get().to(product))
        .service(
            web::scope("/__sim/openfoodfacts")
                .route("/products", web::post().to(add_product))
                .route("/faults", web::post().to(add_fault))
                .route("/faults", web::delete().to(clear_faults))
                .route("/requests", web::get().to(requests))
                .route("/reset", web::post().to(reset)),
        );
}

#[derive(Deserialize)]
struct Query {
    fields: Option<String>,
}

fn html(status: StatusCode, title: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(format!(
            "<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
        ))
}

async fn product(
    state: web::Data<SimState>,
    req: HttpRequest,
    code: web::Path<String>,
    query: web::Query<Query>,
) -> HttpResponse {
    let code = code.trim_end_matches(".json").to_owned();
    let user_agent = req
        .headers()
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .filter(|ua| !ua.trim().is_empty());
    let answer = answer(
        &state,
        &req,
        &code,
        user_agent.is_some(),
        query.fields.as_deref(),
    )
    .await;
    state.lock().requests.push(RecordedRequest {
        code,
        user_agent,
        status: answer.status().as_u16(),
    });
    answer
}

async fn answer(
    state: &SimState,
    req: &HttpRequest,
    code: &str,
    has_user_agent: bool,
    fields: Option<&str>,
) -> HttpResponse {
    if state.config.require_user_agent && !has_user_agent {
        return html(
            StatusCode::FORBIDDEN,
            "Please send a User-Agent naming your app",
        );
    }
    let ip = req
        .peer_addr()
        .map_or_else(|| "?".to_owned(), |a| a.ip().to_string());
    if !state.allow_read(&ip) {
        return html(StatusCode::TOO_MANY_REQUESTS, "429 Too Many Requests");
    }
    let fault = state.lock().faults.take("product");
    match fault {
        Some(Fault::Status { status }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            return html(status, status.canonical_reason().unwrap_or("Error"));
        }
        Some(Fault::RateLimited) => {
            return html(StatusCode::TOO_MANY_REQUESTS, "429 Too Many Requests");
        }
        Some(Fault::Garbage) => {
            return HttpResponse::Ok()
                .content_type("application/json")
                .body("{\"code\":\"garbage\",\"product\":{\"product_name\":");
        }
        Some(Fault::Hang { millis }) => {
            tokio::time::sleep(Duration::from_millis(millis)).await;
            return html(StatusCode::GATEWAY_TIMEOUT, "504 Gateway Time-out");
        }
        None => {}
    }
    let found = state.lock().products.get(code).map(SimProduct::to_json);
    match found {
        Some(product) => HttpResponse::Ok().json(json!({
            "code": code,
            "product": only_fields(&product, fields),
            "status": 1,
            "status_verbose": "product found",
        })),
        None => HttpResponse::NotFound().json(json!({
            "code": code,
            "status": 0,
            "status_verbose": "product not found",
        })),
    }
}

async fn add_product(state: web::Data<SimState>, body: web::Json<SimProduct>) -> HttpResponse {
    let product = body.into_inner();
    state.lock().products.insert(product.code.clone(), product);
    HttpResponse::Ok().json(json!({}))
}

async fn add_fault(state: web::Data<SimState>, body: web::Json<FaultRule>) -> HttpResponse {
    state.lock().faults.add(body.into_inner());
    HttpResponse::Ok().json(json!({}))
}

async fn clear_faults(state: web::Data<SimState>) -> HttpResponse {
    state.lock().faults.clear();
    HttpResponse::Ok().json(json!({}))
}

async fn requests(state: web::Data<SimState>) -> HttpResponse {
    HttpResponse::Ok().json(&state.lock().requests)
}

async fn reset(state: web::Data<SimState>) -> HttpResponse {
    *state.lock() = Inner::default();
    HttpResponse::Ok().json(json!({}))
}
