//! Failures are retried with backoff within the tick; the end is recorded and reported.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use wellness_domain::ports::{JobError, JobOutcome, ManualClock, RunOutcome};
use wellness_domain::retry::Backoff;
use wellness_jobs::{Job, JobRunner, RetryPolicy, TickReport, job_fn};

use wellness_domain::testing::MemoryJobRuns;

use crate::fakes::{RecordingObserver, at};

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        backoff: Backoff::new(Duration::from_secs(5), Duration::from_secs(60)),
        attempt_timeout: Duration::from_secs(30),
    }
}

/// A job that fails with `error` the first `failures` times, then succeeds.
fn flaky(failures: u32, error: JobError, calls: Arc<AtomicU32>) -> Job {
    Job::new(
        "whoop_sync",
        "0 0 * * * *",
        job_fn(move |_| {
            let (calls, error) = (calls.clone(), error.clone());
            async move {
                if calls.fetch_add(1, Ordering::SeqCst) < failures {
                    Err(error)
                } else {
                    Ok(JobOutcome::done("synced 3 users"))
                }
            }
        }),
    )
    .unwrap()
    .with_retry(policy())
}

struct Instance {
    runs: Arc<MemoryJobRuns>,
    observer: Arc<RecordingObserver>,
    runner: JobRunner,
}

fn instance() -> Instance {
    let runs = Arc::new(MemoryJobRuns::default());
    let observer = Arc::new(RecordingObserver::default());
    let runner = JobRunner::new(
        "a",
        runs.clone(),
        Arc::new(ManualClock::new(at(2026, 5, 15, 9, 0))),
    )
    .with_observer(observer.clone());
    Instance {
        runs,
        observer,
        runner,
    }
}

#[tokio::test(start_paused = true)]
async fn a_failing_job_is_retried_with_growing_backoff_until_it_succeeds() {
    let i = instance();
    let calls = Arc::new(AtomicU32::new(0));
    let job = flaky(
        2,
        JobError::Transient("WHOOP is down".into()),
        calls.clone(),
    );
    let tick = at(2026, 5, 15, 9, 0);
    let started = tokio::time::Instant::now();

    let report = i.runner.run_tick(&job, tick).await;

    assert_eq!(
        report,
        TickReport::Ran {
            tick,
            outcome: RunOutcome::Ok,
            attempts: 3,
            detail: "synced 3 users".into()
        }
    );
    // 5 s after the first failure, 10 s after the second.
    assert_eq!(started.elapsed(), Duration::from_secs(15));
    assert_eq!(
        *i.observer.retries.lock().unwrap(),
        [("whoop_sync".to_owned(), 1), ("whoop_sync".to_owned(), 2)]
    );
    let recorded = i.runs.run("whoop_sync", tick).unwrap().finished.unwrap();
    assert_eq!((recorded.outcome, recorded.attempts), (RunOutcome::Ok, 3));
    let finished = i.observer.finished.lock().unwrap();
    assert_eq!(finished.len(), 1);
    assert_eq!(finished[0].1, RunOutcome::Ok);
    assert_eq!(finished[0].2, Duration::from_secs(15));
}

#[tokio::test(start_paused = true)]
async fn a_job_that_keeps_failing_stops_after_the_last_attempt_and_is_recorded_failed() {
    let i = instance();
    let calls = Arc::new(AtomicU32::new(0));
    let job = flaky(
        u32::MAX,
        JobError::Transient("WHOOP is down".into()),
        calls.clone(),
    );
    let tick = at(2026, 5, 15, 9, 0);
    let started = tokio::time::Instant::now();
    let report = i.runner.run_tick(&job, tick).await;
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    assert_eq!(started.elapsed(), Duration::from_secs(5 + 10 + 20));
    let TickReport::Ran {
        outcome,
        attempts,
        detail,
        ..
    } = report
    else {
        panic!("{report:?}");
    };
    assert_eq!((outcome, attempts), (RunOutcome::Failed, 4));
    assert!(detail.contains("WHOOP is down"), "{detail}");
    let recorded = i.runs.run("whoop_sync", tick).unwrap().finished.unwrap();
    assert_eq!(recorded.outcome, RunOutcome::Failed);
    assert_eq!(i.observer.finished.lock().unwrap()[0].1, RunOutcome::Failed);
}

#[tokio::test(start_paused = true)]
async fn a_permanent_error_is_not_retried() {
    let i = instance();
    let calls = Arc::new(AtomicU32::new(0));
    let job = flaky(
        1,
        JobError::Permanent("stored data is invalid".into()),
        calls.clone(),
    );
    let report = i.runner.run_tick(&job, at(2026, 5, 15, 9, 0)).await;
    assert!(matches!(
        report,
        TickReport::Ran {
            outcome: RunOutcome::Failed,
            attempts: 1,
            ..
        }
    ));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn a_hanging_attempt_times_out_and_a_panicking_one_fails_the_tick_not_the_runner() {
    let i = instance();
    let hangs = Job::new(
        "hangs",
        "0 0 * * * *",
        job_fn(|_| async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(JobOutcome::done("never"))
        }),
    )
    .unwrap()
    .with_retry(RetryPolicy {
        max_attempts: 2,
        ..policy()
    });
    let report = i.runner.run_tick(&hangs, at(2026, 5, 15, 9, 0)).await;
    let TickReport::Ran {
        outcome,
        attempts,
        detail,
        ..
    } = report
    else {
        panic!("{report:?}");
    };
    assert_eq!((outcome, attempts), (RunOutcome::Failed, 2));
    assert!(detail.contains("timed out after 30 s"), "{detail}");

    let panics = Job::new(
        "panics",
        "0 0 * * * *",
        job_fn(|_| async { panic!("a bug in the job") }),
    )
    .unwrap();
    let report = i.runner.run_tick(&panics, at(2026, 5, 15, 9, 0)).await;
    assert!(
        matches!(&report, TickReport::Ran { outcome: RunOutcome::Failed, attempts: 1, detail, .. } if detail.contains("panicked")),
        "{report:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn an_instance_that_cannot_claim_the_tick_does_not_run_the_job() {
    let i = instance();
    i.runs.down.store(true, std::sync::atomic::Ordering::SeqCst);
    let calls = Arc::new(AtomicU32::new(0));
    let job = flaky(0, JobError::Transient("unused".into()), calls.clone());
    let report = i.runner.run_tick(&job, at(2026, 5, 15, 9, 0)).await;
    assert!(
        matches!(report, TickReport::NotClaimed { .. }),
        "{report:?}"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    assert_eq!(i.observer.finished.lock().unwrap()[0].1, RunOutcome::Failed);
}
