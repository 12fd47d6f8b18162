//! Everything the simulated WHOOP remembers: members and their records, OAuth grants and
//! tokens, the rate limiter, injected faults, counters and webhook deliveries.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, watch};

use super::config::{RecoveryWebhookId, WhoopSimConfig, WhoopUser};
use super::error::SimError;
use super::generate::{self, Rng};
use super::limits::{QuotaHeaders, ServerLimiter};
use super::records::{
    BodyMeasurement, Record, RecordRef, RecoveryRecord, Score, ScoreState, UserRecords,
    WorkoutRecord, ms,
};
use super::webhook::{DeliveryAttempt, WebhookJob, WebhookNotice, WebhookType};

/// Every scope WHOOP knows.
pub(crate) const SCOPES: [&str; 7] = [
    "read:recovery",
    "read:cycles",
    "read:workout",
    "read:sleep",
    "read:profile",
    "read:body_measurement",
    "offline",
];

/// Counters of what the simulator served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WhoopStats {
    /// Data API requests received (`/developer/...`), refused ones included.
    pub data_requests: u64,
    /// Data API requests answered with 2xx.
    pub served: u64,
    /// Answered 429.
    pub too_many_requests: u64,
    /// Answered 401.
    pub unauthorized: u64,
    /// Answered 5xx.
    pub server_errors: u64,
    /// Token endpoint calls.
    pub token_requests: u64,
    /// Webhook delivery attempts.
    pub webhook_attempts: u64,
}

/// One data API request, as the simulator saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestLog {
    pub method: String,
    pub path: String,
    /// Query parameters in order, decoded.
    pub query: Vec<(String, String)>,
    pub status: u16,
    /// The member the token belonged to.
    pub user_id: Option<i64>,
    /// Records in a collection answer.
    pub records: Option<usize>,
    /// When it was answered (Unix milliseconds).
    pub at_ms: i64,
}

impl RequestLog {
    /// The first value of a query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Tokens handed out by [`super::WhoopSim::issue_tokens`] or the token endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedTokens {
    pub access_token: String,
    pub expires_in: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub scope: String,
    pub token_type: String,
}

#[derive(Debug)]
struct AccessToken {
    user_id: i64,
    scopes: Vec<String>,
    expires_at: Instant,
    revoked: bool,
    family: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RefreshState {
    Active,
    Used,
    Revoked,
}

#[derive(Debug)]
struct RefreshToken {
    user_id: i64,
    scopes: Vec<String>,
    state: RefreshState,
    family: u64,
    /// The access token issued with it.
    access_token: String,
}

#[derive(Debug)]
struct AuthCode {
    user_id: i64,
    scopes: Vec<String>,
    redirect_uri: String,
    expires_at: Instant,
    used: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Consent {
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub state: String,
    expires_at: Instant,
}

#[derive(Debug)]
struct Member {
    user: WhoopUser,
    body: BodyMeasurement,
    records: UserRecords,
    /// Has granted the app access (and not revoked it): webhooks go out for them.
    connected: bool,
}

/// What the consent page shows.
#[derive(Debug)]
pub(crate) struct ConsentScreen {
    pub consent_id: String,
    pub consent: Consent,
    pub signed_in: WhoopUser,
    pub members: Vec<WhoopUser>,
}

/// What `GET /oauth/oauth2/auth` (or the consent form) leads to.
#[derive(Debug)]
pub(crate) enum AuthorizeOutcome {
    /// An error page: the request cannot be redirected (bad client or redirect URI).
    ErrorPage { status: u16, message: String },
    /// A redirect back to the app.
    Redirect(String),
    /// The consent page.
    Consent(Box<ConsentScreen>),
}

/// An answer of the token endpoint.
#[derive(Debug)]
pub(crate) struct TokenAnswer {
    pub status: u16,
    pub body: serde_json::Value,
}

/// The data API resource a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Workouts,
    Workout(String),
    Sleeps,
    Sleep(String),
    Recoveries,
    Cycles,
    Cycle(String),
    CycleRecovery(String),
    CycleSleep(String),
    Profile,
    Body,
    RevokeAccess,
}

impl Endpoint {
    fn scope(&self) -> Option<&'static str> {
        match self {
            Endpoint::Workouts | Endpoint::Workout(_) => Some("read:workout"),
            Endpoint::Sleeps | Endpoint::Sleep(_) => Some("read:sleep"),
            Endpoint::Recoveries | Endpoint::CycleRecovery(_) => Some("read:recovery"),
            Endpoint::Cycles | Endpoint::Cycle(_) | Endpoint::CycleSleep(_) => Some("read:cycles"),
            Endpoint::Profile => Some("read:profile"),
            Endpoint::Body => Some("read:body_measurement"),
            Endpoint::RevokeAccess => None,
        }
    }
}

/// A data API request.
#[derive(Debug)]
pub(crate) struct DataCall {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub bearer: Option<String>,
    pub endpoint: Endpoint,
}

/// The simulator's answer to a data API request.
#[derive(Debug)]
pub(crate) struct DataAnswer {
    pub status: u16,
    pub body: Option<serde_json::Value>,
    pub quota: Option<QuotaHeaders>,
    /// Answer a body that is not JSON instead of `body`.
    pub garbage: bool,
}

