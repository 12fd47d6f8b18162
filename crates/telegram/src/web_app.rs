//! The Mini App's init data, checked exactly as Telegram specifies
//! (<https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app>):
//! `secret = HMAC-SHA256(key "WebAppData", message bot token)`, then `hash` must be the hex
//! HMAC-SHA256 under `secret` of the data-check-string: every other field, decoded, sorted by
//! key, `key=value` joined by `\n`. The user is taken only from the validated `user` field.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, KeyInit as _, Mac as _};
use serde::Deserialize;
use sha2::Sha256;
use thiserror::Error;
use wellness_domain::{Secret, TelegramUserId};

/// How far ahead of our clock an `auth_date` may be (clocks differ a little).
const CLOCK_SKEW: Duration = Duration::seconds(30);

/// Why init data was refused. The HTTP answer never says which: these are for the log.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InitDataError {
    /// Not a query string of unique keys.
    #[error("init data is not a query string of unique keys")]
    Malformed,
    /// No `hash` field.
    #[error("init data carries no hash")]
    MissingHash,
    /// The hash is not the bot's signature of these fields.
    #[error("init data hash does not match")]
    BadHash,
    /// No `auth_date`, or not a Unix time.
    #[error("init data carries no valid auth_date")]
    MissingAuthDate,
    /// Signed longer ago than allowed.
    #[error("init data is {age_secs} s old")]
    Stale {
        /// Its age.
        age_secs: i64,
    },
    /// Signed in the future.
    #[error("init data is dated {ahead_secs} s in the future")]
    FromTheFuture {
        /// How far ahead.
        ahead_secs: i64,
    },
    /// Signed, but no usable `user` field (a Mini App opened from an inline query or a chat
    /// carries none).
    #[error("init data names no user")]
    NoUser,
}

/// The Telegram user a validated init data names.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WebAppUser {
    /// Their Telegram id.
    pub id: TelegramUserId,
    /// First name.
    pub first_name: String,
    /// Their app's language (IETF tag), when Telegram sent it.
    #[serde(default)]
    pub language_code: Option<String>,
}

/// Checks `raw` (the Mini App's `Telegram.WebApp.initData`, as sent) against `bot_token`, at
/// `now`, refusing data older than `max_age`; the user it names when everything holds.
pub fn validate_init_data(
    raw: &str,
    bot_token: &Secret,
    now: DateTime<Utc>,
    max_age: Duration,
) -> Result<WebAppUser, InitDataError> {
    let mut fields = BTreeMap::new();
    for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
        if fields
            .insert(key.into_owned(), value.into_owned())
            .is_some()
        {
            return Err(InitDataError::Malformed);
        }
    }
    let hash = fields.remove("hash").ok_or(InitDataError::MissingHash)?;
    let hash = decode_hex(&hash).ok_or(InitDataError::BadHash)?;
    // Telegram's page says "all received fields"; a note in our contracts says the Ed25519
    // `signature` (for third parties) is left out. Either way only the bot token's key makes the
    // hash, so both readings are accepted and neither lets anyone else sign.
    let signed = |skip_signature: bool| -> Result<(), InitDataError> {
        let check_string = fields
            .iter()
            .filter(|(key, _)| !(skip_signature && key.as_str() == "signature"))
            .map(|(key, value)| format!("{key}={value}"))
            .collect::<Vec<_>>()
            .join("\n");
        let mut mac = secret_key(bot_token).ok_or(InitDataError::BadHash)?;
        mac.update(check_string.as_bytes());
        // `verify_slice` compares in constant time.
        mac.verify_slice(&hash).map_err(|_| InitDataError::BadHash)
    };
    signed(false).or_else(|e| {
        if fields.contains_key("signature") {
            signed(true)
        } else {
            Err(e)
        }
    })?;

    let signed_at = fields
        .get("auth_date")
        .and_then(|d| d.parse::<i64>().ok())
        .and_then(|secs| DateTime::from_timestamp(secs, 0))
        .ok_or(InitDataError::MissingAuthDate)?;
    let age = now - signed_at;
    if age > max_age {
        return Err(InitDataError::Stale {
            age_secs: age.num_seconds(),
        });
    }
    if -age > CLOCK_SKEW {
        return Err(InitDataError::FromTheFuture {
            ahead_secs: (-age).num_seconds(),
        });
    }
    let user = fields.get("user").ok_or(InitDataError::NoUser)?;
    serde_json::from_str(user).map_err(|_| InitDataError::NoUser)
}

