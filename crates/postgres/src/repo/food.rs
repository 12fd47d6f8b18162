//! `FoodLog` on PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::{count_star, sum};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use wellness_domain::ports::{FoodLog, Logged, StorageError};
use wellness_domain::{
    CatalogueRef, DayTotals, DiaryLink, EntrySource, EntryStatus, FoodEntry, FoodEntryId, Grams,
    IdempotencyKey, Kcal, LocalDate, MacroGrams, Meal, NewFoodEntry, Nutrients, NutritionSource,
    UserId,
};

use crate::Database;
use crate::error::{TxError, corrupt, from_diesel};
use crate::schema::food_entries;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = food_entries)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub(crate) struct FoodEntryRow {
    id: i64,
    user_id: i64,
    name: String,
    grams: f64,
    kcal: f64,
    protein_g: f64,
    fat_g: f64,
    carbs_g: f64,
    meal: String,
    source: String,
    nutrition_source: String,
    local_date: NaiveDate,
    logged_at: DateTime<Utc>,
    status: String,
    idempotency_key: String,
    fatsecret_food_id: Option<String>,
    fatsecret_serving_id: Option<String>,
    fatsecret_entry_id: Option<String>,
}

impl TryFrom<FoodEntryRow> for FoodEntry {
    type Error = StorageError;
    fn try_from(r: FoodEntryRow) -> Result<Self, StorageError> {
        let catalogue_ref = match (r.fatsecret_food_id, r.fatsecret_serving_id) {
            (Some(food_id), Some(serving_id)) => Some(CatalogueRef {
                food_id,
                serving_id,
            }),
            _ => None,
        };
        Ok(FoodEntry {
            id: FoodEntryId::new(r.id).map_err(corrupt)?,
            user_id: UserId::new(r.user_id).map_err(corrupt)?,
            name: r.name,
            grams: Grams::new(r.grams).map_err(corrupt)?,
            nutrients: Nutrients {
                kcal: Kcal::new(r.kcal).map_err(corrupt)?,
                protein: MacroGrams::new(r.protein_g).map_err(corrupt)?,
                fat: MacroGrams::new(r.fat_g).map_err(corrupt)?,
                carbs: MacroGrams::new(r.carbs_g).map_err(corrupt)?,
            },
            meal: Meal::from_code(&r.meal).ok_or_else(|| corrupt(format!("meal {}", r.meal)))?,
            source: EntrySource::from_code(&r.source)
                .ok_or_else(|| corrupt(format!("source {}", r.source)))?,
            nutrition_source: NutritionSource::from_code(&r.nutrition_source)
                .ok_or_else(|| corrupt(format!("nutrition source {}", r.nutrition_source)))?,
            local_date: LocalDate::from_calendar(r.local_date),
            logged_at: r.logged_at,
            status: EntryStatus::from_code(&r.status)
                .ok_or_else(|| corrupt(format!("status {}", r.status)))?,
            idempotency_key: IdempotencyKey::new(r.idempotency_key).map_err(corrupt)?,
            catalogue_ref,
            diary_link: r
                .fatsecret_entry_id
                .map(|food_entry_id| DiaryLink { food_entry_id }),
        })
    }
}

fn rows_to_entries(rows: Vec<FoodEntryRow>) -> Result<Vec<FoodEntry>, StorageError> {
    rows.into_iter().map(FoodEntry::try_from).collect()
}

#[derive(Insertable)]
#[diesel(table_name = food_entries)]
struct NewFoodEntryRow<'a> {
    user_id: i64,
    name: &'a str,
    grams: f64,
    kcal: f64,
    protein_g: f64,
    fat_g: f64,
    carbs_g: f64,
    meal: &'static str,
    source: &'static str,
    nutrition_source: &'static str,
    local_date: NaiveDate,
    logged_at: DateTime<Utc>,
    idempotency_key: &'a str,
    fatsecret_food_id: Option<&'a str>,
    fatsecret_serving_id: Option<&'a str>,
    fatsecret_entry_id: Option<&'a str>,
}

