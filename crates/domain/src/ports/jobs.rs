//! Scheduled jobs: what a job reports, and the record of ticks claimed once across instances.

use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use thiserror::Error;

use super::{Clock, StorageError};

/// What a successful job run did, in a line for logs and the `job_runs` table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JobOutcome {
    /// A short summary ("sent 3 briefings").
    pub summary: String,
}

impl JobOutcome {
    /// A run that did what its summary says.
    pub fn done(summary: impl Into<String>) -> Self {
        Self {
            summary: summary.into(),
        }
    }
}

/// A job run failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum JobError {
    /// Worth another attempt soon (a database or service was unavailable).
    #[error("transient failure: {0}")]
    Transient(String),
    /// Another attempt in this tick will fail the same way.
    #[error("permanent failure: {0}")]
    Permanent(String),
}

impl JobError {
    /// Whether the runner should try again within the tick.
    pub fn is_transient(&self) -> bool {
        matches!(self, JobError::Transient(_))
    }
}

impl From<StorageError> for JobError {
    fn from(err: StorageError) -> Self {
        match err {
            StorageError::Unavailable(_) => JobError::Transient(err.to_string()),
            StorageError::Corrupt(_) | StorageError::Rejected(_) => {
                JobError::Permanent(err.to_string())
            }
        }
    }
}

/// How a claimed tick ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunOutcome {
    /// The job succeeded (possibly after retries).
    Ok,
    /// Every attempt failed, or a permanent error stopped it.
    Failed,
}

impl RunOutcome {
    /// The storage code.
    pub fn code(self) -> &'static str {
        match self {
            RunOutcome::Ok => "ok",
            RunOutcome::Failed => "failed",
        }
    }

    /// Parses the storage code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "ok" => Some(RunOutcome::Ok),
            "failed" => Some(RunOutcome::Failed),
            _ => None,
        }
    }
}

/// The end of a claimed tick, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishedRun {
    /// How it ended.
    pub outcome: RunOutcome,
    /// Attempts made (at least 1).
    pub attempts: u32,
    /// The job's summary, or the last error.
    pub detail: String,
    /// When it ended.
    pub finished_at: DateTime<Utc>,
}

/// One recorded tick of a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRun {
    /// The job's name.
    pub job: String,
    /// The scheduled tick (truncated to the schedule's resolution).
    pub tick: DateTime<Utc>,
    /// The instance that claimed it.
    pub claimed_by: String,
    /// When it was claimed.
    pub started_at: DateTime<Utc>,
    /// How it ended; `None` while running (or when its instance died mid-run).
    pub finished: Option<FinishedRun>,
}

/// Ticks of scheduled jobs, claimed once across every app instance.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait JobRuns: Send + Sync {
    /// Claims a tick of a job for `instance`; `false` when any instance already claimed it.
    async fn claim(
        &self,
        job: &str,
        tick: DateTime<Utc>,
        instance: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StorageError>;
    /// Records how a claimed tick ended.
    async fn finish(
        &self,
        job: &str,
        tick: DateTime<Utc>,
        run: &FinishedRun,
    ) -> Result<(), StorageError>;
    /// The latest claimed tick of a job.
    async fn latest(&self, job: &str) -> Result<Option<JobRun>, StorageError>;
    /// Forgets ticks before `before`; returns how many.
    async fn delete_older_than(&self, before: DateTime<Utc>) -> Result<u64, StorageError>;
}

/// A clock that stands still until moved: for tests and simulations.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
}

impl ManualClock {
    /// Stopped at `now`.
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(now),
        }
    }

    /// Moves to `now`.
    pub fn set(&self, now: DateTime<Utc>) {
        if let Ok(mut guard) = self.now.lock() {
            *guard = now;
        }
    }

    /// Moves forward by `by`.
    pub fn advance(&self, by: Duration) {
        if let Ok(mut guard) = self.now.lock() {
            *guard += by;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.now
            .lock()
            .map(|guard| *guard)
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn storage_outages_are_retried_and_bad_data_is_not() {
        assert!(JobError::from(StorageError::Unavailable("down".into())).is_transient());
        assert!(!JobError::from(StorageError::Corrupt("bad row".into())).is_transient());
    }

    #[test]
    fn run_outcomes_round_trip_their_codes() {
        for outcome in [RunOutcome::Ok, RunOutcome::Failed] {
            assert_eq!(RunOutcome::from_code(outcome.code()), Some(outcome));
        }
        assert_eq!(RunOutcome::from_code("skipped"), None);
    }

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let start = Utc.with_ymd_and_hms(2026, 3, 29, 0, 0, 0).unwrap();
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        clock.advance(Duration::minutes(5));
        assert_eq!(clock.now(), start + Duration::minutes(5));
    }
}
