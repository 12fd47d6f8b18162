//! Open Food Facts: products by barcode (`GET {base}/api/v2/product/{code}.json`) as the domain's
//! [`ProductCatalog`].
//!
//! - Every request names the app as Open Food Facts asks: `wellness/<version> (<contact>)`.
//! - Reads stay within the published limit (100 product reads a minute per IP address): a
//!   sliding window in this process; a read that would wait longer than
//!   [`OpenFoodFactsConfig::max_wait`] is refused as `Unavailable` instead of holding a worker.
//! - Found (200, `status` 1): the product, named in the user's language when it has that name,
//!   with energy and macros per 100 g (`energy-kcal_100g`, or `energy-kj_100g` / 4.184; numbers
//!   or strings) and its serving (`serving_quantity`, else the grams of `serving_size`). Without
//!   energy the product comes back with no nutrients (the domain says so).
//! - Not found (404 or `status` 0): `Ok(None)`.
//! - 429, 5xx, a timeout, a connection failure or a body that is not the API's JSON:
//!   `CatalogError::Unavailable` (the next product source is asked; the update is retried).

mod limit;
mod parse;

use std::time::Duration;

use async_trait::async_trait;
use reqwest::StatusCode;
use wellness_domain::model::{Barcode, Locale, Product};
use wellness_domain::ports::{CatalogError, ProductCatalog};

use limit::ReadLimit;

/// How to reach Open Food Facts.
#[derive(Debug, Clone)]
pub struct OpenFoodFactsConfig {
    /// `https://world.openfoodfacts.org` (OPENFOODFACTS_API_URL).
    pub base_url: String,
    /// Who to contact about our requests (an address or a URL), for the User-Agent.
    pub contact: String,
    /// Product reads allowed in a sliding minute.
    pub reads_per_minute: usize,
    /// Longest a read waits for room within the limit.
    pub max_wait: Duration,
    /// Whole-request timeout.
    pub timeout: Duration,
}

impl Default for OpenFoodFactsConfig {
    fn default() -> Self {
        Self {
            base_url: "https://world.openfoodfacts.org".to_owned(),
            contact: "https://github.com/wellness-bot".to_owned(),
            reads_per_minute: 100,
            max_wait: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
        }
    }
}

/// The client could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot build the Open Food Facts client: {0}")]
pub struct ConfigError(String);

/// The Open Food Facts product API.
#[derive(Debug)]
pub struct OpenFoodFacts {
    http: reqwest::Client,
    base_url: String,
    limit: ReadLimit,
}

impl OpenFoodFacts {
    /// A client for `config`.
    pub fn new(config: OpenFoodFactsConfig) -> Result<Self, ConfigError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .user_agent(user_agent(&config.contact))
            .build()
            .map_err(|e| ConfigError(e.to_string()))?;
        Ok(Self {
            http,
            base_url: config.base_url.trim_end_matches('/').to_owned(),
            limit: ReadLimit::new(
                config.reads_per_minute,
                Duration::from_secs(60),
                config.max_wait,
            ),
        })
    }
}

/// `wellness/<version> (<contact>)`, the form Open Food Facts asks for.
pub fn user_agent(contact: &str) -> String {
    format!("wellness/{} ({contact})", env!("CARGO_PKG_VERSION"))
}

fn unavailable(what: impl std::fmt::Display) -> CatalogError {
    CatalogError::Unavailable(format!("Open Food Facts: {what}"))
}

#[async_trait]
impl ProductCatalog for OpenFoodFacts {
    async fn by_barcode(
        &self,
        code: &Barcode,
        locale: Locale,
    ) -> Result<Option<Product>, CatalogError> {
        self.limit
            .acquire()
            .await
            .map_err(|()| unavailable("our read limit is reached; try later"))?;
        let url = format!("{}/api/v2/product/{}.json", self.base_url, code.as_str());
        let response = self
            .http
            .get(url)
            .query(&[("fields", parse::FIELDS)])
            .send()
            .await
            .map_err(|e| unavailable(e.without_url()))?;
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Err(unavailable("rate limited (429)"));
        }
        if status.is_server_error() {
            return Err(unavailable(format!("HTTP {status}")));
        }
        if !(status.is_success() || status == StatusCode::NOT_FOUND) {
            return Err(unavailable(format!("HTTP {status}")));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| unavailable(e.without_url()))?;
        let answer =
            parse::answer(&body).map_err(|e| unavailable(format!("malformed answer: {e}")))?;
        Ok(parse::product(answer, code, locale))
    }
}
