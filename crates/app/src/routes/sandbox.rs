//! /sandbox: a chat page standing in for the Telegram app, and its small JSON API, which plays
//! the person through the simulated Telegram (messages, voice notes, button presses) and reads
//! back what the bot sent. 404 unless the sandbox runs.
//!
//! The API takes JSON (or audio bytes), never a form: a cross-site page cannot post those
//! without a CORS preflight, which is refused.

use std::time::Duration;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tracing::warn;
use wellness_domain::NotificationKind;
use wellness_sim::telegram::types::{Message, MessageEntity};

use crate::sandbox::{Sandbox, access};
use crate::state::AppState;

const PAGE: &str = include_str!("../../assets/sandbox/index.html");
const SCRIPT: &str = include_str!("../../assets/sandbox/app.js");
const STYLE: &str = include_str!("../../assets/sandbox/style.css");

/// Telegram's download limit for bots; a larger voice note could not reach the bot anyway.
const MAX_VOICE_BYTES: usize = 20 * 1024 * 1024;
/// The longest a page's poll is held.
const MAX_WAIT: Duration = Duration::from_secs(25);

/// Attaches the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/sandbox", web::get().to(page))
        .route("/sandbox/app.js", web::get().to(script))
        .route("/sandbox/style.css", web::get().to(style))
        .route("/sandbox/api/chat", web::get().to(chat))
        .route("/sandbox/api/message", web::post().to(message))
        .route("/sandbox/api/press", web::post().to(press))
        .route("/sandbox/api/briefing", web::post().to(briefing))
        .route("/sandbox/api/mini-app", web::post().to(mini_app))
        .route("/sandbox/api/files/{file_id}", web::get().to(file))
        .service(
            web::resource("/sandbox/api/voice")
                .app_data(web::PayloadConfig::new(MAX_VOICE_BYTES))
                .route(web::post().to(voice)),
        )
        .service(
            web::resource("/sandbox/api/photo")
                .app_data(web::PayloadConfig::new(MAX_VOICE_BYTES))
                .route(web::post().to(photo)),
        );
}

/// What every route answers when there is no sandbox, or none for this request (see
/// [`access`]): the same either way, so a probe learns nothing.
fn no_sandbox() -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/plain; charset=utf-8")
        .body("No sandbox here.")
}

/// The sandbox, when this request may reach it.
fn reachable<'a>(req: &HttpRequest, state: &'a AppState) -> Option<&'a Sandbox> {
    state
        .sandbox
        .as_deref()
        .filter(|sandbox| sandbox.admits(req))
}

/// An API call the sandbox takes: from its page (the token), in a browser session.
struct Visit<'a> {
    sandbox: &'a Sandbox,
    /// The session's simulated Telegram user.
    telegram_id: i64,
}

/// Why an API call was not taken.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    /// No sandbox, or none for this request.
    NoSandbox,
    /// The page's token is missing or from another run.
    StaleToken,
    /// The browser has no session.
    NoSession,
}

impl Refusal {
    fn response(self) -> HttpResponse {
        match self {
            Self::NoSandbox => no_sandbox(),
            Self::StaleToken => HttpResponse::Forbidden()
                .json(json!({"error": "this page is from another run of the sandbox: reload it"})),
            Self::NoSession => HttpResponse::Unauthorized()
                .json(json!({"error": "no sandbox session in this browser: reload the page"})),
        }
    }
}

/// Admits an API call; `with_token` is off only for downloads, which a plain link starts.
fn admit<'a>(
    req: &HttpRequest,
    state: &'a AppState,
    with_token: bool,
) -> Result<Visit<'a>, Refusal> {
    let sandbox = reachable(req, state).ok_or(Refusal::NoSandbox)?;
    let given = req
        .headers()
        .get(access::TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if with_token && !sandbox.token_matches(given) {
        return Err(Refusal::StaleToken);
    }
    let session = access::session(req).ok_or(Refusal::NoSession)?;
    Ok(Visit {
        sandbox,
        telegram_id: access::telegram_id(&session),
    })
}

fn asset(content_type: &str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((CACHE_CONTROL, "no-cache"))
        .body(body)
}

