//! Long polling: `getUpdates` into the inbox, for running without a public URL.

use std::time::Duration;

use serde::Serialize;
use tokio::sync::watch;
use wellness_domain::ports::Inbox;
use wellness_domain::retry::Backoff;

use crate::client::TelegramClient;
use crate::error::Failure;
use crate::update::routing_key_of;

/// Settings of [`poll_into_inbox`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollOptions {
    /// How long Telegram holds a `getUpdates` open when there is nothing (whole seconds; under
    /// a second means short polling).
    pub timeout: Duration,
    /// Updates per call (1-100).
    pub limit: u32,
    /// Update kinds to receive.
    pub allowed_updates: Vec<String>,
    /// Remove a webhook before polling (Telegram refuses `getUpdates` while one is set).
    pub delete_webhook: bool,
    /// The pauses after failures in a row: 0.5 s doubling up to 30 s by default.
    pub backoff: Backoff,
}

impl Default for PollOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(25),
            limit: 100,
            allowed_updates: vec!["message".to_owned(), "callback_query".to_owned()],
            delete_webhook: true,
            backoff: Backoff::new(Duration::from_millis(500), Duration::from_secs(30)),
        }
    }
}

#[derive(Debug, Serialize)]
struct GetUpdates<'a> {
    offset: i64,
    limit: u32,
    timeout: u64,
    allowed_updates: &'a [String],
}

/// Resolves when `stop` turns true or its sender is gone.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    // An error means the sender was dropped: nobody can stop us any more, so stop now.
    let _ = stop.wait_for(|stop| *stop).await;
}

/// Sleeps for `pause`; false when `stop` came first.
async fn pause_unless_stopped(pause: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        () = tokio::time::sleep(pause) => true,
        () = stopped(stop) => false,
    }
}

impl TelegramClient {
    /// One `getUpdates` call: each update as the raw JSON Telegram sent.
    async fn get_updates(
        &self,
        offset: i64,
        options: &PollOptions,
    ) -> Result<Vec<serde_json::Value>, Failure> {
        let timeout = options.timeout.as_secs();
        let params = GetUpdates {
            offset,
            limit: options.limit.clamp(1, 100),
            timeout,
            allowed_updates: &options.allowed_updates,
        };
        let request = self
            .http()
            .post(self.method_url("getUpdates"))
            .json(&params)
            // Telegram holds the call up to `timeout`: allow that plus the usual margin.
            .timeout(Duration::from_secs(timeout + 15));
        self.send_raw(request)
            .await
            .map_err(|failure| failure.scrubbed(self.token()))
    }
}

/// Long-polls `getUpdates` and stores every update in `inbox` (raw, as Telegram sent it) before
/// confirming it to Telegram, so a crash loses nothing (an update may be stored twice: the
/// inbox drops duplicates). Never gives up: failures are logged and retried after doubling
/// pauses; a 409 (a webhook is set, or another poller runs) is a warning. With
/// `options.delete_webhook` the webhook is removed first. Returns soon after `stop` turns true
/// (or its sender is dropped), abandoning a long poll in flight.
pub async fn poll_into_inbox(
    client: &TelegramClient,
    inbox: &dyn Inbox,
    options: PollOptions,
    mut stop: watch::Receiver<bool>,
) {
    let mut backoff = options.backoff.series();
    if options.delete_webhook && !delete_webhook(client, &mut backoff, &mut stop).await {
        return;
    }
    tracing::info!(
        timeout_secs = options.timeout.as_secs(),
        "polling Telegram for updates"
    );
    // 0 asks for every update not yet confirmed.
    let mut offset = 0_i64;
    loop {
        if *stop.borrow() {
            return;
        }
        let answer = tokio::select! {
            answer = client.get_updates(offset, &options) => answer,
            () = stopped(&mut stop) => return,
        };
        let updates = match answer {
            Ok(updates) => updates,
            Err(failure) => {
                if !pause_unless_stopped(pause_after(&failure, &mut backoff), &mut stop).await {
                    return;
                }
                continue;
            }
        };
        let received = updates.len();
        let before = offset;
        offset = store_all(inbox, &updates, offset).await;
        if received == 0 || offset != before {
            backoff.reset();
        } else if !pause_unless_stopped(backoff.next_wait(), &mut stop).await {
            // No progress on a non-empty batch: pause rather than spin on the same updates.
            return;
        }
    }
}

/// Removes the webhook before polling, retrying until it is gone; `false` when stopped first.
async fn delete_webhook(
    client: &TelegramClient,
    backoff: &mut wellness_domain::retry::Retries,
    stop: &mut watch::Receiver<bool>,
) -> bool {
    loop {
        if *stop.borrow() {
            return false;
        }
        let deleted = tokio::select! {
            result = client.delete_webhook(false) => result,
            () = stopped(stop) => return false,
        };
        match deleted {
            Ok(()) => {
                backoff.reset();
                return true;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot delete the webhook before polling");
                if !pause_unless_stopped(backoff.next_wait(), stop).await {
                    return false;
                }
            }
        }
    }
}

/// How long to wait after a failed getUpdates: Telegram's retry_after for a 429, else the
/// next backoff pause (a 409 means a webhook is set or another poller runs).
fn pause_after(failure: &Failure, backoff: &mut wellness_domain::retry::Retries) -> Duration {
    match failure {
        Failure::Api {
            code: 429,
            retry_after,
            ..
        } => Duration::from_secs(retry_after.unwrap_or(1).max(1)),
        Failure::Api { code: 409, .. } => {
            tracing::warn!(
                ?failure,
                "getUpdates conflicts with a webhook or another poller"
            );
            backoff.next_wait()
        }
        _ => {
            tracing::warn!(?failure, "getUpdates failed");
            backoff.next_wait()
        }
    }
}

/// Stores a batch in order, stopping at the first update that cannot be stored (Telegram sends
/// it, and those after it, again); returns the offset that confirms what was stored.
async fn store_all(inbox: &dyn Inbox, updates: &[serde_json::Value], mut offset: i64) -> i64 {
    for update in updates {
        let (update_id, chat) = match routing_key_of(update) {
            Ok(key) => key,
            Err(error) => {
                // Cannot be stored without an id; step over it if it has one at all.
                tracing::warn!(%error, "skipping an update without a usable update_id");
                if let Some(id) = update.get("update_id").and_then(serde_json::Value::as_i64) {
                    offset = offset.max(id.saturating_add(1));
                }
                continue;
            }
        };
        if let Err(error) = inbox.store(update_id, chat, update).await {
            tracing::warn!(%error, %update_id, "cannot store an update; polling again");
            break;
        }
        offset = offset.max(update_id.get().saturating_add(1));
    }
    offset
}