/// The MAC keyed by `HMAC-SHA256(key "WebAppData", message bot token)` (HMAC takes keys of
/// any length: `None` does not happen).
fn secret_key(bot_token: &Secret) -> Option<Hmac<Sha256>> {
    let mut secret = Hmac::<Sha256>::new_from_slice(b"WebAppData").ok()?;
    secret.update(bot_token.expose().as_bytes());
    Hmac::<Sha256>::new_from_slice(&secret.finalize().into_bytes()).ok()
}

/// Lower- or upper-case hex into bytes; `None` for anything else.
fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    hex.as_bytes()
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "123456:ABC-test-token";

    /// Signs `fields` as Telegram does, written out here step by step.
    fn signed(fields: &[(&str, &str)], token: &str) -> String {
        let mut sorted: Vec<_> = fields.to_vec();
        sorted.sort();
        let check: Vec<String> = sorted.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let mut secret = Hmac::<Sha256>::new_from_slice(b"WebAppData").unwrap();
        secret.update(token.as_bytes());
        let secret = secret.finalize().into_bytes();
        let mut mac = Hmac::<Sha256>::new_from_slice(&secret).unwrap();
        mac.update(check.join("\n").as_bytes());
        let hash: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in fields {
            query.append_pair(k, v);
        }
        query.append_pair("hash", &hash);
        query.finish()
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_780_000_000, 0).unwrap()
    }

    const USER: &str =
        r#"{"id":4242,"first_name":"Ann","language_code":"uk","allows_write_to_pm":true}"#;

    fn check(raw: &str) -> Result<WebAppUser, InitDataError> {
        validate_init_data(raw, &Secret::new(TOKEN), now(), Duration::days(1))
    }

    #[test]
    fn signed_init_data_names_its_user() {
        let raw = signed(
            &[
                ("query_id", "AAH"),
                ("user", USER),
                ("auth_date", "1779999000"),
                ("signature", "abc"),
            ],
            TOKEN,
        );
        let user = check(&raw).unwrap();
        assert_eq!(user.id, TelegramUserId::new(4242).unwrap());
        assert_eq!(user.first_name, "Ann");
        assert_eq!(user.language_code.as_deref(), Some("uk"));
    }

    #[test]
    fn the_hash_may_cover_the_third_party_signature_or_not() {
        let with = signed(
            &[
                ("user", USER),
                ("auth_date", "1779999000"),
                ("signature", "c2ln"),
            ],
            TOKEN,
        );
        assert!(check(&with).is_ok());
        let without = format!(
            "{}&signature=c2ln",
            signed(&[("user", USER), ("auth_date", "1779999000")], TOKEN)
        );
        assert!(check(&without).is_ok());
        let forged = with.replace("signature=c2ln", "signature=other");
        assert_eq!(check(&forged), Err(InitDataError::BadHash));
    }

    #[test]
    fn anything_else_is_refused() {
        let good = [("user", USER), ("auth_date", "1779999000")];
        let raw = signed(&good, TOKEN);
        let tampered = raw.replace("Ann", "Bob");
        assert_eq!(check(&tampered), Err(InitDataError::BadHash));
        assert_eq!(
            check(&signed(&good, "654321:other")),
            Err(InitDataError::BadHash)
        );
        let unsigned: String = raw.split("&hash=").next().unwrap().to_owned();
        assert_eq!(check(&unsigned), Err(InitDataError::MissingHash));
        assert_eq!(
            check(&format!("{raw}&auth_date=1779999000")),
            Err(InitDataError::Malformed)
        );
        assert_eq!(
            check(&format!("{unsigned}&hash=zz")),
            Err(InitDataError::BadHash)
        );
        let stale = signed(&[("user", USER), ("auth_date", "1779900000")], TOKEN);
        assert!(matches!(check(&stale), Err(InitDataError::Stale { .. })));
        let future = signed(&[("user", USER), ("auth_date", "1780000600")], TOKEN);
        assert!(matches!(
            check(&future),
            Err(InitDataError::FromTheFuture { .. })
        ));
        let no_date = signed(&[("user", USER)], TOKEN);
        assert_eq!(check(&no_date), Err(InitDataError::MissingAuthDate));
        let no_user = signed(&[("auth_date", "1779999000")], TOKEN);
        assert_eq!(check(&no_user), Err(InitDataError::NoUser));
    }
}
