//! The domain's [`Messenger`] port over the Bot API.

use async_trait::async_trait;
use frankenstein::ParseMode;
use frankenstein::methods::{
    AnswerCallbackQueryParams, EditMessageTextParams, GetFileParams, SendChatActionParams,
    SendMessageParams,
};
use frankenstein::types::{
    ChatAction, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, ReplyMarkup,
    WebAppInfo,
};
use reqwest::multipart::{Form, Part};
use serde::Deserialize;
use wellness_domain::model::ChatId;
use wellness_domain::ports::{
    Attachment, Button, ButtonPress, Messenger, MessengerError, OutgoingMessage, SentMessage,
};

use crate::client::TelegramClient;
use crate::error::Failure;
use crate::text::{MAX_CAPTION_UNITS, MAX_MESSAGE_UNITS, escape_html, split_text, utf16_len};

/// Longest `callback_data`, in bytes.
pub const MAX_CALLBACK_DATA_BYTES: usize = 64;

/// One button; `None` for a dashboard button without a Mini App.
fn inline_button(
    button: &Button,
    mini_app: Option<&str>,
) -> Result<Option<InlineKeyboardButton>, MessengerError> {
    let data = match &button.press {
        ButtonPress::Callback(data) => data,
        ButtonPress::OpenDashboard => {
            return Ok(mini_app.map(|url| {
                InlineKeyboardButton::builder()
                    .text(button.label.clone())
                    .web_app(WebAppInfo::builder().url(url).build())
                    .build()
            }));
        }
    };
    let size = data.len();
    if size == 0 || size > MAX_CALLBACK_DATA_BYTES {
        return Err(MessengerError::Rejected(format!(
            "button {:?}: callback data must be 1-{MAX_CALLBACK_DATA_BYTES} bytes, got {size}",
            button.label
        )));
    }
    Ok(Some(
        InlineKeyboardButton::builder()
            .text(button.label.clone())
            .callback_data(data.clone())
            .build(),
    ))
}

/// The part of a sent `Message` we need: robust to whatever else Telegram adds.
#[derive(Debug, Deserialize)]
struct MessageRef {
    message_id: i64,
}

/// The part of a `File` we need.
#[derive(Debug, Deserialize)]
struct FileRef {
    file_size: Option<u64>,
    file_path: Option<String>,
}

/// Checks the buttons and builds Telegram's inline keyboard (`None` when there are none). A
/// dashboard button opens `mini_app` (an https URL); without one it is left out.
fn inline_keyboard(
    rows: &[Vec<Button>],
    mini_app: Option<&str>,
) -> Result<Option<InlineKeyboardMarkup>, MessengerError> {
    let rows: Vec<Vec<InlineKeyboardButton>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .filter_map(|button| inline_button(button, mini_app).transpose())
                .collect::<Result<Vec<_>, _>>()
        })
        .filter(|row| !matches!(row, Ok(row) if row.is_empty()))
        .collect::<Result<_, _>>()?;
    Ok((!rows.is_empty()).then(|| {
        InlineKeyboardMarkup::builder()
            .inline_keyboard(rows)
            .build()
    }))
}

/// Link previews off: replies are about the user's data, and single-use links (OAuth) must not
/// be fetched by Telegram's crawler.
fn no_preview() -> LinkPreviewOptions {
    LinkPreviewOptions::builder().is_disabled(true).build()
}

/// A message id as frankenstein's edit parameters take it.
fn small_message_id(message_id: i64) -> Result<i32, MessengerError> {
    i32::try_from(message_id)
        .map_err(|_| MessengerError::Rejected(format!("message id {message_id} is out of range")))
}

/// The escaped caption, refused when Telegram would refuse it.
fn caption(attachment: &Attachment) -> Result<Option<String>, MessengerError> {
    match attachment.caption.as_deref() {
        None => Ok(None),
        Some(caption) if caption.trim().is_empty() => Ok(None),
        Some(caption) => {
            let length = utf16_len(caption.trim());
            if length > MAX_CAPTION_UNITS {
                return Err(MessengerError::Rejected(format!(
                    "caption is {length} characters, over Telegram's {MAX_CAPTION_UNITS}"
                )));
            }
            Ok(Some(escape_html(caption)))
        }
    }
}

impl TelegramClient {
    async fn send_chunk(
        &self,
        chat: ChatId,
        text: &str,
        keyboard: Option<&InlineKeyboardMarkup>,
    ) -> Result<SentMessage, MessengerError> {
        let params = SendMessageParams::builder()
            .chat_id(chat.0)
            .text(escape_html(text))
            .parse_mode(ParseMode::Html)
            .link_preview_options(no_preview())
            .maybe_reply_markup(keyboard.cloned().map(ReplyMarkup::InlineKeyboardMarkup))
            .build();
        let sent: MessageRef = self
            .call(Some(chat), self.attempts(), || {
                self.json("sendMessage", Some(&params))
            })
            .await?;
        Ok(SentMessage {
            message_id: sent.message_id,
        })
    }

