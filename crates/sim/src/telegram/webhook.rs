//! Delivery of updates to the bot's webhook: one `POST` per update, in `update_id` order, with
//! `X-Telegram-Bot-Api-Secret-Token` when a secret is set. A non-2xx answer or a connection error
//! is recorded (and shown by `getWebhookInfo`) and the same update is retried after a growing
//! pause, so later updates wait behind it as they do in Telegram.
//!
//! Like Telegram, a 2xx answer whose JSON body names a `method` runs that method (the "reply to
//! the webhook" shortcut); its result is not reported anywhere.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde_json::Value;

use super::params::Params;
use super::state::{DeliveryAttempt, SimState, unix_now};
use super::types::Update;

struct Job {
    generation: u64,
    url: String,
    secret_token: Option<String>,
    update: Update,
}

impl SimState {
    fn next_webhook_job(&self) -> Option<Job> {
        let inner = self.lock();
        let webhook = inner.webhook.as_ref()?;
        let update = inner.updates.front()?.clone();
        Some(Job {
            generation: inner.webhook_generation,
            url: webhook.url.clone(),
            secret_token: webhook.secret_token.clone(),
            update,
        })
    }

    fn webhook_generation(&self) -> u64 {
        self.lock().webhook_generation
    }

    /// Records one attempt; a delivered (or abandoned) update leaves the queue.
    fn record_delivery(&self, job: &Job, status: Option<u16>, error: Option<String>, remove: bool) {
        let mut inner = self.lock();
        inner.deliveries.push(DeliveryAttempt {
            update_id: job.update.update_id,
            url: job.url.clone(),
            status,
            error: error.clone(),
            at: Utc::now(),
        });
        if let Some(message) = error
            && inner.webhook_generation == job.generation
            && let Some(webhook) = inner.webhook.as_mut()
        {
            webhook.last_error_date = Some(unix_now());
            webhook.last_error_message = Some(message);
        }
        if remove {
            inner
                .updates
                .retain(|update| update.update_id != job.update.update_id);
        }
        drop(inner);
        self.notify_updates();
    }
}

/// Telegram's wording for a failed delivery.
fn describe_failure(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "Read timeout expired".to_owned()
    } else if error.is_connect() {
        "Connection refused".to_owned()
    } else {
        format!("Failed to deliver the update: {error}")
    }
}

/// Runs until the task is aborted (when the simulator stops).
pub(crate) async fn deliver_updates(state: Arc<SimState>) {
    let settings = state.config.webhook.clone();
    let client = match reqwest::Client::builder()
        .no_proxy()
        .timeout(settings.request_timeout)
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "webhook delivery disabled: cannot build an HTTP client");
            return;
        }
    };
    let mut changes = state.updates_changed.subscribe();
    let mut failures: u32 = 0;
    let mut failing_update = None;
    loop {
        changes.borrow_and_update();
        let Some(job) = state.next_webhook_job() else {
            if changes.changed().await.is_err() {
                return;
            }
            continue;
        };
        if failing_update != Some((job.update.update_id, job.generation)) {
            failures = 0;
        }
        let mut request = client.post(&job.url).json(&job.update);
        if let Some(secret) = &job.secret_token {
            request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
        }
        let outcome = match request.send().await {
            Ok(response) if response.status().is_success() => {
                let status = response.status().as_u16();
                let body = response.bytes().await.unwrap_or_default();
                Ok((status, body))
            }
            Ok(response) => {
                let status = response.status();
                Err((
                    Some(status.as_u16()),
                    format!(
                        "Wrong response from the webhook: {} {}",
                        status.as_u16(),
                        status.canonical_reason().unwrap_or_default()
                    ),
                ))
            }
            Err(error) => Err((None, describe_failure(&error))),
        };
        match outcome {
            Ok((status, body)) => {
                state.record_delivery(&job, Some(status), None, true);
                failing_update = None;
                run_method_from_answer(&state, &body).await;
            }
            Err((status, message)) => {
                failures += 1;
                let give_up = settings.max_attempts.is_some_and(|max| failures >= max);
                tracing::debug!(update_id = job.update.update_id, %message, give_up, "webhook delivery failed");
                state.record_delivery(&job, status, Some(message), give_up);
                failing_update = (!give_up).then_some((job.update.update_id, job.generation));
                if !give_up {
                    let exponent = failures.saturating_sub(1).min(16);
                    let pause = settings
                        .retry_initial
                        .saturating_mul(1 << exponent)
                        .min(settings.retry_max);
                    wait_unless_webhook_changes(&state, job.generation, pause).await;
                }
            }
        }
    }
}

/// Sleeps for `pause`, returning early if the webhook is changed or deleted meanwhile.
async fn wait_unless_webhook_changes(state: &SimState, generation: u64, pause: Duration) {
    let deadline = tokio::time::Instant::now() + pause;
    let mut changes = state.updates_changed.subscribe();
    loop {
        if state.webhook_generation() != generation {
            return;
        }
        match tokio::time::timeout_at(deadline, changes.changed()).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) | Err(_) => return,
        }
    }
}

async fn run_method_from_answer(state: &SimState, body: &[u8]) {
    let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    let Some(method) = object
        .get("method")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return;
    };
    if method.eq_ignore_ascii_case("getUpdates") {
        return;
    }
    let params = Params::from_json_object(object);
    if let Err(error) = state.call(&method, &params).await {
        tracing::debug!(%method, %error, "method from a webhook answer failed");
    }
}
