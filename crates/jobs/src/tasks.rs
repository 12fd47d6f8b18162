//! The bodies of the jobs this crate provides, over the domain's ports.

use std::fmt;
use std::sync::Arc;

use chrono::Duration;
use wellness_domain::ports::{Conversations, JobOutcome, JobRuns, Notifications, Users};
use wellness_domain::usecases::briefing::queue_due_briefings;

use crate::runner::{JobFn, job_fn};

/// How long conversation messages are kept.
pub const CONVERSATION_RETENTION: Duration = Duration::days(7);
/// How long the record of job ticks is kept.
pub const JOB_HISTORY_RETENTION: Duration = Duration::days(30);

/// What the briefings check works through.
#[derive(Clone)]
pub struct BriefingJobPorts {
    /// Who gets briefings.
    pub users: Arc<dyn Users>,
    /// Once-per-day claims, queued with their tasks.
    pub notifications: Arc<dyn Notifications>,
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

/// Queues the briefings due at the tick, each as a durable task that any instance's task
/// worker sends (so 100,000 briefings at 08:00 are sent by every instance, and a dead one's
/// share is taken over after its lease). A storage failure fails the tick transiently: the
/// runner retries it, and what was queued before stays queued once.
pub fn briefings(ports: BriefingJobPorts) -> JobFn {
    job_fn(move |tick| {
        let ports = ports.clone();
        async move {
            let round = queue_due_briefings(
                tick,
                ports.users.as_ref(),
                ports.notifications.as_ref(),
                ports.page_size,
            )
            .await?;
            Ok(JobOutcome::done(round.summary()))
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
