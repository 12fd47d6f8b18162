//! [`RequestBudget`] shared by every process through PostgreSQL: WHOOP's limits are per app, so
//! two instances with in-process budgets would together send twice what WHOOP allows.
//!
//! Each request is a row of `api_requests`, written before it goes out (`sent_at`) and
//! finished when its answer arrived (`finished_at`). A request may go out when, under the lock
//! of the provider's `api_budgets` row, fewer than `per_window` requests finished within the
//! window or are still in flight, fewer than `per_day` were sent within 24 hours, and the
//! server's pause (0 remaining) is over. Times are PostgreSQL's clock, one clock for every
//! process. In each process one waiter at a time asks the database (FIFO), so waiting costs a
//! query per freed slot, not per waiter.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Double, Integer, Nullable, Text};
use diesel_async::RunQueryDsl;
use tokio::time::Instant;
use wellness_domain::ports::{
    BudgetExhausted, BudgetPermit, RateLimits, RequestBudget, ServerQuota, StorageError,
};

use crate::Database;
use crate::error::from_diesel;

/// The shortest sleep between two looks at a full window (all of it still in flight).
const POLL: Duration = Duration::from_millis(20);
/// How long to back off when the database cannot be asked.
const DATABASE_DOWN_RETRY: Duration = Duration::from_secs(5);

/// A request budget in PostgreSQL, shared by every process using the same database.
pub struct PgRequestBudget {
    db: Database,
    provider: String,
    limits: RateLimits,
    /// A request still unfinished after this is counted as finished then (its process died).
    longest_request: Duration,
    /// One waiter per process asks the database at a time.
    turn: tokio::sync::Mutex<()>,
}

impl fmt::Debug for PgRequestBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgRequestBudget")
            .field("provider", &self.provider)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// What the database said about one attempt.
enum Decision {
    /// Send; the row to finish afterwards.
    Go(i64),
    /// Not before this long.
    Wait(Duration),
}

#[derive(QueryableByName)]
struct Taken {
    #[diesel(sql_type = Nullable<BigInt>)]
    request_id: Option<i64>,
    #[diesel(sql_type = Double)]
    wait_secs: f64,
}

/// The decision, in one round trip (see the function `api_budget_take` in the migration): the
/// provider's row stays locked for well under a millisecond.
const TAKE: &str =
    "SELECT request_id, wait_secs FROM api_budget_take($1, $2, $3::float8, $4, $5::float8)";

const FINISH: &str = "UPDATE api_requests SET finished_at = clock_timestamp() WHERE id = $1";

/// The server says nothing is left until the reset: pause every process, unless our own count
/// already holds requests back as long (it counts every request we sent, each until a window
/// after its answer, which is never sooner than the server frees it). The server's reset is in
/// whole seconds, rounded up; honouring it when our count agrees would cost up to a second a
/// window for nothing. It matters when the server counted requests we did not (a 429 while our
/// window had room, or another deployment on the same client id).
const PAUSE: &str = "INSERT INTO api_budgets AS b (provider, paused_until) \
       SELECT $1, clock_timestamp() + make_interval(secs => $2) \
        WHERE (SELECT count(*) FROM api_requests \
                WHERE provider = $1 AND sent_at > clock_timestamp() - interval '1 day' \
                  AND coalesce(finished_at, sent_at + make_interval(secs => $3)) \
                      > clock_timestamp() - make_interval(secs => $4)) < $5 \
     ON CONFLICT (provider) DO UPDATE SET paused_until = \
       greatest(coalesce(b.paused_until, '-infinity'), EXCLUDED.paused_until)";

impl PgRequestBudget {
    /// The budget of `provider` ("whoop") with these limits. `longest_request` bounds how long
    /// a request can be in flight (the HTTP client's timeout, with its retries' margin).
    pub fn new(
        db: Database,
        provider: impl Into<String>,
        limits: RateLimits,
        longest_request: Duration,
    ) -> Self {
        Self {
            db,
            provider: provider.into(),
            limits: RateLimits {
                per_window: limits.per_window.max(1),
                per_day: limits.per_day.max(1),
                ..limits
            },
            longest_request,
            turn: tokio::sync::Mutex::new(()),
        }
    }

