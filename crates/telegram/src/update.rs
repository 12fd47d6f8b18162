//! Telegram updates as the domain sees them, and the routing key of the webhook's hot path.
//!
//! Both read only the fields they need with our own serde structs, so fields and update kinds
//! Telegram adds later are ignored rather than breaking deserialisation.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use thiserror::Error;
use wellness_domain::conversation::{Callback, Command};
use wellness_domain::model::{
    ChatId, Inbound, InboundMessage, InvalidId, Sender, TelegramUserId, UpdateId,
};

use crate::text::byte_index_of_utf16;

/// An update could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UpdateError {
    /// Not JSON, or not shaped like a Telegram update (no `update_id`, wrong types).
    #[error("not a Telegram update: {0}")]
    Malformed(String),
    /// An id outside the range Telegram uses.
    #[error("invalid id in an update: {0}")]
    InvalidId(#[from] InvalidId),
    /// A date outside the range of dates.
    #[error("invalid date in an update: {0}")]
    InvalidDate(i64),
}

impl From<serde_json::Error> for UpdateError {
    fn from(error: serde_json::Error) -> Self {
        Self::Malformed(error.to_string())
    }
}

// ---------------------------------------------------------------------------------------------
// The full mapping

#[derive(Debug, Deserialize)]
struct Update {
    update_id: i64,
    message: Option<Message>,
    edited_message: Option<Message>,
    callback_query: Option<CallbackQuery>,
}

#[derive(Debug, Deserialize)]
struct Message {
    #[serde(default)]
    date: i64,
    chat: Chat,
    from: Option<User>,
    text: Option<String>,
    #[serde(default)]
    entities: Vec<Entity>,
    voice: Option<Voice>,
    photo: Option<Vec<PhotoSize>>,
    caption: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PhotoSize {
    file_id: String,
    #[serde(default)]
    width: u32,
    #[serde(default)]
    height: u32,
    file_size: Option<u64>,
}

/// The largest bots may download (Telegram: 20 MB).
const DOWNLOAD_LIMIT: u64 = 20 * 1024 * 1024;

/// The largest size of a photo within the download limit (a size without `file_size` is taken
/// as within it); `None` when every size is over it.
fn largest_within_limit(sizes: Vec<PhotoSize>) -> Option<String> {
    sizes
        .into_iter()
        .filter(|s| s.file_size.is_none_or(|size| size <= DOWNLOAD_LIMIT))
        .max_by_key(|s| (u64::from(s.width) * u64::from(s.height), s.file_size))
        .map(|s| s.file_id)
}

#[derive(Debug, Deserialize)]
struct Chat {
    id: i64,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Debug, Deserialize)]
