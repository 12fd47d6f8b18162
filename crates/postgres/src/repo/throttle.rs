//! `Throttle` on PostgreSQL: a fixed window per user and action, counted in one upsert, so
//! every instance sees the same counts.

use async_trait::async_trait;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Double, Integer, Text};
use diesel_async::RunQueryDsl;
use wellness_domain::UserId;
use wellness_domain::ports::{Hit, Limit, StorageError, Throttle, Throttled};

use crate::Database;
use crate::error::from_diesel;

/// A window that ended starts again at now with one hit; otherwise the hit is added. Returns
/// the hits of the window and the seconds left of it.
const HIT: &str = "
INSERT INTO throttle AS t (user_id, action, window_start, hits) VALUES ($1, $2, now(), 1)
ON CONFLICT (user_id, action) DO UPDATE SET
    window_start = CASE WHEN t.window_start <= now() - make_interval(secs => $3)
                        THEN now() ELSE t.window_start END,
    hits = CASE WHEN t.window_start <= now() - make_interval(secs => $3)
                THEN 1 ELSE t.hits + 1 END
RETURNING hits,
          EXTRACT(EPOCH FROM (window_start + make_interval(secs => $3) - now()))::float8 AS left_secs";

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = Integer)]
    hits: i32,
    #[diesel(sql_type = Double)]
    left_secs: f64,
}

/// `Throttle` over the pool.
#[derive(Debug, Clone)]
pub struct PgThrottle {
    db: Database,
}

impl PgThrottle {
    /// Over `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait]
impl Throttle for PgThrottle {
    async fn hit(&self, user: UserId, what: Throttled, limit: Limit) -> Result<Hit, StorageError> {
        let counted: Counted = diesel::sql_query(HIT)
            .bind::<BigInt, _>(user.get())
            .bind::<Text, _>(what.code())
            .bind::<Double, _>(limit.window.as_seconds_f64())
            .get_result(&mut *self.db.conn().await?)
            .await
            .map_err(from_diesel)?;
        let hits = u32::try_from(counted.hits).unwrap_or(u32::MAX);
        Ok(if hits <= limit.limit {
            Hit::Allowed
        } else {
            Hit::Exceeded {
                first: hits == limit.limit.saturating_add(1),
                retry_after: chrono::Duration::milliseconds((counted.left_secs * 1000.0) as i64),
            }
        })
    }
}