/// The chat page, with this process's token; a browser without a session gets one.
async fn page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let Some(sandbox) = reachable(&req, &state) else {
        return no_sandbox();
    };
    let mut response = HttpResponse::Ok();
    response
        .content_type("text/html; charset=utf-8")
        .insert_header((CACHE_CONTROL, "no-store"));
    if access::session(&req).is_none() {
        let cookie = access::new_session_cookie(&access::random_id());
        response.insert_header((actix_web::http::header::SET_COOKIE, cookie));
    }
    // The token is URL-safe base64: nothing in it needs escaping in an attribute.
    response.body(PAGE.replace("{{SANDBOX_TOKEN}}", sandbox.token()))
}

async fn script(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if reachable(&req, &state).is_none() {
        return no_sandbox();
    }
    asset("text/javascript; charset=utf-8", SCRIPT)
}

async fn style(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if reachable(&req, &state).is_none() {
        return no_sandbox();
    }
    asset("text/css; charset=utf-8", STYLE)
}

#[derive(Deserialize)]
struct ChatQuery {
    /// The version the page shows: answer when there is something newer.
    since: Option<u64>,
    /// How long to wait for it, in milliseconds.
    wait_ms: Option<u64>,
}

/// One message as the page draws it.
#[derive(Serialize)]
struct MessageView {
    id: i64,
    from_bot: bool,
    text: String,
    entities: Vec<MessageEntity>,
    buttons: Vec<Vec<ButtonView>>,
    edited: bool,
    voice_secs: Option<u32>,
    photo: bool,
    document: Option<DocumentView>,
}

#[derive(Serialize)]
struct ButtonView {
    text: String,
    callback_data: Option<String>,
    url: Option<String>,
}

#[derive(Serialize)]
struct DocumentView {
    file_id: String,
    file_name: String,
}

fn view(message: Message) -> MessageView {
    let buttons = message
        .reply_markup
        .as_ref()
        .and_then(|m| m.get("inline_keyboard"))
        .and_then(Value::as_array)
        .map(|rows| {
            rows.iter()
                .map(|row| {
                    row.as_array()
                        .into_iter()
                        .flatten()
                        .map(|b| ButtonView {
                            text: b["text"].as_str().unwrap_or_default().to_owned(),
                            callback_data: b["callback_data"].as_str().map(str::to_owned),
                            url: b["url"].as_str().map(str::to_owned),
                        })
                        .collect()
                })
                .collect()
        })
        .unwrap_or_default();
    let (text, entities) = match (message.text, message.caption) {
        (Some(text), _) => (text, message.entities.unwrap_or_default()),
        (None, Some(caption)) => (caption, message.caption_entities.unwrap_or_default()),
        (None, None) => (String::new(), Vec::new()),
    };
    MessageView {
        id: message.message_id,
        from_bot: message.from.as_ref().is_some_and(|u| u.is_bot),
        text,
        entities,
        buttons,
        edited: message.edit_date.is_some(),
        voice_secs: message.voice.map(|v| v.duration),
        photo: message.photo.is_some(),
        document: message.document.map(|d| DocumentView {
            file_name: d.file_name.unwrap_or_else(|| "file".to_owned()),
            file_id: d.file_id,
        }),
    }
}

/// The conversation, what is simulated, and the version; held until the version passes `since`.
async fn chat(
    req: HttpRequest,
    query: web::Query<ChatQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Visit {
        sandbox,
        telegram_id,
    } = match admit(&req, &state, true) {
        Ok(visit) => visit,
        Err(refused) => return refused.response(),
    };
    let wait = Duration::from_millis(query.wait_ms.unwrap_or(0)).min(MAX_WAIT);
    if let Some(since) = query.since
        && sandbox.version() <= since
        && !wait.is_zero()
    {
        let telegram = sandbox.telegram();
        let sent = u64::try_from(telegram.sent().len()).unwrap_or(u64::MAX);
        // Whatever the bot sends next (a timeout just answers the same version).
        let _ = telegram
            .wait_for_sent_matching(wait, |record| record.seq >= sent)
            .await;
    }
    let telegram = sandbox.telegram();
    let messages: Vec<MessageView> = telegram
        .chat_history(telegram_id)
        .into_iter()
        .map(view)
        .collect();
    // Button answers are toasts in Telegram; the latest one is shown under the chat.
    let notice = telegram
        .callback_answers()
        .into_iter()
        .rev()
        .find_map(|answer| answer.text);
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(json!({
            "version": sandbox.version(),
            "messages": messages,
            "notice": notice,
            "providers": sandbox.providers(),
        }))
}

