//! A user's own foods on PostgreSQL: `FoodMemory` (tables `food_choices`, `food_meanings`,
//! `usual_portions`) and `SavedProducts` (`saved_products`). Every row cascades with its user,
//! so /delete erases them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;
use wellness_domain::model::{FoodChoice, ProductDraft, SavedProduct, food_key};
use wellness_domain::ports::{FoodFacts, FoodMemory, SavedProducts, StorageError};
use wellness_domain::usecases::food::CHOICE_KEPT_FOR;
use wellness_domain::{Grams, Kcal, MacroGrams, Nutrients, SavedProductId, UpdateId, UserId};

use crate::Database;
use crate::error::{corrupt, from_diesel};
use crate::schema::{
    food_choices as fc, food_meanings as fm, saved_products as sp, usual_portions as up,
};

/// `FoodMemory` and `SavedProducts` over the pool.
#[derive(Debug, Clone)]
pub struct PgPersonalFoods {
    db: Database,
}

impl PgPersonalFoods {
    /// Over this database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, StorageError> {
    serde_json::to_value(value).map_err(|e| corrupt(format!("cannot serialise: {e}")))
}

fn parse<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, StorageError> {
    serde_json::from_value(value).map_err(|e| corrupt(format!("stored food memory: {e}")))
}

#[async_trait]
impl FoodMemory for PgPersonalFoods {
    async fn offer(
        &self,
        user: UserId,
        choice: &FoodChoice,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let mut conn = self.db.conn().await?;
        // Candidates nobody picked are not kept for ever.
        diesel::delete(
            fc::table
                .filter(fc::user_id.eq(user.get()))
                .filter(fc::offered_at.lt(now - CHOICE_KEPT_FOR)),
        )
        .execute(&mut *conn)
        .await
        .map_err(from_diesel)?;
        diesel::insert_into(fc::table)
            .values((
                fc::user_id.eq(user.get()),
                fc::update_id.eq(choice.update_id.get()),
                fc::item.eq(i16::from(choice.item)),
                fc::choice.eq(json(choice)?),
                fc::offered_at.eq(now),
            ))
            .on_conflict((fc::user_id, fc::update_id, fc::item))
            .do_update()
            .set((
                fc::choice.eq(excluded(fc::choice)),
                fc::offered_at.eq(excluded(fc::offered_at)),
            ))
            .execute(&mut *conn)
            .await
            .map_err(from_diesel)?;
        Ok(())
    }

    async fn offered(
        &self,
        user: UserId,
        update: UpdateId,
        item: u8,
    ) -> Result<Option<FoodChoice>, StorageError> {
        let row: Option<serde_json::Value> = fc::table
            .find((user.get(), update.get(), i16::from(item)))
            .select(fc::choice)
            .first(&mut *self.db.conn().await?)
            .await
            .optional()
            .map_err(from_diesel)?;
        row.map(parse).transpose()
    }

    async fn withdraw(&self, user: UserId, update: UpdateId, item: u8) -> Result<(), StorageError> {
        diesel::delete(fc::table.find((user.get(), update.get(), i16::from(item))))
            .execute(&mut *self.db.conn().await?)
            .await
            .map_err(from_diesel)?;
        Ok(())
    }

    async fn meaning(
        &self,
        user: UserId,
        keys: &[String],
    ) -> Result<Option<FoodFacts>, StorageError> {
        let rows: Vec<(String, serde_json::Value)> = fm::table
            .filter(fm::user_id.eq(user.get()))
            .filter(fm::phrase_key.eq_any(keys))
            .select((fm::phrase_key, fm::facts))
            .load(&mut *self.db.conn().await?)
            .await
            .map_err(from_diesel)?;
        // The first key taught wins (the words themselves before their family).
        let first = keys
            .iter()
            .find_map(|k| rows.iter().find(|(key, _)| key == k));
        first.map(|(_, facts)| parse(facts.clone())).transpose()
    }

    async fn remember(
        &self,
        user: UserId,
        keys: &[String],
        facts: &FoodFacts,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let facts = json(facts)?;
        let rows: Vec<_> = keys
            .iter()
            .filter(|k| !k.is_empty())
            .map(|k| {
                (
                    fm::user_id.eq(user.get()),
                    fm::phrase_key.eq(k.as_str()),
                    fm::facts.eq(facts.clone()),
                    fm::updated_at.eq(now),
                )
            })
            .collect();
        if rows.is_empty() {
            return Ok(());
        }
        diesel::insert_into(fm::table)
            .values(rows)
            .on_conflict((fm::user_id, fm::phrase_key))
            .do_update()
            .set((
                fm::facts.eq(excluded(fm::facts)),
                fm::updated_at.eq(excluded(fm::updated_at)),
            ))
            .execute(&mut *self.db.conn().await?)
            .await
            .map_err(from_diesel)?;
        Ok(())
    }

    async fn usual_portion(&self, user: UserId, food: &str) -> Result<Option<Grams>, StorageError> {
        let grams: Option<f64> = up::table
            .find((user.get(), food))
            .select(up::grams)
            .first(&mut *self.db.conn().await?)
            .await
            .optional()
            .map_err(from_diesel)?;
        grams
            .map(|g| Grams::new(g).map_err(|e| corrupt(e.to_string())))
            .transpose()
    }

