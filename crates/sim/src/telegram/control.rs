//! The control surface over HTTP, for a simulator in another process (the standalone binary or
//! the sandbox chat page). Everything the Rust test API does is here too:
//!
//! | method and path                                  | body / query                                  | answer |
//! |--------------------------------------------------|-----------------------------------------------|--------|
//! | `POST /__sim/telegram/messages`                  | `{"user":{…},"text":"/start"}`                | `{"update_id","message"}` |
//! | `POST /__sim/telegram/voice`                     | `{"user":{…},"duration":3,"ogg_base64":?}`    | `{"update_id","message"}` |
//! | `POST /__sim/telegram/photo`                     | `{"user":{…},"sizes_base64":[…],"caption":?}` | `{"update_id","message"}` |
//! | `POST /__sim/telegram/callback`                  | `{"user":{…},"message_id":5,"callback_data":"x"}` or `"button_text"` | `{"update_id","callback_query"}` |
//! | `GET  /__sim/telegram/sent`                      | `?chat_id=&after_seq=&wait_ms=`               | `[SentRecord]` (file bytes in `bytes_base64`) |
//! | `GET  /__sim/telegram/chats/{chat_id}/messages`  |                                               | `[{"from_bot","message"}]` |
//! | `GET  /__sim/telegram/updates`                   |                                               | pending `[Update]` |
//! | `GET  /__sim/telegram/state`                     |                                               | `SimSummary` |
//! | `POST /__sim/telegram/block`                     | `{"user":{…},"blocked":true}`                 | `{}` |
//! | `POST /__sim/telegram/too-many-requests`         | `{"count":2,"retry_after":5}`                 | `{}` |
//! | `POST /__sim/telegram/faults`                    | `FaultRule`: `{"fault":{"kind":"status","status":502},"method":"sendMessage","times":3}`; kinds `status{status}`, `garbage`, `hang{millis}`, `answer_lost` | `{}` |
//! | `POST /__sim/telegram/reset`                     |                                               | `{}` |
//!
//! A `user` is `{"id":1,"first_name":"Ann","language_code":"uk","username":?,"last_name":?}`.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::json;

use super::faults::FaultRule;
use super::ogg::silent_voice_note;
use super::state::{ButtonChoice, SimState, SimUser};

/// Where the control surface lives.
pub(crate) const PREFIX: &str = "/__sim/telegram";

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/messages", web::post().to(send_text))
        .route("/voice", web::post().to(send_voice))
        .service(
            web::resource("/photo")
                .app_data(web::JsonConfig::default().limit(64 * 1024 * 1024))
                .route(web::post().to(send_photo)),
        )
        .route("/callback", web::post().to(press_button))
        .route("/sent", web::get().to(sent))
        .route("/chats/{chat_id}/messages", web::get().to(chat_messages))
        .route("/updates", web::get().to(updates))
        .route("/state", web::get().to(summary))
        .route("/block", web::post().to(block))
        .route("/too-many-requests", web::post().to(too_many_requests))
        .route("/faults", web::post().to(add_fault))
        .route("/reset", web::post().to(reset));
}

fn bad_request(message: impl std::fmt::Display) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({ "error": message.to_string() }))
}

#[derive(Deserialize)]
struct TextRequest {
    user: SimUser,
    text: String,
}

async fn send_text(state: web::Data<SimState>, body: web::Json<TextRequest>) -> HttpResponse {
    let (update_id, message) = state.inject_text(&body.user, &body.text);
    HttpResponse::Ok().json(json!({ "update_id": update_id, "message": message }))
}

#[derive(Deserialize)]
struct VoiceRequest {
    user: SimUser,
    #[serde(default = "default_duration")]
    duration: u32,
    /// The OGG/Opus file; a silent note of `duration` seconds when absent.
    ogg_base64: Option<String>,
}

fn default_duration() -> u32 {
    2
}

async fn send_voice(state: web::Data<SimState>, body: web::Json<VoiceRequest>) -> HttpResponse {
    let ogg = match &body.ogg_base64 {
        Some(encoded) => match base64::engine::general_purpose::STANDARD.decode(encoded) {
            Ok(bytes) => bytes,
            Err(error) => return bad_request(format!("ogg_base64: {error}")),
        },
        None => silent_voice_note(body.duration),
    };
    let (update_id, message) = state.inject_voice(&body.user, ogg, body.duration);
    HttpResponse::Ok().json(json!({ "update_id": update_id, "message": message }))
}