    /// `sendDocument` or `sendPhoto` with the bytes in a multipart body.
    async fn send_file(
        &self,
        chat: ChatId,
        method: &str,
        field: &'static str,
        attachment: &Attachment,
    ) -> Result<SentMessage, MessengerError> {
        let caption = caption(attachment)?;
        let url = self.method_url(method);
        let form = || {
            let part = Part::bytes(attachment.bytes.clone()).file_name(attachment.filename.clone());
            let mut form = Form::new()
                .text("chat_id", chat.0.to_string())
                .part(field, part);
            if let Some(caption) = &caption {
                form = form
                    .text("caption", caption.clone())
                    .text("parse_mode", "HTML");
            }
            form
        };
        let sent: MessageRef = self
            .call(Some(chat), self.attempts(), || {
                self.send_raw(self.http().post(&url).multipart(form()))
            })
            .await?;
        Ok(SentMessage {
            message_id: sent.message_id,
        })
    }
}

#[async_trait]
impl Messenger for TelegramClient {
    /// Splits at 4096 UTF-16 units on line breaks; the buttons go under the last piece. If a
    /// later piece fails, the earlier ones stay sent.
    async fn send(
        &self,
        chat: ChatId,
        message: &OutgoingMessage,
    ) -> Result<SentMessage, MessengerError> {
        let keyboard = inline_keyboard(&message.buttons, self.mini_app_url())?;
        let pieces = split_text(&message.text, MAX_MESSAGE_UNITS);
        let Some((last, first)) = pieces.split_last() else {
            return Err(MessengerError::Rejected("message text is empty".to_owned()));
        };
        for piece in first {
            self.send_chunk(chat, piece, None).await?;
        }
        let sent = self.send_chunk(chat, last, keyboard.as_ref()).await?;
        // A private chat's own menu button, in the language of the message that asked for it.
        // The message is out: a failure here leaves the default button, and is not the
        // message's (which must not be sent again for it).
        if let Some(label) = &message.menu_button
            && let Err(e) = self.set_menu_button(chat, label).await
        {
            tracing::warn!(error = %e, "could not set the chat's menu button");
        }
        Ok(sent)
    }

