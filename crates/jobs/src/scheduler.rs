//! The apalis wiring: one apalis-cron worker per job under one monitor. Every instance ticks
//! (apalis-cron keeps no state); [`JobRunner::run_tick`] makes each tick run once.

use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use apalis::prelude::{Data, Monitor, WorkerBuilder};
use apalis_cron::{CronScheduler, Tick};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use thiserror::Error;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tracing::{info, warn};

use crate::job::{Job, ScheduleError, StandardJob};
use crate::runner::{JobFn, JobRunner, TickReport};

/// The scheduler stopped badly.
#[derive(Debug, Error)]
pub enum SchedulerError {
    /// A worker failed and the monitor gave up.
    #[error("the job monitor failed: {0}")]
    Monitor(#[source] apalis::prelude::MonitorError),
    /// The monitor's task panicked or was cancelled.
    #[error("the job monitor task ended abnormally: {0}")]
    Task(#[source] tokio::task::JoinError),
}

/// The jobs of one app instance, before they start.
#[derive(Debug)]
pub struct Scheduler {
    runner: JobRunner,
    jobs: Vec<Job>,
    shutdown_timeout: Duration,
}

impl Scheduler {
    /// No jobs yet; ticks will run through `runner`.
    pub fn new(runner: JobRunner) -> Self {
        Self {
            runner,
            jobs: Vec::new(),
            shutdown_timeout: Duration::from_secs(30),
        }
    }

    /// How long [`RunningScheduler::stop`] waits for running jobs (default 30 s).
    pub fn with_shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// Adds a job; names must be unique.
    pub fn with_job(mut self, job: Job) -> Result<Self, ScheduleError> {
        if self.jobs.iter().any(|j| j.name() == job.name()) {
            return Err(ScheduleError::Duplicate(job.name().to_owned()));
        }
        self.jobs.push(job);
        Ok(self)
    }

    /// Adds a job by name and cron expression (UTC, with a seconds field).
    pub fn job(self, name: &str, cron: &str, body: JobFn) -> Result<Self, ScheduleError> {
        self.with_job(Job::new(name, cron, body)?)
    }

    /// Adds one of the standard jobs with its standard name and schedule.
    pub fn standard(self, which: StandardJob, body: JobFn) -> Result<Self, ScheduleError> {
        self.with_job(which.job(body)?)
    }

    /// The jobs added so far.
    pub fn jobs(&self) -> &[Job] {
        &self.jobs
    }

    /// The runner ticks go through.
    pub fn runner(&self) -> &JobRunner {
        &self.runner
    }

    /// Runs the tick of job `name` at `at` now, through the same claim (for the CLI and tests);
    /// `None` when there is no such job.
    pub async fn run_now(&self, name: &str, at: DateTime<Utc>) -> Option<TickReport> {
        let job = self.jobs.iter().find(|j| j.name() == name)?;
        Some(self.runner.run_tick(job, at).await)
    }

    /// Starts every job on the current tokio runtime.
    pub fn start(self) -> RunningScheduler {
        let names: Vec<String> = self.jobs.iter().map(|j| j.name().to_owned()).collect();
        let mut monitor = Monitor::new()
            .should_restart(|worker, error| {
                // A cron worker only fails when its timer misfires; a fresh one is harmless.
                warn!(worker = worker.name(), %error, "job worker failed; restarting it");
                true
            })
            .shutdown_timeout(self.shutdown_timeout);
        for job in self.jobs {
            let scheduled = Arc::new(ScheduledJob {
                runner: self.runner.clone(),
                job,
            });
            monitor = monitor.register(move |_restarts| {
                let backend = CronScheduler::new(scheduled.job.schedule().clone())
                    .with_timezone(scheduled.job.zone());
                WorkerBuilder::new(scheduled.job.name())
                    .backend(backend)
                    .data(scheduled.clone())
                    .build(on_tick)
            });
        }
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(monitor.run_with_signal(async move {
            // A dropped handle stops the scheduler too.
            let _ = stopped.await;
            Ok(())
        }));
        info!(instance = self.runner.instance(), jobs = ?names, "scheduler started");
        RunningScheduler {
            stop: Some(stop),
            task,
            names,
        }
    }
}

/// A job and the runner its ticks go through: the state of one apalis worker.
struct ScheduledJob {
    runner: JobRunner,
    job: Job,
}

impl fmt::Debug for ScheduledJob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScheduledJob")
            .field("job", &self.job)
            .finish_non_exhaustive()
    }
}

async fn on_tick(tick: Tick<Tz>, scheduled: Data<Arc<ScheduledJob>>) -> Result<(), Infallible> {
    let fired_at = i64::try_from(tick.get_timestamp())
        .ok()
        .and_then(|secs| DateTime::from_timestamp(secs, 0))
        .unwrap_or_else(Utc::now);
    scheduled.runner.run_tick(&scheduled.job, fired_at).await;
    Ok(())
}

/// The started scheduler. Stop it with [`RunningScheduler::stop`]; dropping it stops it too.
#[derive(Debug)]
pub struct RunningScheduler {
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), apalis::prelude::MonitorError>>,
    names: Vec<String>,
}

impl RunningScheduler {
    /// The names of the running jobs.
    pub fn jobs(&self) -> &[String] {
        &self.names
    }

    /// Whether the scheduler has stopped (on its own, that is a failure).
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// Stops taking ticks, waits for running jobs (up to the shutdown timeout) and returns.
    pub async fn stop(mut self) -> Result<(), SchedulerError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let result = match (&mut self.task).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(SchedulerError::Monitor(e)),
            Err(e) => Err(SchedulerError::Task(e)),
        };
        info!(ok = result.is_ok(), "scheduler stopped");
        result
    }
}
