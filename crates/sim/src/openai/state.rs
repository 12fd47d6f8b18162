//! What the simulated OpenAI remembers: scripted answers per endpoint, registered transcripts
//! and every request received.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::watch;

use super::config::OpenAiSimConfig;
use super::script::{Endpoint, Scripted};

/// Request headers worth asserting on; others are not recorded.
pub(crate) const RECORDED_HEADERS: [&str; 9] = [
    "authorization",
    "content-type",
    "user-agent",
    "accept",
    "openai-organization",
    "openai-project",
    "idempotency-key",
    "x-stainless-retry-count",
    "x-request-id",
];

/// An uploaded file, as received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedFile {
    /// The multipart field (`file`).
    pub field: String,
    /// Its `filename`.
    pub file_name: Option<String>,
    /// Its `Content-Type`.
    pub content_type: Option<String>,
    /// Its size.
    pub size: usize,
    /// [`super::audio_fingerprint`] of its bytes.
    pub fingerprint: String,
}

/// One request received by an endpoint, in arrival order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedRequest {
    /// Position among all requests, from 0.
    pub seq: u64,
    /// Which endpoint.
    pub endpoint: Endpoint,
    /// The `model` asked for.
    pub model: Option<String>,
    /// The JSON body (chat completions), when it parsed.
    pub body: Option<Value>,
    /// Text fields of a multipart body (transcriptions).
    pub fields: BTreeMap<String, String>,
    /// The uploaded file of a multipart body.
    pub file: Option<RecordedFile>,
    /// Headers of interest (lowercase names): authorization, content-type, user-agent, ...
    pub headers: BTreeMap<String, String>,
    /// The status answered; `None` when the connection was dropped.
    pub status: Option<u16>,
    /// The scripted answer used, by its kind (`server_error`, `slow`, ...).
    pub scripted: Option<String>,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
}

impl RecordedRequest {
    /// A recorded header (name in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// A multipart text field.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    /// `(role, text)` of each chat message; parts arrays are joined.
    pub fn messages(&self) -> Vec<(String, String)> {
        self.body
            .as_ref()
            .and_then(|b| b.get("messages"))
            .and_then(Value::as_array)
            .map(|messages| {
                messages
                    .iter()
                    .map(|m| {
                        let role = m.get("role").and_then(Value::as_str).unwrap_or_default();
                        (role.to_owned(), message_text(m))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The text of a chat message: its string content, or its text parts joined by newlines.
pub(crate) fn message_text(message: &Value) -> String {
    match message.get("content") {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// Counts, for the control surface's `state`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenAiSimSummary {
    /// Requests received per endpoint.
    pub requests: BTreeMap<Endpoint, usize>,
    /// Scripted answers still queued per endpoint.
    pub queued: BTreeMap<Endpoint, usize>,
    /// How many transcripts are registered.
    pub transcripts: usize,
}

#[derive(Debug, Default)]
pub(crate) struct Inner {
    pub queues: HashMap<Endpoint, VecDeque<Scripted>>,
    pub transcripts: HashMap<String, String>,
    /// What the model "sees" in an image, by the image's fingerprint.
    pub sights: HashMap<String, Value>,
    pub requests: Vec<RecordedRequest>,
}

#[derive(Debug)]
pub(crate) struct SimState {
    pub config: OpenAiSimConfig,
    inner: Mutex<Inner>,
    /// Bumped on every recorded request.
    recorded: watch::Sender<u64>,
}

impl SimState {
    pub(crate) fn new(config: OpenAiSimConfig) -> Self {
        Self {
            config,
            inner: Mutex::new(Inner::default()),
            recorded: watch::Sender::new(0),
        }
    }

    /// The state, even if a panicking thread held the lock.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn enqueue(&self, endpoint: Endpoint, answers: impl IntoIterator<Item = Scripted>) {
        self.lock()
            .queues
            .entry(endpoint)
            .or_default()
            .extend(answers);
    }

    pub(crate) fn next_scripted(&self, endpoint: Endpoint) -> Option<Scripted> {
        self.lock().queues.get_mut(&endpoint)?.pop_front()
    }

    pub(crate) fn register_transcript(&self, fingerprint: String, text: String) {
        self.lock().transcripts.insert(fingerprint, text);
    }

    pub(crate) fn register_sight(&self, fingerprint: String, sight: Value) {
        self.lock().sights.insert(fingerprint, sight);
    }

    pub(crate) fn sight(&self, fingerprint: &str) -> Option<Value> {
        self.lock().sights.get(fingerprint).cloned()
    }

    pub(crate) fn transcript(&self, fingerprint: &str) -> Option<String> {
        self.lock().transcripts.get(fingerprint).cloned()
    }

    /// Records a request; `seq` and `received_at` are filled in here.
    pub(crate) fn record(&self, mut request: RecordedRequest) {
        {
            let mut inner = self.lock();
            request.seq = inner.requests.len() as u64;
            request.received_at = Utc::now();
            inner.requests.push(request);
        }
        self.recorded.send_modify(|v| *v = v.wrapping_add(1));
    }

    pub(crate) fn requests(
        &self,
        endpoint: Option<Endpoint>,
        after_seq: Option<u64>,
    ) -> Vec<RecordedRequest> {
        self.lock()
            .requests
            .iter()
            .filter(|r| endpoint.is_none_or(|e| r.endpoint == e))
            .filter(|r| after_seq.is_none_or(|after| r.seq > after))
            .cloned()
            .collect()
    }

    pub(crate) fn summary(&self) -> OpenAiSimSummary {
        let inner = self.lock();
        let count = |endpoint| {
            inner
                .requests
                .iter()
                .filter(|r| r.endpoint == endpoint)
                .count()
        };
        OpenAiSimSummary {
            requests: Endpoint::ALL.into_iter().map(|e| (e, count(e))).collect(),
            queued: Endpoint::ALL
                .into_iter()
                .map(|e| (e, inner.queues.get(&e).map_or(0, VecDeque::len)))
                .collect(),
            transcripts: inner.transcripts.len(),
        }
    }

    pub(crate) fn reset(&self) {
        *self.lock() = Inner::default();
        self.recorded.send_modify(|v| *v = v.wrapping_add(1));
    }

    /// Waits until `check` finds what it wants among the recorded requests, or `timeout` passes.
    pub(crate) async fn wait_for_requests<R>(
        &self,
        timeout: std::time::Duration,
        mut check: impl FnMut(&[RecordedRequest]) -> Option<R>,
    ) -> Option<R> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut changes = self.recorded.subscribe();
        loop {
            changes.borrow_and_update();
            if let Some(found) = check(&self.lock().requests) {
                return Some(found);
            }
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) | Err(_) => return check(&self.lock().requests),
            }
        }
    }
}
