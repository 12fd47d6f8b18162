//! Each tick runs on one instance only: the claim is one insert into `job_runs`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::Duration;
use wellness_domain::ports::{JobOutcome, JobRuns, ManualClock, RunOutcome};
use wellness_jobs::{Job, JobRunner, TickReport, job_fn};
use wellness_postgres::PgJobRuns;
use wellness_postgres::test_support::TestDatabase;

use crate::fakes::at;

fn counting_job(count: Arc<AtomicU32>) -> Job {
    Job::new(
        "briefings",
        "0 */5 * * * *",
        job_fn(move |_tick| {
            let count = count.clone();
            async move {
                count.fetch_add(1, Ordering::SeqCst);
                // Long enough for the other instances to try their claims meanwhile.
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                Ok(JobOutcome::done("sent 0 briefings"))
            }
        }),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_ticking_the_same_minute_run_the_job_once() {
    let test_db = TestDatabase::migrated().await.unwrap();
    let clock = Arc::new(ManualClock::new(at(2026, 5, 15, 8, 0)));
    // Four instances, each with a pool of its own, as four processes would have.
    let instances: Vec<JobRunner> = (0..4)
        .map(|i| {
            JobRunner::new(
                format!("instance-{i}"),
                Arc::new(PgJobRuns::new(test_db.pool().unwrap())),
                clock.clone(),
            )
        })
        .collect();
    let count = Arc::new(AtomicU32::new(0));
    let job = counting_job(count.clone());

    for minute in [0, 5, 10] {
        let tick = at(2026, 5, 15, 8, minute);
        let mut tasks = Vec::new();
        for (i, runner) in instances.iter().enumerate() {
            let (runner, job) = (runner.clone(), job.clone());
            // Timers fire a little apart on different machines: same minute, same claim.
            let fired = tick + Duration::milliseconds(700 * i64::try_from(i).unwrap());
            tasks.push(tokio::spawn(
                async move { runner.run_tick(&job, fired).await },
            ));
        }
        let mut reports = Vec::new();
        for task in tasks {
            reports.push(task.await.unwrap());
        }
        let ran: Vec<_> = reports.iter().filter(|r| r.ran()).collect();
        assert_eq!(ran.len(), 1, "{reports:?}");
        assert!(
            reports
                .iter()
                .filter(|r| !r.ran())
                .all(|r| matches!(r, TickReport::ClaimedElsewhere { tick: t } if *t == tick)),
            "{reports:?}"
        );
    }
    assert_eq!(count.load(Ordering::SeqCst), 3, "once per tick");

    let latest = PgJobRuns::new(test_db.pool().unwrap())
        .latest("briefings")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(latest.tick, at(2026, 5, 15, 8, 10));
    assert!(latest.claimed_by.starts_with("instance-"));
    let finished = latest.finished.unwrap();
    assert_eq!(
        (
            finished.outcome,
            finished.attempts,
            finished.detail.as_str()
        ),
        (RunOutcome::Ok, 1, "sent 0 briefings")
    );
}

#[tokio::test]
async fn a_tick_already_run_is_not_run_again_by_a_late_instance() {
    let test_db = TestDatabase::migrated().await.unwrap();
    let clock = Arc::new(ManualClock::new(at(2026, 5, 15, 3, 0)));
    let count = Arc::new(AtomicU32::new(0));
    let job = counting_job(count.clone());
    let early = JobRunner::new(
        "early",
        Arc::new(PgJobRuns::new(test_db.pool().unwrap())),
        clock.clone(),
    );
    let late = JobRunner::new(
        "late",
        Arc::new(PgJobRuns::new(test_db.pool().unwrap())),
        clock,
    );
    let tick = at(2026, 5, 15, 8, 5);
    assert!(early.run_tick(&job, tick).await.ran());
    // The late instance's timer fired after the job had finished elsewhere.
    assert_eq!(
        late.run_tick(&job, tick + Duration::seconds(20)).await,
        TickReport::ClaimedElsewhere { tick }
    );
    assert_eq!(count.load(Ordering::SeqCst), 1);
}
