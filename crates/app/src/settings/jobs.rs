//! The `[jobs]` settings: how often due briefings are looked for, and the durable task workers
//! every instance runs (briefings, follow-ups, WHOOP webhooks).

use std::time::Duration;

use wellness_domain::ports::JobOutcome;

use super::{Source, invalid};
use crate::settings::SettingsError;

/// The scheduled jobs and the task workers.
#[derive(Debug, Clone)]
pub struct JobSettings {
    /// When the briefings check runs (cron with seconds, UTC); each run queues what is due.
    pub briefing_check: String,
    /// Task workers per instance.
    pub task_workers: usize,
    /// How long a claimed task is its worker's; a dead instance's tasks are taken over after
    /// it. The longest task (a first WHOOP sync of 30 days) must fit in it.
    pub task_lease: Duration,
}

impl JobSettings {
    /// The longest one task may run: four fifths of the lease, so no other worker takes a task
    /// still running.
    pub fn task_deadline(&self) -> Duration {
        self.task_lease.mul_f64(0.8)
    }
}

pub(super) fn parse(s: &Source) -> Result<JobSettings, SettingsError> {
    let briefing_check = s.required("jobs.briefing_check")?;
    let noop = wellness_jobs::job_fn(|_| async { Ok(JobOutcome::done("")) });
    wellness_jobs::Job::new("briefings", &briefing_check, noop)
        .map_err(|e| invalid("jobs.briefing_check", e.to_string()))?;
    let task_workers: usize = s.number("jobs.task_workers", "a number of workers")?;
    if !(1..=256).contains(&task_workers) {
        return Err(invalid("jobs.task_workers", "must be 1 to 256"));
    }
    let lease_secs: u64 = s.number("jobs.task_lease_secs", "a number of seconds")?;
    if lease_secs < 2 {
        return Err(invalid("jobs.task_lease_secs", "must be at least 2"));
    }
    Ok(JobSettings {
        briefing_check,
        task_workers,
        task_lease: Duration::from_secs(lease_secs),
    })
}
