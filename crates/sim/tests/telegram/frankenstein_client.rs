//! The simulator answers exactly what the `frankenstein` client (our bot's client) sends, and
//! everything it answers deserialises into frankenstein's types.

use std::time::Duration;

use frankenstein::AsyncTelegramApi;
use frankenstein::client_reqwest::Bot;
use frankenstein::methods::{
    AnswerCallbackQueryParams, EditMessageTextParams, GetFileParams, GetUpdatesParams,
    SendChatActionParams, SendDocumentParams, SendMessageParams, SetMyCommandsParams,
    SetWebhookParams,
};
use frankenstein::response::MessageOrBool;
use frankenstein::types::{
    BotCommand, ChatAction, ChatType, InlineKeyboardButton, InlineKeyboardMarkup,
    MaybeInaccessibleMessage, MessageEntityType, ReplyMarkup,
};
use frankenstein::updates::UpdateContent;
use frankenstein::{Error, ParseMode};
use wellness_sim::telegram::{
    FileKind, RateLimit, RateLimits, SimConfig, TelegramSim, silent_voice_note,
};

use crate::{ann, http, start_sim, start_with};

fn bot(sim: &TelegramSim) -> Bot {
    Bot::builder()
        .api_url(sim.bot_api_url())
        .client(http())
        .build()
}

fn api_error(error: Error) -> frankenstein::response::ErrorResponse {
    match error {
        Error::Api(response) => response,
        other => panic!("expected an API error, got {other}"),
    }
}

async fn next_update(bot: &Bot, offset: i64) -> frankenstein::updates::Update {
    let params = GetUpdatesParams::builder()
        .offset(offset)
        .timeout(5)
        .build();
    let mut updates = bot.get_updates(&params).await.unwrap().result;
    assert_eq!(updates.len(), 1, "{updates:?}");
    updates.remove(0)
}

#[tokio::test]
async fn a_frankenstein_bot_converses_with_the_simulator() {
    let sim = start_sim().await;
    let bot = bot(&sim);

    let me = bot.get_me().await.unwrap().result;
    assert!(me.is_bot);
    assert_eq!(me.username.as_deref(), Some("wellness_sim_bot"));

    let commands = SetMyCommandsParams::builder()
        .commands(vec![
            BotCommand::builder()
                .command("start")
                .description("Start")
                .build(),
        ])
        .language_code("en")
        .build();
    assert!(bot.set_my_commands(&commands).await.unwrap().result);
    assert_eq!(sim.commands()[0].commands[0].command, "start");

    let update_id = sim.send_text(&ann(), "/start");
    let update = next_update(&bot, 0).await;
    assert_eq!(i64::from(update.update_id), update_id);
    let UpdateContent::Message(message) = update.content else {
        panic!("a message update");
    };
    assert_eq!(message.chat.type_field, ChatType::Private);
    assert_eq!(
        message.from.as_ref().unwrap().language_code.as_deref(),
        Some("uk")
    );
    assert_eq!(
        message.entities.as_ref().unwrap()[0].type_field,
        MessageEntityType::BotCommand
    );

    let typing = SendChatActionParams::builder()
        .chat_id(1001_i64)
        .action(ChatAction::Typing)
        .build();
    assert!(bot.send_chat_action(&typing).await.unwrap().result);

    let keyboard = InlineKeyboardMarkup::builder()
        .inline_keyboard(vec![vec![
            InlineKeyboardButton::builder()
                .text("Breakfast")
                .callback_data("meal:breakfast")
                .build(),
        ]])
        .build();
    let params = SendMessageParams::builder()
        .chat_id(1001_i64)
        .text("Which <b>meal</b>?")
        .parse_mode(ParseMode::Html)
        .reply_markup(ReplyMarkup::InlineKeyboardMarkup(keyboard))
        .build();
    let sent = bot.send_message(&params).await.unwrap().result;
    assert_eq!(sent.text.as_deref(), Some("Which meal?"));
    assert_eq!(
        sent.entities.as_ref().unwrap()[0].type_field,
        MessageEntityType::Bold
    );
    assert!(sent.reply_markup.is_some());

    let pressed = sim
        .press_button(&ann(), i64::from(sent.message_id), "meal:breakfast")
        .unwrap();
    let update = next_update(&bot, update_id + 1).await;
    assert_eq!(i64::from(update.update_id), pressed);
    let UpdateContent::CallbackQuery(query) = update.content else {
        panic!("a callback query");
    };
    assert_eq!(query.data.as_deref(), Some("meal:breakfast"));
    let Some(MaybeInaccessibleMessage::Message(original)) = &query.message else {
        panic!("the original message");
    };
    assert_eq!(original.message_id, sent.message_id);
    let answer = AnswerCallbackQueryParams::builder()
        .callback_query_id(query.id.clone())
        .text("Saved")
        .build();
    assert!(bot.answer_callback_query(&answer).await.unwrap().result);

    let edit = EditMessageTextParams::builder()
        .chat_id(1001_i64)
        .message_id(sent.message_id)
        .text("Breakfast saved")
        .build();
    let MessageOrBool::Message(edited) = bot.edit_message_text(&edit).await.unwrap().result else {
        panic!("the edited message");
    };
    assert_eq!(edited.text.as_deref(), Some("Breakfast saved"));
    assert!(edited.edit_date.is_some());
}