#[derive(Debug)]
pub(crate) struct Inner {
    members: BTreeMap<i64, Member>,
    signed_in: Option<i64>,
    pub auto_approve: bool,
    consents: HashMap<String, Consent>,
    codes: HashMap<String, AuthCode>,
    access: HashMap<String, AccessToken>,
    refresh: HashMap<String, RefreshToken>,
    next_family: u64,
    limiter: ServerLimiter,
    forced_429: VecDeque<Option<u64>>,
    forced_errors: VecDeque<u16>,
    /// Data requests still to answer 200 with a body that does not parse.
    forced_garbage: u32,
    /// Data requests still to hold this long before answering.
    forced_hangs: VecDeque<Duration>,
    pub delay: Duration,
    pub stats: WhoopStats,
    pub requests: Vec<RequestLog>,
    pub webhook_url: Option<String>,
    pub deliveries: Vec<DeliveryAttempt>,
    next_cycle_id: i64,
}

/// The shared state behind every handler.
#[derive(Debug)]
pub(crate) struct SimState {
    pub config: WhoopSimConfig,
    inner: Mutex<Inner>,
    webhooks: mpsc::UnboundedSender<WebhookJob>,
    /// Bumped after each webhook delivery attempt, for waiters.
    delivered: watch::Sender<u64>,
}

/// A fresh random token: 32 bytes, URL-safe base64.
pub(crate) fn random_token(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

fn oauth_error(status: u16, error: &str, description: &str) -> TokenAnswer {
    TokenAnswer {
        status,
        body: serde_json::json!({ "error": error, "error_description": description }),
    }
}

fn api_error(status: u16, message: &str) -> (u16, Option<serde_json::Value>) {
    (status, Some(serde_json::json!({ "error": message })))
}

/// Appends query parameters to a redirect URI.
pub(crate) fn redirect_with(redirect_uri: &str, params: &[(&str, &str)]) -> String {
    match reqwest::Url::parse(redirect_uri) {
        Ok(mut url) => {
            {
                let mut pairs = url.query_pairs_mut();
                for (key, value) in params {
                    pairs.append_pair(key, value);
                }
            }
            url.to_string()
        }
        Err(_) => redirect_uri.to_owned(),
    }
}

fn parse_time(name: &str, value: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("{name} must be an ISO-8601 date-time, got {value:?}"))
}

/// `limit`, `start`, `end` and `nextToken` of a collection request.
#[derive(Debug)]
struct CollectionQuery {
    limit: usize,
    start: Option<DateTime<Utc>>,
    end: DateTime<Utc>,
    cursor: Option<(i64, String)>,
}

impl CollectionQuery {
    fn parse(query: &[(String, String)], now: DateTime<Utc>) -> Result<Self, String> {
        let mut parsed = Self {
            limit: 10,
            start: None,
            end: now,
            cursor: None,
        };
        for (key, value) in query {
            match key.as_str() {
                "limit" => {
                    let limit: i64 = value
                        .parse()
                        .map_err(|_| format!("limit must be an integer, got {value:?}"))?;
                    if !(1..=25).contains(&limit) {
                        return Err(format!("limit must be between 1 and 25, got {limit}"));
                    }
                    parsed.limit = usize::try_from(limit).unwrap_or(25);
                }
                "start" => parsed.start = Some(parse_time("start", value)?),
                "end" => parsed.end = parse_time("end", value)?,
                "nextToken" if !value.is_empty() => {
                    parsed.cursor = Some(decode_cursor(value)?);
                }
                _ => {}
            }
        }
        Ok(parsed)
    }
}

fn encode_cursor(start: DateTime<Utc>, key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{key}", start.timestamp_millis()))
}

fn decode_cursor(token: &str) -> Result<(i64, String), String> {
    let invalid = || format!("invalid nextToken {token:?}");
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (millis, key) = text.split_once(':').ok_or_else(invalid)?;
    Ok((millis.parse().map_err(|_| invalid())?, key.to_owned()))
}

/// A record ready for a collection page.
struct Row {
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    key: String,
    json: serde_json::Value,
}

/// Filters (records that overlap `[start, end)`), sorts by `start` descending and pages.
fn page(mut rows: Vec<Row>, query: &CollectionQuery) -> (serde_json::Value, usize) {
    rows.retain(|row| {
        row.start < query.end
            && query
                .start
                .is_none_or(|start| row.end.is_none_or(|end| end >= start) || row.start >= start)
    });
    rows.sort_by(|a, b| (b.start, &b.key).cmp(&(a.start, &a.key)));
    if let Some((millis, key)) = &query.cursor {
        rows.retain(|row| (row.start.timestamp_millis(), &row.key) < (*millis, key));
    }
    let more = rows.len() > query.limit;
    rows.truncate(query.limit);
    let count = rows.len();
    let next = if more {
        rows.last().map(|row| encode_cursor(row.start, &row.key))
    } else {
        None
    };
    let records: Vec<serde_json::Value> = rows.into_iter().map(|row| row.json).collect();
    let mut body = serde_json::json!({ "records": records });
    if let Some(next) = next {
        body["next_token"] = serde_json::Value::String(next);
    }
    (body, count)
}

fn to_json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.chars().all(|c| c.is_ascii_hexdigit()))
}

impl Member {
    fn new(user: WhoopUser, now: DateTime<Utc>, history_days: u32) -> Self {
        let records = generate::history(&user, now, history_days);
        Self {
            body: generate::body(user.user_id),
            user,
            records,
            connected: false,
        }
    }

    fn record(&self, reference: &RecordRef) -> Option<Record> {
        let records = &self.records;
        match reference {
            RecordRef::Workout(id) => records
                .workouts
                .iter()
                .find(|r| &r.id == id)
                .cloned()
                .map(Record::Workout),
            RecordRef::Sleep(id) => records
                .sleeps
                .iter()
                .find(|r| &r.id == id)
                .cloned()
                .map(Record::Sleep),
            RecordRef::Recovery(id) => records
                .recoveries
                .iter()
                .find(|r| r.cycle_id == *id)
                .cloned()
                .map(Record::Recovery),
            RecordRef::Cycle(id) => records
                .cycles
                .iter()
                .find(|r| r.id == *id)
                .cloned()
                .map(Record::Cycle),
        }
    }

