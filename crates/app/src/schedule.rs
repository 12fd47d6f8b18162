//! The scheduled jobs of `wellness serve`: each tick claimed once across instances (see
//! crates/jobs/README.md), every job a domain use case.

use std::sync::Arc;
use std::time::Duration;

use wellness_domain::Provider;
use wellness_domain::ports::{
    Clock, Conversations, CredentialStore, Inbox, JobOutcome, Messenger, Notifications,
    OAuthStates, TaskKind, Tasks, Users, Wearable,
};
use wellness_domain::usecases::inbox::RedrivePolicy;
use wellness_domain::usecases::routine::{queue_for_connected, queue_whoop_refreshes};
use wellness_jobs::{
    JobObserver, JobRunner, RunOutcome, RunningScheduler, Scheduler, StandardJob, instance_id,
    job_fn, tasks,
};
use wellness_postgres::PgJobRuns;

use crate::metrics::Metrics;

impl JobObserver for Metrics {
    fn finished(&self, job: &str, outcome: RunOutcome, duration: Duration) {
        self.inc(
            "wellness_job_runs_total",
            &[("job", job), ("outcome", outcome.code())],
        );
        tracing::info!(
            job,
            outcome = outcome.code(),
            took_ms = duration.as_millis() as u64,
            "job finished"
        );
    }

    fn claimed_elsewhere(&self, job: &str) {
        self.inc(
            "wellness_job_runs_total",
            &[("job", job), ("outcome", "claimed_elsewhere")],
        );
    }

    fn retrying(&self, job: &str, _failed_attempt: u32) {
        self.inc("wellness_job_retries_total", &[("job", job)]);
    }
}

/// What the jobs work with.
pub struct JobPorts {
    /// FatSecret's diary, when configured.
    pub fatsecret: Option<wellness_domain::usecases::chat::FatSecretDiary>,
    /// People.
    pub users: Arc<dyn Users>,
    /// Once-per-day claims.
    pub notifications: Arc<dyn Notifications>,
    /// Conversation history.
    pub conversations: Arc<dyn Conversations>,
    /// Tokens.
    pub credentials: Arc<dyn CredentialStore>,
    /// Telegram, when configured.
    pub messenger: Option<Arc<dyn Messenger>>,
    /// WHOOP, when configured.
    pub whoop: Option<Arc<dyn Wearable>>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Telegram's updates.
    pub inbox: Arc<dyn Inbox>,
    /// Follow-up tasks and webhook receipts.
    pub tasks: Arc<dyn Tasks>,
    /// Pending OAuth connections, when they can be stored.
    pub states: Option<Arc<dyn OAuthStates>>,
    /// How long handled updates are kept.
    pub done_retention: Duration,
    /// How long parked updates and tasks are kept.
    pub parked_retention: Duration,
    /// Which updates parked by an outage go back to pending, and how often.
    pub redrive: RedrivePolicy,
    /// When due briefings are looked for (`jobs.briefing_check`).
    pub briefing_check: String,
}

/// Starts the scheduler: housekeeping always; briefings, WHOOP and FatSecret jobs when their
/// services are configured.
pub fn start(
    db: &wellness_postgres::Database,
    ports: JobPorts,
    metrics: Arc<Metrics>,
) -> anyhow::Result<RunningScheduler> {
    let runs = Arc::new(PgJobRuns::new(db.clone()));
    let runner = JobRunner::new(instance_id(), runs.clone(), ports.clock.clone())
        .with_observer(metrics.clone());
    let scheduler = housekeeping(Scheduler::new(runner), db, &ports, runs)?.job(
        "inbox_redrive",
        "0 */5 * * * *",
        inbox_redrive(ports.inbox.clone(), ports.redrive, metrics),
    )?;
    let scheduler = briefings(scheduler, &ports)?;
    let scheduler = whoop_jobs(scheduler, &ports)?;
    let scheduler = fatsecret_jobs(scheduler, &ports)?;
    Ok(scheduler.start())
}

