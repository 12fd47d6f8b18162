//! Packaged products: reading a barcode from a photo, and finding the product behind it in an
//! ordered list of product databases (the user's saved products can be put first later).

use std::sync::Arc;

use async_trait::async_trait;

use super::CatalogError;
use crate::model::{Barcode, Locale, Product};

/// What a photo showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scan {
    /// A retail barcode's digits as decoded (not yet validated: see [`Barcode::new`]).
    Code(String),
    /// An image, without a barcode that could be read.
    NoBarcode,
    /// Not an image that can be read (a broken or unknown file).
    Unreadable,
}

/// Reads a barcode (EAN-13, EAN-8, UPC-A) in a photo. CPU work: implementations keep it off the
/// async runtime.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait BarcodeReader: Send + Sync {
    /// What the image shows.
    async fn read(&self, image: Vec<u8>) -> Scan;
}

/// A product database that knows products by barcode.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ProductCatalog: Send + Sync {
    /// The product with this barcode, named in `locale` when the database can; `Ok(None)` when
    /// it does not know the barcode.
    async fn by_barcode(
        &self,
        code: &Barcode,
        locale: Locale,
    ) -> Result<Option<Product>, CatalogError>;
}

/// Several product databases asked in order: the first that knows the barcode answers. One
/// that fails is skipped; when none knows it and one failed, the failure is returned (the
/// product may exist: the user hears that the lookup failed, not that it is unknown).
#[derive(Clone, Default)]
pub struct ProductSources(Vec<Arc<dyn ProductCatalog>>);

impl std::fmt::Debug for ProductSources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ProductSources({} sources)", self.0.len())
    }
}

impl ProductSources {
    /// Sources in the order they are asked.
    pub fn new(sources: Vec<Arc<dyn ProductCatalog>>) -> Self {
        Self(sources)
    }

    /// `source` asked before the others (the user's own products).
    pub fn first(mut self, source: Arc<dyn ProductCatalog>) -> Self {
        self.0.insert(0, source);
        self
    }

    /// `source` asked after the others.
    pub fn then(mut self, source: Arc<dyn ProductCatalog>) -> Self {
        self.0.push(source);
        self
    }
}

#[async_trait]
impl ProductCatalog for ProductSources {
    async fn by_barcode(
        &self,
        code: &Barcode,
        locale: Locale,
    ) -> Result<Option<Product>, CatalogError> {
        let mut failure = None;
        for source in &self.0 {
            match source.by_barcode(code, locale).await {
                Ok(Some(product)) => return Ok(Some(product)),
                Ok(None) => {}
                Err(e) => failure = Some(e),
            }
        }
        failure.map_or(Ok(None), Err)
    }
}

#[cfg(test)]
mod tests {
    use futures_executor::block_on;

    use super::*;
    use crate::model::NutritionSource;

    fn answering(answer: Result<Option<Product>, CatalogError>) -> Arc<dyn ProductCatalog> {
        let mut m = MockProductCatalog::new();
        m.expect_by_barcode().returning(move |_, _| answer.clone());
        Arc::new(m)
    }

    #[test]
    fn the_first_source_that_knows_the_code_answers_and_failures_are_skipped() {
        let code = Barcode::new("4006381333931").unwrap();
        let product = Product {
            barcode: code.clone(),
            name: "x".into(),
            per_100g: None,
            serving: None,
            source: NutritionSource::OpenFoodFacts,
        };
        let down = || answering(Err(CatalogError::Unavailable("down".into())));
        let sources = ProductSources::new(vec![down(), answering(Ok(None))])
            .then(answering(Ok(Some(product.clone()))));
        assert_eq!(
            block_on(sources.by_barcode(&code, Locale::En)),
            Ok(Some(product))
        );
        let unknown = ProductSources::new(vec![answering(Ok(None))]);
        assert_eq!(block_on(unknown.by_barcode(&code, Locale::En)), Ok(None));
        let failed = ProductSources::new(vec![answering(Ok(None))]).first(down());
        assert!(block_on(failed.by_barcode(&code, Locale::En)).is_err());
        assert_eq!(
            block_on(ProductSources::default().by_barcode(&code, Locale::En)),
            Ok(None)
        );
    }
}