    async fn set_usual_portion(
        &self,
        user: UserId,
        food: &str,
        grams: Grams,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        if food.is_empty() {
            return Ok(());
        }
        diesel::insert_into(up::table)
            .values((
                up::user_id.eq(user.get()),
                up::food_key.eq(food),
                up::grams.eq(grams.get()),
                up::updated_at.eq(now),
            ))
            .on_conflict((up::user_id, up::food_key))
            .do_update()
            .set((
                up::grams.eq(excluded(up::grams)),
                up::updated_at.eq(excluded(up::updated_at)),
            ))
            .execute(&mut *self.db.conn().await?)
            .await
            .map_err(from_diesel)?;
        Ok(())
    }
}

type ProductRow = (i64, String, f64, f64, f64, f64, Option<String>);

const PRODUCT_COLUMNS: (
    sp::id,
    sp::name,
    sp::kcal,
    sp::protein_g,
    sp::fat_g,
    sp::carbs_g,
    sp::barcode,
) = (
    sp::id,
    sp::name,
    sp::kcal,
    sp::protein_g,
    sp::fat_g,
    sp::carbs_g,
    sp::barcode,
);

fn product(row: ProductRow) -> Result<SavedProduct, StorageError> {
    let (id, name, kcal, protein, fat, carbs, barcode) = row;
    let bad = |e: wellness_domain::QuantityOutOfRange| corrupt(e.to_string());
    Ok(SavedProduct {
        id: SavedProductId::new(id).map_err(|e| corrupt(e.to_string()))?,
        name,
        per_100g: Nutrients {
            kcal: Kcal::new(kcal).map_err(bad)?,
            protein: MacroGrams::new(protein).map_err(bad)?,
            fat: MacroGrams::new(fat).map_err(bad)?,
            carbs: MacroGrams::new(carbs).map_err(bad)?,
        },
        barcode,
    })
}

#[async_trait]
impl SavedProducts for PgPersonalFoods {
    async fn save(
        &self,
        user: UserId,
        draft: &ProductDraft,
        now: DateTime<Utc>,
    ) -> Result<SavedProduct, StorageError> {
        let n = &draft.per_100g;
        let row: ProductRow = diesel::insert_into(sp::table)
            .values((
                sp::user_id.eq(user.get()),
                sp::name.eq(draft.name.trim()),
                sp::name_key.eq(food_key(&draft.name)),
                sp::kcal.eq(n.kcal.get()),
                sp::protein_g.eq(n.protein.get()),
                sp::fat_g.eq(n.fat.get()),
                sp::carbs_g.eq(n.carbs.get()),
                sp::created_at.eq(now),
            ))
            .on_conflict((sp::user_id, sp::name_key))
            .do_update()
            .set((
                sp::name.eq(excluded(sp::name)),
                sp::kcal.eq(excluded(sp::kcal)),
                sp::protein_g.eq(excluded(sp::protein_g)),
                sp::fat_g.eq(excluded(sp::fat_g)),
                sp::carbs_g.eq(excluded(sp::carbs_g)),
            ))
            .returning(PRODUCT_COLUMNS)
            .get_result(&mut *self.db.conn().await?)
            .await
            .map_err(from_diesel)?;
        product(row)
    }

    async fn list(&self, user: UserId) -> Result<Vec<SavedProduct>, StorageError> {
        let rows: Vec<ProductRow> = sp::table
            .filter(sp::user_id.eq(user.get()))
            .order((sp::name_key, sp::id))
            .select(PRODUCT_COLUMNS)
            .load(&mut *self.db.conn().await?)
            .await
            .map_err(from_diesel)?;
        rows.into_iter().map(product).collect()
    }

    async fn delete(
        &self,
        user: UserId,
        id: SavedProductId,
    ) -> Result<Option<SavedProduct>, StorageError> {
        let row: Option<ProductRow> = diesel::delete(
            sp::table
                .filter(sp::user_id.eq(user.get()))
                .filter(sp::id.eq(id.get())),
        )
        .returning(PRODUCT_COLUMNS)
        .get_result(&mut *self.db.conn().await?)
        .await
        .optional()
        .map_err(from_diesel)?;
        row.map(product).transpose()
    }

    async fn named(&self, user: UserId, name: &str) -> Result<Option<SavedProduct>, StorageError> {
        let key = food_key(name);
        if key.is_empty() {
            return Ok(None);
        }
        let row: Option<ProductRow> = sp::table
            .filter(sp::user_id.eq(user.get()))
            .filter(sp::name_key.eq(key))
            .select(PRODUCT_COLUMNS)
            .first(&mut *self.db.conn().await?)
            .await
            .optional()
            .map_err(from_diesel)?;
        row.map(product).transpose()
    }

    async fn by_barcode(
        &self,
        user: UserId,
        barcode: &str,
    ) -> Result<Option<SavedProduct>, StorageError> {
        let row: Option<ProductRow> = sp::table
            .filter(sp::user_id.eq(user.get()))
            .filter(sp::barcode.eq(barcode))
            .select(PRODUCT_COLUMNS)
            .first(&mut *self.db.conn().await?)
            .await
            .optional()
            .map_err(from_diesel)?;
        row.map(product).transpose()
    }
}
