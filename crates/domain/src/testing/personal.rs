//! A user's own foods kept in memory, for conversation tests.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::model::*;
use crate::ports::*;
use crate::usecases::food::PersonalFoods;

/// `FoodMemory` and `SavedProducts` in memory.
#[derive(Debug, Default)]
pub struct MemoryPersonal {
    pub choices: Mutex<BTreeMap<(UserId, UpdateId, u8), FoodChoice>>,
    pub meanings: Mutex<BTreeMap<(UserId, String), FoodFacts>>,
    pub portions: Mutex<BTreeMap<(UserId, String), Grams>>,
    pub products: Mutex<Vec<(UserId, SavedProduct)>>,
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
        _: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.choices
            .lock()
            .unwrap()
            .insert((user, choice.update_id, choice.item), choice.clone());
        Ok(())
    }

    async fn offered(
        &self,
        user: UserId,
        update: UpdateId,
        item: u8,
    ) -> Result<Option<FoodChoice>, StorageError> {
        Ok(self
            .choices
            .lock()
            .unwrap()
            .get(&(user, update, item))
            .cloned())
    }

    async fn withdraw(&self, user: UserId, update: UpdateId, item: u8) -> Result<(), StorageError> {
        self.choices.lock().unwrap().remove(&(user, update, item));
        Ok(())
    }

    async fn meaning(
        &self,
        user: UserId,
        keys: &[String],
    ) -> Result<Option<FoodFacts>, StorageError> {
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
        let mut meanings = self.meanings.lock().unwrap();
        for key in keys {
            meanings.insert((user, key.clone()), facts.clone());
        }
        Ok(())
    }

    async fn usual_portion(&self, user: UserId, food: &str) -> Result<Option<Grams>, StorageError> {
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
        let mut products = self.products.lock().unwrap();
        products.retain(|(u, p)| !(*u == user && food_key(&p.name) == food_key(&draft.name)));
        let id = SavedProductId::new(products.len() as i64 + 1).unwrap();
        let saved = SavedProduct {
            id,
            name: draft.name.clone(),
            per_100g: draft.per_100g,
            barcode: None,
        };
        products.push((user, saved.clone()));
        Ok(saved)
    }

    async fn list(&self, user: UserId) -> Result<Vec<SavedProduct>, StorageError> {
        Ok(self
            .products
            .lock()
            .unwrap()
            .iter()
            .filter(|(u, _)| *u == user)
            .map(|(_, p)| p.clone())
            .collect())
    }

    async fn delete(
        &self,
        user: UserId,
        id: SavedProductId,
    ) -> Result<Option<SavedProduct>, StorageError> {
        let mut products = self.products.lock().unwrap();
        let at = products.iter().position(|(u, p)| *u == user && p.id == id);
        Ok(at.map(|i| products.remove(i).1))
    }

    async fn named(&self, user: UserId, name: &str) -> Result<Option<SavedProduct>, StorageError> {
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
        Ok(self
            .products
            .lock()
            .unwrap()
            .iter()
            .find(|(u, p)| *u == user && p.barcode.as_deref() == Some(barcode))
            .map(|(_, p)| p.clone()))
    }
}