    fn remove(&mut self, reference: &RecordRef) -> Option<Record> {
        let found = self.record(reference)?;
        let records = &mut self.records;
        match reference {
            RecordRef::Workout(id) => records.workouts.retain(|r| &r.id != id),
            RecordRef::Sleep(id) => records.sleeps.retain(|r| &r.id != id),
            RecordRef::Recovery(id) => records.recoveries.retain(|r| r.cycle_id != *id),
            RecordRef::Cycle(id) => records.cycles.retain(|r| r.id != *id),
        }
        Some(found)
    }

    fn upsert(&mut self, record: Record) {
        self.remove(&record.reference());
        let records = &mut self.records;
        match record {
            Record::Workout(r) => records.workouts.push(r),
            Record::Sleep(r) => records.sleeps.push(r),
            Record::Recovery(r) => records.recoveries.push(r),
            Record::Cycle(r) => records.cycles.push(r),
        }
        generate::sort_newest_first(records);
    }

    /// The times a recovery is filed under: its sleep's, else its cycle's.
    fn recovery_times(&self, recovery: &RecoveryRecord) -> (DateTime<Utc>, Option<DateTime<Utc>>) {
        if let Some(sleep) = self
            .records
            .sleeps
            .iter()
            .find(|s| s.id == recovery.sleep_id)
        {
            return (sleep.start, Some(sleep.end));
        }
        if let Some(cycle) = self
            .records
            .cycles
            .iter()
            .find(|c| c.id == recovery.cycle_id)
        {
            return (cycle.start, cycle.end);
        }
        (recovery.created_at, Some(recovery.created_at))
    }
}

/// A later `updated_at`: now, or a millisecond after the old one if the clock has not moved.
fn touched(old: DateTime<Utc>) -> DateTime<Utc> {
    ms(Utc::now()).max(old + chrono::Duration::milliseconds(1))
}

fn rng_for(reference: &RecordRef, salt: u64) -> Rng {
    let seed = match reference {
        RecordRef::Workout(id) | RecordRef::Sleep(id) => id.bytes().fold(0i64, |acc, b| {
            acc.wrapping_mul(31).wrapping_add(i64::from(b))
        }),
        RecordRef::Recovery(id) | RecordRef::Cycle(id) => *id,
    };
    Rng::for_day(seed, Utc::now().timestamp_millis(), salt)
}

/// Gives a record a score (a new one, or nudged if it had one) and moves `updated_at`.
fn rescored(record: Record, reference: &RecordRef) -> Record {
    let mut rng = rng_for(reference, 7);
    match record {
        Record::Workout(mut r) => {
            r.score = Score::Scored(match r.score {
                Score::Scored(mut s) => {
                    s.strain = ((s.strain + 0.5).min(21.0) * 10_000.0).round() / 10_000.0;
                    s
                }
                _ => generate::workout_score(&mut rng, &r.sport_name, r.end - r.start),
            });
            r.updated_at = touched(r.updated_at);
            Record::Workout(r)
        }
        Record::Sleep(mut r) => {
            r.score = Score::Scored(match r.score {
                Score::Scored(mut s) => {
                    s.stage_summary.disturbance_count += 1;
                    s
                }
                _ => generate::sleep_score(&mut rng, r.end - r.start, r.nap),
            });
            r.updated_at = touched(r.updated_at);
            Record::Sleep(r)
        }
        Record::Recovery(mut r) => {
            r.score = Score::Scored(match r.score {
                Score::Scored(mut s) => {
                    s.recovery_score = if s.recovery_score >= 99.0 {
                        s.recovery_score - 1.0
                    } else {
                        s.recovery_score + 1.0
                    };
                    s
                }
                _ => generate::recovery_score(&mut rng),
            });
            r.updated_at = touched(r.updated_at);
            Record::Recovery(r)
        }
        Record::Cycle(mut r) => {
            let hours = (r.end.unwrap_or_else(Utc::now) - r.start).num_minutes() as f64 / 60.0;
            r.score = Score::Scored(match r.score {
                Score::Scored(mut s) => {
                    s.strain = ((s.strain + 0.5).min(21.0) * 10_000.0).round() / 10_000.0;
                    s
                }
                _ => generate::cycle_score(&mut rng, hours, r.end.is_none()),
            });
            r.updated_at = touched(r.updated_at);
            Record::Cycle(r)
        }
    }
}

fn unscored(record: Record, state: ScoreState) -> Record {
    fn drop_score<T>(state: ScoreState) -> Score<T> {
        match state {
            ScoreState::PendingScore => Score::PendingScore,
            _ => Score::Unscorable,
        }
    }
    match record {
        Record::Workout(mut r) => {
            r.score = drop_score(state);
            r.updated_at = touched(r.updated_at);
            Record::Workout(r)
        }
        Record::Sleep(mut r) => {
            r.score = drop_score(state);
            r.updated_at = touched(r.updated_at);
            Record::Sleep(r)
        }
        Record::Recovery(mut r) => {
            r.score = drop_score(state);
            r.updated_at = touched(r.updated_at);
            Record::Recovery(r)
        }
        Record::Cycle(mut r) => {
            r.score = drop_score(state);
            r.updated_at = touched(r.updated_at);
            Record::Cycle(r)
        }
    }
}