#[derive(Deserialize)]
struct MessageBody {
    text: String,
    language: Option<String>,
}

/// The person sends a text (or a command).
async fn message(
    req: HttpRequest,
    body: web::Json<MessageBody>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Visit {
        sandbox,
        telegram_id,
    } = match admit(&req, &state, true) {
        Ok(visit) => visit,
        Err(refused) => return refused.response(),
    };
    let text = body.text.trim();
    if text.is_empty() {
        return HttpResponse::BadRequest().json(json!({"error": "the message is empty"}));
    }
    let user = sandbox.user(telegram_id, body.language.as_deref());
    sandbox.telegram().send_text(&user, text);
    sandbox.note_injected();
    HttpResponse::Accepted().json(json!({"version": sandbox.version()}))
}

#[derive(Deserialize)]
struct PressBody {
    message_id: i64,
    callback_data: String,
    language: Option<String>,
}

/// The person presses an inline button under one of the bot's messages.
async fn press(
    req: HttpRequest,
    body: web::Json<PressBody>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Visit {
        sandbox,
        telegram_id,
    } = match admit(&req, &state, true) {
        Ok(visit) => visit,
        Err(refused) => return refused.response(),
    };
    let user = sandbox.user(telegram_id, body.language.as_deref());
    match sandbox
        .telegram()
        .press_button(&user, body.message_id, &body.callback_data)
    {
        Ok(_) => {
            sandbox.note_injected();
            HttpResponse::Accepted().json(json!({"version": sandbox.version()}))
        }
        Err(e) => HttpResponse::BadRequest().json(json!({"error": e.to_string()})),
    }
}

#[derive(Deserialize)]
struct VoiceQuery {
    /// What the recording says: registered as its transcript with the simulated Whisper.
    transcript: Option<String>,
    /// Its length in seconds, as the Telegram app reports it.
    duration: Option<u32>,
    language: Option<String>,
}

/// The person records a voice note: the uploaded audio file's bytes.
async fn voice(
    request: HttpRequest,
    query: web::Query<VoiceQuery>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Visit {
        sandbox,
        telegram_id,
    } = match admit(&request, &state, true) {
        Ok(visit) => visit,
        Err(refused) => return refused.response(),
    };
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    // Not a type a cross-site form can send (see the module docs).
    if !(content_type.starts_with("audio/")
        || content_type.starts_with("video/")
        || content_type.starts_with("application/octet-stream"))
    {
        return HttpResponse::UnsupportedMediaType()
            .json(json!({"error": "send the audio file's bytes with an audio/* content type"}));
    }
    if body.is_empty() {
        return HttpResponse::BadRequest().json(json!({"error": "the audio file is empty"}));
    }
    if let (Some(openai), Some(text)) =
        (sandbox.openai(), query.transcript.as_deref().map(str::trim))
        && !text.is_empty()
    {
        openai.register_transcript(&body, text);
    }
    // The app measures it; without a figure, a rough one from the size (about 16 kB a second).
    let duration = query
        .duration
        .unwrap_or_else(|| u32::try_from(body.len() / 16_000).unwrap_or(u32::MAX))
        .max(1);
    let user = sandbox.user(telegram_id, query.language.as_deref());
    sandbox
        .telegram()
        .send_voice(&user, body.to_vec(), duration);
    sandbox.note_injected();
    HttpResponse::Accepted().json(json!({"version": sandbox.version()}))
}

#[derive(Deserialize)]
struct PhotoQuery {
    caption: Option<String>,
    language: Option<String>,
}

