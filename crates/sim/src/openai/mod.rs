//! A simulated OpenAI API over real HTTP: chat completions (with structured output) and audio
//! transcriptions.
//!
//! Point a client at [`OpenAiSim::base_url`] (`http://127.0.0.1:PORT/v1`, like
//! `https://api.openai.com/v1`) with [`OpenAiSim::api_key`]. Answers are deterministic (see
//! [`rules`]) unless a test queues others with [`OpenAiSim::queue`]: refusals, malformed JSON,
//! 429s, 5xx, slow answers, dropped connections. Every request is recorded
//! ([`OpenAiSim::requests`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), wellness_sim::openai::SimError> {
//! use std::time::Duration;
//! use wellness_sim::openai::{Endpoint, OpenAiSim, OpenAiSimConfig, Scripted};
//!
//! let sim = OpenAiSim::start(OpenAiSimConfig::default()).await?;
//! sim.queue(Endpoint::ChatCompletions, [Scripted::rate_limited(Duration::from_millis(20))]);
//! // … run the client against sim.base_url() with sim.api_key() …
//! let seen = sim.wait_for_requests(Endpoint::ChatCompletions, 2, Duration::from_secs(5)).await?;
//! assert_eq!(seen[0].status, Some(429));
//! # Ok(()) }
//! ```

mod audio;
mod chat;
mod config;
mod control;
mod error;
mod images;
mod lies;
mod multipart;
pub mod rules;
mod schema;
mod script;
mod server;
mod state;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::web;
use serde_json::Value;

pub use audio::{SUPPORTED_EXTENSIONS, audio_fingerprint};
pub use config::OpenAiSimConfig;
pub use error::{ApiError, SimError};
pub use lies::Lie;
pub use script::{Endpoint, Scripted};
use state::SimState;
pub use state::{OpenAiSimSummary, RecordedFile, RecordedRequest};

/// A running OpenAI simulator. Stops when dropped.
pub struct OpenAiSim {
    state: Arc<SimState>,
    addr: SocketAddr,
    server: ServerHandle,
}

impl std::fmt::Debug for OpenAiSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiSim")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl OpenAiSim {
    /// Starts on `127.0.0.1` at a free port.
    pub async fn start(config: OpenAiSimConfig) -> Result<Self, SimError> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), config).await
    }

    /// Starts on `addr` (port 0 picks a free port). Must run inside a Tokio runtime.
    pub async fn start_on(addr: SocketAddr, config: OpenAiSimConfig) -> Result<Self, SimError> {
        let (listener, local_addr) = crate::serve::bind(addr)?;
        let control_token = config.control_token.clone();
        let state = Arc::new(SimState::new(config));
        let handle = crate::serve::serve(
            listener,
            "openai",
            &state,
            control_token.as_deref(),
            |cfg| {
                cfg.configure(server::routes)
                    .default_service(web::to(server::not_found));
            },
        )?;
        Ok(Self {
            state,
            addr: local_addr,
            server: handle,
        })
    }

    /// Stops the server and waits for it to finish.
    pub async fn shutdown(self) {
        self.server.stop(true).await;
    }

    /// `http://127.0.0.1:PORT/v1`: what a client takes as OpenAI's base URL.
    pub fn base_url(&self) -> String {
        format!("{}/v1", self.root_url())
    }

    /// `http://127.0.0.1:PORT`.
    pub fn root_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/__sim/openai`: the control surface.
    pub fn control_url(&self) -> String {
        format!("{}/__sim/openai", self.root_url())
    }

    /// The address the simulator listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The API key it accepts.
    pub fn api_key(&self) -> &str {
        &self.state.config.api_key
    }

    /// Its settings.
    pub fn config(&self) -> &OpenAiSimConfig {
        &self.state.config
    }

    /// The next requests to `endpoint` that pass authentication and validation get these
    /// answers, in order; after them, deterministic answers again.
    pub fn queue(&self, endpoint: Endpoint, answers: impl IntoIterator<Item = Scripted>) {
        self.state.enqueue(endpoint, answers);
    }

    /// Queues `answer` `times` times.
    pub fn queue_times(&self, endpoint: Endpoint, answer: Scripted, times: usize) {
        self.state
            .enqueue(endpoint, std::iter::repeat_n(answer, times));
    }

    /// Audio with exactly these bytes is transcribed as `text`. Returns its fingerprint.
    pub fn register_transcript(&self, audio: &[u8], text: impl Into<String>) -> String {
        let fingerprint = audio_fingerprint(audio);
        self.state
            .register_transcript(fingerprint.clone(), text.into());
        fingerprint
    }

    /// An image with exactly these bytes, sent in a chat message, is seen as `sight`: a
    /// request with a JSON Schema gets it shaped to the schema (a label reading, for example
    /// `{"is_nutrition_label": true, "product_name": "Granola", "basis": "per_100g", …}`).
    /// Images nothing was registered for are seen as an empty reading. Returns the image's
    /// fingerprint.
    pub fn register_sight(&self, image: &[u8], sight: Value) -> String {
        let fingerprint = audio_fingerprint(image);
        self.state.register_sight(fingerprint.clone(), sight);
        fingerprint
    }

    /// Every request received, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.requests(None, None)
    }

    /// The requests received by one endpoint.
    pub fn requests_to(&self, endpoint: Endpoint) -> Vec<RecordedRequest> {
        self.state.requests(Some(endpoint), None)
    }

    /// How many requests one endpoint received.
    pub fn request_count(&self, endpoint: Endpoint) -> usize {
        self.requests_to(endpoint).len()
    }

    /// Waits until `endpoint` has received at least `count` requests; returns them.
    pub async fn wait_for_requests(
        &self,
        endpoint: Endpoint,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<RecordedRequest>, SimError> {
        self.state
            .wait_for_requests(timeout, |records| {
                let matching: Vec<_> = records
                    .iter()
                    .filter(|r| r.endpoint == endpoint)
                    .cloned()
                    .collect();
                (matching.len() >= count).then_some(matching)
            })
            .await
            .ok_or_else(|| SimError::Timeout {
                waited: timeout,
                what: format!(
                    "expected {count} requests to {endpoint}, got {}",
                    self.request_count(endpoint)
                ),
            })
    }

    /// Counts of requests, queued answers and transcripts.
    pub fn summary(&self) -> OpenAiSimSummary {
        self.state.summary()
    }

    /// Forgets queued answers, transcripts and recorded requests; keeps the settings.
    pub fn reset(&self) {
        self.state.reset();
    }
}

impl Drop for OpenAiSim {
    fn drop(&mut self) {
        // The stop command is sent right away; the returned future only waits for it.
        drop(self.server.stop(false));
    }
}
