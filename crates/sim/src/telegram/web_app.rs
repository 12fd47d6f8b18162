//! Mini App launch data as Telegram makes it: init data signed with the bot's token
//! (<https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app>) and the
//! URL fragment a Telegram app opens a Mini App with (`#tgWebAppData=...&tgWebAppVersion=...`).

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit as _, Mac as _};
use serde_json::json;
use sha2::Sha256;

use super::SimUser;

/// `user`'s init data signed with `bot_token` at `auth_date`: `query_id`, `user`, `auth_date`
/// and the `hash` over the other fields sorted by key.
pub fn init_data(user: &SimUser, bot_token: &str, auth_date: DateTime<Utc>) -> String {
    // Telegram leaves out what a user does not have.
    let mut fields = json!({"id": user.id, "first_name": user.first_name});
    for (key, value) in [
        ("last_name", &user.last_name),
        ("username", &user.username),
        ("language_code", &user.language_code),
    ] {
        if let Some(value) = value {
            fields[key] = json!(value);
        }
    }
    fields["allows_write_to_pm"] = json!(true);
    let user_json = fields.to_string();
    let auth_date = auth_date.timestamp().to_string();
    let query_id = format!("AAH{}", user.id);
    let mut fields = [
        ("auth_date", auth_date.as_str()),
        ("query_id", query_id.as_str()),
        ("user", user_json.as_str()),
    ];
    fields.sort();
    let check_string = fields
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect::<Vec<_>>()
        .join("\n");
    let hash = hex(&hmac(
        &hmac(b"WebAppData", bot_token.as_bytes()),
        check_string.as_bytes(),
    ));
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in fields {
        query.append_pair(key, value);
    }
    query.append_pair("hash", &hash);
    query.finish()
}

/// The fragment a Telegram app adds to a Mini App's URL to open it for `user`.
pub fn launch_fragment(user: &SimUser, bot_token: &str, auth_date: DateTime<Utc>) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("tgWebAppData", &init_data(user, bot_token, auth_date))
        .append_pair("tgWebAppVersion", "8.0")
        .append_pair("tgWebAppPlatform", "web")
        .finish()
}

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length: the error case does not occur.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return Vec::new();
    };
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
