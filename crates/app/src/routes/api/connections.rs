//! The Connections screen: the state of WHOOP and FatSecret, and a connect link made for the
//! visitor's own account. The link leads to the same confirmation page as the chat's
//! `/connect_whoop` (naming the Telegram account, with a Continue); made here, it never passes
//! through a chat, so a forwarded link cannot connect someone else's account to this one.

use actix_web::{HttpResponse, web};
use serde_json::json;
use wellness_domain::Provider;
use wellness_domain::ports::ConnectOffer;
use wellness_domain::reply::ConnectionState;

use super::auth::Caller;
use super::{ApiError, ok};
use crate::state::AppState;

fn state_code(state: ConnectionState) -> &'static str {
    match state {
        ConnectionState::NotConfigured => "not_configured",
        ConnectionState::NotConnected => "not_connected",
        ConnectionState::Connected => "connected",
        ConnectionState::Broken => "broken",
    }
}

/// `GET /api/v1/connections`.
pub async fn list(
    state: web::Data<AppState>,
    Caller(visitor): Caller,
) -> Result<HttpResponse, ApiError> {
    let statuses = state.dashboard.connections(&visitor).await?;
    Ok(ok(json!({
        "connections": statuses
            .iter()
            .map(|s| json!({"provider": s.provider.code(), "state": state_code(s.state)}))
            .collect::<Vec<_>>()
    })))
}

/// `POST /api/v1/connections/{whoop|fatsecret}`: `{"url": ...}` to open in the browser.
pub async fn start(
    state: web::Data<AppState>,
    Caller(visitor): Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let provider = Provider::from_code(&path).ok_or(ApiError::NotFound)?;
    match state.dashboard.connect(&visitor, provider).await? {
        ConnectOffer::Link(url) => Ok(ok(json!({"provider": provider.code(), "url": url}))),
        ConnectOffer::NotConfigured => Err(ApiError::NotConfigured),
    }
}