impl<'a> From<&'a NewFoodEntry> for NewFoodEntryRow<'a> {
    fn from(e: &'a NewFoodEntry) -> Self {
        NewFoodEntryRow {
            user_id: e.user_id.get(),
            name: &e.name,
            grams: e.grams.get(),
            kcal: e.nutrients.kcal.get(),
            protein_g: e.nutrients.protein.get(),
            fat_g: e.nutrients.fat.get(),
            carbs_g: e.nutrients.carbs.get(),
            meal: e.meal.code(),
            source: e.source.code(),
            nutrition_source: e.nutrition_source.code(),
            local_date: e.local_date.date(),
            logged_at: e.logged_at,
            idempotency_key: e.idempotency_key.as_str(),
            fatsecret_food_id: e.catalogue_ref.as_ref().map(|c| c.food_id.as_str()),
            fatsecret_serving_id: e.catalogue_ref.as_ref().map(|c| c.serving_id.as_str()),
            fatsecret_entry_id: e.diary_link.as_ref().map(|d| d.food_entry_id.as_str()),
        }
    }
}

/// Inserts entries of one user, skipping those whose idempotency key is already stored, and
/// returns every entry of those keys in the order given. Call inside a transaction.
pub async fn insert_entries(
    conn: &mut AsyncPgConnection,
    entries: &[NewFoodEntry],
) -> Result<Logged, StorageError> {
    let Some(first) = entries.first() else {
        return Ok(Logged {
            entries: Vec::new(),
            created: false,
        });
    };
    let user = first.user_id;
    if entries.iter().any(|e| e.user_id != user) {
        return Err(StorageError::Rejected(
            "entries of several users in one log call".into(),
        ));
    }
    let rows: Vec<NewFoodEntryRow<'_>> = entries.iter().map(NewFoodEntryRow::from).collect();
    let inserted = diesel::insert_into(food_entries::table)
        .values(&rows)
        .on_conflict((food_entries::user_id, food_entries::idempotency_key))
        .do_nothing()
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    let keys: Vec<&str> = entries.iter().map(|e| e.idempotency_key.as_str()).collect();
    let stored = food_entries::table
        .filter(food_entries::user_id.eq(user.get()))
        .filter(food_entries::idempotency_key.eq_any(&keys))
        .select(FoodEntryRow::as_select())
        .load(conn)
        .await
        .map_err(from_diesel)?;
    let mut stored = rows_to_entries(stored)?;
    stored.sort_by_key(|e| keys.iter().position(|k| *k == e.idempotency_key.as_str()));
    Ok(Logged {
        entries: stored,
        created: inserted > 0,
    })
}

/// The day's totals, summed by the database.
pub async fn day_totals(
    conn: &mut AsyncPgConnection,
    user: UserId,
    day: LocalDate,
) -> Result<DayTotals, StorageError> {
    let (count, kcal, protein, fat, carbs): (
        i64,
        Option<f64>,
        Option<f64>,
        Option<f64>,
        Option<f64>,
    ) = food_entries::table
        .filter(food_entries::user_id.eq(user.get()))
        .filter(food_entries::local_date.eq(day.date()))
        .filter(food_entries::status.eq(EntryStatus::Active.code()))
        .select((
            count_star(),
            sum(food_entries::kcal),
            sum(food_entries::protein_g),
            sum(food_entries::fat_g),
            sum(food_entries::carbs_g),
        ))
        .first(conn)
        .await
        .map_err(from_diesel)?;
    totals(count, kcal, protein, fat, carbs)
}

/// A day and its count and sums, as grouped by the database.
type DayRow = (
    NaiveDate,
    i64,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
);

/// Totals of each day of `from..=to` with active entries, grouped by the database.
pub async fn daily_totals(
    conn: &mut AsyncPgConnection,
    user: UserId,
    from: LocalDate,
    to: LocalDate,
) -> Result<Vec<(LocalDate, DayTotals)>, StorageError> {
    let rows: Vec<DayRow> = food_entries::table
        .filter(food_entries::user_id.eq(user.get()))
        .filter(food_entries::local_date.between(from.date(), to.date()))
        .filter(food_entries::status.eq(EntryStatus::Active.code()))
        .group_by(food_entries::local_date)
        .order(food_entries::local_date)
        .select((
            food_entries::local_date,
            count_star(),
            sum(food_entries::kcal),
            sum(food_entries::protein_g),
            sum(food_entries::fat_g),
            sum(food_entries::carbs_g),
        ))
        .load(conn)
        .await
        .map_err(from_diesel)?;
    rows.into_iter()
        .map(|(date, count, kcal, protein, fat, carbs)| {
            Ok((
                LocalDate::from_calendar(date),
                totals(count, kcal, protein, fat, carbs)?,
            ))
        })
        .collect()
}

