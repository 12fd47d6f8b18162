//! The core of every scheduled tick, free of apalis: claim the tick, run the job with retries,
//! record the end. The scheduler calls it from apalis-cron; tests and the CLI call it directly.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tracing::{Instrument as _, debug, info, info_span, warn};
use wellness_domain::ports::{Clock, FinishedRun, JobError, JobOutcome, JobRuns, RunOutcome};
use wellness_domain::retry::Backoff;

use crate::job::Job;

/// A boxed, sendable future (the same shape as `futures::future::BoxFuture`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A job's body: given the tick it runs for (UTC, truncated to the schedule's resolution).
pub type JobFn =
    Arc<dyn Fn(DateTime<Utc>) -> BoxFuture<'static, Result<JobOutcome, JobError>> + Send + Sync>;

/// Wraps an async closure as a [`JobFn`].
pub fn job_fn<F, Fut>(f: F) -> JobFn
where
    F: Fn(DateTime<Utc>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<JobOutcome, JobError>> + Send + 'static,
{
    Arc::new(move |tick| Box::pin(f(tick)))
}

/// How a job is retried within one tick: only transient errors are, with exponential backoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (at least 1).
    pub max_attempts: u32,
    /// The waits between attempts.
    pub backoff: Backoff,
    /// One attempt running longer than this counts as a transient failure and is abandoned.
    pub attempt_timeout: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, 5 s then 10 s apart, 4 minutes each: a tick of a 5-minute job ends before
    /// the next one.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            backoff: Backoff::new(Duration::from_secs(5), Duration::from_secs(60)),
            attempt_timeout: Duration::from_secs(4 * 60),
        }
    }
}

impl RetryPolicy {
    /// The wait after the `failed`-th failed attempt (1-based).
    pub fn wait_after(&self, failed: u32) -> Duration {
        self.backoff.nominal(failed)
    }
}

/// Told about every tick, so the app can count them (e.g. as Prometheus metrics).
pub trait JobObserver: Send + Sync {
    /// A tick this instance claimed ended (or could not be claimed: `Failed`, not run).
    fn finished(&self, job: &str, outcome: RunOutcome, duration: Duration);
    /// Another instance had claimed the tick.
    fn claimed_elsewhere(&self, _job: &str) {}
    /// An attempt failed and another follows.
    fn retrying(&self, _job: &str, _failed_attempt: u32) {}
}

/// An observer that ignores everything (tracing logs remain).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoObserver;

impl JobObserver for NoObserver {
    fn finished(&self, _job: &str, _outcome: RunOutcome, _duration: Duration) {}
}

/// What happened to one tick on this instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TickReport {
    /// This instance claimed the tick and ran the job.
    Ran {
        /// The claimed tick.
        tick: DateTime<Utc>,
        /// How it ended.
        outcome: RunOutcome,
        /// Attempts made.
        attempts: u32,
        /// The job's summary, or its last error.
        detail: String,
    },
    /// Another instance claimed the tick: nothing ran here.
    ClaimedElsewhere {
        /// The tick.
        tick: DateTime<Utc>,
    },
    /// The claim itself failed (the database was unreachable): nothing ran, to be safe.
    NotClaimed {
        /// The tick.
        tick: DateTime<Utc>,
        /// Why.
        error: String,
    },
}

impl TickReport {
    /// Whether this instance ran the job.
    pub fn ran(&self) -> bool {
        matches!(self, TickReport::Ran { .. })
    }
}

/// Runs ticks of jobs for one app instance: claim once across instances, retry, record, report.
#[derive(Clone)]
pub struct JobRunner {
    instance: Arc<str>,
    runs: Arc<dyn JobRuns>,
    clock: Arc<dyn Clock>,
    observer: Arc<dyn JobObserver>,
}

impl fmt::Debug for JobRunner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobRunner")
            .field("instance", &self.instance)
            .finish_non_exhaustive()
    }
}

impl JobRunner {
    /// A runner for the instance named `instance` (unique per process, see [`instance_id`]).
    pub fn new(instance: impl Into<String>, runs: Arc<dyn JobRuns>, clock: Arc<dyn Clock>) -> Self {
        Self {
            instance: Arc::from(instance.into()),
            runs,
            clock,
            observer: Arc::new(NoObserver),
        }
    }

    /// Reports every tick to `observer`.
    pub fn with_observer(mut self, observer: Arc<dyn JobObserver>) -> Self {
        self.observer = observer;
        self
    }