/// What is kept only for a while: conversations, cached food lookups, job history.
fn housekeeping(
    scheduler: Scheduler,
    db: &wellness_postgres::Database,
    ports: &JobPorts,
    runs: Arc<PgJobRuns>,
) -> anyhow::Result<Scheduler> {
    let cache = wellness_postgres::PgCatalogCache::new(db.clone());
    let cache_clock = ports.clock.clone();
    Ok(scheduler
        .standard(
            StandardJob::ConversationCleanup,
            tasks::conversation_cleanup(ports.conversations.clone(), tasks::CONVERSATION_RETENTION),
        )?
        // FatSecret answers are served for 24 hours at most; the expired ones go daily.
        .job(
            "food_cache_cleanup",
            "0 20 3 * * *",
            job_fn(move |_tick| {
                let (cache, clock) = (cache.clone(), cache_clock.clone());
                async move {
                    let removed = cache
                        .purge(clock.now() - chrono::Duration::hours(24))
                        .await?;
                    Ok(JobOutcome {
                        summary: format!("{removed} expired food lookups removed"),
                    })
                }
            }),
        )?
        .standard(
            StandardJob::JobHistoryCleanup,
            tasks::job_history_cleanup(runs, tasks::JOB_HISTORY_RETENTION),
        )?
        .job("inbox_retention", "0 30 3 * * *", inbox_retention(ports))?
        .job(
            "oauth_state_cleanup",
            "0 40 3 * * *",
            oauth_state_cleanup(ports),
        )?)
}

/// Handled updates (their texts with them) after `done_retention`, parked updates and tasks
/// after `parked_retention`, webhook receipts after a day (a replay is refused by its
/// signature's timestamp long before).
fn inbox_retention(ports: &JobPorts) -> wellness_jobs::JobFn {
    let (inbox, tasks) = (ports.inbox.clone(), ports.tasks.clone());
    let (done, parked) = (ports.done_retention, ports.parked_retention);
    job_fn(move |tick| {
        let (inbox, tasks) = (inbox.clone(), tasks.clone());
        async move {
            let ago =
                |d: Duration| tick - chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
            let updates = inbox.purge(ago(done), ago(parked)).await?;
            let rest = tasks
                .purge(ago(parked), tick - chrono::Duration::days(1))
                .await?;
            Ok(JobOutcome::done(format!(
                "deleted {updates} old updates and {rest} parked tasks and receipts"
            )))
        }
    })
}

/// Updates parked by an outage back to pending, every 5 minutes so an outage's updates are
/// answered soon after it ends (see [`RedrivePolicy`] for which, and how often each).
fn inbox_redrive(
    inbox: Arc<dyn Inbox>,
    policy: RedrivePolicy,
    metrics: Arc<Metrics>,
) -> wellness_jobs::JobFn {
    job_fn(move |tick| {
        let (inbox, metrics) = (inbox.clone(), metrics.clone());
        async move {
            let redriven = policy.redrive(inbox.as_ref(), tick, false).await?;
            metrics.add("wellness_inbox_redriven_total", &[], redriven);
            Ok(JobOutcome::done(format!(
                "{redriven} updates parked by an outage sent back to pending"
            )))
        }
    })
}

/// OAuth states that expired (an hour ago: a page being answered right now keeps its own).
fn oauth_state_cleanup(ports: &JobPorts) -> wellness_jobs::JobFn {
    let states = ports.states.clone();
    job_fn(move |tick| {
        let states = states.clone();
        async move {
            let Some(states) = states else {
                return Ok(JobOutcome::done("no OAuth states are stored".to_owned()));
            };
            let purged = states
                .purge_expired(tick - chrono::Duration::hours(1))
                .await?;
            Ok(JobOutcome::done(format!(
                "deleted {purged} expired OAuth states"
            )))
        }
    })
}

/// The morning briefings and evening summaries, when the bot can send them: the check (on
/// `jobs.briefing_check`, every 5 minutes by default) queues what is due; every instance's task
/// workers send it.
fn briefings(scheduler: Scheduler, ports: &JobPorts) -> anyhow::Result<Scheduler> {
    if ports.messenger.is_none() {
        return Ok(scheduler);
    }
    Ok(scheduler.job(
        StandardJob::Briefings.name(),
        &ports.briefing_check,
        tasks::briefings(tasks::BriefingJobPorts {
            users: ports.users.clone(),
            notifications: ports.notifications.clone(),
            page_size: 500,
        }),
    )?)
}

