//! The bodies of the jobs this crate provides, over the domain's ports.

use std::fmt;
use std::sync::Arc;

use chrono::Duration;
use wellness_domain::ports::{
    Conversations, FoodLog, JobError, JobOutcome, JobRuns, Messenger, Notifications, Presenter,
    Users, WearableStore,
};
use wellness_domain::usecases::briefing::{BriefingPorts, send_due_briefings};

use crate::runner::{JobFn, job_fn};

/// How long conversation messages are kept.
pub const CONVERSATION_RETENTION: Duration = Duration::days(7);
/// How long the record of job ticks is kept.
pub const JOB_HISTORY_RETENTION: Duration = Duration::days(30);

/// What the briefings job works through.
#[derive(Clone)]
pub struct BriefingJobPorts {
    /// Who gets briefings.
    pub users: Arc<dyn Users>,
    /// Their food.
    pub food: Arc<dyn FoodLog>,
    /// Their WHOOP records.
    pub wearables: Arc<dyn WearableStore>,
    /// Once-per-day claims.
    pub notifications: Arc<dyn Notifications>,
    /// Telegram.
    pub messenger: Arc<dyn Messenger>,
    /// The briefings' texts.
    pub presenter: Arc<dyn Presenter>,
    /// Users read per page.
    pub page_size: i64,
}

impl fmt::Debug for BriefingJobPorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BriefingJobPorts")
            .field("page_size", &self.page_size)
            .finish_non_exhaustive()
    }
}

/// Sends the briefings due at the tick. Briefings that failed for a passing reason had their
/// claims given back: the tick fails transiently, so the runner retries it (only those are
/// sent again), and the next tick picks up what is still left.
pub fn briefings(ports: BriefingJobPorts) -> JobFn {
    job_fn(move |tick| {
        let ports = ports.clone();
        async move {
            let round = send_due_briefings(
                tick,
                &BriefingPorts {
                    users: ports.users.as_ref(),
                    food: ports.food.as_ref(),
                    wearables: ports.wearables.as_ref(),
                    notifications: ports.notifications.as_ref(),
                    messenger: ports.messenger.as_ref(),
                    presenter: ports.presenter.as_ref(),
                },
                ports.page_size,
            )
            .await?;
            for failure in &round.failures {
                tracing::warn!(
                    user = %failure.user,
                    kind = failure.kind.code(),
                    day = %failure.day,
                    will_retry = failure.will_retry,
                    reason = failure.reason,
                    "briefing not sent"
                );
            }
            if round.to_retry() > 0 {
                Err(JobError::Transient(round.summary()))
            } else {
                Ok(JobOutcome::done(round.summary()))
            }
        }
    })
}

/// Deletes conversation messages older than `retention` before the tick.
pub fn conversation_cleanup(conversations: Arc<dyn Conversations>, retention: Duration) -> JobFn {
    job_fn(move |tick| {
        let conversations = conversations.clone();
        async move {
            let before = tick - retention;
            let deleted = conversations.delete_older_than(before).await?;
            Ok(JobOutcome::done(format!(
                "deleted {deleted} messages older than {before}"
            )))
        }
    })
}

/// Deletes the record of ticks older than `retention` before the tick.
pub fn job_history_cleanup(runs: Arc<dyn JobRuns>, retention: Duration) -> JobFn {
    job_fn(move |tick| {
        let runs = runs.clone();
        async move {
            let before = tick - retention;
            let deleted = runs.delete_older_than(before).await?;
            Ok(JobOutcome::done(format!(
                "deleted {deleted} job runs older than {before}"
            )))
        }
    })
}
