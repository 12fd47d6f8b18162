//! In-memory stand-ins for the ports, shared like the real tables.

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use wellness_domain::ports::RunOutcome;
use wellness_jobs::JobObserver;

pub fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
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
