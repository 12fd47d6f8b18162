//! The apalis wiring: schedulers start, tick, share claims and stop cleanly.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use wellness_domain::ports::{JobOutcome, SystemClock};
use wellness_jobs::{JobFn, JobRunner, ScheduleError, Scheduler, StandardJob, job_fn};
use wellness_postgres::PgJobRuns;
use wellness_postgres::test_support::TestDatabase;

use wellness_domain::testing::MemoryJobRuns;

use crate::fakes::at;

type Ticks = Arc<Mutex<Vec<DateTime<Utc>>>>;

/// A job that notes each tick it runs for.
fn noting(ticks: Ticks) -> JobFn {
    job_fn(move |tick| {
        let ticks = ticks.clone();
        async move {
            ticks.lock().unwrap().push(tick);
            Ok(JobOutcome::done("noted"))
        }
    })
}

fn memory_runner(name: &str) -> JobRunner {
    JobRunner::new(
        name,
        Arc::new(MemoryJobRuns::default()),
        Arc::new(SystemClock),
    )
}

async fn wait_for(ticks: &Ticks, at_least: usize, within: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    while tokio::time::Instant::now() < deadline {
        if ticks.lock().unwrap().len() >= at_least {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

#[tokio::test]
async fn the_scheduler_starts_ticks_and_stops_cleanly() {
    let ticks = Ticks::default();
    let scheduler = Scheduler::new(memory_runner("a"))
        .job("every_second", "* * * * * *", noting(ticks.clone()))
        .unwrap()
        .standard(StandardJob::ConversationCleanup, noting(Ticks::default()))
        .unwrap();
    let running = scheduler.start();
    assert_eq!(running.jobs(), ["every_second", "conversation_cleanup"]);

    assert!(
        wait_for(&ticks, 1, Duration::from_secs(5)).await,
        "no tick within 5 s"
    );
    assert!(!running.is_finished());
    tokio::time::timeout(Duration::from_secs(5), running.stop())
        .await
        .expect("stops within 5 s")
        .expect("stops cleanly");

    let after_stop = ticks.lock().unwrap().len();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        ticks.lock().unwrap().len(),
        after_stop,
        "no ticks after stop"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_running_instances_run_each_tick_once() {
    let test_db = TestDatabase::migrated().await.unwrap();
    let ticks = Ticks::default();
    let instances: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|name| {
            let runner = JobRunner::new(
                name,
                Arc::new(PgJobRuns::new(test_db.pool().unwrap())),
                Arc::new(SystemClock),
            );
            Scheduler::new(runner)
                .job("every_second", "* * * * * *", noting(ticks.clone()))
                .unwrap()
                .start()
        })
        .collect();
    assert!(wait_for(&ticks, 3, Duration::from_secs(10)).await);
    for running in instances {
        running.stop().await.unwrap();
    }
    let ticks = ticks.lock().unwrap().clone();
    let distinct: HashSet<_> = ticks.iter().collect();
    assert_eq!(distinct.len(), ticks.len(), "a tick ran twice: {ticks:?}");
}

#[tokio::test]
async fn job_names_are_unique_and_run_now_uses_the_same_claim() {
    let duplicate = Scheduler::new(memory_runner("a"))
        .standard(StandardJob::WhoopSync, noting(Ticks::default()))
        .unwrap()
        .job("whoop_sync", "0 0 * * * *", noting(Ticks::default()));
    assert_eq!(
        duplicate.err(),
        Some(ScheduleError::Duplicate("whoop_sync".into()))
    );

    let ticks = Ticks::default();
    let scheduler = Scheduler::new(memory_runner("a"))
        .standard(StandardJob::Briefings, noting(ticks.clone()))
        .unwrap();
    let tick = at(2026, 5, 15, 8, 5);
    assert!(scheduler.run_now("briefings", tick).await.unwrap().ran());
    assert!(!scheduler.run_now("briefings", tick).await.unwrap().ran());
    assert!(scheduler.run_now("unknown", tick).await.is_none());
    assert_eq!(*ticks.lock().unwrap(), [tick]);
}
