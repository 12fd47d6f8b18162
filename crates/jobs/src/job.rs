//! A job: a name, a cron schedule, a retry policy and a body.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use chrono_tz::Tz;
use cron::{Schedule, TimeUnitSpec};
use thiserror::Error;

use crate::runner::{JobFn, RetryPolicy};

/// A job could not be scheduled.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScheduleError {
    /// The cron expression did not parse (it has a seconds field: "0 */5 * * * *").
    #[error("invalid cron expression {expression:?} for job {job}: {reason}")]
    InvalidCron {
        /// The job.
        job: String,
        /// The expression given.
        expression: String,
        /// The parser's complaint.
        reason: String,
    },
    /// The name is empty or longer than 100 characters.
    #[error("a job name must be 1 to 100 characters, got {0:?}")]
    InvalidName(String),
    /// Two jobs share a name (their ticks would share claims).
    #[error("a job named {0} is already scheduled")]
    Duplicate(String),
}

/// A job to run on a cron schedule, each tick once across every instance.
#[derive(Clone)]
pub struct Job {
    name: String,
    schedule: Schedule,
    zone: Tz,
    resolution: TimeDelta,
    retry: RetryPolicy,
    body: JobFn,
}

impl fmt::Debug for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Job")
            .field("name", &self.name)
            .field("schedule", &self.schedule.source())
            .field("zone", &self.zone)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Job {
    /// A job named `name` (its key in `job_runs`) run on `cron` (with a seconds field:
    /// "0 0 3 * * *" is 03:00:00), in UTC unless [`Job::in_zone`] says otherwise.
    pub fn new(name: &str, cron: &str, body: JobFn) -> Result<Self, ScheduleError> {
        if name.is_empty() || name.chars().count() > 100 {
            return Err(ScheduleError::InvalidName(name.to_owned()));
        }
        let schedule = Schedule::from_str(cron).map_err(|e| ScheduleError::InvalidCron {
            job: name.to_owned(),
            expression: cron.to_owned(),
            reason: e.to_string(),
        })?;
        // A schedule that fires at one second of a minute is claimed per minute, so ticks that
        // two instances compute a second apart still share one claim.
        let resolution = if schedule.seconds().count() == 1 {
            TimeDelta::minutes(1)
        } else {
            TimeDelta::seconds(1)
        };
        Ok(Self {
            name: name.to_owned(),
            schedule,
            zone: Tz::UTC,
            resolution,
            retry: RetryPolicy::default(),
            body,
        })
    }

    /// Reads the cron expression in `zone` (e.g. 08:00 Europe/Kyiv); ticks are still UTC instants.
    pub fn in_zone(mut self, zone: Tz) -> Self {
        self.zone = zone;
        self
    }

    /// Retries with `policy` instead of [`RetryPolicy::default`].
    pub fn with_retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its cron expression.
    pub fn cron(&self) -> &str {
        self.schedule.source()
    }

    /// Its schedule.
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// The zone its schedule is read in.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// Its retry policy.
    pub fn retry(&self) -> RetryPolicy {
        self.retry
    }

    /// Its body.
    pub fn body(&self) -> &JobFn {
        &self.body
    }

    /// The tick a firing at `fired_at` claims: truncated to the schedule's resolution (the
    /// minute, or the second for schedules that fire several times a minute).
    pub fn tick_of(&self, fired_at: DateTime<Utc>) -> DateTime<Utc> {
        fired_at.duration_trunc(self.resolution).unwrap_or(fired_at)
    }

    /// The next tick after `after`.
    pub fn next_tick(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.schedule
            .after(&after.with_timezone(&self.zone))
            .next()
            .map(|t| t.with_timezone(&Utc))
    }
}

/// The jobs the app schedules, with their names and schedules (UTC, spread over the hour so
/// they do not all start at :00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StandardJob {
    /// Morning briefings and evening summaries that are due: every 5 minutes.
    Briefings,
    /// Conversation messages past retention (7 days): daily at 03:00.
    ConversationCleanup,
    /// `job_runs` rows past retention: daily at 03:10.
    JobHistoryCleanup,
    /// WHOOP records: hourly at :00.
    WhoopSync,
    /// WHOOP access tokens about to expire: every 30 minutes, at :15 and :45.
    WhoopTokenRefresh,
    /// The FatSecret diary: hourly at :30.
    FatsecretDiarySync,
    /// FatSecret connections still valid: every 30 minutes, at :05 and :35.
    FatsecretTokenCheck,
}

