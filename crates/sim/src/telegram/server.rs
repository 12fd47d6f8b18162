//! HTTP routes: the Bot API (`/bot<token>/<method>`), file downloads
//! (`/file/bot<token>/<file_path>`) and the control surface (`/__sim/telegram/…`).

use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpRequest, HttpResponse, web};

use super::control;
use super::error::ApiError;
use super::faults::Fault;
use super::methods::Answer;
use super::params::Params;
use super::state::SimState;

/// Attaches every route of the Telegram simulator.
pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .service(web::scope(control::PREFIX).configure(control::routes))
        .route("/bot{token}/{method}", web::route().to(bot_method))
        .route("/file/bot{token}/{file_path:.*}", web::route().to(download));
}

/// Any other path: Telegram's 404.
pub(crate) async fn not_found() -> HttpResponse {
    respond(Err(ApiError::not_found()))
}

fn respond(result: Result<Answer, ApiError>) -> HttpResponse {
    match result {
        Ok(answer) => HttpResponse::Ok().json(answer.to_json()),
        Err(error) => {
            let status = StatusCode::from_u16(error.error_code).unwrap_or(StatusCode::BAD_REQUEST);
            HttpResponse::build(status).json(error.to_json())
        }
    }
}

async fn bot_method(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    payload: web::Payload,
    state: web::Data<SimState>,
) -> HttpResponse {
    let (token, method) = path.into_inner();
    let body = match payload
        .to_bytes_limited(state.config.max_upload_bytes)
        .await
    {
        Ok(Ok(body)) => body,
        Ok(Err(_)) => return respond(Err(ApiError::bad_request("can't read the request body"))),
        Err(_) => return respond(Err(ApiError::too_large())),
    };
    if token != state.config.token {
        return respond(Err(ApiError::unauthorized()));
    }
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    let params = match Params::from_request(request.query_string(), content_type, &body) {
        Ok(params) => params,
        Err(error) => return respond(Err(error)),
    };
    if let Some(fault) = state.take_fault(&method) {
        tracing::debug!(%method, ?fault, "bot API call failed on purpose");
        if fault == Fault::AnswerLost {
            // Done, whatever its outcome; the caller hears nothing of it.
            let _ = state.call(&method, &params).await;
        }
        return fault_answer(fault).await;
    }
    let result = state.call(&method, &params).await;
    if let Err(error) = &result {
        tracing::debug!(%method, %error, "bot API call refused");
    }
    respond(result)
}

/// A scripted failure (nothing was done, but for `AnswerLost`).
async fn fault_answer(fault: Fault) -> HttpResponse {
    match fault {
        Fault::Status { status } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            HttpResponse::build(status).json(serde_json::json!({
                "ok": false,
                "error_code": status.as_u16(),
                "description": status.canonical_reason().unwrap_or("Internal Server Error"),
            }))
        }
        Fault::Garbage => HttpResponse::Ok()
            .content_type("application/json")
            .body("<html><body>502 Bad Gate"),
        // The call was carried out; its answer is lost with the connection.
        Fault::AnswerLost => HttpResponse::Ok()
            .content_type("application/json")
            .body(crate::faults::DroppedBody),
        Fault::Hang { millis } => {
            tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
            HttpResponse::GatewayTimeout().json(serde_json::json!({
                "ok": false,
                "error_code": 504,
                "description": "Gateway Timeout",
            }))
        }
    }
}

async fn download(path: web::Path<(String, String)>, state: web::Data<SimState>) -> HttpResponse {
    let (token, file_path) = path.into_inner();
    if token != state.config.token {
        return respond(Err(ApiError::not_found()));
    }
    match state.download(&file_path) {
        Some(bytes) => HttpResponse::Ok()
            .content_type("application/octet-stream")
            .body(bytes),
        None => respond(Err(ApiError::not_found())),
    }
}