#[derive(Deserialize)]
struct PhotoRequest {
    user: SimUser,
    /// Each size's image (PNG or JPEG), smallest first.
    sizes_base64: Vec<String>,
    caption: Option<String>,
}

async fn send_photo(state: web::Data<SimState>, body: web::Json<PhotoRequest>) -> HttpResponse {
    let mut sizes = Vec::new();
    for encoded in &body.sizes_base64 {
        match base64::engine::general_purpose::STANDARD.decode(encoded) {
            Ok(bytes) => sizes.push(bytes),
            Err(error) => return bad_request(format!("sizes_base64: {error}")),
        }
    }
    if sizes.is_empty() {
        return bad_request("sizes_base64: at least one size");
    }
    let (update_id, message) = state.inject_photo(&body.user, sizes, body.caption.as_deref());
    HttpResponse::Ok().json(json!({ "update_id": update_id, "message": message }))
}

#[derive(Deserialize)]
struct CallbackRequest {
    user: SimUser,
    message_id: i64,
    callback_data: Option<String>,
    button_text: Option<String>,
}

async fn press_button(
    state: web::Data<SimState>,
    body: web::Json<CallbackRequest>,
) -> HttpResponse {
    let choice = match (&body.callback_data, &body.button_text) {
        (Some(data), _) => ButtonChoice::CallbackData(data),
        (None, Some(text)) => ButtonChoice::Label(text),
        (None, None) => return bad_request("callback_data or button_text is required"),
    };
    match state.inject_callback(&body.user, body.message_id, choice) {
        Ok((update_id, query)) => {
            HttpResponse::Ok().json(json!({ "update_id": update_id, "callback_query": query }))
        }
        Err(error) => bad_request(error),
    }
}

#[derive(Deserialize)]
struct SentQuery {
    chat_id: Option<i64>,
    after_seq: Option<u64>,
    /// Hold the request until a matching record exists, up to this long.
    wait_ms: Option<u64>,
}

async fn sent(state: web::Data<SimState>, query: web::Query<SentQuery>) -> HttpResponse {
    let SentQuery {
        chat_id,
        after_seq,
        wait_ms,
    } = query.into_inner();
    if let Some(wait_ms) = wait_ms {
        let wait = Duration::from_millis(wait_ms.min(60_000));
        state
            .wait_for_sent(wait, |records| {
                records
                    .iter()
                    .any(|r| {
                        after_seq.is_none_or(|after| r.seq > after)
                            && chat_id.is_none_or(|id| r.chat_id == id)
                    })
                    .then_some(())
            })
            .await;
    }
    HttpResponse::Ok().json(state.sent(after_seq, chat_id))
}

async fn chat_messages(state: web::Data<SimState>, chat_id: web::Path<i64>) -> HttpResponse {
    let history: Vec<_> = state
        .chat_history(chat_id.into_inner())
        .into_iter()
        .map(|(message, from_bot)| json!({ "from_bot": from_bot, "message": message }))
        .collect();
    HttpResponse::Ok().json(history)
}

async fn updates(state: web::Data<SimState>) -> HttpResponse {
    HttpResponse::Ok().json(state.pending_updates())
}

async fn summary(state: web::Data<SimState>) -> HttpResponse {
    HttpResponse::Ok().json(state.summary())
}

#[derive(Deserialize)]
struct BlockRequest {
    user: SimUser,
    #[serde(default = "yes")]
    blocked: bool,
}

fn yes() -> bool {
    true
}

async fn block(state: web::Data<SimState>, body: web::Json<BlockRequest>) -> HttpResponse {
    state.set_blocked(&body.user, body.blocked);
    HttpResponse::Ok().json(json!({}))
}

#[derive(Deserialize)]
struct TooManyRequests {
    count: u32,
    #[serde(default = "one")]
    retry_after: u32,
}

fn one() -> u32 {
    1
}

async fn too_many_requests(
    state: web::Data<SimState>,
    body: web::Json<TooManyRequests>,
) -> HttpResponse {
    state.force_too_many_requests(body.count, body.retry_after);
    HttpResponse::Ok().json(json!({}))
}

async fn add_fault(state: web::Data<SimState>, body: web::Json<FaultRule>) -> HttpResponse {
    state.add_fault(body.into_inner());
    HttpResponse::Ok().json(json!({}))
}

async fn reset(state: web::Data<SimState>) -> HttpResponse {
    state.reset();
    HttpResponse::Ok().json(json!({}))
}
