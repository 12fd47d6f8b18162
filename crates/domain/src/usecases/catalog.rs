//! Catalogues in order: the first that knows a food gives its numbers.

use std::sync::Arc;

use async_trait::async_trait;

use crate::model::Locale;
use crate::ports::{CatalogCache, CatalogError, Clock, FoodCatalog, FoodFacts};

/// How long a cached answer may be used.
pub const CACHE_TTL: chrono::Duration = chrono::Duration::hours(24);

/// Keeps `inner`'s answers (found or not found, never failures) in `cache` for at most
/// [`CACHE_TTL`]. A cache that fails is skipped, not fatal.
#[derive(Clone)]
pub struct CachedCatalog {
    /// The catalogue asked on a miss.
    pub inner: Arc<dyn FoodCatalog>,
    /// Where answers are kept.
    pub cache: Arc<dyn CatalogCache>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for CachedCatalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CachedCatalog")
    }
}

/// The cache key of a lookup.
pub fn cache_key(said: &str, lookup_name: &str) -> String {
    format!(
        "{}|{}",
        lookup_name.trim().to_lowercase(),
        said.trim().to_lowercase()
    )
}

#[async_trait]
impl FoodCatalog for CachedCatalog {
    async fn find(
        &self,
        said: &str,
        lookup_name: &str,
        locale: Locale,
    ) -> Result<Option<FoodFacts>, CatalogError> {
        let key = cache_key(said, lookup_name);
        let now = self.clock.now();
        if let Ok(Some(cached)) = self.cache.get(&key, now - CACHE_TTL).await {
            return Ok(cached);
        }
        let found = self.inner.find(said, lookup_name, locale).await?;
        let _ = self.cache.put(&key, found.clone(), now).await;
        Ok(found)
    }
}

/// Asks `primary` (FatSecret) first and `fallback` (the embedded catalogue) when the primary
/// fails or finds nothing, or when the fallback knows the words to name several foods. The facts say which one answered (`FoodFacts::source`).
#[derive(Clone)]
pub struct FallbackCatalog {
    /// Asked first.
    pub primary: Arc<dyn FoodCatalog>,
    /// Asked when the primary fails or knows nothing.
    pub fallback: Arc<dyn FoodCatalog>,
}

impl std::fmt::Debug for FallbackCatalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FallbackCatalog")
    }
}

#[async_trait]
impl FoodCatalog for FallbackCatalog {
    async fn find(
        &self,
        said: &str,
        lookup_name: &str,
        locale: Locale,
    ) -> Result<Option<FoodFacts>, CatalogError> {
        match self.primary.find(said, lookup_name, locale).await {
            // Words the fallback knows to be ambiguous ("вівсянка": dry or cooked) are
            // answered with its candidates, so the user is asked instead of given one guess.
            Ok(Some(facts)) => match self.fallback.find(said, lookup_name, locale).await {
                Ok(Some(local)) if !local.alternatives.is_empty() => Ok(Some(local)),
                _ => Ok(Some(facts)),
            },
            Ok(None) | Err(CatalogError::Unavailable(_)) => {
                self.fallback.find(said, lookup_name, locale).await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Nutrients, NutritionSource};
    use crate::ports::{MockCatalogCache, MockClock, MockFoodCatalog};
    use futures_executor::block_on;

    fn facts(source: NutritionSource) -> FoodFacts {
        FoodFacts {
            name: "Egg".into(),
            per_100g: Nutrients::default(),
            portions: Vec::new(),
            source,
            catalogue_ref: None,
            alternatives: Vec::new(),
            family: None,
        }
    }

    fn catalog(
        primary: Result<Option<FoodFacts>, CatalogError>,
        fallback: Option<FoodFacts>,
    ) -> FallbackCatalog {
        let mut p = MockFoodCatalog::new();
        p.expect_find().returning(move |_, _, _| primary.clone());
        let mut f = MockFoodCatalog::new();
        f.expect_find()
            .returning(move |_, _, _| Ok(fallback.clone()));
        FallbackCatalog {
            primary: Arc::new(p),
            fallback: Arc::new(f),
        }
    }

    #[test]
    fn the_primary_answers_when_it_knows_the_food() {
        let c = catalog(
            Ok(Some(facts(NutritionSource::Fatsecret))),
            Some(facts(NutritionSource::OfflineCatalogue)),
        );
        let found = block_on(c.find("egg", "egg", Locale::En)).unwrap().unwrap();
        assert_eq!(found.source, NutritionSource::Fatsecret);
    }

    #[test]
    fn the_fallback_answers_when_the_primary_fails() {
        let c = catalog(
            Err(CatalogError::Unavailable("down".into())),
            Some(facts(NutritionSource::OfflineCatalogue)),
        );
        let found = block_on(c.find("egg", "egg", Locale::En)).unwrap().unwrap();
        assert_eq!(found.source, NutritionSource::OfflineCatalogue);
    }

    #[test]
    fn the_fallback_answers_when_the_primary_finds_nothing() {
        let c = catalog(Ok(None), Some(facts(NutritionSource::OfflineCatalogue)));
        let found = block_on(c.find("egg", "egg", Locale::En)).unwrap().unwrap();
        assert_eq!(found.source, NutritionSource::OfflineCatalogue);
    }

    #[test]
    fn a_fresh_cached_answer_is_used_without_asking_the_catalogue() {
        let mut inner = MockFoodCatalog::new();
        inner.expect_find().never();
        let mut cache = MockCatalogCache::new();
        cache
            .expect_get()
            .returning(|_, _| Ok(Some(Some(facts(NutritionSource::Fatsecret)))));
        let mut clock = MockClock::new();
        clock.expect_now().returning(chrono::Utc::now);
        let c = CachedCatalog {
            inner: Arc::new(inner),
            cache: Arc::new(cache),
            clock: Arc::new(clock),
        };
        let found = block_on(c.find("egg", "egg", Locale::En)).unwrap().unwrap();
        assert_eq!(found.source, NutritionSource::Fatsecret);
    }

    #[test]
    fn a_miss_asks_the_catalogue_and_keeps_its_answer_but_not_a_failure() {
        let mut inner = MockFoodCatalog::new();
        inner
            .expect_find()
            .times(1)
            .returning(|_, _, _| Err(CatalogError::Unavailable("down".into())));
        let mut cache = MockCatalogCache::new();
        cache.expect_get().returning(|_, _| Ok(None));
        cache.expect_put().never();
        let mut clock = MockClock::new();
        clock.expect_now().returning(chrono::Utc::now);
        let c = CachedCatalog {
            inner: Arc::new(inner),
            cache: Arc::new(cache),
            clock: Arc::new(clock),
        };
        assert!(block_on(c.find("egg", "egg", Locale::En)).is_err());
    }
}