struct User {
    id: i64,
    #[serde(default)]
    first_name: String,
    language_code: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Entity {
    #[serde(rename = "type")]
    kind: String,
    offset: usize,
    length: usize,
}

#[derive(Debug, Deserialize)]
struct Voice {
    file_id: String,
    #[serde(default)]
    duration: u32,
    file_size: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct CallbackQuery {
    id: String,
    from: User,
    /// Missing for buttons under inline-mode messages; `date` 0 when inaccessible.
    message: Option<CallbackMessage>,
    data: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CallbackMessage {
    message_id: i64,
    chat: Chat,
}

impl User {
    fn sender(self) -> Result<Sender, UpdateError> {
        Ok(Sender {
            telegram_id: TelegramUserId::new(self.id)?,
            first_name: self.first_name,
            language_code: self.language_code.filter(|code| !code.is_empty()),
        })
    }
}

fn is_private(chat: &Chat) -> bool {
    chat.kind == "private"
}

fn date(unix: i64) -> Result<DateTime<Utc>, UpdateError> {
    DateTime::from_timestamp(unix, 0).ok_or(UpdateError::InvalidDate(unix))
}

/// `/goal@WellnessBot 1800` with a `bot_command` entity at 0 -> `Command::parse("goal", "1800")`.
fn command(text: &str, entities: &[Entity]) -> Option<Inbound> {
    let entity = entities
        .iter()
        .find(|e| e.kind == "bot_command" && e.offset == 0)?;
    let end = byte_index_of_utf16(text, entity.length)?;
    let token = text.get(..end)?.strip_prefix('/')?;
    let name = token.split('@').next().unwrap_or_default().to_lowercase();
    if name.is_empty() {
        return None;
    }
    Some(Inbound::Command(Command::parse(
        &name,
        text.get(end..).unwrap_or_default().trim(),
    )))
}

/// What a message in a private chat means to the domain.
fn event_of(message: Message) -> Inbound {
    if let Some(voice) = message.voice {
        return Inbound::Voice {
            file_id: voice.file_id,
            duration_secs: voice.duration,
            file_size: voice.file_size,
        };
    }
    if let Some(sizes) = message.photo.filter(|sizes| !sizes.is_empty()) {
        return Inbound::Photo {
            file_id: largest_within_limit(sizes),
            caption: message.caption.filter(|c| !c.trim().is_empty()),
        };
    }
    match message.text {
        Some(text) => command(&text, &message.entities).unwrap_or(Inbound::Text(text)),
        None => Inbound::Unsupported,
    }
}

/// Maps one update to what the domain handles: text, commands, voice notes and button presses
/// in private chats, photos (their largest size within the download limit); other content of a
/// private chat (stickers, edits) is `Unsupported`.
/// Updates of groups and channels, and those without a chat or a sender, are `Ok(None)`.
pub fn parse_update(raw: &serde_json::Value) -> Result<Option<InboundMessage>, UpdateError> {
    let update = Update::deserialize(raw)?;
    let update_id = UpdateId::new(update.update_id)?;
    if let Some(query) = update.callback_query {
        let chat = match &query.message {
            Some(message) if !is_private(&message.chat) => return Ok(None),
            Some(message) => ChatId(message.chat.id),
            None => ChatId(query.from.id),
        };
        return Ok(Some(InboundMessage {
            update_id,
            chat,
            sender: query.from.sender()?,
            event: Inbound::Button {
                callback_id: query.id,
                callback: query.data.as_deref().and_then(Callback::decode),
                message_id: query.message.map(|message| message.message_id),
            },
            // The message's date is when the bot sent it, not when the button was pressed.
            sent_at: Utc::now(),
        }));
    }
    let (mut message, edited) = match (update.message, update.edited_message) {
        (Some(message), _) => (message, false),
        (None, Some(message)) => (message, true),
        (None, None) => return Ok(None),
    };
    if !is_private(&message.chat) {
        return Ok(None);
    }
    let Some(from) = message.from.take() else {
        return Ok(None);
    };
    let chat = ChatId(message.chat.id);
    let sent_at = date(message.date)?;
    let event = if edited {
        Inbound::Unsupported
    } else {
        event_of(message)
    };
    Ok(Some(InboundMessage {
        update_id,
        chat,
        sender: from.sender()?,
        event,
        sent_at,
    }))
}

// ---------------------------------------------------------------------------------------------
// The routing key

/// Only ids: nothing is allocated, every other field is skipped.
#[derive(Deserialize)]
struct KeyUpdate {
    update_id: i64,
    message: Option<KeyHolder>,
    edited_message: Option<KeyHolder>,
    channel_post: Option<KeyHolder>,
    edited_channel_post: Option<KeyHolder>,
    business_message: Option<KeyHolder>,
    edited_business_message: Option<KeyHolder>,
    deleted_business_messages: Option<KeyHolder>,
    message_reaction: Option<KeyHolder>,
    message_reaction_count: Option<KeyHolder>,
    callback_query: Option<KeyCallback>,
    my_chat_member: Option<KeyHolder>,
    chat_member: Option<KeyHolder>,
    chat_join_request: Option<KeyHolder>,
    chat_boost: Option<KeyHolder>,
    removed_chat_boost: Option<KeyHolder>,
    inline_query: Option<KeyHolder>,
    chosen_inline_result: Option<KeyHolder>,
    shipping_query: Option<KeyHolder>,
    pre_checkout_query: Option<KeyHolder>,
    purchased_paid_media: Option<KeyHolder>,
    poll_answer: Option<KeyHolder>,
    business_connection: Option<KeyHolder>,
}

/// Anything with a chat and/or a person: messages, member updates, queries.
#[derive(Deserialize)]
struct KeyHolder {
    chat: Option<KeyId>,
    from: Option<KeyId>,
    /// `poll_answer` and `business_connection` name the person `user`.
    user: Option<KeyId>,
    /// `poll_answer` by an anonymous chat.
    voter_chat: Option<KeyId>,
}

#[derive(Deserialize)]
struct KeyCallback {
    from: Option<KeyId>,
    message: Option<KeyHolder>,
}

#[derive(Deserialize)]
struct KeyId {
    id: i64,
}

impl KeyHolder {
    /// The chat, or else the person's private chat.
    fn chat(&self) -> Option<ChatId> {
        let chat = self.chat.as_ref().or(self.voter_chat.as_ref());
        let person = self.from.as_ref().or(self.user.as_ref());
        chat.or(person).map(|key| ChatId(key.id))
    }
}

/// The update id and the chat of a raw webhook body, fast: only those fields are read, nothing
/// is allocated. The chat is the person's private chat when the update has no chat (inline
/// queries), `None` when it has neither (polls).
pub fn routing_key(body: &[u8]) -> Result<(UpdateId, Option<ChatId>), UpdateError> {
    key_of(serde_json::from_slice(body)?)
}

/// [`routing_key`] of an update already parsed into JSON.
pub(crate) fn routing_key_of(
    update: &serde_json::Value,
) -> Result<(UpdateId, Option<ChatId>), UpdateError> {
    key_of(KeyUpdate::deserialize(update)?)
}

fn key_of(update: KeyUpdate) -> Result<(UpdateId, Option<ChatId>), UpdateError> {
    let update_id = UpdateId::new(update.update_id)?;
    let chat = if let Some(query) = &update.callback_query {
        query
            .message
            .as_ref()
            .and_then(KeyHolder::chat)
            .or_else(|| query.from.as_ref().map(|from| ChatId(from.id)))
    } else {
        [
            &update.message,
            &update.edited_message,
            &update.channel_post,
            &update.edited_channel_post,
            &update.business_message,
            &update.edited_business_message,
            &update.deleted_business_messages,
            &update.message_reaction,
            &update.message_reaction_count,
            &update.my_chat_member,
            &update.chat_member,
            &update.chat_join_request,
            &update.chat_boost,
            &update.removed_chat_boost,
            &update.inline_query,
            &update.chosen_inline_result,
            &update.shipping_query,
            &update.pre_checkout_query,
            &update.purchased_paid_media,
            &update.poll_answer,
            &update.business_connection,
        ]
        .into_iter()
        .flatten()
        .find_map(KeyHolder::chat)
    };
    Ok((update_id, chat))
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};
    use wellness_domain::conversation::Setting;
    use wellness_domain::model::CalorieGoal;

    use super::*;

    fn ann() -> Value {
        json!({"id": 1001, "is_bot": false, "first_name": "Ann", "language_code": "uk"})
    }

    fn private_chat() -> Value {
        json!({"id": 1001, "type": "private", "first_name": "Ann"})
    }

    fn message_update(fields: Value) -> Value {
        let mut message = json!({
            "message_id": 5, "date": 1_718_000_000, "chat": private_chat(), "from": ann()
        });
        if let (Some(message), Some(fields)) = (message.as_object_mut(), fields.as_object()) {
            message.extend(fields.clone());
        }
        json!({"update_id": 42, "message": message})
    }

    fn event(update: &Value) -> Inbound {
        parse_update(update).unwrap().unwrap().event
    }

    #[test]
    fn reads_plain_text_with_its_sender_chat_and_date() {
        let parsed = parse_update(&message_update(json!({"text": "200 g buckwheat"})))
            .unwrap()
            .unwrap();
        assert_eq!(parsed.update_id, UpdateId::new(42).unwrap());
        assert_eq!(parsed.chat, ChatId(1001));
        assert_eq!(
            parsed.sender.telegram_id,
            TelegramUserId::new(1001).unwrap()
        );
        assert_eq!(parsed.sender.first_name, "Ann");
        assert_eq!(parsed.sender.language_code.as_deref(), Some("uk"));
        assert_eq!(parsed.sent_at.timestamp(), 1_718_000_000);
        assert_eq!(parsed.event, Inbound::Text("200 g buckwheat".to_owned()));
    }

    #[test]
    fn reads_a_command_lowercased_without_the_bot_name_with_trimmed_args() {
        let update = message_update(json!({
            "text": "/Goal@Wellness_Bot   1800 ",
            "entities": [{"type": "bot_command", "offset": 0, "length": 18}]
        }));
        assert_eq!(
            event(&update),
            Inbound::Command(Command::Goal(Setting::Set(CalorieGoal::new(1800).unwrap())))
        );
    }

    #[test]
    fn a_slash_without_a_command_entity_at_the_start_is_text() {
        let no_entity = message_update(json!({"text": "/start"}));
        assert_eq!(event(&no_entity), Inbound::Text("/start".to_owned()));
        let later = message_update(json!({
            "text": "try /start",
            "entities": [{"type": "bot_command", "offset": 4, "length": 6}]
        }));
        assert_eq!(event(&later), Inbound::Text("try /start".to_owned()));
        let broken = message_update(json!({
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 60}]
        }));
        assert_eq!(event(&broken), Inbound::Text("/start".to_owned()));
    }

