//! A user's own foods kept in memory, for conversation tests. Passes the same contract suites
//! as `PgPersonalFoods` (`testing::contracts::{food_memory, saved_products}`).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::model::*;
use crate::ports::*;
use crate::usecases::food::{CHOICE_KEPT_FOR, PersonalFoods};

/// A choice offered under a user's message item, and when.
type Offered = BTreeMap<(UserId, UpdateId, u8), (FoodChoice, DateTime<Utc>)>;

/// `FoodMemory` and `SavedProducts` in memory. `down` makes every call fail as a database
/// outage does.
#[derive(Debug, Default)]
pub struct MemoryPersonal {
    /// Choices offered, with when, by user, message and item.
    pub choices: Mutex<Offered>,
    pub meanings: Mutex<BTreeMap<(UserId, String), FoodFacts>>,
    pub portions: Mutex<BTreeMap<(UserId, String), Grams>>,
    pub products: Mutex<Vec<(UserId, SavedProduct)>>,
    /// The last product id given (ids are never given twice, as a sequence's).
    pub last_id: AtomicI64,
    pub down: AtomicBool,
}

impl MemoryPersonal {
    /// Wired as the conversation's personal foods, with a reader that reads nothing.
    pub fn wired(self: &Arc<Self>) -> PersonalFoods {
        PersonalFoods {
            memory: self.clone(),
            products: self.clone(),
            reader: Arc::new(NoProducts),
        }
    }

    /// As the table: unavailable while `down`.
    fn up(&self) -> Result<(), StorageError> {
        super::memory::outage(&self.down)
    }
}

/// A `ProductReader` that reads no text as a product.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProducts;

impl ProductReader for NoProducts {
    fn read_product(&self, _text: &str) -> Option<ProductDraft> {
        None
    }
}

#[async_trait]
impl FoodMemory for MemoryPersonal {
    async fn offer(
        &self,
        user: UserId,
        choice: &FoodChoice,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.up()?;
        let mut choices = self.choices.lock().unwrap();
        // Candidates nobody picked are not kept for ever (as the table's).
        choices.retain(|(u, _, _), (_, at)| *u != user || *at >= now - CHOICE_KEPT_FOR);
        choices.insert((user, choice.update_id, choice.item), (choice.clone(), now));
        Ok(())
    }

    async fn offered(
        &self,
        user: UserId,
        update: UpdateId,
        item: u8,
    ) -> Result<Option<FoodChoice>, StorageError> {
        self.up()?;
        Ok(self
            .choices
            .lock()
            .unwrap()
            .get(&(user, update, item))
            .map(|(choice, _)| choice.clone()))
    }

    async fn withdraw(&self, user: UserId, update: UpdateId, item: u8) -> Result<(), StorageError> {
        self.up()?;
        self.choices.lock().unwrap().remove(&(user, update, item));
        Ok(())
    }

    async fn meaning(
        &self,
        user: UserId,
        keys: &[String],
    ) -> Result<Option<FoodFacts>, StorageError> {
        self.up()?;
        let meanings = self.meanings.lock().unwrap();
        Ok(keys
            .iter()
            .find_map(|k| meanings.get(&(user, k.clone())).cloned()))
    }

    async fn remember(
        &self,
        user: UserId,
        keys: &[String],
        facts: &FoodFacts,
        _: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.up()?;
        let mut meanings = self.meanings.lock().unwrap();
        for key in keys {
            meanings.insert((user, key.clone()), facts.clone());
        }
        Ok(())
    }

    async fn usual_portion(&self, user: UserId, food: &str) -> Result<Option<Grams>, StorageError> {
        self.up()?;
        Ok(self
            .portions
            .lock()
            .unwrap()
            .get(&(user, food.to_owned()))
            .copied())
    }

    async fn set_usual_portion(
        &self,
        user: UserId,
        food: &str,
        grams: Grams,
        _: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.up()?;
        self.portions
            .lock()
            .unwrap()
            .insert((user, food.to_owned()), grams);
        Ok(())
    }
}

#[async_trait]
impl SavedProducts for MemoryPersonal {
    async fn save(
        &self,
        user: UserId,
        draft: &ProductDraft,
        _: DateTime<Utc>,
    ) -> Result<SavedProduct, StorageError> {
        self.up()?;
        let mut products = self.products.lock().unwrap();
        let key = food_key(&draft.name);
        let same = products
            .iter_mut()
            .find(|(u, p)| *u == user && food_key(&p.name) == key);
        let name = draft.name.trim().to_owned();
        if let Some((_, product)) = same {
            // Replaced in place: the same id, its barcode kept.
            product.name = name;
            product.per_100g = draft.per_100g;
            return Ok(product.clone());
        }
        let id = self.last_id.fetch_add(1, Ordering::SeqCst) + 1;
        let saved = SavedProduct {
            id: SavedProductId::new(id).map_err(|e| StorageError::Corrupt(e.to_string()))?,
            name,
            per_100g: draft.per_100g,
            barcode: None,
        };
        products.push((user, saved.clone()));
        Ok(saved)
    }

    async fn list(&self, user: UserId) -> Result<Vec<SavedProduct>, StorageError> {
        self.up()?;
        let mut own: Vec<SavedProduct> = self
            .products
            .lock()
            .unwrap()
            .iter()
            .filter(|(u, _)| *u == user)
            .map(|(_, p)| p.clone())
            .collect();
        // By name key, then id: the table's order.
        own.sort_by_key(|p| (food_key(&p.name), p.id));
        Ok(own)
    }

    async fn delete(
        &self,
        user: UserId,
        id: SavedProductId,
    ) -> Result<Option<SavedProduct>, StorageError> {
        self.up()?;
        let mut products = self.products.lock().unwrap();
        let at = products.iter().position(|(u, p)| *u == user && p.id == id);
        Ok(at.map(|i| products.remove(i).1))
    }

    async fn named(&self, user: UserId, name: &str) -> Result<Option<SavedProduct>, StorageError> {
        self.up()?;
        let key = food_key(name);
        Ok(self
            .products
            .lock()
            .unwrap()
            .iter()
            .find(|(u, p)| *u == user && food_key(&p.name) == key)
            .map(|(_, p)| p.clone()))
    }

    async fn by_barcode(
        &self,
        user: UserId,
        barcode: &str,
    ) -> Result<Option<SavedProduct>, StorageError> {
        self.up()?;
        Ok(self
            .products
            .lock()
            .unwrap()
            .iter()
            .find(|(u, p)| *u == user && p.barcode.as_deref() == Some(barcode))
            .map(|(_, p)| p.clone()))
    }
}

#[cfg(test)]
mod tests {
    use futures_executor::block_on;

    use super::*;
    use crate::testing::contracts;

    #[test]
    fn memory_personal_foods_keep_the_contracts() {
        let (user, other) = (UserId::new(1).unwrap(), UserId::new(2).unwrap());
        block_on(contracts::saved_products(
            &MemoryPersonal::default(),
            user,
            other,
        ));
        block_on(contracts::food_memory(
            &MemoryPersonal::default(),
            user,
            other,
        ));
        let broken = MemoryPersonal::default();
        broken.down.store(true, Ordering::SeqCst);
        block_on(contracts::saved_products_unavailable(&broken, user));
        block_on(contracts::food_memory_unavailable(&broken, user));
    }
}