    async fn decide(&self) -> Result<Decision, StorageError> {
        let mut conn = self.db.conn().await?;
        let limits = self.limits;
        let taken: Taken = diesel::sql_query(TAKE)
            .bind::<Text, _>(&self.provider)
            .bind::<Integer, _>(i32::try_from(limits.per_window).unwrap_or(i32::MAX))
            .bind::<Double, _>(limits.window.as_secs_f64())
            .bind::<Integer, _>(i32::try_from(limits.per_day).unwrap_or(i32::MAX))
            .bind::<Double, _>(self.longest_request.as_secs_f64())
            .get_result(&mut *conn)
            .await
            .map_err(from_diesel)?;
        Ok(match taken.request_id {
            Some(id) => Decision::Go(id),
            // A window full of requests still in flight: look again shortly.
            None if taken.wait_secs < POLL.as_secs_f64() / 4.0 => Decision::Wait(POLL),
            None => Decision::Wait(Duration::from_secs_f64(taken.wait_secs.min(86_400.0))),
        })
    }

    fn permit(&self, id: i64) -> BudgetPermit {
        let db = self.db.clone();
        BudgetPermit::with_release(move || {
            // Counted from the answer; if this update is lost the row counts as in flight
            // until `longest_request` has passed, which errs on the safe side.
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    let finished = async {
                        let mut conn = db.conn().await?;
                        diesel::sql_query(FINISH)
                            .bind::<BigInt, _>(id)
                            .execute(&mut *conn)
                            .await
                            .map_err(from_diesel)
                    };
                    if let Err(e) = finished.await {
                        tracing::warn!(error = %e, "could not record a finished API request");
                    }
                });
            }
        })
    }
}

#[async_trait]
impl RequestBudget for PgRequestBudget {
    async fn acquire(&self, max_wait: Duration) -> Result<BudgetPermit, BudgetExhausted> {
        let deadline = Instant::now() + max_wait;
        let refuse = |wait: Duration| BudgetExhausted { retry_after: wait };
        let Ok(_turn) = tokio::time::timeout_at(deadline, self.turn.lock()).await else {
            return Err(refuse(POLL));
        };
        loop {
            let wait = match self.decide().await {
                Ok(Decision::Go(id)) => return Ok(self.permit(id)),
                Ok(Decision::Wait(wait)) => wait,
                Err(e) => {
                    tracing::warn!(error = %e, provider = %self.provider, "request budget unavailable");
                    return Err(refuse(DATABASE_DOWN_RETRY));
                }
            };
            let wake = Instant::now() + wait;
            if wake > deadline {
                return Err(refuse(wait));
            }
            tokio::time::sleep_until(wake).await;
        }
    }

    fn observe(&self, quota: &ServerQuota) {
        let (Some(0), Some(reset)) = (quota.remaining, quota.reset) else {
            return;
        };
        let (db, provider, limits) = (self.db.clone(), self.provider.clone(), self.limits);
        let longest = self.longest_request.as_secs_f64();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let paused = async {
                    let mut conn = db.conn().await?;
                    diesel::sql_query(PAUSE)
                        .bind::<Text, _>(&provider)
                        .bind::<Double, _>(reset.as_secs_f64())
                        .bind::<Double, _>(longest)
                        .bind::<Double, _>(limits.window.as_secs_f64())
                        .bind::<Integer, _>(i32::try_from(limits.per_window).unwrap_or(i32::MAX))
                        .execute(&mut *conn)
                        .await
                        .map_err(from_diesel)
                };
                if let Err(e) = paused.await {
                    tracing::warn!(error = %e, "could not share the server's rate-limit pause");
                }
            });
        }
    }
}
