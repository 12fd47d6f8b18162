//! `CatalogCache` on PostgreSQL: FatSecret lookups by query, with when they were fetched.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;
use wellness_domain::ports::{CatalogCache, FoodFacts, StorageError};

use crate::Database;
use crate::error::{corrupt, from_diesel};
use crate::schema::fatsecret_food_cache as fc;

/// The FatSecret lookup cache.
#[derive(Debug, Clone)]
pub struct PgCatalogCache {
    db: Database,
}

impl PgCatalogCache {
    /// The cache on `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// Deletes answers fetched before `before`; returns how many.
    pub async fn purge(&self, before: DateTime<Utc>) -> Result<usize, StorageError> {
        diesel::delete(fc::table.filter(fc::fetched_at.lt(before)))
            .execute(&mut self.db.conn().await?)
            .await
            .map_err(from_diesel)
    }
}

/// Facts cached before portions carried their unit name it only in words: read it from them.
fn with_units(mut facts: FoodFacts) -> FoodFacts {
    for portion in &mut facts.portions {
        if portion.unit.is_none() {
            portion.unit = wellness_domain::Unit::in_phrase(&portion.name);
        }
    }
    facts
}

#[async_trait]
impl CatalogCache for PgCatalogCache {
    async fn get(
        &self,
        query: &str,
        fresh_since: DateTime<Utc>,
    ) -> Result<Option<Option<FoodFacts>>, StorageError> {
        let row: Option<Option<serde_json::Value>> = fc::table
            .filter(fc::query.eq(query))
            .filter(fc::fetched_at.ge(fresh_since))
            .select(fc::facts)
            .first(&mut self.db.conn().await?)
            .await
            .optional()
            .map_err(from_diesel)?;
        row.map(|facts| {
            facts
                .map(|v| {
                    serde_json::from_value::<FoodFacts>(v)
                        .map(with_units)
                        .map_err(corrupt)
                })
                .transpose()
        })
        .transpose()
    }

    async fn put(
        &self,
        query: &str,
        facts: Option<FoodFacts>,
        at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let json = facts
            .as_ref()
            .map(serde_json::to_value)
            .transpose()
            .map_err(corrupt)?;
        diesel::insert_into(fc::table)
            .values((
                fc::query.eq(query),
                fc::facts.eq(&json),
                fc::fetched_at.eq(at),
            ))
            .on_conflict(fc::query)
            .do_update()
            .set((
                fc::facts.eq(excluded(fc::facts)),
                fc::fetched_at.eq(excluded(fc::fetched_at)),
            ))
            .execute(&mut self.db.conn().await?)
            .await
            .map_err(from_diesel)?;
        Ok(())
    }
}
