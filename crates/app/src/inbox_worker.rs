//! The inbox workers: claim an update, hand it to the conversation, settle it by the domain's
//! policy. Each update is handled in a task of its own under a deadline, so a handler that
//! panics or hangs costs that update an attempt, never the worker: after the last attempt the
//! update is parked and its sender told, and the worker goes on with the next one.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use tokio::sync::{Notify, watch};
use tracing::{Instrument as _, debug, info_span, warn};
use wellness_domain::ports::{Inbox, Messenger, StorageError};
use wellness_domain::usecases::chat::{ChatError, ChatService};
use wellness_domain::usecases::inbox::{InboxPolicy, Settlement};
use wellness_domain::{ChatId, InboundMessage, InboxUpdate, UpdateId};
use wellness_telegram::parse_update;

use crate::contained::{contained, failed_attempt};
use crate::metrics::Metrics;

/// Show "typing…" when handling takes longer than this.
const TYPING_AFTER: Duration = Duration::from_millis(700);

/// What a worker hands each readable update to: the conversation.
#[async_trait]
pub trait Handler: Send + Sync + 'static {
    /// Handles one message: acts and replies.
    async fn handle(&self, message: &InboundMessage) -> Result<(), ChatError>;
    /// Tells the sender their message was set aside after failing every attempt.
    async fn set_aside(&self, message: &InboundMessage) -> Result<(), ChatError>;
}

#[async_trait]
impl Handler for ChatService {
    async fn handle(&self, message: &InboundMessage) -> Result<(), ChatError> {
        ChatService::handle(self, message).await
    }

    async fn set_aside(&self, message: &InboundMessage) -> Result<(), ChatError> {
        ChatService::set_aside(self, message).await
    }
}

/// Why an idle worker woke up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Woken {
    /// The webhook or the poller stored an update and said so: that update is the work.
    Announced,
    /// Its timer, or a worker that found unannounced work: there may be more of it.
    Looking,
}

/// One inbox worker.
pub struct Worker {
    /// Its name in the claims.
    pub name: String,
    /// How often it looks for work when idle and not woken.
    pub look_every: Duration,
    /// Wakes another idle worker when this one found work nobody announced.
    pub relay: Arc<Notify>,
    /// The updates.
    pub inbox: Arc<dyn Inbox>,
    /// The conversation.
    pub handler: Arc<dyn Handler>,
    /// Shows "typing…".
    pub messenger: Arc<dyn Messenger>,
    /// Done, retried later or parked: the domain's policy.
    pub policy: InboxPolicy,
    /// How long a claimed update is ours before another worker may take it (a worker that
    /// died).
    pub lease: chrono::Duration,
    /// The longest one update may be handled before it counts as hung.
    pub handle_timeout: Duration,
    /// Counters.
    pub metrics: Arc<Metrics>,
}

