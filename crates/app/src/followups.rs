//! The workers of the durable tasks (queued briefings, a word in the chat after connecting,
//! the first WHOOP sync, WHOOP webhooks): each claims a due task, runs the domain's
//! `FollowUps`, settles it by the inbox's policy (done, retried with backoff, parked). Every
//! instance runs `jobs.task_workers` of them and any may run any task; one that dies leaves its
//! claims to the others after the lease.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;
use tracing::{Instrument as _, info_span, warn};
use wellness_domain::ports::{
    ClaimedTask, Clock, CredentialStore, FoodLog, Messenger, Presenter, Tasks, Users, WearableStore,
};
use wellness_domain::usecases::briefing::{Delivery, DeliveryPorts, briefing_retries};
use wellness_domain::usecases::chat::FatSecretDiary;
use wellness_domain::usecases::fatsecret::ImportPorts;
use wellness_domain::usecases::inbox::{InboxPolicy, Settlement};
use wellness_domain::usecases::tasks::{BriefingWork, FollowUps, record};

use crate::contained::{contained, failed_attempt};
use crate::integrations::WhoopIntegration;
use crate::metrics::Metrics;

/// How often an idle worker looks for due tasks.
const LOOK_EVERY: Duration = Duration::from_secs(1);

/// Runs durable tasks until stopped.
#[derive(Clone)]
pub struct FollowUpWorker {
    /// The tasks.
    pub tasks: Arc<dyn Tasks>,
    /// People.
    pub users: Arc<dyn Users>,
    /// The chat.
    pub messenger: Arc<dyn Messenger>,
    /// The words.
    pub presenter: Arc<dyn Presenter>,
    /// WHOOP, when configured.
    pub whoop: Option<WhoopIntegration>,
    /// What briefings are composed from, and the messenger that sends them after interactive
    /// replies when Telegram's budget is short.
    pub briefings: BriefingSources,
    /// FatSecret's diary, when configured (the hourly import and token check).
    pub fatsecret: Option<FatSecretDiary>,
    /// Tokens.
    pub credentials: Arc<dyn CredentialStore>,
    /// This worker's name in the claims.
    pub name: String,
    /// How long a claimed task is this worker's (`jobs.task_lease_secs`).
    pub lease: chrono::Duration,
    /// The longest one task may run: inside the lease, so no other worker takes a task still
    /// running.
    pub deadline: Duration,
    /// Counts tasks by kind and outcome.
    pub metrics: Arc<Metrics>,
}

/// What queued briefings are composed from and sent through.
#[derive(Clone)]
pub struct BriefingSources {
    /// Food.
    pub food: Arc<dyn FoodLog>,
    /// WHOOP records.
    pub wearables: Arc<dyn WearableStore>,
    /// Telegram at broadcast priority.
    pub messenger: Arc<dyn Messenger>,
    /// The time.
    pub clock: Arc<dyn Clock>,
}

impl FollowUpWorker {
    /// Spawns `count` workers named `{name}-{n}`; each stops after the task in hand once
    /// `stop` turns true.
    pub fn spawn(
        self,
        count: usize,
        stop: &watch::Receiver<bool>,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        (0..count.max(1))
            .map(|n| {
                let worker = Self {
                    name: format!("{}-{n}", self.name),
                    ..self.clone()
                };
                tokio::spawn(worker.run(stop.clone()))
            })
            .collect()
    }

    async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            match self.tasks.claim(&self.name, self.lease).await {
                Ok(Some(task)) => {
                    let span = info_span!("task", id = task.id, kind = task.kind.label());
                    self.handle(task).instrument(span).await;
                    continue;
                }
                Ok(None) => {}
                Err(e) => warn!(error = %e, "cannot claim follow-up tasks"),
            }
            tokio::select! {
                () = tokio::time::sleep(LOOK_EVERY) => {}
                _ = stop.changed() => {}
            }
        }
    }

    async fn handle(&self, task: ClaimedTask) {
        // In a task of its own, within the deadline: a panic or a hang fails this attempt,
        // not the instance's only follow-up worker.
        let (users, messenger, presenter) = (
            self.users.clone(),
            self.messenger.clone(),
            self.presenter.clone(),
        );
        let (whoop, claimed) = (self.whoop.clone(), task.clone());
        let sources = self.briefings.clone();
        let (fatsecret, credentials) = (self.fatsecret.clone(), self.credentials.clone());
        let work = async move {
            let follow_ups = FollowUps {
                users: users.as_ref(),
                messenger: messenger.as_ref(),
                presenter: presenter.as_ref(),
                whoop: whoop.as_ref().and_then(WhoopIntegration::ports),
                briefings: Some(BriefingWork {
                    ports: DeliveryPorts {
                        food: sources.food.as_ref(),
                        wearables: sources.wearables.as_ref(),
                        messenger: sources.messenger.as_ref(),
                        presenter: presenter.as_ref(),
                    },
                    clock: sources.clock.as_ref(),
                }),
                fatsecret: fatsecret.as_ref().map(|fs| ImportPorts {
                    outbox: fs.outbox.as_ref(),
                    credentials: credentials.as_ref(),
                    diary: fs.diary.as_ref(),
                    food: sources.food.as_ref(),
                    users: users.as_ref(),
                    messenger: Some(sources.messenger.as_ref()),
                    presenter: presenter.as_ref(),
                    clock: sources.clock.as_ref(),
                }),
            };
            follow_ups.run(&claimed).await
        };
        let outcome = contained(work, self.deadline)
            .await
            .unwrap_or_else(|fault| Err(failed_attempt(fault, self.deadline)));
        let outcome = outcome.map(|delivery| self.briefing_done(delivery.as_ref()));
        // A briefing is retried until it would be stale (an outage delays it, not drops it).
        let policy = match task.kind {
            wellness_domain::ports::TaskKind::Briefing { .. } => briefing_retries(),
            _ => InboxPolicy::default(),
        };
        let settlement = policy.settle(task.attempts, outcome, Utc::now());
        if let Settlement::RetryAt { reason, .. } | Settlement::Parked { reason, .. } = &settlement
        {
            warn!(attempts = task.attempts, %reason, outcome = settlement.label(), "follow-up task failed");
        }
        self.metrics.inc(
            "wellness_tasks_total",
            &[("kind", task.kind.label()), ("outcome", settlement.label())],
        );
        if let (Settlement::Parked { .. }, wellness_domain::ports::TaskKind::Briefing { .. }) =
            (&settlement, &task.kind)
        {
            self.metrics
                .inc("wellness_briefings_total", &[("outcome", "given_up")]);
        }
        match record(self.tasks.as_ref(), &task, &self.name, &settlement).await {
            Ok(true) => {}
            Ok(false) => warn!("the task's claim was lost before it was settled"),
            Err(e) => {
                warn!(error = %e, "cannot settle a follow-up task; it is claimed again after its lease")
            }
        }
    }
}

impl FollowUpWorker {
    /// Counts (and, when it was not sent, logs) what became of a briefing.
    fn briefing_done(&self, delivery: Option<&Delivery>) {
        let Some(delivery) = delivery else { return };
        self.metrics
            .inc("wellness_briefings_total", &[("outcome", delivery.label())]);
        match delivery {
            Delivery::Sent => {}
            Delivery::Undeliverable(reason) => {
                tracing::info!(%reason, "briefing not sent: the chat cannot be reached");
            }
            other => tracing::info!(outcome = other.label(), "briefing not sent"),
        }
    }
}