    #[test]
    fn reads_a_voice_note() {
        let update = message_update(json!({
            "voice": {"file_id": "AwAC", "file_unique_id": "u", "duration": 3, "mime_type": "audio/ogg", "file_size": 12345}
        }));
        assert_eq!(
            event(&update),
            Inbound::Voice {
                file_id: "AwAC".to_owned(),
                duration_secs: 3,
                file_size: Some(12345)
            }
        );
    }

    #[test]
    fn reads_a_button_press() {
        let update = json!({"update_id": 43, "callback_query": {
            "id": "cb1", "from": ann(), "chat_instance": "x", "data": "undo:7",
            "message": {"message_id": 9, "date": 1_718_000_000, "chat": private_chat(), "text": "Logged"}
        }});
        let parsed = parse_update(&update).unwrap().unwrap();
        assert_eq!(parsed.chat, ChatId(1001));
        assert_eq!(
            parsed.event,
            Inbound::Button {
                callback_id: "cb1".to_owned(),
                callback: Some(Callback::Undo(UpdateId::new(7).unwrap())),
                message_id: Some(9)
            }
        );
    }

    #[test]
    fn a_photo_is_its_largest_size_within_the_download_limit_with_its_caption() {
        let photo = message_update(json!({"caption": "200 г", "photo": [
            {"file_id": "small", "file_unique_id": "a", "width": 90, "height": 68, "file_size": 1200},
            {"file_id": "big", "file_unique_id": "b", "width": 1280, "height": 960, "file_size": 180000},
            {"file_id": "mid", "file_unique_id": "c", "width": 320, "height": 240, "file_size": 15000},
        ]}));
        assert_eq!(
            event(&photo),
            Inbound::Photo {
                file_id: Some("big".to_owned()),
                caption: Some("200 г".to_owned())
            }
        );
        let huge = message_update(json!({"photo": [
            {"file_id": "a", "file_unique_id": "a", "width": 90, "height": 68, "file_size": 1200},
            {"file_id": "b", "file_unique_id": "b", "width": 9000, "height": 9000, "file_size": 21_000_000},
        ]}));
        assert_eq!(
            event(&huge),
            Inbound::Photo {
                file_id: Some("a".to_owned()),
                caption: None
            }
        );
        let all_huge = message_update(json!({"photo": [
            {"file_id": "b", "file_unique_id": "b", "width": 9000, "height": 9000, "file_size": 21_000_000},
        ]}));
        assert_eq!(
            event(&all_huge),
            Inbound::Photo {
                file_id: None,
                caption: None
            }
        );
    }