    /// This instance's name, as recorded in `job_runs.claimed_by`.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// Runs the tick of `job` that fired at `fired_at`, if this instance wins its claim.
    pub async fn run_tick(&self, job: &Job, fired_at: DateTime<Utc>) -> TickReport {
        // One span per tick: every line of the job (and of the calls it makes) names it.
        let span = info_span!("job_tick", job = job.name(), tick = %job.tick_of(fired_at));
        self.claim_and_run(job, fired_at).instrument(span).await
    }

    async fn claim_and_run(&self, job: &Job, fired_at: DateTime<Utc>) -> TickReport {
        let name = job.name();
        let tick = job.tick_of(fired_at);
        let started = tokio::time::Instant::now();
        match self
            .runs
            .claim(name, tick, &self.instance, self.clock.now())
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                debug!(job = name, %tick, "tick claimed by another instance");
                self.observer.claimed_elsewhere(name);
                return TickReport::ClaimedElsewhere { tick };
            }
            Err(e) => {
                warn!(job = name, %tick, error = %e, "could not claim the tick; not running it");
                self.observer
                    .finished(name, RunOutcome::Failed, started.elapsed());
                return TickReport::NotClaimed {
                    tick,
                    error: e.to_string(),
                };
            }
        }

        let (result, attempts) = self.attempts(job, tick).await;
        let (outcome, detail) = match result {
            Ok(done) => (RunOutcome::Ok, done.summary),
            Err(e) => (RunOutcome::Failed, e.to_string()),
        };
        let finished = FinishedRun {
            outcome,
            attempts,
            detail: detail.clone(),
            finished_at: self.clock.now(),
        };
        if let Err(e) = self.runs.finish(name, tick, &finished).await {
            warn!(job = name, %tick, error = %e, "could not record the end of the tick");
        }
        let duration = started.elapsed();
        let duration_ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
        match outcome {
            RunOutcome::Ok => {
                info!(job = name, %tick, attempts, duration_ms, detail, "job succeeded")
            }
            RunOutcome::Failed => {
                warn!(job = name, %tick, attempts, duration_ms, detail, "job failed")
            }
        }
        self.observer.finished(name, outcome, duration);
        TickReport::Ran {
            tick,
            outcome,
            attempts,
            detail,
        }
    }

    /// Runs attempts until one succeeds, a permanent error, or the policy's last attempt.
    async fn attempts(
        &self,
        job: &Job,
        tick: DateTime<Utc>,
    ) -> (Result<JobOutcome, JobError>, u32) {
        let policy = job.retry();
        let max = policy.max_attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            match run_attempt(job, tick, policy.attempt_timeout).await {
                Err(e) if e.is_transient() && attempt < max => {
                    let wait = policy.wait_after(attempt);
                    warn!(
                        job = job.name(), %tick, attempt, error = %e,
                        retry_in_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        "job attempt failed; retrying"
                    );
                    self.observer.retrying(job.name(), attempt);
                    tokio::time::sleep(wait).await;
                }
                result => return (result, attempt),
            }
        }
    }
}

/// One attempt, in a task of its own: a panic or a hang fails the attempt, not the scheduler.
async fn run_attempt(
    job: &Job,
    tick: DateTime<Utc>,
    timeout: Duration,
) -> Result<JobOutcome, JobError> {
    let mut task = tokio::spawn(job.body()(tick));
    match tokio::time::timeout(timeout, &mut task).await {
        Ok(Ok(result)) => result,
        Ok(Err(join)) if join.is_panic() => Err(JobError::Permanent("the job panicked".into())),
        Ok(Err(join)) => Err(JobError::Transient(format!(
            "the job was cancelled: {join}"
        ))),
        Err(_) => {
            task.abort();
            Err(JobError::Transient(format!(
                "the attempt timed out after {} s",
                timeout.as_secs()
            )))
        }
    }
}

/// A name for this process among the app's instances: host, process id and start time.
pub fn instance_id() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "wellness".to_owned());
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    format!("{host}-{}-{started:x}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let policy = RetryPolicy {
            max_attempts: 6,
            backoff: Backoff::new(Duration::from_secs(5), Duration::from_secs(30)),
            attempt_timeout: Duration::from_secs(60),
        };
        let waits: Vec<u64> = (1..=5).map(|n| policy.wait_after(n).as_secs()).collect();
        assert_eq!(waits, [5, 10, 20, 30, 30]);
    }

    #[test]
    fn instance_ids_differ_between_processes_and_restarts() {
        let id = instance_id();
        assert!(id.contains(&std::process::id().to_string()), "{id}");
    }
}
