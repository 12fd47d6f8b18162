//! Who calls the API: the Telegram user of the Mini App's init data, sent as
//! `Authorization: tma <initData>` and checked against the bot token
//! (`wellness_telegram::validate_init_data`). Anything else is a 401 that says nothing of why.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, web};
use wellness_domain::Locale;
use wellness_domain::usecases::dashboard::Visitor;

use super::ApiError;
use crate::state::AppState;

/// The scheme Telegram's documentation uses for init data in a header.
const SCHEME: &str = "tma ";

/// The validated caller.
#[derive(Debug, Clone)]
pub struct Caller(pub Visitor);

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(caller(req))
    }
}

fn caller(req: &HttpRequest) -> Result<Caller, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or(ApiError::Unauthorized)?;
    // No bot token (and no sandbox): nothing can be validated.
    let token = state
        .settings
        .telegram
        .bot_token
        .as_ref()
        .ok_or(ApiError::Unauthorized)?;
    let raw = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix(SCHEME))
        .ok_or(ApiError::Unauthorized)?;
    let max_age = chrono::Duration::from_std(state.settings.telegram.init_data_max_age)
        .map_err(|_| ApiError::Unauthorized)?;
    let user = wellness_telegram::validate_init_data(raw, token, chrono::Utc::now(), max_age)
        .map_err(|e| {
            tracing::debug!(reason = %e, "init data refused");
            ApiError::Unauthorized
        })?;
    Ok(Caller(Visitor {
        telegram_id: user.id,
        first_name: user.first_name,
        locale: Locale::from_language_code(user.language_code.as_deref()),
    }))
}