    #[test]
    fn other_content_of_a_private_chat_is_unsupported() {
        let sticker = message_update(json!({"sticker": {"file_id": "s"}}));
        assert_eq!(event(&sticker), Inbound::Unsupported);
        let edited = json!({"update_id": 44, "edited_message": {
            "message_id": 5, "date": 1, "edit_date": 2, "chat": private_chat(), "from": ann(), "text": "x"
        }});
        assert_eq!(event(&edited), Inbound::Unsupported);
    }

    #[test]
    fn updates_without_a_private_chat_or_a_sender_are_ignored() {
        let member = json!({"update_id": 45, "my_chat_member": {
            "chat": {"id": -100_123, "type": "channel", "title": "News"},
            "from": ann(), "date": 1, "old_chat_member": {}, "new_chat_member": {}
        }});
        assert_eq!(parse_update(&member).unwrap(), None);
        let channel = json!({"update_id": 46, "channel_post": {
            "message_id": 1, "date": 1, "chat": {"id": -100_123, "type": "channel"}, "text": "hi"
        }});
        assert_eq!(parse_update(&channel).unwrap(), None);
        let group = json!({"update_id": 47, "message": {
            "message_id": 1, "date": 1, "chat": {"id": -5, "type": "group"}, "from": ann(), "text": "hi"
        }});
        assert_eq!(parse_update(&group).unwrap(), None);
        let anonymous = json!({"update_id": 48, "message": {
            "message_id": 1, "date": 1, "chat": private_chat(), "text": "hi"
        }});
        assert_eq!(parse_update(&anonymous).unwrap(), None);
    }

