//! The worker of the durable follow-up tasks (a word in the chat after connecting, the first
//! WHOOP sync): claims a due task, runs the domain's `FollowUps`, settles it by the inbox's
//! policy (done, retried with backoff, parked). Any instance may run any task; one that dies
//! leaves its claim to the next after the lease.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;
use tracing::{Instrument as _, info_span, warn};
use wellness_domain::ports::{ClaimedTask, Messenger, Presenter, Tasks, Users};
use wellness_domain::usecases::inbox::{InboxPolicy, Settlement};
use wellness_domain::usecases::tasks::{FollowUps, record};

use crate::contained::{contained, failed_attempt};
use crate::integrations::WhoopIntegration;
use crate::metrics::Metrics;

/// How long a claimed task is the worker's: a first sync of 30 days fits well inside.
const LEASE: chrono::Duration = chrono::Duration::minutes(5);
/// The longest one task may run: inside the lease, so no other worker takes a task still
/// running.
const DEADLINE: Duration = Duration::from_secs(4 * 60);
/// How often an idle worker looks for due tasks.
const LOOK_EVERY: Duration = Duration::from_secs(1);

/// Runs follow-up tasks until stopped.
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
    /// This worker's name in the claims.
    pub name: String,
    /// Counts tasks by kind and outcome.
    pub metrics: Arc<Metrics>,
}

impl FollowUpWorker {
    /// Spawns the worker; it stops after the task in hand once `stop` turns true.
    pub fn spawn(self, stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(self.run(stop))
    }

    async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            match self.tasks.claim(&self.name, LEASE).await {
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
        let work = async move {
            let follow_ups = FollowUps {
                users: users.as_ref(),
                messenger: messenger.as_ref(),
                presenter: presenter.as_ref(),
                whoop: whoop.as_ref().and_then(WhoopIntegration::ports),
            };
            follow_ups.run(&claimed).await
        };
        let outcome = contained(work, DEADLINE)
            .await
            .unwrap_or_else(|fault| Err(failed_attempt(fault, DEADLINE)));
        let settlement = InboxPolicy::default().settle(task.attempts, outcome, Utc::now());
        if let Settlement::RetryAt { reason, .. } | Settlement::Parked { reason, .. } = &settlement
        {
            warn!(attempts = task.attempts, %reason, outcome = settlement.label(), "follow-up task failed");
        }
        self.metrics.inc(
            "wellness_tasks_total",
            &[("kind", task.kind.label()), ("outcome", settlement.label())],
        );
        match record(self.tasks.as_ref(), &task, &self.name, &settlement).await {
            Ok(true) => {}
            Ok(false) => warn!("the task's claim was lost before it was settled"),
            Err(e) => {
                warn!(error = %e, "cannot settle a follow-up task; it is claimed again after its lease")
            }
        }
    }
}
