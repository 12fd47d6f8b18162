//! Scheduled jobs: apalis-cron fires the ticks on every app instance, and a claim in PostgreSQL
//! (`job_runs`, one insert) lets exactly one instance run each tick. See README.md.
//!
//! - [`JobRunner::run_tick`]: the core, free of apalis — claim the tick, run the job with
//!   retries and backoff, record the end, log it and tell the [`JobObserver`].
//! - [`Scheduler`]: one apalis-cron worker per [`Job`] under one apalis monitor.
//! - [`tasks`]: the bodies of the briefings and cleanup jobs; the app adds the WHOOP and
//!   FatSecret jobs as [`JobFn`]s under their [`StandardJob`] names and schedules.

mod job;
mod runner;
mod scheduler;
pub mod tasks;

pub use job::{Job, ScheduleError, StandardJob};
pub use runner::{
    BoxFuture, JobFn, JobObserver, JobRunner, NoObserver, RetryPolicy, TickReport, instance_id,
    job_fn,
};
pub use scheduler::{RunningScheduler, Scheduler, SchedulerError};
pub use wellness_domain::ports::{JobError, JobOutcome, RunOutcome};