impl StandardJob {
    /// Every standard job.
    pub const ALL: [StandardJob; 7] = [
        StandardJob::Briefings,
        StandardJob::ConversationCleanup,
        StandardJob::JobHistoryCleanup,
        StandardJob::WhoopSync,
        StandardJob::WhoopTokenRefresh,
        StandardJob::FatsecretDiarySync,
        StandardJob::FatsecretTokenCheck,
    ];

    /// Its name in logs, metrics and `job_runs`.
    pub const fn name(self) -> &'static str {
        match self {
            StandardJob::Briefings => "briefings",
            StandardJob::ConversationCleanup => "conversation_cleanup",
            StandardJob::JobHistoryCleanup => "job_history_cleanup",
            StandardJob::WhoopSync => "whoop_sync",
            StandardJob::WhoopTokenRefresh => "whoop_token_refresh",
            StandardJob::FatsecretDiarySync => "fatsecret_diary_sync",
            StandardJob::FatsecretTokenCheck => "fatsecret_token_check",
        }
    }

    /// Its cron expression (sec min hour day month weekday), UTC.
    pub const fn cron(self) -> &'static str {
        match self {
            StandardJob::Briefings => "0 */5 * * * *",
            StandardJob::ConversationCleanup => "0 0 3 * * *",
            StandardJob::JobHistoryCleanup => "0 10 3 * * *",
            StandardJob::WhoopSync => "0 0 * * * *",
            StandardJob::WhoopTokenRefresh => "0 15,45 * * * *",
            StandardJob::FatsecretDiarySync => "0 30 * * * *",
            StandardJob::FatsecretTokenCheck => "0 5,35 * * * *",
        }
    }

    /// The job with this name and schedule running `body`.
    pub fn job(self, body: JobFn) -> Result<Job, ScheduleError> {
        Job::new(self.name(), self.cron(), body)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use wellness_domain::ports::JobOutcome;

    use super::*;
    use crate::runner::job_fn;

    fn noop() -> JobFn {
        job_fn(|_| async { Ok(JobOutcome::done("nothing")) })
    }

    #[test]
    fn every_standard_schedule_parses_and_fires_when_documented() {
        let midnight = Utc.with_ymd_and_hms(2026, 5, 15, 0, 0, 0).unwrap();
        let next = |j: StandardJob| j.job(noop()).unwrap().next_tick(midnight).unwrap();
        let at = |h, m| Utc.with_ymd_and_hms(2026, 5, 15, h, m, 0).unwrap();
        assert_eq!(next(StandardJob::Briefings), at(0, 5));
        assert_eq!(next(StandardJob::ConversationCleanup), at(3, 0));
        assert_eq!(next(StandardJob::JobHistoryCleanup), at(3, 10));
        assert_eq!(next(StandardJob::WhoopSync), at(1, 0));
        assert_eq!(next(StandardJob::WhoopTokenRefresh), at(0, 15));
        assert_eq!(next(StandardJob::FatsecretDiarySync), at(0, 30));
        assert_eq!(next(StandardJob::FatsecretTokenCheck), at(0, 5));
    }

    #[test]
    fn ticks_are_truncated_to_the_schedules_resolution() {
        let fired = Utc.with_ymd_and_hms(2026, 5, 15, 8, 5, 2).unwrap();
        let minutely = Job::new("briefings", "0 */5 * * * *", noop()).unwrap();
        assert_eq!(
            minutely.tick_of(fired),
            Utc.with_ymd_and_hms(2026, 5, 15, 8, 5, 0).unwrap()
        );
        let every_second = Job::new("fast", "* * * * * *", noop()).unwrap();
        assert_eq!(every_second.tick_of(fired), fired);
    }

    #[test]
    fn bad_cron_expressions_and_names_are_refused() {
        assert!(matches!(
            Job::new("x", "every five minutes", noop()),
            Err(ScheduleError::InvalidCron { .. })
        ));
        assert!(matches!(
            Job::new("", "0 * * * * *", noop()),
            Err(ScheduleError::InvalidName(_))
        ));
    }

    #[test]
    fn a_schedule_can_be_read_in_a_time_zone() {
        let job = Job::new("kyiv", "0 0 8 * * *", noop())
            .unwrap()
            .in_zone(chrono_tz::Europe::Kyiv);
        let after = Utc.with_ymd_and_hms(2026, 5, 15, 0, 0, 0).unwrap();
        assert_eq!(
            job.next_tick(after),
            Some(Utc.with_ymd_and_hms(2026, 5, 15, 5, 0, 0).unwrap())
        );
    }
}
