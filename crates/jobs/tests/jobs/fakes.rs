//! In-memory stand-ins for the ports, shared like the real tables.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use wellness_domain::ports::{FinishedRun, JobRun, JobRuns, RunOutcome, StorageError};
use wellness_jobs::JobObserver;

pub fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

/// `JobRuns` in memory.
#[derive(Debug, Default)]
pub struct MemoryJobRuns {
    pub runs: Mutex<HashMap<(String, DateTime<Utc>), JobRun>>,
    /// When set, claims fail as if the database were down.
    pub down: Mutex<bool>,
}

impl MemoryJobRuns {
    pub fn run(&self, job: &str, tick: DateTime<Utc>) -> Option<JobRun> {
        self.runs
            .lock()
            .unwrap()
            .get(&(job.to_owned(), tick))
            .cloned()
    }
}

#[async_trait]
impl JobRuns for MemoryJobRuns {
    async fn claim(
        &self,
        job: &str,
        tick: DateTime<Utc>,
        instance: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        if *self.down.lock().unwrap() {
            return Err(StorageError::Unavailable("connection refused".into()));
        }
        let mut runs = self.runs.lock().unwrap();
        let key = (job.to_owned(), tick);
        if runs.contains_key(&key) {
            return Ok(false);
        }
        runs.insert(
            key,
            JobRun {
                job: job.to_owned(),
                tick,
                claimed_by: instance.to_owned(),
                started_at: at,
                finished: None,
            },
        );
        Ok(true)
    }

    async fn finish(
        &self,
        job: &str,
        tick: DateTime<Utc>,
        run: &FinishedRun,
    ) -> Result<(), StorageError> {
        match self.runs.lock().unwrap().get_mut(&(job.to_owned(), tick)) {
            Some(claimed) => {
                claimed.finished = Some(run.clone());
                Ok(())
            }
            None => Err(StorageError::Rejected("not claimed".into())),
        }
    }

    async fn latest(&self, job: &str) -> Result<Option<JobRun>, StorageError> {
        Ok(self
            .runs
            .lock()
            .unwrap()
            .values()
            .filter(|r| r.job == job)
            .max_by_key(|r| (r.started_at, r.tick))
            .cloned())
    }

    async fn delete_older_than(&self, before: DateTime<Utc>) -> Result<u64, StorageError> {
        let mut runs = self.runs.lock().unwrap();
        let n = runs.len();
        runs.retain(|(_, tick), _| *tick >= before);
        Ok((n - runs.len()) as u64)
    }
}

/// Everything the runner told its observer.
#[derive(Debug, Default)]
pub struct RecordingObserver {
    pub finished: Mutex<Vec<(String, RunOutcome, Duration)>>,
    pub elsewhere: Mutex<Vec<String>>,
    pub retries: Mutex<Vec<(String, u32)>>,
}

impl JobObserver for RecordingObserver {
    fn finished(&self, job: &str, outcome: RunOutcome, duration: Duration) {
        self.finished
            .lock()
            .unwrap()
            .push((job.to_owned(), outcome, duration));
    }

    fn claimed_elsewhere(&self, job: &str) {
        self.elsewhere.lock().unwrap().push(job.to_owned());
    }

    fn retrying(&self, job: &str, failed_attempt: u32) {
        self.retries
            .lock()
            .unwrap()
            .push((job.to_owned(), failed_attempt));
    }
}