/// The person sends a photo: the uploaded image's bytes (one size), with an optional caption.
async fn photo(
    request: HttpRequest,
    query: web::Query<PhotoQuery>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Visit {
        sandbox,
        telegram_id,
    } = match admit(&request, &state, true) {
        Ok(visit) => visit,
        Err(refused) => return refused.response(),
    };
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    // Not a type a cross-site form can send (see the module docs).
    if !content_type.starts_with("image/") || body.is_empty() {
        return HttpResponse::UnsupportedMediaType()
            .json(json!({"error": "send the image's bytes with an image/* content type"}));
    }
    let user = sandbox.user(telegram_id, query.language.as_deref());
    let caption = query
        .caption
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    sandbox
        .telegram()
        .send_photo(&user, vec![body.to_vec()], caption);
    sandbox.note_injected();
    HttpResponse::Accepted().json(json!({"version": sandbox.version()}))
}

#[derive(Deserialize)]
struct BriefingBody {
    kind: String,
}

/// The morning briefing or evening summary now, through the bot, as the scheduler sends it.
async fn briefing(
    req: HttpRequest,
    body: web::Json<BriefingBody>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Visit {
        sandbox,
        telegram_id,
    } = match admit(&req, &state, true) {
        Ok(visit) => visit,
        Err(refused) => return refused.response(),
    };
    let kind = match body.kind.as_str() {
        "morning" => NotificationKind::MorningBriefing,
        "evening" => NotificationKind::EveningSummary,
        _ => {
            return HttpResponse::BadRequest().json(json!({"error": "kind is morning or evening"}));
        }
    };
    let composed = match crate::briefing::compose(
        sandbox.db(),
        sandbox.presenter(),
        telegram_id,
        kind,
    )
    .await
    {
        Ok(composed) => composed,
        Err(e) => {
            // Most likely nobody has written to the bot yet, so there is no user.
            return HttpResponse::Conflict().json(json!({
                "error": format!("{e:#}. Send the bot a message first (e.g. /start)."),
            }));
        }
    };
    match composed.send(sandbox.db(), sandbox.messenger()).await {
        Ok(_) => HttpResponse::Accepted().json(json!({"version": sandbox.version()})),
        Err(e) => {
            warn!(error = format!("{e:#}"), "sandbox briefing failed");
            HttpResponse::BadGateway().json(json!({"error": format!("{e:#}")}))
        }
    }
}

/// Where the session's Telegram user opens the Mini App: `/app` with the launch data a Telegram
/// app would add, signed with the simulated bot's token.
async fn mini_app(
    req: HttpRequest,
    body: web::Json<LanguageBody>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Visit {
        sandbox,
        telegram_id,
    } = match admit(&req, &state, true) {
        Ok(visit) => visit,
        Err(refused) => return refused.response(),
    };
    let user = sandbox.user(telegram_id, body.language.as_deref());
    let fragment = wellness_sim::telegram::web_app::launch_fragment(
        &user,
        sandbox.telegram().token(),
        chrono::Utc::now(),
    );
    HttpResponse::Ok().json(json!({"url": format!("/app#{fragment}")}))
}

/// A body that names only the page's language.
#[derive(Debug, Deserialize)]
struct LanguageBody {
    language: Option<String>,
}

/// A file the bot sent (e.g. /export's), to download.
async fn file(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    // A download is a plain link: the session, not the token, says whose file it may be.
    let Visit {
        sandbox,
        telegram_id,
    } = match admit(&req, &state, false) {
        Ok(visit) => visit,
        Err(refused) => return refused.response(),
    };
    let file_id = path.into_inner();
    let found = sandbox
        .telegram()
        .sent_to(telegram_id)
        .into_iter()
        .filter_map(|record| record.file)
        .find(|f| f.file_id == file_id && !f.bytes.is_empty());
    let Some(found) = found else {
        return HttpResponse::NotFound().json(json!({"error": "no such file"}));
    };
    let name: String = found
        .file_name
        .unwrap_or_else(|| "file".to_owned())
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    HttpResponse::Ok()
        .content_type(
            found
                .mime_type
                .unwrap_or_else(|| "application/octet-stream".to_owned()),
        )
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(found.bytes)
}
