//! Webhooks as WHOOP sends them: a JSON POST `{"user_id","id","type","trace_id"}` signed with
//! `X-WHOOP-Signature = base64(HMAC-SHA256(client_secret, timestamp + raw body))` and
//! `X-WHOOP-Signature-Timestamp` (epoch milliseconds). Non-2xx answers are retried with
//! doubling pauses, up to `WebhookSettings::max_attempts`.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit as _, Mac as _};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use tokio::sync::{mpsc, oneshot};

use super::error::SimError;
use super::generate::Rng;
use super::state::SimState;

/// The signature header.
pub const SIGNATURE_HEADER: &str = "X-WHOOP-Signature";
/// The timestamp header (epoch milliseconds).
pub const TIMESTAMP_HEADER: &str = "X-WHOOP-Signature-Timestamp";

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WebhookType {
    #[serde(rename = "workout.updated")]
    WorkoutUpdated,
    #[serde(rename = "workout.deleted")]
    WorkoutDeleted,
    #[serde(rename = "sleep.updated")]
    SleepUpdated,
    #[serde(rename = "sleep.deleted")]
    SleepDeleted,
    #[serde(rename = "recovery.updated")]
    RecoveryUpdated,
    #[serde(rename = "recovery.deleted")]
    RecoveryDeleted,
}

impl WebhookType {
    /// WHOOP's spelling ("workout.updated").
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookType::WorkoutUpdated => "workout.updated",
            WebhookType::WorkoutDeleted => "workout.deleted",
            WebhookType::SleepUpdated => "sleep.updated",
            WebhookType::SleepDeleted => "sleep.deleted",
            WebhookType::RecoveryUpdated => "recovery.updated",
            WebhookType::RecoveryDeleted => "recovery.deleted",
        }
    }

    pub(crate) fn workout(deleted: bool) -> Self {
        if deleted {
            Self::WorkoutDeleted
        } else {
            Self::WorkoutUpdated
        }
    }

    pub(crate) fn sleep(deleted: bool) -> Self {
        if deleted {
            Self::SleepDeleted
        } else {
            Self::SleepUpdated
        }
    }

    pub(crate) fn recovery(deleted: bool) -> Self {
        if deleted {
            Self::RecoveryDeleted
        } else {
            Self::RecoveryUpdated
        }
    }
}

impl fmt::Display for WebhookType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The body of a webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookNotice {
    pub user_id: i64,
    /// A UUID string for workouts and sleeps; for recoveries see
    /// [`super::RecoveryWebhookId`].
    pub id: serde_json::Value,
    #[serde(rename = "type")]
    pub kind: WebhookType,
    pub trace_id: String,
}

impl WebhookNotice {
    /// A notice with a fresh trace id.
    pub fn new(user_id: i64, kind: WebhookType, id: impl Into<serde_json::Value>) -> Self {
        Self {
            user_id,
            id: id.into(),
            kind,
            trace_id: Rng::new(rand::random()).uuid(),
        }
    }
}

/// `base64(HMAC-SHA256(secret, timestamp + body))`.
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this arm is never taken.
        Err(_) => return String::new(),
    };
    mac.update(timestamp.as_bytes());
    mac.update(body);
    STANDARD.encode(mac.finalize().into_bytes())
}

/// A webhook ready to send: the exact body and its two headers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedWebhook {
    pub body: String,
    /// `X-WHOOP-Signature-Timestamp`.
    pub timestamp: String,
    /// `X-WHOOP-Signature`.
    pub signature: String,
}

impl SignedWebhook {
    /// Signs `notice` with `secret` as sent at `at`.
    pub fn new(secret: &str, notice: &WebhookNotice, at: DateTime<Utc>) -> Self {
        let body = serde_json::to_string(notice).unwrap_or_default();
        let timestamp = at.timestamp_millis().to_string();
        let signature = sign(secret, &timestamp, body.as_bytes());
        Self {
            body,
            timestamp,
            signature,
        }
    }
}

/// One attempt to deliver a webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryAttempt {
    pub notice: WebhookNotice,
    pub url: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
    /// The receiver's HTTP status, when it answered.
    pub status: Option<u16>,
    /// Why there was no answer.
    pub error: Option<String>,
}

impl DeliveryAttempt {
    /// The receiver answered 2xx.
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// A webhook to send, and who waits for the outcome.
#[derive(Debug)]
pub(crate) struct WebhookJob {
    pub notice: WebhookNotice,
    pub reply: Option<oneshot::Sender<Result<DeliveryAttempt, SimError>>>,
}

/// Sends queued webhooks, each in its own task, until the simulator stops.
pub(crate) async fn run(
    state: Arc<SimState>,
    mut jobs: mpsc::UnboundedReceiver<WebhookJob>,
    http: reqwest::Client,
) {
    while let Some(job) = jobs.recv().await {
        tokio::spawn(deliver(Arc::clone(&state), http.clone(), job));
    }
}

async fn deliver(state: Arc<SimState>, http: reqwest::Client, job: WebhookJob) {
    let outcome = attempts(&state, &http, &job.notice).await;
    if let Err(error) = &outcome {
        tracing::debug!(%error, "webhook not delivered");
    }
    if let Some(reply) = job.reply {
        let _ = reply.send(outcome);
    }
}

async fn attempts(
    state: &SimState,
    http: &reqwest::Client,
    notice: &WebhookNotice,
) -> Result<DeliveryAttempt, SimError> {
    let url = state
        .read(|inner| inner.webhook_url.clone())
        .ok_or_else(|| SimError::Webhook("no webhook URL is set".to_owned()))?;
    let settings = &state.config.webhooks;
    let mut pause = settings.retry_initial;
    let mut attempt = 1;
    loop {
        let signed = SignedWebhook::new(&state.config.client_secret, notice, Utc::now());
        let sent = http
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, &signed.signature)
            .header(TIMESTAMP_HEADER, &signed.timestamp)
            .body(signed.body.clone())
            .timeout(settings.timeout)
            .send()
            .await;
        let (status, error) = match sent {
            Ok(response) => (Some(response.status().as_u16()), None),
            Err(error) => (None, Some(error.to_string())),
        };
        let record = DeliveryAttempt {
            notice: notice.clone(),
            url: url.clone(),
            attempt,
            timestamp: signed.timestamp,
            signature: signed.signature,
            body: signed.body,
            status,
            error,
        };
        state.record_delivery(record.clone());
        if record.succeeded() || attempt >= settings.max_attempts.max(1) {
            return Ok(record);
        }
        tokio::time::sleep(pause).await;
        pause = pause.saturating_mul(2);
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_timestamp_and_body_concatenated() {
        // Computed independently: printf '%s' '1700000000000{"a":1}' |
        //   openssl dgst -sha256 -hmac secret -binary | base64
        let signature = sign("secret", "1700000000000", br#"{"a":1}"#);
        assert_eq!(signature, "0pM2GdttJSewPFhxsH1nVKvgeUeQD/mx7t0F5acVYpI=");
        assert_ne!(signature, sign("secret", "1700000000001", br#"{"a":1}"#));
    }
}