impl SimState {
    pub(crate) fn new(config: WhoopSimConfig, webhooks: mpsc::UnboundedSender<WebhookJob>) -> Self {
        let now = Utc::now();
        let members = config
            .users
            .iter()
            .map(|user| {
                (
                    user.user_id,
                    Member::new(user.clone(), now, config.history_days),
                )
            })
            .collect();
        let inner = Inner {
            members,
            signed_in: config.users.first().map(|u| u.user_id),
            auto_approve: config.auto_approve,
            consents: HashMap::new(),
            codes: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            next_family: 1,
            limiter: ServerLimiter::new(config.rate_limits),
            forced_429: VecDeque::new(),
            forced_errors: VecDeque::new(),
            forced_garbage: 0,
            forced_hangs: VecDeque::new(),
            delay: Duration::ZERO,
            stats: WhoopStats::default(),
            requests: Vec::new(),
            webhook_url: config.webhooks.url.clone(),
            deliveries: Vec::new(),
            next_cycle_id: 900_000_000_000,
        };
        Self {
            config,
            inner: Mutex::new(inner),
            webhooks,
            delivered: watch::channel(0).0,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data behind: keep serving.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` with the state locked.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Inner) -> T) -> T {
        f(&self.lock())
    }

    /// Runs `f` with the state locked for writing.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.lock())
    }

    // ---- members and records ----

    pub(crate) fn add_user(&self, user: WhoopUser) -> Result<(), SimError> {
        let mut inner = self.lock();
        if inner.members.contains_key(&user.user_id) {
            return Err(SimError::UserExists(user.user_id));
        }
        if inner.signed_in.is_none() {
            inner.signed_in = Some(user.user_id);
        }
        let id = user.user_id;
        inner
            .members
            .insert(id, Member::new(user, Utc::now(), self.config.history_days));
        Ok(())
    }

    pub(crate) fn users(&self) -> Vec<WhoopUser> {
        self.read(|inner| inner.members.values().map(|m| m.user.clone()).collect())
    }

    pub(crate) fn records(&self, user_id: i64) -> Result<UserRecords, SimError> {
        self.read(|inner| {
            inner
                .members
                .get(&user_id)
                .map(|m| m.records.clone())
                .ok_or(SimError::UnknownUser(user_id))
        })
    }

    pub(crate) fn next_cycle_id(&self) -> i64 {
        self.write(|inner| {
            inner.next_cycle_id += 1;
            inner.next_cycle_id
        })
    }

    fn validate(record: &Record) -> Result<(), SimError> {
        let check = |ok: bool, what: &str| {
            if ok {
                Ok(())
            } else {
                Err(SimError::InvalidRecord(what.to_owned()))
            }
        };
        match record {
            Record::Workout(r) => {
                check(is_uuid(&r.id), "a workout id must be a UUID")?;
                check(r.start <= r.end, "a workout must not end before it starts")
            }
            Record::Sleep(r) => {
                check(is_uuid(&r.id), "a sleep id must be a UUID")?;
                check(r.start <= r.end, "a sleep must not end before it starts")
            }
            Record::Recovery(r) => check(is_uuid(&r.sleep_id), "sleep_id must be a UUID"),
            Record::Cycle(r) => check(
                r.end.is_none_or(|end| r.start <= end),
                "a cycle must not end before it starts",
            ),
        }
    }

    /// Adds or replaces a record; sends `*.updated` when webhooks follow changes.
    pub(crate) fn upsert(&self, mut record: Record) -> Result<Record, SimError> {
        Self::validate(&record)?;
        normalise_times(&mut record);
        let user_id = record.user_id();
        self.write(|inner| {
            let member = inner
                .members
                .get_mut(&user_id)
                .ok_or(SimError::UnknownUser(user_id))?;
            member.upsert(record.clone());
            Ok::<_, SimError>(())
        })?;
        self.notify_change(&record, false);
        Ok(record)
    }

    fn find(&self, reference: &RecordRef) -> Option<(i64, Record)> {
        self.read(|inner| {
            inner
                .members
                .iter()
                .find_map(|(id, m)| m.record(reference).map(|r| (*id, r)))
        })
    }

    fn not_found(reference: &RecordRef) -> SimError {
        SimError::RecordNotFound(reference.clone())
    }

    pub(crate) fn rescore(&self, reference: &RecordRef) -> Result<Record, SimError> {
        let (_, record) = self
            .find(reference)
            .ok_or_else(|| Self::not_found(reference))?;
        self.upsert(rescored(record, reference))
    }

    pub(crate) fn set_score_state(
        &self,
        reference: &RecordRef,
        state: ScoreState,
    ) -> Result<Record, SimError> {
        let (_, record) = self
            .find(reference)
            .ok_or_else(|| Self::not_found(reference))?;
        let changed = match state {
            ScoreState::Scored if record.score_state() == ScoreState::Scored => record,
            ScoreState::Scored => rescored(record, reference),
            other => unscored(record, other),
        };
        self.upsert(changed)
    }

    pub(crate) fn delete(&self, reference: &RecordRef) -> Result<Record, SimError> {
        let removed = self.write(|inner| {
            inner
                .members
                .values_mut()
                .find_map(|member| member.remove(reference))
        });
        let removed = removed.ok_or_else(|| Self::not_found(reference))?;
        self.notify_change(&removed, true);
        Ok(removed)
    }

    // ---- webhooks ----

    /// The notice WHOOP would send about a change to `record` (none for cycles).
    pub(crate) fn notice_for(&self, record: &Record, deleted: bool) -> Option<WebhookNotice> {
        let (kind, id): (WebhookType, serde_json::Value) = match record {
            Record::Workout(r) => (WebhookType::workout(deleted), r.id.clone().into()),
            Record::Sleep(r) => (WebhookType::sleep(deleted), r.id.clone().into()),
            Record::Recovery(r) => (
                WebhookType::recovery(deleted),
                match self.config.webhooks.recovery_id {
                    RecoveryWebhookId::SleepId => r.sleep_id.clone().into(),
                    RecoveryWebhookId::CycleId => r.cycle_id.into(),
                },
            ),
            Record::Cycle(_) => return None,
        };
        Some(WebhookNotice::new(record.user_id(), kind, id))
    }

    fn notify_change(&self, record: &Record, deleted: bool) {
        if !self.config.webhooks.on_changes {
            return;
        }
        let user_id = record.user_id();
        let send = self.read(|inner| {
            inner.webhook_url.is_some() && inner.members.get(&user_id).is_some_and(|m| m.connected)
        });
        if let Some(notice) = self.notice_for(record, deleted).filter(|_| send) {
            self.queue_webhook(notice, None);
        }
    }

    pub(crate) fn queue_webhook(
        &self,
        notice: WebhookNotice,
        reply: Option<tokio::sync::oneshot::Sender<Result<DeliveryAttempt, SimError>>>,
    ) {
        if let Err(error) = self.webhooks.send(WebhookJob { notice, reply })
            && let Some(reply) = error.0.reply
        {
            let _ = reply.send(Err(SimError::Webhook("the simulator stopped".to_owned())));
        }
    }

    pub(crate) fn record_delivery(&self, attempt: DeliveryAttempt) {
        self.write(|inner| {
            inner.stats.webhook_attempts += 1;
            inner.deliveries.push(attempt);
        });
        self.delivered.send_modify(|n| *n += 1);
    }

    pub(crate) fn deliveries_changed(&self) -> watch::Receiver<u64> {
        self.delivered.subscribe()
    }

    // ---- OAuth ----

    pub(crate) fn sign_in(&self, user_id: i64) -> Result<(), SimError> {
        self.write(|inner| {
            if !inner.members.contains_key(&user_id) {
                return Err(SimError::UnknownUser(user_id));
            }
            inner.signed_in = Some(user_id);
            Ok(())
        })
    }

    pub(crate) fn signed_in(&self) -> Option<i64> {
        self.read(|inner| inner.signed_in)
    }

    pub(crate) fn authorize(&self, params: &HashMap<String, String>) -> AuthorizeOutcome {
        let get = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();
        if get("client_id") != self.config.client_id {
            return AuthorizeOutcome::ErrorPage {
                status: 400,
                message: "invalid_client: the client_id is not registered".to_owned(),
            };
        }
        let redirect_uri = get("redirect_uri");
        if !self.config.redirect_uris.iter().any(|r| r == redirect_uri) {
            return AuthorizeOutcome::ErrorPage {
                status: 400,
                message: "invalid_request: the redirect_uri is not registered for this client"
                    .to_owned(),
            };
        }
        let state = get("state");
        let fail = |error: &str, description: &str| {
            AuthorizeOutcome::Redirect(redirect_with(
                redirect_uri,
                &[
                    ("error", error),
                    ("error_description", description),
                    ("state", state),
                ],
            ))
        };
        if state.chars().count() < 8 {
            return fail(
                "invalid_state",
                "The state is missing or does not have enough characters and is therefore considered too weak. Request parameter 'state' must be at least be 8 characters long to ensure sufficient entropy.",
            );
        }
        if get("response_type") != "code" {
            return fail(
                "unsupported_response_type",
                "The authorization server does not support obtaining a token using this method.",
            );
        }
        let scopes: Vec<String> = get("scope").split_whitespace().map(str::to_owned).collect();
        if scopes.is_empty() || scopes.iter().any(|s| !SCOPES.contains(&s.as_str())) {
            return fail(
                "invalid_scope",
                "The requested scope is invalid, unknown, or malformed.",
            );
        }
        let consent = Consent {
            redirect_uri: redirect_uri.to_owned(),
            scopes,
            state: state.to_owned(),
            expires_at: Instant::now() + Duration::from_secs(600),
        };
        let mut inner = self.lock();
        let Some(signed_in) = inner
            .signed_in
            .and_then(|id| inner.members.get(&id))
            .map(|m| m.user.clone())
        else {
            return AuthorizeOutcome::ErrorPage {
                status: 400,
                message: "no WHOOP member is signed in to the simulator".to_owned(),
            };
        };
        if inner.auto_approve {
            return AuthorizeOutcome::Redirect(self.grant_code(
                &mut inner,
                signed_in.user_id,
                &consent,
            ));
        }
        let consent_id = random_token("consent_");
        inner.consents.insert(consent_id.clone(), consent.clone());
        let members = inner.members.values().map(|m| m.user.clone()).collect();
        AuthorizeOutcome::Consent(Box::new(ConsentScreen {
            consent_id,
            consent,
            signed_in,
            members,
        }))
    }

    fn grant_code(&self, inner: &mut Inner, user_id: i64, consent: &Consent) -> String {
        let code = random_token("code_");
        inner.codes.insert(
            code.clone(),
            AuthCode {
                user_id,
                scopes: consent.scopes.clone(),
                redirect_uri: consent.redirect_uri.clone(),
                expires_at: Instant::now() + self.config.code_ttl,
                used: false,
            },
        );
        redirect_with(
            &consent.redirect_uri,
            &[
                ("code", &code),
                ("scope", &consent.scopes.join(" ")),
                ("state", &consent.state),
            ],
        )
    }

    /// The member's answer on the consent page.
    pub(crate) fn decide(
        &self,
        consent_id: &str,
        allow: bool,
        user_id: Option<i64>,
    ) -> AuthorizeOutcome {
        let mut inner = self.lock();
        let Some(consent) = inner
            .consents
            .remove(consent_id)
            .filter(|c| c.expires_at > Instant::now())
        else {
            return AuthorizeOutcome::ErrorPage {
                status: 400,
                message: "this consent request is unknown, used or expired: start again".to_owned(),
            };
        };
        if !allow {
            return AuthorizeOutcome::Redirect(redirect_with(
                &consent.redirect_uri,
                &[
                    ("error", "access_denied"),
                    ("error_description", "The resource owner denied the request"),
                    ("state", &consent.state),
                ],
            ));
        }
        let Some(user_id) = user_id
            .or(inner.signed_in)
            .filter(|id| inner.members.contains_key(id))
        else {
            return AuthorizeOutcome::ErrorPage {
                status: 400,
                message: "unknown WHOOP member".to_owned(),
            };
        };
        AuthorizeOutcome::Redirect(self.grant_code(&mut inner, user_id, &consent))
    }

    fn issue(
        &self,
        inner: &mut Inner,
        user_id: i64,
        scopes: &[String],
        family: u64,
    ) -> IssuedTokens {
        let access_token = random_token("");
        inner.access.insert(
            access_token.clone(),
            AccessToken {
                user_id,
                scopes: scopes.to_vec(),
                expires_at: Instant::now() + self.config.access_token_ttl,
                revoked: false,
                family,
            },
        );
        let refresh_token = scopes.iter().any(|s| s == "offline").then(|| {
            let token = random_token("");
            inner.refresh.insert(
                token.clone(),
                RefreshToken {
                    user_id,
                    scopes: scopes.to_vec(),
                    state: RefreshState::Active,
                    family,
                    access_token: access_token.clone(),
                },
            );
            token
        });
        if let Some(member) = inner.members.get_mut(&user_id) {
            member.connected = true;
        }
        IssuedTokens {
            access_token,
            expires_in: self.config.access_token_ttl.as_secs(),
            refresh_token,
            scope: scopes.join(" "),
            token_type: "bearer".to_owned(),
        }
    }

    /// Tokens for a member without the browser dance (all scopes).
    pub(crate) fn issue_tokens(&self, user_id: i64) -> Result<IssuedTokens, SimError> {
        let mut inner = self.lock();
        if !inner.members.contains_key(&user_id) {
            return Err(SimError::UnknownUser(user_id));
        }
        let family = inner.next_family;
        inner.next_family += 1;
        let scopes: Vec<String> = SCOPES.iter().map(|s| (*s).to_owned()).collect();
        Ok(self.issue(&mut inner, user_id, &scopes, family))
    }

    /// `POST /oauth/oauth2/token`.
    pub(crate) fn token(&self, params: &HashMap<String, String>) -> TokenAnswer {
        let get = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();
        let mut inner = self.lock();
        inner.stats.token_requests += 1;
        if get("client_id") != self.config.client_id
            || get("client_secret") != self.config.client_secret
        {
            return oauth_error(
                401,
                "invalid_client",
                "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).",
            );
        }
        match get("grant_type") {
            "authorization_code" => {
                self.exchange_code(&mut inner, get("code"), get("redirect_uri"))
            }
            "refresh_token" => self.refresh(&mut inner, get("refresh_token")),
            "" => oauth_error(400, "invalid_request", "grant_type is missing"),
            _ => oauth_error(
                400,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server.",
            ),
        }
    }

    fn exchange_code(&self, inner: &mut Inner, code: &str, redirect_uri: &str) -> TokenAnswer {
        let invalid = || {
            oauth_error(
                400,
                "invalid_grant",
                "The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
            )
        };
        let Some(grant) = inner.codes.get_mut(code) else {
            return invalid();
        };
        if grant.used || grant.expires_at <= Instant::now() || grant.redirect_uri != redirect_uri {
            return invalid();
        }
        grant.used = true;
        let (user_id, scopes) = (grant.user_id, grant.scopes.clone());
        let family = inner.next_family;
        inner.next_family += 1;
        let issued = self.issue(inner, user_id, &scopes, family);
        TokenAnswer {
            status: 200,
            body: to_json(&issued),
        }
    }

    fn refresh(&self, inner: &mut Inner, refresh_token: &str) -> TokenAnswer {
        let invalid = |why: &str| oauth_error(400, "invalid_grant", why);
        let Some(old) = inner.refresh.get_mut(refresh_token) else {
            return invalid("The refresh token is malformed or not valid.");
        };
        match old.state {
            RefreshState::Active => {}
            RefreshState::Revoked => return invalid("The refresh token has been revoked."),
            RefreshState::Used => {
                let family = old.family;
                if self.config.revoke_family_on_reuse {
                    revoke_family(inner, family);
                }
                return invalid(
                    "The refresh token was already used: refresh tokens are single use.",
                );
            }
        }
        old.state = RefreshState::Used;
        let (user_id, scopes, family) = (old.user_id, old.scopes.clone(), old.family);
        let old_access = old.access_token.clone();
        if self.config.revoke_access_on_refresh
            && let Some(access) = inner.access.get_mut(&old_access)
        {
            access.revoked = true;
        }
        let issued = self.issue(inner, user_id, &scopes, family);
        TokenAnswer {
            status: 200,
            body: to_json(&issued),
        }
    }

    pub(crate) fn expire_access_tokens(&self, user_id: i64) -> usize {
        self.write(|inner| {
            let now = Instant::now();
            let mut count = 0;
            for token in inner.access.values_mut().filter(|t| t.user_id == user_id) {
                if token.expires_at > now {
                    token.expires_at = now;
                    count += 1;
                }
            }
            count
        })
    }

    pub(crate) fn revoke(&self, user_id: i64) {
        self.write(|inner| revoke_user(inner, user_id));
    }

    pub(crate) fn is_connected(&self, user_id: i64) -> bool {
        self.read(|inner| inner.members.get(&user_id).is_some_and(|m| m.connected))
    }

    // ---- faults ----

    pub(crate) fn force_too_many_requests(&self, count: u32, reset_secs: Option<u64>) {
        self.write(|inner| {
            for _ in 0..count {
                inner.forced_429.push_back(reset_secs);
            }
        });
    }

    pub(crate) fn force_server_errors(&self, count: u32, status: u16) {
        self.write(|inner| {
            for _ in 0..count {
                inner.forced_errors.push_back(status);
            }
        });
    }

    pub(crate) fn force_hangs(&self, count: u32, hold: Duration) {
        self.write(|inner| inner.forced_hangs.extend((0..count).map(|_| hold)));
    }

    /// The hold for the next data request, if one is scripted.
    pub(crate) fn take_hang(&self) -> Option<Duration> {
        self.write(|inner| inner.forced_hangs.pop_front())
    }

    pub(crate) fn force_garbage(&self, count: u32) {
        self.write(|inner| inner.forced_garbage = inner.forced_garbage.saturating_add(count));
    }

    // ---- the data API ----

    /// Answers a data API request: rate limit, injected faults, the bearer token, then the
    /// resource. Logged and counted.
    pub(crate) fn data_call(&self, call: DataCall) -> DataAnswer {
        let mut inner = self.lock();
        inner.stats.data_requests += 1;
        let decision = inner.limiter.check(Instant::now());
        let mut quota = decision.headers;
        let mut user_id = None;
        let mut records = None;
        let mut garbage = false;
        let (status, body) = if !decision.allowed {
            api_error(429, "Too Many Requests")
        } else if let Some(reset) = inner.forced_429.pop_front() {
            match (&mut quota, reset) {
                (Some(headers), Some(reset)) => {
                    headers.remaining = 0;
                    headers.reset_secs = reset;
                }
                (None, Some(reset)) => {
                    quota = Some(QuotaHeaders {
                        limit: "0".to_owned(),
                        remaining: 0,
                        reset_secs: reset,
                    });
                }
                (_, None) => quota = None,
            }
            api_error(429, "Too Many Requests")
        } else if let Some(status) = inner.forced_errors.pop_front() {
            api_error(status, "Internal Server Error")
        } else if inner.forced_garbage > 0 {
            inner.forced_garbage -= 1;
            garbage = true;
            (200, None)
        } else {
            match authenticate(&inner, call.bearer.as_deref(), call.endpoint.scope()) {
                Err(status) => api_error(status, "Unauthorized"),
                Ok(id) => {
                    user_id = Some(id);
                    let (status, body, count) =
                        self.resource(&mut inner, id, &call.endpoint, &call.query);
                    records = count;
                    (status, body)
                }
            }
        };
        match status {
            200..=299 => inner.stats.served += 1,
            401 => inner.stats.unauthorized += 1,
            429 => inner.stats.too_many_requests += 1,
            500..=599 => inner.stats.server_errors += 1,
            _ => {}
        }
        inner.requests.push(RequestLog {
            method: call.method,
            path: call.path,
            query: call.query,
            status,
            user_id,
            records,
            at_ms: Utc::now().timestamp_millis(),
        });
        DataAnswer {
            status,
            body,
            quota,
            garbage,
        }
    }

    fn resource(
        &self,
        inner: &mut Inner,
        user_id: i64,
        endpoint: &Endpoint,
        query: &[(String, String)],
    ) -> (u16, Option<serde_json::Value>, Option<usize>) {
        if *endpoint == Endpoint::RevokeAccess {
            revoke_user(inner, user_id);
            return (204, None, None);
        }
        let Some(member) = inner.members.get(&user_id) else {
            let (status, body) = api_error(404, "Not Found");
            return (status, body, None);
        };
        let records = &member.records;
        let collection = |rows: Vec<Row>| match CollectionQuery::parse(query, Utc::now()) {
            Ok(query) => {
                let (body, count) = page(rows, &query);
                (200, Some(body), Some(count))
            }
            Err(message) => {
                let (status, body) = api_error(400, &message);
                (status, body, None)
            }
        };
        let found = |value: Option<serde_json::Value>| match value {
            Some(json) => (200, Some(json), None),
            None => {
                let (status, body) = api_error(404, "Not Found");
                (status, body, None)
            }
        };
        let bad_request = |message: &str| {
            let (status, body) = api_error(400, message);
            (status, body, None)
        };
        let cycle_id = |id: &str| id.parse::<i64>().ok();
        match endpoint {
            Endpoint::Workouts => collection(
                records
                    .workouts
                    .iter()
                    .map(|r| Row {
                        start: r.start,
                        end: Some(r.end),
                        key: r.id.clone(),
                        json: to_json(r),
                    })
                    .collect(),
            ),
            Endpoint::Sleeps => collection(
                records
                    .sleeps
                    .iter()
                    .map(|r| Row {
                        start: r.start,
                        end: Some(r.end),
                        key: r.id.clone(),
                        json: to_json(r),
                    })
                    .collect(),
            ),
            Endpoint::Cycles => collection(
                records
                    .cycles
                    .iter()
                    .map(|r| Row {
                        start: r.start,
                        end: r.end,
                        key: format!("{:020}", r.id),
                        json: to_json(r),
                    })
                    .collect(),
            ),
            Endpoint::Recoveries => collection(
                records
                    .recoveries
                    .iter()
                    .map(|r| {
                        let (start, end) = member.recovery_times(r);
                        Row {
                            start,
                            end,
                            key: format!("{:020}", r.cycle_id),
                            json: to_json(r),
                        }
                    })
                    .collect(),
            ),
            Endpoint::Workout(id) if !is_uuid(id) => bad_request("workoutId must be a UUID"),
            Endpoint::Workout(id) => {
                found(records.workouts.iter().find(|r| &r.id == id).map(to_json))
            }
            Endpoint::Sleep(id) if !is_uuid(id) => bad_request("sleepId must be a UUID"),
            Endpoint::Sleep(id) => found(records.sleeps.iter().find(|r| &r.id == id).map(to_json)),
            Endpoint::Cycle(id) | Endpoint::CycleRecovery(id) | Endpoint::CycleSleep(id)
                if cycle_id(id).is_none() =>
            {
                bad_request("cycleId must be an integer")
            }
            Endpoint::Cycle(id) => found(
                records
                    .cycles
                    .iter()
                    .find(|r| Some(r.id) == cycle_id(id))
                    .map(to_json),
            ),
            Endpoint::CycleRecovery(id) => found(
                records
                    .recoveries
                    .iter()
                    .find(|r| Some(r.cycle_id) == cycle_id(id))
                    .map(to_json),
            ),
            Endpoint::CycleSleep(id) => found(
                records
                    .sleeps
                    .iter()
                    .find(|r| !r.nap && Some(r.cycle_id) == cycle_id(id))
                    .map(to_json),
            ),
            Endpoint::Profile => found(Some(to_json(&generate::profile(&member.user)))),
            Endpoint::Body => found(Some(to_json(&member.body))),
            Endpoint::RevokeAccess => (204, None, None),
        }
    }
}

/// The member a bearer token stands for, or the status to refuse it with.
fn authenticate(inner: &Inner, bearer: Option<&str>, scope: Option<&str>) -> Result<i64, u16> {
    let token = bearer.and_then(|t| inner.access.get(t)).ok_or(401u16)?;
    if token.revoked || token.expires_at <= Instant::now() {
        return Err(401);
    }
    if scope.is_some_and(|scope| !token.scopes.iter().any(|s| s == scope)) {
        return Err(401);
    }
    Ok(token.user_id)
}

fn revoke_user(inner: &mut Inner, user_id: i64) {
    for token in inner.access.values_mut().filter(|t| t.user_id == user_id) {
        token.revoked = true;
    }
    for token in inner.refresh.values_mut().filter(|t| t.user_id == user_id) {
        token.state = RefreshState::Revoked;
    }
    if let Some(member) = inner.members.get_mut(&user_id) {
        member.connected = false;
    }
}

fn revoke_family(inner: &mut Inner, family: u64) {
    for token in inner.access.values_mut().filter(|t| t.family == family) {
        token.revoked = true;
    }
    for token in inner.refresh.values_mut().filter(|t| t.family == family) {
        token.state = RefreshState::Revoked;
    }
}

/// Cuts a record's times to milliseconds, as WHOOP keeps them.
fn normalise_times(record: &mut Record) {
    match record {
        Record::Workout(r) => {
            for t in [
                &mut r.created_at,
                &mut r.updated_at,
                &mut r.start,
                &mut r.end,
            ] {
                *t = ms(*t);
            }
        }
        Record::Sleep(r) => {
            for t in [
                &mut r.created_at,
                &mut r.updated_at,
                &mut r.start,
                &mut r.end,
            ] {
                *t = ms(*t);
            }
        }
        Record::Recovery(r) => {
            r.created_at = ms(r.created_at);
            r.updated_at = ms(r.updated_at);
        }
        Record::Cycle(r) => {
            r.created_at = ms(r.created_at);
            r.updated_at = ms(r.updated_at);
            r.start = ms(r.start);
            r.end = r.end.map(ms);
        }
    }
}

/// Builds a scored workout for a member (used by the Rust API and the control surface).
pub(crate) fn new_workout(
    user: &WhoopUser,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    sport_name: &str,
) -> WorkoutRecord {
    let mut rng = Rng::for_day(user.user_id, start.timestamp_millis(), 11);
    let id = {
        let mut ids = Rng::new(rand::random());
        ids.uuid()
    };
    let now = ms(Utc::now());
    WorkoutRecord {
        id,
        user_id: user.user_id,
        created_at: now,
        updated_at: now,
        start: ms(start),
        end: ms(end),
        timezone_offset: super::config::format_offset(user.offset()),
        sport_name: sport_name.to_owned(),
        score: Score::Scored(generate::workout_score(&mut rng, sport_name, end - start)),
    }
}

impl SimState {
    pub(crate) fn user(&self, user_id: i64) -> Result<WhoopUser, SimError> {
        self.read(|inner| {
            inner
                .members
                .get(&user_id)
                .map(|m| m.user.clone())
                .ok_or(SimError::UnknownUser(user_id))
        })
    }
}

impl Inner {
    /// Read-only view for summaries.
    pub(crate) fn signed_in_user(&self) -> Option<i64> {
        self.signed_in
    }

    pub(crate) fn rate_limits(&self) -> super::config::RateLimits {
        self.limiter.limits()
    }

    pub(crate) fn member_ids(&self) -> Vec<i64> {
        self.members.keys().copied().collect()
    }
}

/// The simulator at a glance: counters and the settings that change at run time.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimSummary {
    pub stats: WhoopStats,
    pub users: Vec<i64>,
    pub signed_in: Option<i64>,
    pub auto_approve: bool,
    pub webhook_url: Option<String>,
    pub rate_limits: super::config::RateLimits,
}

impl SimState {
    pub(crate) fn summary(&self) -> SimSummary {
        self.read(|inner| SimSummary {
            stats: inner.stats,
            users: inner.member_ids(),
            signed_in: inner.signed_in_user(),
            auto_approve: inner.auto_approve,
            webhook_url: inner.webhook_url.clone(),
            rate_limits: inner.rate_limits(),
        })
    }
}
