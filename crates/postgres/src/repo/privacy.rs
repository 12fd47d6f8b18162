//! `UserData` on PostgreSQL: the export as one JSON document built by the database, and erasure
//! in one transaction.

use async_trait::async_trait;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncConnection, RunQueryDsl};
use wellness_domain::ports::{StorageError, UserData, UserExport};
use wellness_domain::{FoodEntry, User, UserId};

use crate::Database;
use crate::error::{TxError, corrupt, from_diesel};
use crate::repo::food::FoodEntryRow;
use crate::schema::{food_entries, inbox_updates, users};

/// Every user-owned table, listed column by column so a secret never slips in: tokens are not
/// exported, only the connections' state.
const EXPORT: &str = "
SELECT json_build_object(
  'exported_at', now(),
  'profile', (SELECT row_to_json(u) FROM (
      SELECT telegram_id, first_name, locale, time_zone, calorie_goal, morning_time, evening_time,
             briefings_enabled, created_at, updated_at
      FROM users WHERE id = $1) u),
  'food_entries', COALESCE((SELECT json_agg(f ORDER BY f.logged_at, f.id) FROM (
      SELECT id, name, grams, kcal, protein_g, fat_g, carbs_g, meal, source, nutrition_source, local_date,
             logged_at, status, voided_at, fatsecret_food_id, fatsecret_serving_id, fatsecret_entry_id
      FROM food_entries WHERE user_id = $1) f), '[]'::json),
  'whoop_workouts', COALESCE((SELECT json_agg(w ORDER BY w.start_at) FROM (
      SELECT whoop_id, start_at, end_at, timezone_offset, sport_name, score_state, strain, average_heart_rate,
             max_heart_rate, kilojoule, distance_meter, whoop_updated_at
      FROM whoop_workouts WHERE user_id = $1) w), '[]'::json),
  'whoop_sleep', COALESCE((SELECT json_agg(s ORDER BY s.start_at) FROM (
      SELECT whoop_id, cycle_id, start_at, end_at, timezone_offset, nap, score_state, in_bed_milli, awake_milli,
             light_milli, slow_wave_milli, rem_milli, cycle_count, disturbance_count, performance_pct,
             efficiency_pct, consistency_pct, respiratory_rate, whoop_updated_at
      FROM whoop_sleep WHERE user_id = $1) s), '[]'::json),
  'whoop_recovery', COALESCE((SELECT json_agg(r ORDER BY r.whoop_created_at) FROM (
      SELECT cycle_id, sleep_id, score_state, recovery_score, resting_heart_rate, hrv_rmssd_milli, spo2_pct,
             skin_temp_celsius, user_calibrating, whoop_created_at, whoop_updated_at
      FROM whoop_recovery WHERE user_id = $1) r), '[]'::json),
  'whoop_cycles', COALESCE((SELECT json_agg(c ORDER BY c.start_at) FROM (
      SELECT whoop_id, start_at, end_at, timezone_offset, score_state, strain, kilojoule, average_heart_rate,
             max_heart_rate, whoop_updated_at
      FROM whoop_cycles WHERE user_id = $1) c), '[]'::json),
  'conversation', COALESCE((SELECT json_agg(m ORDER BY m.created_at, m.id) FROM (
      SELECT id, role, content, intent, created_at FROM conversation_messages WHERE user_id = $1) m), '[]'::json),
  'connections', COALESCE((SELECT json_agg(k) FROM (
      SELECT provider, status, scope, external_user_id, expires_at, created_at, updated_at
      FROM credentials WHERE user_id = $1) k), '[]'::json),
  'notifications', COALESCE((SELECT json_agg(n ORDER BY n.local_date) FROM (
      SELECT kind, local_date, sent_at FROM notification_sends WHERE user_id = $1) n), '[]'::json),
  'saved_products', COALESCE((SELECT json_agg(p ORDER BY p.name, p.id) FROM (
      SELECT id, name, kcal, protein_g, fat_g, carbs_g, barcode, created_at
      FROM saved_products WHERE user_id = $1) p), '[]'::json),
  'food_meanings', COALESCE((SELECT json_agg(m ORDER BY m.phrase_key) FROM (
      SELECT phrase_key, facts, updated_at FROM food_meanings WHERE user_id = $1) m), '[]'::json),
  'usual_portions', COALESCE((SELECT json_agg(u ORDER BY u.food_key) FROM (
      SELECT food_key, grams, updated_at FROM usual_portions WHERE user_id = $1) u), '[]'::json)
)::text AS document";

#[derive(QueryableByName)]
struct Document {
    #[diesel(sql_type = Text)]
    document: String,
}

/// `UserData` over the pool.
#[derive(Debug, Clone)]
pub struct PgUserData {
    db: Database,
}

impl PgUserData {
    /// Over this database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait]
impl UserData for PgUserData {
    async fn export(&self, user: UserId) -> Result<UserExport, StorageError> {
        let mut conn = self.db.conn().await?;
        let doc: Document = diesel::sql_query(EXPORT)
            .bind::<BigInt, _>(user.get())
            .get_result(&mut *conn)
            .await
            .map_err(from_diesel)?;
        let document: serde_json::Value = serde_json::from_str(&doc.document).map_err(corrupt)?;
        let rows = food_entries::table
            .filter(food_entries::user_id.eq(user.get()))
            .order((food_entries::logged_at, food_entries::id))
            .select(FoodEntryRow::as_select())
            .load(&mut *conn)
            .await
            .map_err(from_diesel)?;
        let food_entries = rows
            .into_iter()
            .map(FoodEntry::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(UserExport {
            document,
            food_entries,
        })
    }

    async fn erase(&self, user: &User) -> Result<(), StorageError> {
        let (id, chat) = (user.id.get(), user.telegram_id.get());
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |tx| {
            // Inbound updates are not user-owned rows (a sender may not be a user yet): by chat.
            diesel::delete(inbox_updates::table.filter(inbox_updates::chat_id.eq(chat)))
                .execute(tx)
                .await?;
            // Every user-owned table cascades from users.
            diesel::delete(users::table.find(id)).execute(tx).await?;
            Ok(())
        })
        .await
        .map_err(StorageError::from)
    }
}