    /// The new text must fit in one message; "message is not modified" counts as done.
    async fn edit(
        &self,
        chat: ChatId,
        message_id: i64,
        message: &OutgoingMessage,
    ) -> Result<(), MessengerError> {
        let keyboard = inline_keyboard(&message.buttons, self.mini_app_url())?;
        let length = utf16_len(message.text.trim());
        if length == 0 {
            return Err(MessengerError::Rejected("message text is empty".to_owned()));
        }
        if length > MAX_MESSAGE_UNITS {
            return Err(MessengerError::Rejected(format!(
                "an edit cannot be split: {length} characters, over Telegram's {MAX_MESSAGE_UNITS}"
            )));
        }
        let params = EditMessageTextParams::builder()
            .chat_id(chat.0)
            .message_id(small_message_id(message_id)?)
            .text(escape_html(&message.text))
            .parse_mode(ParseMode::Html)
            .link_preview_options(no_preview())
            .maybe_reply_markup(keyboard)
            .build();
        let result = self
            .call_raw(Some(chat), self.attempts(), &mut || {
                self.json::<_, serde::de::IgnoredAny>("editMessageText", Some(&params))
            })
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(failure) if failure.is_api(400) && failure.says("message is not modified") => {
                Ok(())
            }
            Err(failure) => Err(failure.into_messenger_error()),
        }
    }

    async fn send_document(
        &self,
        chat: ChatId,
        document: &Attachment,
    ) -> Result<SentMessage, MessengerError> {
        self.send_file(chat, "sendDocument", "document", document)
            .await
    }

    async fn send_photo(
        &self,
        chat: ChatId,
        photo: &Attachment,
    ) -> Result<SentMessage, MessengerError> {
        self.send_file(chat, "sendPhoto", "photo", photo).await
    }

    /// Not rate limited and not retried: a late "typing…" is worthless.
    async fn show_typing(&self, chat: ChatId) -> Result<(), MessengerError> {
        let params = SendChatActionParams::builder()
            .chat_id(chat.0)
            .action(ChatAction::Typing)
            .build();
        self.call(None, 1, || {
            self.json::<_, serde::de::IgnoredAny>("sendChatAction", Some(&params))
        })
        .await
        .map(drop)
    }

    /// Fire and forget: a query that is too old or unknown counts as answered.
    async fn answer_button(
        &self,
        callback_id: &str,
        notice: Option<String>,
    ) -> Result<(), MessengerError> {
        let params = AnswerCallbackQueryParams::builder()
            .callback_query_id(callback_id)
            .maybe_text(notice)
            .build();
        let result = self
            .call_raw(None, 1, &mut || {
                self.json::<_, serde::de::IgnoredAny>("answerCallbackQuery", Some(&params))
            })
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(failure)
                if failure.is_api(400)
                    && (failure.says("query is too old")
                        || failure.says("query id is invalid")) =>
            {
                Ok(())
            }
            Err(failure) => Err(failure.into_messenger_error()),
        }
    }

    /// `getFile`, then the bytes; a file over `max_bytes` is `Rejected`, whether Telegram says
    /// so up front or the body turns out longer.
    async fn set_menu_button(&self, chat: ChatId, label: &str) -> Result<(), MessengerError> {
        match (self.mini_app_url(), chat.0 > 0) {
            (Some(url), true) => self.set_menu_button_web_app(Some(chat.0), label, url).await,
            _ => Ok(()),
        }
    }

    async fn download(&self, file_id: &str, max_bytes: u64) -> Result<Vec<u8>, MessengerError> {
        let params = GetFileParams::builder().file_id(file_id).build();
        let file: FileRef = self
            .call(None, self.attempts(), || {
                self.json("getFile", Some(&params))
            })
            .await?;
        let too_big = |size: u64| {
            MessengerError::Rejected(format!(
                "the file is {size} bytes, over the limit of {max_bytes}"
            ))
        };
        if let Some(size) = file.file_size.filter(|&size| size > max_bytes) {
            return Err(too_big(size));
        }
        let path = file.file_path.ok_or_else(|| {
            MessengerError::Rejected("Telegram gave no file_path for this file".to_owned())
        })?;
        let url = format!("{}/file/bot{}/{path}", self.api_root(), self.token());
        let unavailable = |error: reqwest::Error| {
            Failure::from(error)
                .scrubbed(self.token())
                .into_messenger_error()
        };
        let mut response = self.http().get(&url).send().await.map_err(unavailable)?;
        let status = response.status();
        if !status.is_success() {
            let body = response.bytes().await.unwrap_or_default();
            let failure = crate::error::decode_answer::<serde::de::IgnoredAny>(status, &body)
                .err()
                .unwrap_or_else(|| Failure::Unavailable(format!("HTTP status {status}")));
            return Err(failure.scrubbed(self.token()).into_messenger_error());
        }
        if let Some(size) = response.content_length().filter(|&size| size > max_bytes) {
            return Err(too_big(size));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(unavailable)? {
            let size = (bytes.len() + chunk.len()) as u64;
            if size > max_bytes {
                return Err(too_big(size));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn button(data: &str) -> Button {
        Button {
            label: "Undo".to_owned(),
            press: ButtonPress::Callback(data.to_owned()),
        }
    }

    #[test]
    fn a_dashboard_button_opens_the_mini_app_or_is_left_out() {
        let dashboard = Button {
            label: "Dashboard".to_owned(),
            press: ButtonPress::OpenDashboard,
        };
        let rows = [vec![button("undo:1")], vec![dashboard]];
        let keyboard = inline_keyboard(&rows, Some("https://example.org/app"))
            .unwrap()
            .unwrap();
        let app = &keyboard.inline_keyboard[1][0];
        assert_eq!(
            app.web_app.as_ref().map(|w| w.url.as_str()),
            Some("https://example.org/app")
        );
        assert!(app.callback_data.is_none());
        let keyboard = inline_keyboard(&rows, None).unwrap().unwrap();
        assert_eq!(
            keyboard.inline_keyboard.len(),
            1,
            "the empty row is dropped"
        );
        assert!(inline_keyboard(&rows[1..], None).unwrap().is_none());
    }

    #[test]
    fn builds_rows_of_callback_buttons() {
        let keyboard = inline_keyboard(&[vec![button("undo:1"), button("ok")], vec![]], None)
            .unwrap()
            .unwrap();
        assert_eq!(keyboard.inline_keyboard.len(), 1);
        assert_eq!(
            keyboard.inline_keyboard[0][1].callback_data.as_deref(),
            Some("ok")
        );
        assert!(inline_keyboard(&[], None).unwrap().is_none());
    }

    #[test]
    fn refuses_callback_data_over_64_bytes_or_empty() {
        assert!(inline_keyboard(&[vec![button(&"x".repeat(64))]], None).is_ok());
        // 33 two-byte letters: 66 bytes.
        let long = "ї".repeat(33);
        assert!(matches!(
            inline_keyboard(&[vec![button(&long)]], None),
            Err(MessengerError::Rejected(_))
        ));
        assert!(matches!(
            inline_keyboard(&[vec![button("")]], None),
            Err(MessengerError::Rejected(_))
        ));
    }

    #[test]
    fn refuses_a_caption_telegram_would_refuse() {
        let attachment = |caption: &str| Attachment {
            filename: "a.json".to_owned(),
            bytes: vec![1],
            caption: Some(caption.to_owned()),
        };
        assert_eq!(
            caption(&attachment("a < b")).unwrap().as_deref(),
            Some("a &lt; b")
        );
        assert!(caption(&attachment(&"x".repeat(1025))).is_err());
        assert_eq!(caption(&attachment("  ")).unwrap(), None);
    }
}