#[tokio::test]
async fn a_frankenstein_bot_downloads_voice_notes_and_uploads_documents() {
    let sim = start_sim().await;
    let bot = bot(&sim);
    let ogg = silent_voice_note(2);
    sim.send_voice(&ann(), ogg.clone(), 2);
    let update = next_update(&bot, 0).await;
    let UpdateContent::Message(message) = update.content else {
        panic!("a message update");
    };
    let voice = message.voice.unwrap();
    assert_eq!(voice.duration, 2);
    let file = bot
        .get_file(&GetFileParams::builder().file_id(voice.file_id).build())
        .await
        .unwrap()
        .result;
    let url = format!(
        "{}/file/bot{}/{}",
        sim.base_url(),
        sim.token(),
        file.file_path.unwrap()
    );
    let bytes = http().get(url).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(bytes.as_ref(), ogg.as_slice());

    let dir = std::env::temp_dir().join(format!("wellness-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("weekly-report.csv");
    std::fs::write(&path, b"day,kcal\nmon,1900\n").unwrap();
    let params = SendDocumentParams::builder()
        .chat_id(1001_i64)
        .document(path.clone())
        .caption("Weekly report")
        .build();
    let sent = bot.send_document(&params).await.unwrap().result;
    let document = sent.document.unwrap();
    assert_eq!(document.file_name.as_deref(), Some("weekly-report.csv"));
    assert_eq!(document.mime_type.as_deref(), Some("text/csv"));
    let record = sim.sent().pop().unwrap();
    assert_eq!(record.text.as_deref(), Some("Weekly report"));
    let uploaded = record.file.unwrap();
    assert_eq!(uploaded.kind, FileKind::Document);
    assert_eq!(uploaded.bytes, b"day,kcal\nmon,1900\n");
    std::fs::remove_file(path).ok();
}

#[tokio::test]
async fn frankenstein_sees_telegram_errors_with_retry_after() {
    let sim = start_with(SimConfig::default().with_rate_limits(RateLimits {
        per_chat: Some(RateLimit::new(1, Duration::from_secs(3))),
        global: None,
    }))
    .await;
    let bot = bot(&sim);
    let to = |chat_id: i64| {
        SendMessageParams::builder()
            .chat_id(chat_id)
            .text("hi")
            .build()
    };

    let error = api_error(bot.send_message(&to(5)).await.unwrap_err());
    assert_eq!(
        (error.error_code, error.description.as_str()),
        (400, "Bad Request: chat not found")
    );

    sim.send_text(&ann(), "/start");
    bot.send_message(&to(1001)).await.unwrap();
    let error = api_error(bot.send_message(&to(1001)).await.unwrap_err());
    assert_eq!(error.error_code, 429);
    assert_eq!(error.parameters.unwrap().retry_after, Some(3));

    let webhook = SetWebhookParams::builder()
        .url("http://127.0.0.1:9/telegram")
        .secret_token("abc_DEF-123")
        .build();
    assert!(bot.set_webhook(&webhook).await.unwrap().result);
    let info = bot.get_webhook_info().await.unwrap().result;
    assert_eq!(info.url, "http://127.0.0.1:9/telegram");
    let error = api_error(
        bot.get_updates(&GetUpdatesParams::builder().build())
            .await
            .unwrap_err(),
    );
    assert_eq!(error.error_code, 409);
}
