//! [`FloodGate`] shared by every process through PostgreSQL: Telegram counts a bot's messages
//! per token, so instances with limiters of their own would together send N times the limit.
//!
//! Each message is a row of `flood_sends`, written when it is allowed (one round trip: the
//! PL/pgSQL function `flood_take`, under the lock of the bot's `flood_budgets` row) and
//! finished when Telegram's answer arrived. A message counts against the bot's second from when
//! it was allowed until a second after its answer, and holds its chat until the chat's interval
//! after its answer: Telegram counted it somewhere in between, so no second of Telegram's can
//! hold more than the limit, whatever the latency. PostgreSQL's clock is the one clock.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Bool, Double, Integer, Nullable, Text};
use diesel_async::RunQueryDsl;
use wellness_domain::model::ChatId;
use wellness_domain::ports::{
    FloodDecision, FloodGate, FloodLimits, FloodTicket, FloodWait, SendPriority, StorageError,
};

use crate::Database;
use crate::error::from_diesel;

/// The flood budget of one bot in PostgreSQL, shared by every process using the database. Its
/// caller must send to a chat one message at a time (the Telegram adapter's `SharedLimiter`
/// does, holding the chat's lock from the take to the finish).
pub struct PgFloodGate {
    db: Database,
    bot: String,
    limits: FloodLimits,
    /// This gate's name on its sends: the next take for a chat finishes the gate's own sends
    /// to it whose finish was lost (its caller sends to a chat one message at a time).
    owner: String,
}

/// Gates made by this process so far (each gets an owner of its own).
static GATES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl fmt::Debug for PgFloodGate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgFloodGate")
            .field("bot", &self.bot)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

#[derive(QueryableByName)]
struct Taken {
    #[diesel(sql_type = Nullable<BigInt>)]
    send_id: Option<i64>,
    #[diesel(sql_type = Double)]
    wait_secs: f64,
    #[diesel(sql_type = Nullable<Text>)]
    reason: Option<String>,
}

const TAKE: &str = "SELECT send_id, wait_secs, reason \
     FROM flood_take($1, $2, $3, $4, $5::float8, $6, $7, $8::float8)";

/// The send is over: its second ends a second after the answer (or after Telegram's pause),
/// its chat's turn after the interval (or the pause).
const FINISH: &str = "UPDATE flood_sends \
        SET finished_at = clock_timestamp(), \
            free_at = clock_timestamp() + make_interval(secs => 1 + $2), \
            chat_free_at = clock_timestamp() + make_interval(secs => greatest($3, $2)) \
      WHERE id = $1";

impl PgFloodGate {
    /// The budget of the bot `bot` (its numeric id: the part of the token before the colon, so
    /// the token itself is never stored) under `limits`.
    pub fn new(db: Database, bot: impl Into<String>, limits: FloodLimits) -> Self {
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        let n = GATES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Self {
            db,
            bot: bot.into(),
            limits: limits.sane(),
            owner: format!("{}-{started:x}-{n}", std::process::id()),
        }
    }
}

fn seconds(d: f64) -> Duration {
    Duration::from_secs_f64(d.clamp(0.0, 86_400.0))
}

#[async_trait]
impl FloodGate for PgFloodGate {
    async fn take(
        &self,
        chat: ChatId,
        priority: SendPriority,
    ) -> Result<FloodDecision, StorageError> {
        let mut conn = self.db.conn().await?;
        let limits = self.limits;
        let taken: Taken = diesel::sql_query(TAKE)
            .bind::<Text, _>(&self.bot)
            .bind::<BigInt, _>(chat.0)
            .bind::<Bool, _>(priority == SendPriority::Interactive)
            .bind::<Text, _>(&self.owner)
            .bind::<Double, _>(limits.per_chat_interval.as_secs_f64())
            .bind::<Integer, _>(i32::try_from(limits.per_second).unwrap_or(i32::MAX))
            .bind::<Integer, _>(i32::try_from(limits.group_per_minute).unwrap_or(i32::MAX))
            .bind::<Double, _>(limits.longest_send.as_secs_f64())
            .get_result(&mut *conn)
            .await
            .map_err(from_diesel)?;
        Ok(match (taken.send_id, taken.reason.as_deref()) {
            (Some(id), _) => FloodDecision::Go(FloodTicket(id)),
            (None, Some("chat")) => FloodDecision::Wait(FloodWait::Chat(seconds(taken.wait_secs))),
            (None, _) => FloodDecision::Wait(FloodWait::Bot(seconds(taken.wait_secs))),
        })
    }

    async fn finish(
        &self,
        ticket: FloodTicket,
        pause: Option<Duration>,
    ) -> Result<(), StorageError> {
        let mut conn = self.db.conn().await?;
        diesel::sql_query(FINISH)
            .bind::<BigInt, _>(ticket.0)
            .bind::<Double, _>(pause.unwrap_or_default().as_secs_f64())
            .bind::<Double, _>(self.limits.per_chat_interval.as_secs_f64())
            .execute(&mut *conn)
            .await
            .map_err(from_diesel)?;
        Ok(())
    }
}