/// WHOOP's hourly sync and token refresh, when WHOOP and the bot are configured: each tick
/// queues one task per user, and every instance's task workers do them.
fn whoop_jobs(scheduler: Scheduler, ports: &JobPorts) -> anyhow::Result<Scheduler> {
    if ports.whoop.is_none() || ports.messenger.is_none() {
        return Ok(scheduler);
    }
    let (credentials, tasks) = (ports.credentials.clone(), ports.tasks.clone());
    let (c, t) = (credentials.clone(), tasks.clone());
    Ok(scheduler
        .standard(
            StandardJob::WhoopSync,
            routine(TaskKind::WhoopSync, Provider::Whoop, credentials, tasks),
        )?
        .standard(
            StandardJob::WhoopTokenRefresh,
            job_fn(move |tick| {
                let (credentials, tasks) = (c.clone(), t.clone());
                async move {
                    let round =
                        queue_whoop_refreshes(tick, credentials.as_ref(), tasks.as_ref()).await?;
                    Ok(JobOutcome::done(
                        round.summary(&TaskKind::WhoopTokenRefresh),
                    ))
                }
            }),
        )?)
}

/// FatSecret's diary import and token check, when FatSecret is configured: each tick queues
/// one task per connected user.
fn fatsecret_jobs(scheduler: Scheduler, ports: &JobPorts) -> anyhow::Result<Scheduler> {
    if ports.fatsecret.is_none() || ports.messenger.is_none() {
        return Ok(scheduler);
    }
    let (credentials, tasks) = (ports.credentials.clone(), ports.tasks.clone());
    Ok(scheduler
        .standard(
            StandardJob::FatsecretDiarySync,
            routine(
                TaskKind::FatsecretImport,
                Provider::Fatsecret,
                credentials.clone(),
                tasks.clone(),
            ),
        )?
        .standard(
            StandardJob::FatsecretTokenCheck,
            routine(
                TaskKind::FatsecretTokenCheck,
                Provider::Fatsecret,
                credentials,
                tasks,
            ),
        )?)
}

/// A tick that queues `kind` for every user connected to `provider`.
fn routine(
    kind: TaskKind,
    provider: Provider,
    credentials: Arc<dyn CredentialStore>,
    tasks: Arc<dyn Tasks>,
) -> wellness_jobs::JobFn {
    job_fn(move |_tick| {
        let (kind, credentials, tasks) = (kind.clone(), credentials.clone(), tasks.clone());
        async move {
            let round =
                queue_for_connected(&kind, provider, credentials.as_ref(), tasks.as_ref(), 500)
                    .await?;
            Ok(JobOutcome::done(round.summary(&kind)))
        }
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;
    use wellness_domain::ports::MockInbox;

    use super::*;

    #[tokio::test]
    async fn the_redrive_job_re_drives_outages_of_the_last_day_and_counts_them() {
        let tick = chrono::Utc.with_ymd_and_hms(2026, 6, 1, 12, 5, 0).unwrap();
        let mut inbox = MockInbox::new();
        inbox
            .expect_redrive()
            .withf(move |rule| {
                *rule
                    == wellness_domain::RedriveRule {
                        received_after: tick - chrono::Duration::hours(24),
                        max_redrives: 12,
                        faults_too: false,
                    }
            })
            .times(2)
            .returning(|_| Ok(3));
        let metrics = Arc::new(Metrics::new().unwrap());
        let job = inbox_redrive(Arc::new(inbox), RedrivePolicy::default(), metrics.clone());
        let outcome = job(tick).await.unwrap();
        assert_eq!(
            outcome.summary,
            "3 updates parked by an outage sent back to pending"
        );
        job(tick).await.unwrap();
        let text = metrics.render(&[]);
        assert!(text.contains("wellness_inbox_redriven_total 6"), "{text}");
    }
}
