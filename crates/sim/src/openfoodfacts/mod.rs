//! A simulated Open Food Facts product API v2 over real HTTP: `GET /api/v2/product/{code}.json`
//! (also without `.json`, with `?fields=`), answering like the real service:
//!
//! - found: 200 `{"code","product":{…},"status":1,"status_verbose":"product found"}`;
//! - not found: 404 `{"code","status":0,"status_verbose":"product not found"}`;
//! - a product may have no `nutriments`, or nutriments without energy;
//! - more than [`OpenFoodFactsSimConfig::reads_per_minute`] product reads from one IP address
//!   within a minute: 429 (Open Food Facts publishes 100 product reads a minute per IP);
//! - a request without a `User-Agent` (Open Food Facts asks every app to name itself,
//!   `AppName/Version (contact)`): 403, stricter than the real service, so a client that forgets
//!   it fails in tests.
//!
//! Control (`/__sim/openfoodfacts/…`, behind the control token when one is set): `POST products`
//! (a [`SimProduct`]), `POST faults` (a [`FaultRule`] of [`Fault`]), `DELETE faults`,
//! `GET requests`, `POST reset`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), wellness_sim::openfoodfacts::SimError> {
//! use wellness_sim::openfoodfacts::{OpenFoodFactsSim, OpenFoodFactsSimConfig, SimProduct};
//! let sim = OpenFoodFactsSim::start(OpenFoodFactsSimConfig::default()).await?;
//! sim.add_product(SimProduct::new("4823063112628", "Oat flakes").per_100g(370.0, 12.0, 6.0, 60.0));
//! // point OPENFOODFACTS_API_URL at sim.base_url()
//! # Ok(()) }
//! ```

mod products;
mod server;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use serde::{Deserialize, Serialize};

pub use products::SimProduct;

/// What goes wrong with a product read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// That HTTP status with an HTML error page (as the service's front answers 5xx).
    Status {
        /// The status.
        status: u16,
    },
    /// 429, as when the read limit is reached.
    RateLimited,
    /// 200 with a body that is not JSON.
    Garbage,
    /// Holds the request this long, then answers 504.
    Hang {
        /// How long.
        millis: u64,
    },
}

/// A fault for the next calls (the method is always `product`).
pub type FaultRule = crate::faults::FaultRule<Fault>;

/// Settings of the simulator.
#[derive(Debug, Clone)]
pub struct OpenFoodFactsSimConfig {
    /// Product reads allowed per IP address within a sliding minute (Open Food Facts: 100).
    pub reads_per_minute: usize,
    /// Refuse requests without a User-Agent (403).
    pub require_user_agent: bool,
    /// Token the control surface requires, when set.
    pub control_token: Option<String>,
}

impl Default for OpenFoodFactsSimConfig {
    fn default() -> Self {
        Self {
            reads_per_minute: 100,
            require_user_agent: true,
            control_token: None,
        }
    }
}

/// One request received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// The barcode asked for.
    pub code: String,
    /// The User-Agent sent.
    pub user_agent: Option<String>,
    /// The status answered.
    pub status: u16,
}

/// The simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
}

impl From<crate::serve::BindFailure> for SimError {
    fn from(f: crate::serve::BindFailure) -> Self {
        Self::Bind {
            addr: f.addr,
            source: f.source,
        }
    }
}

#[derive(Debug, Default)]
struct Inner {
    products: HashMap<String, SimProduct>,
    faults: crate::faults::Faults<Fault>,
    reads: HashMap<String, VecDeque<Instant>>,
    requests: Vec<RecordedRequest>,
}

#[derive(Debug)]
pub(crate) struct SimState {
    config: OpenFoodFactsSimConfig,
    inner: Mutex<Inner>,
}

impl SimState {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts a read from `ip`; `false` when it is over the limit of the last minute.
    fn allow_read(&self, ip: &str) -> bool {
        let now = Instant::now();
        let mut inner = self.lock();
        let window = inner.reads.entry(ip.to_owned()).or_default();
        while window
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60))
        {
            window.pop_front();
        }
        if window.len() >= self.config.reads_per_minute {
            return false;
        }
        window.push_back(now);
        true
    }
}

/// A running Open Food Facts simulator. Stops when dropped.
pub struct OpenFoodFactsSim {
    state: Arc<SimState>,
    base_url: String,
    server: ServerHandle,
}

impl std::fmt::Debug for OpenFoodFactsSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenFoodFactsSim")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl OpenFoodFactsSim {
    /// Starts on `127.0.0.1` at a free port.
    pub async fn start(config: OpenFoodFactsSimConfig) -> Result<Self, SimError> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), config).await
    }

    /// Starts on `addr` (port 0 picks a free port). Must run inside a Tokio runtime.
    pub async fn start_on(
        addr: SocketAddr,
        config: OpenFoodFactsSimConfig,
    ) -> Result<Self, SimError> {
        let (listener, local) = crate::serve::bind(addr)?;
        let token = config.control_token.clone();
        let state = Arc::new(SimState {
            config,
            inner: Mutex::new(Inner::default()),
        });
        let server = crate::serve::serve(
            listener,
            "openfoodfacts",
            &state,
            token.as_deref(),
            server::routes,
        )?;
        Ok(Self {
            state,
            base_url: format!("http://{local}"),
            server,
        })
    }

    /// `http://127.0.0.1:PORT`, what `OPENFOODFACTS_API_URL` takes.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// Adds (or replaces, by code) a product.
    pub fn add_product(&self, product: SimProduct) {
        self.state
            .lock()
            .products
            .insert(product.code.clone(), product);
    }

    /// Arms a fault.
    pub fn inject_fault(&self, rule: FaultRule) {
        self.state.lock().faults.add(rule);
    }

    /// Every product read received, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.lock().requests.clone()
    }

    /// Forgets products, faults, counted reads and requests.
    pub fn reset(&self) {
        *self.state.lock() = Inner::default();
    }

    /// Stops the server and waits for it.
    pub async fn shutdown(self) {
        self.server.stop(true).await;
    }
}

impl Drop for OpenFoodFactsSim {
    fn drop(&mut self) {
        drop(self.server.stop(false));
    }
}
