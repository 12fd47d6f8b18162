//! The Mini App's data API under `/api/v1/`: JSON over the domain's dashboard
//! (`wellness_domain::usecases::dashboard`), each request authenticated by the Mini App's init
//! data ([`auth`]). Errors are JSON too: `{"error": "<code>", "message": "..."}`.

mod auth;
mod connections;
mod views;

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, HeaderValue};
use actix_web::{HttpResponse, ResponseError, web};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;
use wellness_domain::usecases::dashboard::{DateRange, SettingsUpdate};
use wellness_domain::{
    BriefingTimes, CalorieGoal, FoodEntryId, Grams, LocalDate, Locale, UserTimeZone,
};

use self::auth::Caller;
use crate::state::AppState;

/// Attaches the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .app_data(
                web::JsonConfig::default()
                    .limit(4096)
                    .error_handler(|e, _| {
                        ApiError::BadRequest(format!("the body is not the JSON expected: {e}"))
                            .into()
                    }),
            )
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                ApiError::BadRequest(format!("the query is not the one expected: {e}")).into()
            }))
            .route("/summary", web::get().to(summary))
            .route("/entries", web::get().to(entries))
            .route("/entries/{id}", web::patch().to(change_entry))
            .route("/entries/{id}", web::delete().to(delete_entry))
            .route("/settings", web::get().to(settings))
            .route("/settings", web::put().to(update_settings))
            .route("/connections", web::get().to(connections::list))
            .route(
                "/connections/{provider}",
                web::post().to(connections::start),
            )
            .default_service(web::to(|| async { ApiError::NotFound.error_response() })),
    );
}

/// What went wrong, as the API says it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No valid init data.
    #[error("unauthorized")]
    Unauthorized,
    /// The request is not one we serve; the message says why.
    #[error("{0}")]
    BadRequest(String),
    /// No such thing of this user's.
    #[error("not found")]
    NotFound,
    /// This deployment cannot do it (a provider without credentials).
    #[error("not configured")]
    NotConfigured,
    /// The database failed: try again.
    #[error("unavailable")]
    Unavailable,
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::NotConfigured => StatusCode::CONFLICT,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (code, message) = match self {
            ApiError::Unauthorized => ("unauthorized", "open this page from the bot".to_owned()),
            ApiError::BadRequest(why) => ("bad_request", why.clone()),
            ApiError::NotFound => ("not_found", "no such thing of yours".to_owned()),
            ApiError::NotConfigured => (
                "not_configured",
                "this bot cannot connect that service".to_owned(),
            ),
            ApiError::Unavailable => ("unavailable", "try again in a moment".to_owned()),
        };
        no_store(HttpResponse::build(self.status_code()))
            .json(json!({"error": code, "message": message}))
    }
}

impl From<wellness_domain::ports::StorageError> for ApiError {
    fn from(e: wellness_domain::ports::StorageError) -> Self {
        tracing::warn!(error = %e, "api: storage failed");
        ApiError::Unavailable
    }
}

/// Personal data: never cached on the way.
fn no_store(mut builder: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
    builder.insert_header((CACHE_CONTROL, HeaderValue::from_static("no-store")));
    builder
}

fn ok(body: impl serde::Serialize) -> HttpResponse {
    no_store(HttpResponse::Ok()).json(body)
}

fn date(text: &str, name: &str) -> Result<LocalDate, ApiError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(LocalDate::from_calendar)
        .map_err(|_| ApiError::BadRequest(format!("`{name}` must be a date as YYYY-MM-DD")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SummaryQuery {
    from: String,
    to: String,
}

async fn summary(
    state: web::Data<AppState>,
    Caller(visitor): Caller,
    query: web::Query<SummaryQuery>,
) -> Result<HttpResponse, ApiError> {
    let range = DateRange::new(date(&query.from, "from")?, date(&query.to, "to")?)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let days = state.dashboard.summary(&visitor, range).await?;
    Ok(ok(json!({
        "days": days.iter().map(views::day).collect::<Vec<_>>()
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntriesQuery {
    date: Option<String>,
}

async fn entries(
    state: web::Data<AppState>,
    Caller(visitor): Caller,
    query: web::Query<EntriesQuery>,
) -> Result<HttpResponse, ApiError> {
    let day = query.date.as_deref().map(|d| date(d, "date")).transpose()?;
    let day = state.dashboard.entries(&visitor, day).await?;
    Ok(ok(views::day_entries(&day)))
}

fn entry_id(path: &str) -> Result<FoodEntryId, ApiError> {
    path.parse::<i64>()
        .ok()
        .and_then(|id| FoodEntryId::new(id).ok())
        .ok_or(ApiError::NotFound)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryChange {
    grams: f64,
}

async fn change_entry(
    state: web::Data<AppState>,
    Caller(visitor): Caller,
    path: web::Path<String>,
    body: web::Json<EntryChange>,
) -> Result<HttpResponse, ApiError> {
    let id = entry_id(&path)?;
    let grams = Grams::new(body.grams).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let changed = state
        .dashboard
        .change_grams(&visitor, id, grams)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(ok(views::entry(&changed)))
}

async fn delete_entry(
    state: web::Data<AppState>,
    Caller(visitor): Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = entry_id(&path)?;
    state
        .dashboard
        .delete(&visitor, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(no_store(HttpResponse::NoContent()).finish())
}

async fn settings(
    state: web::Data<AppState>,
    Caller(visitor): Caller,
) -> Result<HttpResponse, ApiError> {
    let profile = state.dashboard.profile(&visitor).await?;
    Ok(ok(views::profile(&profile)))
}

/// Settings to change; absent fields stay as they are.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsBody {
    goal_kcal: Option<i64>,
    time_zone: Option<String>,
    language: Option<String>,
    briefings_enabled: Option<bool>,
    /// "HH:MM", with `evening`.
    morning: Option<String>,
    /// "HH:MM", with `morning`.
    evening: Option<String>,
}

impl SettingsBody {
    fn update(&self) -> Result<SettingsUpdate, ApiError> {
        let bad = |e: &dyn std::fmt::Display| ApiError::BadRequest(e.to_string());
        let briefing_times = match (&self.morning, &self.evening) {
            (None, None) => None,
            (Some(morning), Some(evening)) => {
                Some(BriefingTimes::parse(morning, evening).map_err(|e| bad(&e))?)
            }
            _ => {
                return Err(ApiError::BadRequest(
                    "`morning` and `evening` are changed together".into(),
                ));
            }
        };
        Ok(SettingsUpdate {
            goal: self
                .goal_kcal
                .map(CalorieGoal::new)
                .transpose()
                .map_err(|e| bad(&e))?,
            time_zone: self
                .time_zone
                .as_deref()
                .map(UserTimeZone::parse)
                .transpose()
                .map_err(|e| bad(&e))?,
            locale: self
                .language
                .as_deref()
                .map(|code| {
                    Locale::from_code(code).ok_or_else(|| bad(&"`language` is \"uk\" or \"en\""))
                })
                .transpose()?,
            briefing_times,
            briefings_enabled: self.briefings_enabled,
        })
    }
}

async fn update_settings(
    state: web::Data<AppState>,
    Caller(visitor): Caller,
    body: web::Json<SettingsBody>,
) -> Result<HttpResponse, ApiError> {
    let update = body.update()?;
    let profile = state.dashboard.update_settings(&visitor, &update).await?;
    Ok(ok(views::profile(&profile)))
}
