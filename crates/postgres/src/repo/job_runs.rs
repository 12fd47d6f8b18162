//! `JobRuns` on PostgreSQL: the primary key (job, tick) makes a tick's claim unique across every
//! instance; the insert that wins runs the job.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use wellness_domain::ports::{FinishedRun, JobRun, JobRuns, RunOutcome, StorageError};

use crate::Database;
use crate::error::{corrupt, from_diesel};
use crate::schema::job_runs as jr;

/// The longest detail kept: an error chain can be long, the table is for people to read.
const MAX_DETAIL_CHARS: usize = 2000;

/// Claims a tick for `instance`; `false` when any instance already has.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    job: &str,
    tick: DateTime<Utc>,
    instance: &str,
    at: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let n = diesel::insert_into(jr::table)
        .values((
            jr::job.eq(job),
            jr::tick.eq(tick),
            jr::claimed_by.eq(instance),
            jr::started_at.eq(at),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    Ok(n == 1)
}

/// Records how a claimed tick ended.
pub async fn finish(
    conn: &mut AsyncPgConnection,
    job: &str,
    tick: DateTime<Utc>,
    run: &FinishedRun,
) -> Result<(), StorageError> {
    let detail: String = run.detail.chars().take(MAX_DETAIL_CHARS).collect();
    let n = diesel::update(jr::table.find((job, tick)))
        .set((
            jr::finished_at.eq(run.finished_at),
            jr::outcome.eq(run.outcome.code()),
            jr::attempts.eq(i32::try_from(run.attempts.max(1)).unwrap_or(i32::MAX)),
            jr::detail.eq(detail),
        ))
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    if n == 1 {
        Ok(())
    } else {
        Err(StorageError::Rejected(format!(
            "no claimed tick {tick} of job {job} to finish"
        )))
    }
}

type Row = (
    String,
    DateTime<Utc>,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<String>,
    i32,
    Option<String>,
);

fn to_model(row: Row) -> Result<JobRun, StorageError> {
    let (job, tick, claimed_by, started_at, finished_at, outcome, attempts, detail) = row;
    let finished = match (finished_at, outcome) {
        (Some(finished_at), Some(code)) => Some(FinishedRun {
            outcome: RunOutcome::from_code(&code)
                .ok_or_else(|| corrupt(format!("job outcome {code}")))?,
            attempts: u32::try_from(attempts).map_err(|_| corrupt("negative attempts"))?,
            detail: detail.unwrap_or_default(),
            finished_at,
        }),
        _ => None,
    };
    Ok(JobRun {
        job,
        tick,
        claimed_by,
        started_at,
        finished,
    })
}

/// The latest claimed tick of a job.
pub async fn latest(
    conn: &mut AsyncPgConnection,
    job: &str,
) -> Result<Option<JobRun>, StorageError> {
    let row: Option<Row> = jr::table
        .filter(jr::job.eq(job))
        .order((jr::started_at.desc(), jr::tick.desc()))
        .select((
            jr::job,
            jr::tick,
            jr::claimed_by,
            jr::started_at,
            jr::finished_at,
            jr::outcome,
            jr::attempts,
            jr::detail,
        ))
        .first(conn)
        .await
        .optional()
        .map_err(from_diesel)?;
    row.map(to_model).transpose()
}

/// Forgets ticks before `before`.
pub async fn delete_older_than(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
) -> Result<u64, StorageError> {
    let n = diesel::delete(jr::table.filter(jr::tick.lt(before)))
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    Ok(n as u64)
}

/// `JobRuns` over the pool.
#[derive(Debug, Clone)]
pub struct PgJobRuns {
    db: Database,
}

impl PgJobRuns {
    /// Over this database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait]
impl JobRuns for PgJobRuns {
    async fn claim(
        &self,
        job: &str,
        tick: DateTime<Utc>,
        instance: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        claim(&mut *self.db.conn().await?, job, tick, instance, at).await
    }

    async fn finish(
        &self,
        job: &str,
        tick: DateTime<Utc>,
        run: &FinishedRun,
    ) -> Result<(), StorageError> {
        finish(&mut *self.db.conn().await?, job, tick, run).await
    }

    async fn latest(&self, job: &str) -> Result<Option<JobRun>, StorageError> {
        latest(&mut *self.db.conn().await?, job).await
    }

    async fn delete_older_than(&self, before: DateTime<Utc>) -> Result<u64, StorageError> {
        delete_older_than(&mut *self.db.conn().await?, before).await
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::test_support::TestDatabase;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 29, h, m, 0).unwrap()
    }

    #[tokio::test]
    async fn a_tick_is_claimed_by_one_instance_and_its_end_recorded() {
        let test_db = TestDatabase::migrated().await.unwrap();
        let runs = PgJobRuns::new(test_db.pool().unwrap());
        let tick = at(3, 0);

        let (a, b) = tokio::join!(
            runs.claim("cleanup", tick, "instance-a", at(3, 0)),
            runs.claim("cleanup", tick, "instance-b", at(3, 0)),
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert!(a ^ b, "exactly one instance wins: a={a} b={b}");
        let winner = if a { "instance-a" } else { "instance-b" };
        assert!(
            runs.claim("briefings", tick, "instance-a", at(3, 0))
                .await
                .unwrap(),
            "another job's tick is its own"
        );

        let running = runs.latest("cleanup").await.unwrap().unwrap();
        assert_eq!(
            (running.claimed_by.as_str(), running.finished),
            (winner, None)
        );

        let finished = FinishedRun {
            outcome: RunOutcome::Failed,
            attempts: 3,
            detail: "x".repeat(5000),
            finished_at: at(3, 1),
        };
        runs.finish("cleanup", tick, &finished).await.unwrap();
        let run = runs.latest("cleanup").await.unwrap().unwrap();
        let recorded = run.finished.unwrap();
        assert_eq!(
            (recorded.outcome, recorded.attempts, recorded.finished_at),
            (RunOutcome::Failed, 3, at(3, 1))
        );
        assert_eq!(recorded.detail.len(), MAX_DETAIL_CHARS);

        assert!(matches!(
            runs.finish("cleanup", at(4, 0), &finished).await,
            Err(StorageError::Rejected(_))
        ));
    }

    #[tokio::test]
    async fn the_latest_run_is_the_newest_claim_and_old_ticks_are_forgotten() {
        let test_db = TestDatabase::migrated().await.unwrap();
        let runs = PgJobRuns::new(test_db.pool().unwrap());
        for minutes in [0, 5, 10] {
            let tick = at(8, minutes);
            assert!(runs.claim("briefings", tick, "a", tick).await.unwrap());
        }
        assert_eq!(
            runs.latest("briefings").await.unwrap().map(|r| r.tick),
            Some(at(8, 10))
        );
        assert_eq!(runs.latest("unknown").await.unwrap(), None);
        assert_eq!(
            runs.delete_older_than(at(8, 10) - Duration::seconds(1))
                .await
                .unwrap(),
            2
        );
        assert_eq!(
            runs.latest("briefings").await.unwrap().map(|r| r.tick),
            Some(at(8, 10))
        );
    }
}