    #[test]
    fn refuses_what_is_not_an_update() {
        assert!(parse_update(&json!({"message": {}})).is_err());
        assert!(parse_update(&json!([1, 2])).is_err());
        assert!(matches!(
            parse_update(&json!({"update_id": -1})),
            Err(UpdateError::InvalidId(_))
        ));
    }

    #[test]
    fn routes_messages_callbacks_and_member_updates_by_chat() {
        let text = serde_json::to_vec(&message_update(json!({"text": "hi"}))).unwrap();
        assert_eq!(
            routing_key(&text).unwrap(),
            (UpdateId::new(42).unwrap(), Some(ChatId(1001)))
        );
        let callback = br#"{"update_id":7,"callback_query":{"id":"x","from":{"id":5,"first_name":"A"},"message":{"message_id":1,"date":0,"chat":{"id":77,"type":"private"}},"data":"d"}}"#;
        assert_eq!(routing_key(callback).unwrap().1, Some(ChatId(77)));
        let inline = br#"{"update_id":8,"callback_query":{"id":"x","from":{"id":5,"first_name":"A"},"inline_message_id":"i"}}"#;
        assert_eq!(routing_key(inline).unwrap().1, Some(ChatId(5)));
        let member = br#"{"update_id":9,"my_chat_member":{"chat":{"id":-100,"type":"channel"},"from":{"id":5},"date":1}}"#;
        assert_eq!(routing_key(member).unwrap().1, Some(ChatId(-100)));
        let poll = br#"{"update_id":10,"poll":{"id":"p","question":"q","options":[]}}"#;
        assert_eq!(
            routing_key(poll).unwrap(),
            (UpdateId::new(10).unwrap(), None)
        );
        let unknown = br#"{"update_id":11,"something_new":{"chat":{"id":1}}}"#;
        assert_eq!(routing_key(unknown).unwrap().1, None);
    }

    #[test]
    fn routing_refuses_bodies_without_an_update_id() {
        assert!(routing_key(b"").is_err());
        assert!(routing_key(b"{}").is_err());
        assert!(routing_key(b"{\"update_id\":\"1\"}").is_err());
        assert!(routing_key(b"{\"update_id\":-3}").is_err());
        assert!(routing_key(b"[]").is_err());
    }

    #[test]
    fn routing_takes_microseconds() {
        let body = serde_json::to_vec(&message_update(json!({
            "text": "x".repeat(4000),
            "entities": [{"type": "bold", "offset": 0, "length": 5}],
            "reply_to_message": {"message_id": 1, "date": 1, "chat": private_chat(), "text": "y".repeat(4000)}
        })))
        .unwrap();
        let start = std::time::Instant::now();
        for _ in 0..1_000 {
            assert!(routing_key(&body).is_ok());
        }
        // Generous for debug builds on a busy machine; release builds are far below.
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
    }
}