/// Sums as the database gave them (`None` for no rows) into the model.
fn totals(
    count: i64,
    kcal: Option<f64>,
    protein: Option<f64>,
    fat: Option<f64>,
    carbs: Option<f64>,
) -> Result<DayTotals, StorageError> {
    Ok(DayTotals {
        entries: u32::try_from(count).map_err(corrupt)?,
        nutrients: Nutrients {
            kcal: Kcal::new(kcal.unwrap_or(0.0)).map_err(corrupt)?,
            protein: MacroGrams::new(protein.unwrap_or(0.0)).map_err(corrupt)?,
            fat: MacroGrams::new(fat.unwrap_or(0.0)).map_err(corrupt)?,
            carbs: MacroGrams::new(carbs.unwrap_or(0.0)).map_err(corrupt)?,
        },
    })
}

/// Active entries of a day in logging order.
pub async fn entries_on(
    conn: &mut AsyncPgConnection,
    user: UserId,
    day: LocalDate,
) -> Result<Vec<FoodEntry>, StorageError> {
    let rows = food_entries::table
        .filter(food_entries::user_id.eq(user.get()))
        .filter(food_entries::local_date.eq(day.date()))
        .filter(food_entries::status.eq(EntryStatus::Active.code()))
        .order((food_entries::logged_at, food_entries::id))
        .select(FoodEntryRow::as_select())
        .load(conn)
        .await
        .map_err(from_diesel)?;
    rows_to_entries(rows)
}

/// The latest active entry.
pub async fn latest(
    conn: &mut AsyncPgConnection,
    user: UserId,
) -> Result<Option<FoodEntry>, StorageError> {
    food_entries::table
        .filter(food_entries::user_id.eq(user.get()))
        .filter(food_entries::status.eq(EntryStatus::Active.code()))
        .order((food_entries::logged_at.desc(), food_entries::id.desc()))
        .select(FoodEntryRow::as_select())
        .first(conn)
        .await
        .optional()
        .map_err(from_diesel)?
        .map(FoodEntry::try_from)
        .transpose()
}

/// Voids active entries of a user; returns those voided now.
pub async fn void(
    conn: &mut AsyncPgConnection,
    user: UserId,
    ids: &[FoodEntryId],
) -> Result<Vec<FoodEntry>, StorageError> {
    let ids: Vec<i64> = ids.iter().map(|id| id.get()).collect();
    let rows = diesel::update(
        food_entries::table
            .filter(food_entries::user_id.eq(user.get()))
            .filter(food_entries::id.eq_any(&ids))
            .filter(food_entries::status.eq(EntryStatus::Active.code())),
    )
    .set((
        food_entries::status.eq(EntryStatus::Voided.code()),
        food_entries::voided_at.eq(diesel::dsl::now),
    ))
    .returning(FoodEntryRow::as_returning())
    .get_results(conn)
    .await
    .map_err(from_diesel)?;
    rows_to_entries(rows)
}