impl Worker {
    /// Claims and handles updates until stopped. An idle worker waits to be woken: by the
    /// webhook or poller for each stored update, by another worker that found unannounced work
    /// (which passes the word on while it finds more, so a backlog wakes every worker), or by
    /// its own timer — every 0.5 s for the first worker, every 10 s for the rest. Idle, an
    /// instance with 16 workers claims 3.5 times a second instead of 32.
    pub async fn run(self, wake: Arc<Notify>, mut stop: watch::Receiver<bool>) {
        let mut woken = Woken::Announced;
        loop {
            if *stop.borrow() {
                return;
            }
            let claimed = self.inbox.claim(&self.name, self.lease).await;
            let outcome = match &claimed {
                Ok(Some(_)) => "found",
                Ok(None) => "empty",
                Err(_) => "failed",
            };
            self.metrics
                .inc("wellness_inbox_claims_total", &[("outcome", outcome)]);
            match claimed {
                Ok(Some(update)) => {
                    // Once per wake-up: the worker woken next passes it on if it finds work too.
                    if woken == Woken::Looking {
                        self.relay.notify_one();
                        woken = Woken::Announced;
                    }
                    // One span per update: its lines, and those of every call made for it,
                    // carry the update id (never its text).
                    let span = info_span!(
                        "update",
                        update_id = %update.update_id,
                        attempt = update.attempts
                    );
                    self.process(update).instrument(span).await;
                }
                Ok(None) => {
                    woken = tokio::select! {
                        () = wake.notified() => Woken::Announced,
                        () = self.relay.notified() => Woken::Looking,
                        () = tokio::time::sleep(self.look_every) => Woken::Looking,
                        _ = stop.changed() => Woken::Announced,
                    };
                }
                Err(e) => {
                    warn!(worker = %self.name, error = %e, "cannot claim updates");
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_secs(1)) => {}
                        _ = stop.changed() => {}
                    }
                }
            }
        }
    }

    async fn process(&self, update: InboxUpdate) {
        let id = update.update_id;
        let message = match parse_update(&update.payload) {
            Ok(Some(message)) => message,
            Ok(None) => {
                debug!(update_id = %id, "nothing to do");
                self.metrics.inc(
                    "wellness_updates_processed_total",
                    &[("outcome", "ignored")],
                );
                self.settle(id, self.inbox.complete(id, &self.name).await);
                return;
            }
            Err(e) => {
                warn!(update_id = %id, error = %e, "unreadable update parked");
                self.metrics.inc(
                    "wellness_updates_processed_total",
                    &[("outcome", "unreadable")],
                );
                let parked = self.policy.unreadable(e.to_string());
                let stored = self
                    .policy
                    .record(self.inbox.as_ref(), id, &self.name, &parked)
                    .await;
                self.settle(id, stored);
                return;
            }
        };
        let started = std::time::Instant::now();
        let outcome = self
            .holding_the_lease(id, self.isolated(message.clone()))
            .await;
        self.metrics.observe_processing(started.elapsed());
        let settlement = self.policy.settle(update.attempts, outcome, Utc::now());
        match &settlement {
            Settlement::Done => {}
            Settlement::RetryAt { reason, .. } => {
                warn!(update_id = %id, attempts = update.attempts, error = %reason, "will retry");
            }
            Settlement::Parked { reason, cause } => {
                warn!(update_id = %id, attempts = update.attempts, error = %reason,
                    cause = cause.as_str(), "parked");
            }
        }
        self.metrics.inc(
            "wellness_updates_processed_total",
            &[("outcome", settlement.label())],
        );
        let stored = self
            .policy
            .record(self.inbox.as_ref(), id, &self.name, &settlement)
            .await;
        let held = self.settle(id, stored);
        if held
            && matches!(settlement, Settlement::Parked { .. })
            && let Err(e) = self.handler.set_aside(&message).await
        {
            warn!(update_id = %id, error = %e, "could not tell the sender their message was set aside");
        }
    }

    /// Handles `message` in a task of its own, within the deadline: a panic or a hang is a
    /// failed attempt (worth retrying: it may have been a passing state), not the worker's end.
    async fn isolated(&self, message: InboundMessage) -> Result<(), ChatError> {
        let handler = self.handler.clone();
        let messenger = self.messenger.clone();
        let handling = async move {
            with_typing(messenger.as_ref(), message.chat, handler.handle(&message)).await
        };
        contained(handling, self.handle_timeout)
            .await
            .unwrap_or_else(|fault| {
                self.metrics
                    .inc("wellness_update_faults_total", &[("fault", fault.label())]);
                Err(failed_attempt(fault, self.handle_timeout))
            })
    }

    /// Runs `handling` while renewing the claim every third of the lease, so a slow handling
    /// (an outside service's retries can take minutes) is not taken over by another worker.
    /// A worker that dies stops renewing, and its claim runs out as before.
    async fn holding_the_lease<T>(&self, id: UpdateId, handling: impl Future<Output = T>) -> T {
        let every = (self.lease / 3)
            .to_std()
            .unwrap_or(Duration::from_secs(1))
            .max(Duration::from_millis(100));
        tokio::pin!(handling);
        loop {
            tokio::select! {
                outcome = &mut handling => return outcome,
                () = tokio::time::sleep(every) => {
                    match self.inbox.extend_lease(id, &self.name, self.lease).await {
                        Ok(true) => {}
                        Ok(false) => warn!(update_id = %id, "lost the claim while handling"),
                        Err(e) => warn!(update_id = %id, error = %e, "could not renew the claim"),
                    }
                }
            }
        }
    }

    /// Logs what settling `id` came to; `true` when it was recorded by this worker.
    fn settle(&self, id: UpdateId, result: Result<bool, StorageError>) -> bool {
        match result {
            Ok(true) => true,
            // Fenced: the lease ran out and another worker took the update; its outcome stands.
            Ok(false) => {
                warn!(update_id = %id, "the claim was lost before the outcome was recorded");
                false
            }
            // The lease runs out and another worker takes it again: nothing is lost.
            Err(e) => {
                warn!(update_id = %id, error = %e, "could not record the outcome");
                false
            }
        }
    }
}

/// Runs `work`; if it takes longer than a moment, shows "typing…" until it is done.
async fn with_typing<T>(
    messenger: &dyn Messenger,
    chat: ChatId,
    work: impl Future<Output = T>,
) -> T {
    tokio::pin!(work);
    tokio::select! {
        out = &mut work => return out,
        () = tokio::time::sleep(TYPING_AFTER) => {}
    }
    loop {
        // The work goes on while the action is sent: a slow or failing Telegram must not hold
        // the reply back.
        tokio::select! {
            out = &mut work => return out,
            _ = messenger.show_typing(chat) => {}
        }
        tokio::select! {
            out = &mut work => return out,
            // Telegram shows the action for about 5 seconds.
            () = tokio::time::sleep(Duration::from_millis(4500)) => {}
        }
    }
}

#[cfg(test)]
mod tests;
