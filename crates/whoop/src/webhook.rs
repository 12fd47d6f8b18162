//! WHOOP webhooks: checking the signature, and reading the notice.
//!
//! WHOOP signs `timestamp header + raw body` with HMAC-SHA256 keyed by the app's client secret
//! and sends it base64-encoded in `X-WHOOP-Signature`, the timestamp (epoch milliseconds) in
//! `X-WHOOP-Signature-Timestamp`. A notice says only what changed; fetch the record afterwards.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, KeyInit as _, Mac as _};
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;
use wellness_domain::model::{Secret, WearableChange, WearableKind};

/// The signature header.
pub const SIGNATURE_HEADER: &str = "X-WHOOP-Signature";
/// The timestamp header (epoch milliseconds).
pub const TIMESTAMP_HEADER: &str = "X-WHOOP-Signature-Timestamp";
/// How far ahead of our clock a timestamp may be (clock skew between WHOOP and us).
pub const MAX_CLOCK_SKEW: Duration = Duration::seconds(30);

/// Why a webhook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The timestamp header is missing or not epoch milliseconds.
    #[error("the signature timestamp is missing or malformed")]
    MalformedTimestamp,
    /// Signed longer ago than allowed (a replay, or a very late retry).
    #[error("the webhook is stale: signed {age_secs} s ago")]
    Stale {
        /// Seconds since it was signed.
        age_secs: i64,
    },
    /// Signed in the future beyond clock skew.
    #[error("the webhook is dated {ahead_secs} s in the future")]
    FromTheFuture {
        /// Seconds ahead of our clock.
        ahead_secs: i64,
    },
    /// The signature header is missing or not base64.
    #[error("the signature is missing or malformed")]
    MalformedSignature,
    /// The signature does not match the body, timestamp and our secret.
    #[error("the signature does not match")]
    BadSignature,
    /// The body is not a WHOOP notice.
    #[error("the webhook body is not a WHOOP notice: {0}")]
    MalformedBody(String),
    /// A notice type we do not know (still answer 2xx, and ignore it).
    #[error("unknown webhook type {0:?}")]
    UnknownType(String),
}

/// Checks a webhook's signature and age. `now` is the receiving time; `max_age` e.g. 5 minutes.
/// The comparison takes constant time (`hmac`'s `verify_slice`).
pub fn verify_webhook(
    client_secret: &Secret,
    timestamp_header: &str,
    body: &[u8],
    signature_header: &str,
    now: DateTime<Utc>,
    max_age: Duration,
) -> Result<(), WebhookError> {
    let timestamp = timestamp_header.trim();
    let millis: i64 = timestamp
        .parse()
        .map_err(|_| WebhookError::MalformedTimestamp)?;
    let signed_at =
        DateTime::<Utc>::from_timestamp_millis(millis).ok_or(WebhookError::MalformedTimestamp)?;
    let age = now - signed_at;
    if age > max_age {
        return Err(WebhookError::Stale {
            age_secs: age.num_seconds(),
        });
    }
    if -age > MAX_CLOCK_SKEW {
        return Err(WebhookError::FromTheFuture {
            ahead_secs: (-age).num_seconds(),
        });
    }
    let signature = STANDARD
        .decode(signature_header.trim())
        .map_err(|_| WebhookError::MalformedSignature)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(client_secret.expose().as_bytes())
        .map_err(|_| WebhookError::BadSignature)?;
    // Exactly the header's characters, as WHOOP signed them.
    mac.update(timestamp_header.as_bytes());
    mac.update(body);
    mac.verify_slice(&signature)
        .map_err(|_| WebhookError::BadSignature)
}

/// A WHOOP notice: something of a member changed or was deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    /// WHOOP's user id (our `external_user_id`).
    pub user_id: i64,
    /// The record: a UUID for workouts and sleeps; for recoveries the sleep UUID under v2 (or
    /// a cycle id, as v1 sent); [`Wearable::record`](wellness_domain::ports::Wearable::record)
    /// takes either.
    pub id: String,
    /// What kind of record.
    pub kind: WearableKind,
    /// `*.deleted` rather than `*.updated`.
    pub deleted: bool,
    /// WHOOP's trace id, for support requests.
    pub trace_id: Option<String>,
}

#[derive(Deserialize)]
struct NoticeWire {
    user_id: i64,
    id: Value,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    trace_id: Option<String>,
}

impl WebhookEvent {
    /// What changed, for the domain.
    pub fn change(&self) -> WearableChange {
        WearableChange {
            kind: self.kind,
            id: self.id.clone(),
            deleted: self.deleted,
        }
    }
}

/// Reads a notice body (after [`verify_webhook`]).
pub fn parse_webhook(body: &[u8]) -> Result<WebhookEvent, WebhookError> {
    let notice: NoticeWire =
        serde_json::from_slice(body).map_err(|e| WebhookError::MalformedBody(e.to_string()))?;
    let id = match notice.id {
        Value::String(id) if !id.is_empty() => id,
        Value::Number(id) => id.to_string(),
        _ => {
            return Err(WebhookError::MalformedBody(
                "id is not a string or a number".to_owned(),
            ));
        }
    };
    let (kind, deleted) = match notice.kind.as_str() {
        "workout.updated" => (WearableKind::Workout, false),
        "workout.deleted" => (WearableKind::Workout, true),
        "sleep.updated" => (WearableKind::Sleep, false),
        "sleep.deleted" => (WearableKind::Sleep, true),
        "recovery.updated" => (WearableKind::Recovery, false),
        "recovery.deleted" => (WearableKind::Recovery, true),
        _ => return Err(WebhookError::UnknownType(notice.kind)),
    };
    Ok(WebhookEvent {
        user_id: notice.user_id,
        id,
        kind,
        deleted,
        trace_id: notice.trace_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_type_and_numeric_ids() {
        let event = parse_webhook(
            br#"{"user_id":10129,"id":93845,"type":"recovery.deleted","trace_id":"t"}"#,
        );
        assert_eq!(
            event,
            Ok(WebhookEvent {
                user_id: 10129,
                id: "93845".to_owned(),
                kind: WearableKind::Recovery,
                deleted: true,
                trace_id: Some("t".to_owned()),
            })
        );
        let event = parse_webhook(br#"{"user_id":1,"id":"u","type":"sleep.updated"}"#);
        assert_eq!(
            event.map(|e| (e.kind, e.deleted)),
            Ok((WearableKind::Sleep, false))
        );
        assert!(matches!(
            parse_webhook(br#"{"user_id":1,"id":"u","type":"cycle.updated"}"#),
            Err(WebhookError::UnknownType(_))
        ));
        assert!(matches!(
            parse_webhook(b"not json"),
            Err(WebhookError::MalformedBody(_))
        ));
    }

    #[test]
    fn checks_an_independently_computed_signature() {
        // printf '%s' '1700000000000{"a":1}' | openssl dgst -sha256 -hmac secret -binary | base64
        let at = DateTime::<Utc>::from_timestamp_millis(1_700_000_000_000).unwrap_or_default();
        let verify = |signature: &str| {
            verify_webhook(
                &Secret::new("secret"),
                "1700000000000",
                br#"{"a":1}"#,
                signature,
                at + Duration::seconds(2),
                Duration::minutes(5),
            )
        };
        assert_eq!(
            verify("0pM2GdttJSewPFhxsH1nVKvgeUeQD/mx7t0F5acVYpI="),
            Ok(())
        );
        assert_eq!(
            verify("1pM2GdttJSewPFhxsH1nVKvgeUeQD/mx7t0F5acVYpI="),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(verify("%%%"), Err(WebhookError::MalformedSignature));
    }
}