/// Voids the active entries whose key starts with `prefix`.
pub async fn void_by_key_prefix(
    conn: &mut AsyncPgConnection,
    user: UserId,
    prefix: &str,
) -> Result<Vec<FoodEntry>, StorageError> {
    // LIKE metacharacters in the prefix are escaped: it is matched literally.
    let pattern = format!(
        "{}%",
        prefix
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let rows = diesel::update(
        food_entries::table
            .filter(food_entries::user_id.eq(user.get()))
            .filter(food_entries::idempotency_key.like(pattern))
            .filter(food_entries::status.eq(EntryStatus::Active.code())),
    )
    .set((
        food_entries::status.eq(EntryStatus::Voided.code()),
        food_entries::voided_at.eq(diesel::dsl::now),
    ))
    .returning(FoodEntryRow::as_returning())
    .get_results(conn)
    .await
    .map_err(from_diesel)?;
    let mut entries = rows_to_entries(rows)?;
    entries.sort_by_key(|e| e.id);
    Ok(entries)
}

/// Changes the portion of an active entry.
pub async fn change_portion(
    conn: &mut AsyncPgConnection,
    user: UserId,
    id: FoodEntryId,
    grams: Grams,
    nutrients: Nutrients,
) -> Result<Option<FoodEntry>, StorageError> {
    diesel::update(
        food_entries::table
            .filter(food_entries::user_id.eq(user.get()))
            .filter(food_entries::id.eq(id.get()))
            .filter(food_entries::status.eq(EntryStatus::Active.code())),
    )
    .set((
        food_entries::grams.eq(grams.get()),
        food_entries::kcal.eq(nutrients.kcal.get()),
        food_entries::protein_g.eq(nutrients.protein.get()),
        food_entries::fat_g.eq(nutrients.fat.get()),
        food_entries::carbs_g.eq(nutrients.carbs.get()),
    ))
    .returning(FoodEntryRow::as_returning())
    .get_result(conn)
    .await
    .optional()
    .map_err(from_diesel)?
    .map(FoodEntry::try_from)
    .transpose()
}

/// One entry of a user.
pub async fn get(
    conn: &mut AsyncPgConnection,
    user: UserId,
    id: FoodEntryId,
) -> Result<Option<FoodEntry>, StorageError> {
    food_entries::table
        .filter(food_entries::user_id.eq(user.get()))
        .filter(food_entries::id.eq(id.get()))
        .select(FoodEntryRow::as_select())
        .first(conn)
        .await
        .optional()
        .map_err(from_diesel)?
        .map(FoodEntry::try_from)
        .transpose()
}

/// `FoodLog` over the pool.
#[derive(Debug, Clone)]
pub struct PgFoodLog {
    db: Database,
}

impl PgFoodLog {
    /// Over this database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait]
impl FoodLog for PgFoodLog {
    async fn log(&self, entries: &[NewFoodEntry]) -> Result<Logged, StorageError> {
        let mut conn = self.db.conn().await?;
        // Diary writes for a connected FatSecret user go in the same transaction.
        conn.transaction::<_, TxError, _>(async |tx| {
            let logged = insert_entries(tx, entries).await?;
            let ids: Vec<FoodEntryId> = logged.entries.iter().map(|e| e.id).collect();
            crate::repo::outbox::enqueue_creates(tx, &ids).await?;
            Ok(logged)
        })
        .await
        .map_err(StorageError::from)
    }

    async fn day_totals(&self, user: UserId, day: LocalDate) -> Result<DayTotals, StorageError> {
        day_totals(&mut *self.db.conn().await?, user, day).await
    }

    async fn entries_on(
        &self,
        user: UserId,
        day: LocalDate,
    ) -> Result<Vec<FoodEntry>, StorageError> {
        entries_on(&mut *self.db.conn().await?, user, day).await
    }

    async fn daily_totals(
        &self,
        user: UserId,
        from: LocalDate,
        to: LocalDate,
    ) -> Result<Vec<(LocalDate, DayTotals)>, StorageError> {
        daily_totals(&mut *self.db.conn().await?, user, from, to).await
    }

    async fn latest(&self, user: UserId) -> Result<Option<FoodEntry>, StorageError> {
        latest(&mut *self.db.conn().await?, user).await
    }

    async fn void(
        &self,
        user: UserId,
        ids: &[FoodEntryId],
    ) -> Result<Vec<FoodEntry>, StorageError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |tx| {
            let voided = void(tx, user, ids).await?;
            let ids: Vec<FoodEntryId> = voided.iter().map(|e| e.id).collect();
            crate::repo::outbox::enqueue_deletes(tx, &ids).await?;
            Ok(voided)
        })
        .await
        .map_err(StorageError::from)
    }

    async fn void_by_key_prefix(
        &self,
        user: UserId,
        prefix: &str,
    ) -> Result<Vec<FoodEntry>, StorageError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |tx| {
            let voided = void_by_key_prefix(tx, user, prefix).await?;
            let ids: Vec<FoodEntryId> = voided.iter().map(|e| e.id).collect();
            crate::repo::outbox::enqueue_deletes(tx, &ids).await?;
            Ok(voided)
        })
        .await
        .map_err(StorageError::from)
    }

    async fn change_portion(
        &self,
        user: UserId,
        id: FoodEntryId,
        grams: Grams,
        nutrients: Nutrients,
    ) -> Result<Option<FoodEntry>, StorageError> {
        let mut conn = self.db.conn().await?;
        // The diary edit goes in the same transaction as the change.
        conn.transaction::<_, TxError, _>(async |tx| {
            let changed = change_portion(tx, user, id, grams, nutrients).await?;
            if let Some(entry) = &changed {
                crate::repo::outbox::enqueue_edit(tx, entry.id).await?;
            }
            Ok(changed)
        })
        .await
        .map_err(StorageError::from)
    }

    async fn get(&self, user: UserId, id: FoodEntryId) -> Result<Option<FoodEntry>, StorageError> {
        get(&mut *self.db.conn().await?, user, id).await
    }
}
