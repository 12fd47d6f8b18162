//! What the simulator remembers: consumers' nonces, request and access tokens, users' diaries,
//! scripted faults and the requests it received. One mutex: the simulator is for tests.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::Rng as _;
use serde::{Deserialize, Serialize};

use super::config::FatSecretSimConfig;
use super::error::{ApiError, SimError};
use super::foods::{ServingNutrients, SimFood};
use super::signature::{hmac_sha1_signature, same_signature};

/// An access token and its secret, as `oauth/access_token` hands them out.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimTokens {
    /// `oauth_token`.
    pub oauth_token: String,
    /// `oauth_token_secret`.
    pub oauth_token_secret: String,
}

impl std::fmt::Debug for SimTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimTokens")
            .field("oauth_token", &self.oauth_token)
            .field("oauth_token_secret", &"***")
            .finish()
    }
}

/// A meal of the diary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SimMeal {
    /// breakfast
    Breakfast,
    /// lunch
    Lunch,
    /// dinner
    Dinner,
    /// other (snacks)
    Other,
}

impl SimMeal {
    /// Reads `breakfast|lunch|dinner|other`, in any case.
    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "breakfast" => Some(Self::Breakfast),
            "lunch" => Some(Self::Lunch),
            "dinner" => Some(Self::Dinner),
            "other" => Some(Self::Other),
            _ => None,
        }
    }

    /// "Breakfast", capitalised as food_entries.get answers it.
    pub fn answer_name(self) -> &'static str {
        match self {
            Self::Breakfast => "Breakfast",
            Self::Lunch => "Lunch",
            Self::Dinner => "Dinner",
            Self::Other => "Other",
        }
    }
}

/// One entry of a user's diary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimFoodEntry {
    /// FatSecret's food_entry_id.
    pub food_entry_id: String,
    /// Whose diary.
    pub user: String,
    /// The food.
    pub food_id: String,
    /// The serving.
    pub serving_id: String,
    /// Its name.
    pub food_entry_name: String,
    /// "150 g Chicken Breast".
    pub food_entry_description: String,
    /// Measurement units of the serving (150 for 150 g of a "100 g" serving).
    pub number_of_units: f64,
    /// The meal.
    pub meal: SimMeal,
    /// Days since 1970-01-01.
    pub date_int: i64,
    /// Its nutrients.
    pub nutrients: ServingNutrients,
    /// Made in FatSecret's own app rather than through the API.
    pub from_outside: bool,
}

impl SimFoodEntry {
    /// The entry with its nutrients and description worked out from its serving and units.
    fn weighed(self, food: &SimFood, serving: &super::foods::SimServing) -> Self {
        // number_of_units counts the serving's measurement units: 150 of a "100 g" serving
        // (number_of_units 100) is 1.5 servings.
        let servings = self.number_of_units / serving.number_of_units;
        Self {
            nutrients: food.serving_nutrients(serving).scaled(servings),
            food_entry_description: format!(
                "{} {} {}",
                units_text(self.number_of_units),
                serving.measurement_description,
                self.food_entry_name
            ),
            ..self
        }
    }
}

/// An entry to add "from outside", as if the user typed it in FatSecret's app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewSimEntry {
    /// The food.
    pub food_id: String,
    /// Its serving.
    pub serving_id: String,
    /// Measurement units of the serving.
    pub number_of_units: f64,
    /// The meal.
    pub meal: SimMeal,
    /// Days since 1970-01-01.
    pub date_int: i64,
    /// The name; the food's name when absent.
    #[serde(default)]
    pub food_entry_name: Option<String>,
}

/// What `food_entry.edit` changes in an entry; what is absent stays as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct SimEntryEdit {
    /// A new name.
    pub food_entry_name: Option<String>,
    /// Another serving of the same food.
    pub serving_id: Option<String>,
    /// New measurement units of the serving.
    pub number_of_units: Option<f64>,
    /// Another meal.
    pub meal: Option<SimMeal>,
}

/// Something to go wrong on purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Answer HTTP 200 `{"error":{"code":N,..}}` without doing anything.
    Error {
        /// The code (6, 7, 8, 9, or any).
        code: u32,
        /// The message; a stock one when absent.
        #[serde(default)]
        message: Option<String>,
    },
    /// Answer this HTTP status (e.g. 500) with a text body, without doing anything.
    HttpStatus {
        /// The status.
        status: u16,
    },
    /// Hold the connection for the configured `fault_hold`, doing nothing, then answer 504.
    Timeout,
    /// Answer HTTP 200 with a body that is not JSON (a proxy's error page cut short), without
    /// doing anything.
    Garbage,
    /// Do what was asked (store the entry), then hold the connection as `Timeout` does.
    StoreThenTimeout,
    /// Do what was asked, then answer this HTTP status instead of the result.
    StoreThenStatus {
        /// The status.
        status: u16,
    },
}

impl Fault {
    /// Whether the call is carried out before the fault shows.
    pub fn stores(&self) -> bool {
        matches!(
            self,
            Fault::StoreThenTimeout | Fault::StoreThenStatus { .. }
        )
    }
}

/// A fault for the next `times` calls, optionally of one method only (`food_entry.create`, or
/// `oauth/request_token`, `oauth/access_token`; compared exactly); every call when absent.
pub type FaultRule = crate::faults::FaultRule<Fault>;

/// How the simulator answered a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// A normal answer.
    Answered,
    /// A FatSecret error (HTTP 200 for server.api, 401 for the OAuth endpoints).
    Error {
        /// Its code.
        code: u32,
    },
    /// A scripted fault.
    Fault {
        /// Which.
        fault: Fault,
    },
}

/// A request the simulator received (control-surface calls are not recorded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// Order of arrival, from 0.
    pub seq: u64,
    /// GET or POST.
    pub http_method: String,
    /// `/rest/server.api`, `/oauth/request_token`, ...
    pub path: String,
    /// The `method` parameter of server.api calls.
    pub api_method: Option<String>,
    /// Every parameter received (query, form body and `Authorization` header), decoded.
    pub params: BTreeMap<String, String>,
    /// The user whose access token signed it.
    pub user: Option<String>,
    /// The answer.
    pub outcome: Outcome,
}

/// Counts of what the simulator holds, for the control surface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimSummary {
    /// Users with an access token or a diary.
    pub users: Vec<String>,
    /// Diary entries over all users.
    pub entries: usize,
    /// Requests received.
    pub requests: usize,
    /// Fault rules still armed.
    pub faults: Vec<FaultRule>,
    /// Who approves authorizations automatically.
    pub auto_approve: Option<String>,
}

struct RequestToken {
    secret: String,
    callback: String,
    /// Set once the user allowed access.
    approval: Option<(String, String)>,
    denied: bool,
}

struct AccessToken {
    secret: String,
    user: String,
    revoked: bool,
}

struct Inner {
    foods: Vec<SimFood>,
    request_tokens: HashMap<String, RequestToken>,
    access_tokens: HashMap<String, AccessToken>,
    entries: BTreeMap<u64, SimFoodEntry>,
    next_entry_id: u64,
    /// (consumer key, nonce) -> timestamp, forgotten once outside the timestamp window.
    nonces: HashMap<(String, String), u64>,
    faults: crate::faults::Faults<Fault>,
    requests: Vec<RecordedRequest>,
    auto_approve: Option<String>,
}

/// Which token must sign a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenRule {
    /// None (request_token).
    NoToken,
    /// A request token the user approved (access_token).
    RequestToken,
    /// An access token if present (foods.search works with and without one).
    OptionalAccess,
    /// An access token is required (diary methods).
    RequiredAccess,
}

/// A request whose signature checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verified {
    /// The user of the access token that signed it.
    pub user: Option<String>,
    /// The request token that signed it.
    pub request_token: Option<String>,
}

pub(crate) struct SimState {
    pub config: FatSecretSimConfig,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    inner: Mutex<Inner>,
}

pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// Today's date_int in UTC (the simulator has no user time zone).
pub(crate) fn today_date_int() -> i64 {
    i64::try_from(now_secs() / 86_400).unwrap_or_default()
}

fn random_hex(bytes: usize) -> String {
    let mut rng = rand::rng();
    (0..bytes)
        .map(|_| format!("{:02x}", rng.random::<u8>()))
        .collect()
}

/// "150" or "1.5": units as a diary describes them.
fn units_text(units: f64) -> String {
    let rounded = (units * 1000.0).round() / 1000.0;
    let text = format!("{rounded:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

impl SimState {
    pub fn new(config: FatSecretSimConfig, base_url: String) -> Self {
        let inner = Inner {
            foods: config.foods.clone(),
            request_tokens: HashMap::new(),
            access_tokens: HashMap::new(),
            entries: BTreeMap::new(),
            next_entry_id: config.first_food_entry_id,
            nonces: HashMap::new(),
            faults: crate::faults::Faults::default(),
            requests: Vec::new(),
            auto_approve: config.auto_approve.clone(),
        };
        Self {
            config,
            base_url,
            inner: Mutex::new(inner),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data behind: keep serving it.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The URL a client signs for `path` ("/rest/server.api", "/oauth/request_token").
    pub fn signing_url(&self, path: &str) -> String {
        let root = if path.starts_with("/oauth/") {
            self.config.signing_auth_root.as_deref()
        } else {
            self.config.signing_api_root.as_deref()
        };
        format!(
            "{}{path}",
            root.unwrap_or(&self.base_url).trim_end_matches('/')
        )
    }

    /// Checks an OAuth 1.0a request the way the real server does: required parameters, method,
    /// consumer key, timestamp, token, signature (recomputed over `signing_url`), then the nonce.
    pub fn verify(
        &self,
        http_method: &str,
        path: &str,
        params: &[(String, String)],
        rule: TokenRule,
    ) -> Result<Verified, ApiError> {
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let require = |name: &str| get(name).ok_or_else(|| ApiError::missing_oauth(name));
        let consumer_key = require("oauth_consumer_key")?;
        let signature_method = require("oauth_signature_method")?;
        let timestamp = require("oauth_timestamp")?;
        let nonce = require("oauth_nonce")?;
        let signature = require("oauth_signature")?;
        if signature_method != "HMAC-SHA1" {
            return Err(ApiError::new(
                4,
                format!("Invalid signature method: '{signature_method}'"),
            ));
        }
        if let Some(version) = get("oauth_version")
            && version != "1.0"
        {
            return Err(ApiError::new(
                3,
                format!("Unsupported oauth parameter: oauth_version '{version}'"),
            ));
        }
        if consumer_key != self.config.consumer_key {
            return Err(ApiError::new(
                5,
                format!("Invalid consumer key: '{consumer_key}'"),
            ));
        }
        let now = now_secs();
        let window = self.config.timestamp_window.as_secs();
        let stamp = timestamp
            .parse::<u64>()
            .ok()
            .filter(|t| t.abs_diff(now) <= window)
            .ok_or_else(|| ApiError::new(6, format!("Invalid/expired timestamp: '{timestamp}'")))?;

        let mut inner = self.lock();
        let token = get("oauth_token");
        let (token_secret, verified) = match (rule, token) {
            (TokenRule::NoToken, _) | (TokenRule::OptionalAccess, None) => (
                String::new(),
                Verified {
                    user: None,
                    request_token: None,
                },
            ),
            (TokenRule::RequiredAccess, None) | (TokenRule::RequestToken, None) => {
                return Err(ApiError::missing_oauth("oauth_token"));
            }
            (TokenRule::OptionalAccess | TokenRule::RequiredAccess, Some(token)) => {
                match inner.access_tokens.get(token) {
                    Some(access) if !access.revoked => (
                        access.secret.clone(),
                        Verified {
                            user: Some(access.user.clone()),
                            request_token: None,
                        },
                    ),
                    _ => {
                        return Err(ApiError::new(9, format!("Invalid access token: '{token}'")));
                    }
                }
            }
            (TokenRule::RequestToken, Some(token)) => match inner.request_tokens.get(token) {
                Some(request) => (
                    request.secret.clone(),
                    Verified {
                        user: None,
                        request_token: Some(token.to_owned()),
                    },
                ),
                None => {
                    return Err(ApiError::new(
                        9,
                        format!("Invalid or used request token: '{token}'"),
                    ));
                }
            },
        };

        let signed: Vec<(String, String)> = params
            .iter()
            .filter(|(k, _)| k != "oauth_signature" && k != "realm")
            .cloned()
            .collect();
        let expected = hmac_sha1_signature(
            http_method,
            &self.signing_url(path),
            &signed,
            &self.config.consumer_secret,
            &token_secret,
        );
        if !same_signature(&expected, signature) {
            return Err(ApiError::new(
                8,
                format!("Invalid signature: oauth_signature '{signature}'"),
            ));
        }

        inner
            .nonces
            .retain(|_, seen| seen.abs_diff(now) <= window.saturating_mul(2));
        let key = (consumer_key.to_owned(), nonce.to_owned());
        if inner.nonces.contains_key(&key) {
            return Err(ApiError::new(7, format!("Invalid/used nonce: '{nonce}'")));
        }
        inner.nonces.insert(key, stamp);
        Ok(verified)
    }

    // --- three-legged flow ---

    pub fn issue_request_token(&self, callback: &str) -> SimTokens {
        let tokens = SimTokens {
            oauth_token: random_hex(16),
            oauth_token_secret: random_hex(16),
        };
        self.lock().request_tokens.insert(
            tokens.oauth_token.clone(),
            RequestToken {
                secret: tokens.oauth_token_secret.clone(),
                callback: callback.to_owned(),
                approval: None,
                denied: false,
            },
        );
        tokens
    }

    /// The callback of a pending request token.
    pub fn callback_of(&self, request_token: &str) -> Option<String> {
        self.lock()
            .request_tokens
            .get(request_token)
            .map(|r| r.callback.clone())
    }

    pub fn auto_approver(&self) -> Option<String> {
        self.lock().auto_approve.clone()
    }

    pub fn set_auto_approve(&self, user: Option<String>) {
        self.lock().auto_approve = user;
    }

    /// `user` allows access: returns the verifier.
    pub fn approve(&self, request_token: &str, user: &str) -> Result<String, SimError> {
        let mut inner = self.lock();
        let request = inner
            .request_tokens
            .get_mut(request_token)
            .ok_or_else(|| SimError::UnknownRequestToken(request_token.to_owned()))?;
        let verifier = match &request.approval {
            Some((_, verifier)) => verifier.clone(),
            None => {
                let mut rng = rand::rng();
                let verifier = format!("{:08}", rng.random_range(0..100_000_000u32));
                request.approval = Some((user.to_owned(), verifier.clone()));
                verifier
            }
        };
        request.denied = false;
        Ok(verifier)
    }

    /// The user refuses access.
    pub fn deny(&self, request_token: &str) -> Result<(), SimError> {
        let mut inner = self.lock();
        let request = inner
            .request_tokens
            .get_mut(request_token)
            .ok_or_else(|| SimError::UnknownRequestToken(request_token.to_owned()))?;
        request.denied = true;
        request.approval = None;
        Ok(())
    }

    /// Trades an approved request token (already signature-checked) and its verifier for an
    /// access token; the request token is used up either way once the verifier matched.
    pub fn exchange(&self, request_token: &str, verifier: &str) -> Result<SimTokens, ApiError> {
        let user = {
            let mut inner = self.lock();
            let Some(request) = inner.request_tokens.get(request_token) else {
                return Err(ApiError::new(
                    9,
                    format!("Invalid or used request token: '{request_token}'"),
                ));
            };
            match &request.approval {
                Some((user, expected)) if expected == verifier && !request.denied => {
                    let user = user.clone();
                    inner.request_tokens.remove(request_token);
                    user
                }
                _ => {
                    return Err(ApiError::new(
                        2,
                        format!("Invalid oauth_verifier: '{verifier}'"),
                    ));
                }
            }
        };
        Ok(self.issue_access_token(&user))
    }

    pub fn issue_access_token(&self, user: &str) -> SimTokens {
        let tokens = SimTokens {
            oauth_token: random_hex(16),
            oauth_token_secret: random_hex(16),
        };
        self.lock().access_tokens.insert(
            tokens.oauth_token.clone(),
            AccessToken {
                secret: tokens.oauth_token_secret.clone(),
                user: user.to_owned(),
                revoked: false,
            },
        );
        tokens
    }

    /// Revokes every access token of `user`; returns how many.
    pub fn revoke_user(&self, user: &str) -> usize {
        let mut inner = self.lock();
        let mut count = 0;
        for token in inner.access_tokens.values_mut() {
            if token.user == user && !token.revoked {
                token.revoked = true;
                count += 1;
            }
        }
        count
    }

    // --- food database and diaries ---

    pub fn food(&self, food_id: &str) -> Option<SimFood> {
        self.lock()
            .foods
            .iter()
            .find(|f| f.food_id == food_id)
            .cloned()
    }

    pub fn foods(&self) -> Vec<SimFood> {
        self.lock().foods.clone()
    }

    pub fn add_food(&self, food: SimFood) {
        let mut inner = self.lock();
        inner.foods.retain(|f| f.food_id != food.food_id);
        inner.foods.push(food);
    }

    /// Foods matching `expression`, best first.
    pub fn search(&self, expression: &str) -> Vec<SimFood> {
        let inner = self.lock();
        let mut found: Vec<&SimFood> = inner
            .foods
            .iter()
            .filter(|f| f.matches(expression))
            .collect();
        found.sort_by(|a, b| {
            a.rank(expression)
                .cmp(&b.rank(expression))
                .then_with(|| a.food_id.cmp(&b.food_id))
        });
        found.into_iter().cloned().collect()
    }

    pub fn add_entry(
        &self,
        user: &str,
        entry: &NewSimEntry,
        from_outside: bool,
    ) -> Result<SimFoodEntry, SimError> {
        let unknown = || SimError::UnknownServing {
            food_id: entry.food_id.clone(),
            serving_id: entry.serving_id.clone(),
        };
        if !(entry.number_of_units.is_finite() && entry.number_of_units > 0.0) {
            return Err(SimError::BadUnits(entry.number_of_units));
        }
        let food = self.food(&entry.food_id).ok_or_else(unknown)?;
        let serving = food.serving(&entry.serving_id).ok_or_else(unknown)?;
        let name = entry
            .food_entry_name
            .clone()
            .unwrap_or_else(|| food.food_name.clone());
        let mut inner = self.lock();
        let id = inner.next_entry_id;
        inner.next_entry_id += 1;
        let stored = SimFoodEntry {
            food_entry_id: id.to_string(),
            user: user.to_owned(),
            food_id: food.food_id.clone(),
            serving_id: serving.serving_id.clone(),
            food_entry_description: String::new(),
            food_entry_name: name,
            number_of_units: entry.number_of_units,
            meal: entry.meal,
            date_int: entry.date_int,
            // Worked out by `weighed`.
            nutrients: food.serving_nutrients(serving),
            from_outside,
        }
        .weighed(&food, serving);
        inner.entries.insert(id, stored.clone());
        Ok(stored)
    }

    /// Edits `user`'s entry as `food_entry.edit` does: its nutrients and description follow
    /// the new serving and units. Error 106 for an entry that is not the user's (or a serving
    /// the food does not have).
    pub(crate) fn edit_entry(
        &self,
        user: &str,
        food_entry_id: &str,
        edit: &SimEntryEdit,
    ) -> Result<SimFoodEntry, ApiError> {
        let unknown_entry = || ApiError::invalid_id("food_entry_id", food_entry_id);
        let current = self.entry(user, food_entry_id).ok_or_else(unknown_entry)?;
        let food = self
            .food(&current.food_id)
            .ok_or_else(|| ApiError::invalid_id("food_id", &current.food_id))?;
        let serving_id = edit.serving_id.as_deref().unwrap_or(&current.serving_id);
        let serving = food
            .serving(serving_id)
            .ok_or_else(|| ApiError::invalid_id("serving_id", serving_id))?;
        let edited = SimFoodEntry {
            serving_id: serving.serving_id.clone(),
            food_entry_name: edit
                .food_entry_name
                .clone()
                .unwrap_or(current.food_entry_name.clone()),
            number_of_units: edit.number_of_units.unwrap_or(current.number_of_units),
            meal: edit.meal.unwrap_or(current.meal),
            ..current
        }
        .weighed(&food, serving);
        let id = food_entry_id.parse::<u64>().map_err(|_| unknown_entry())?;
        let mut inner = self.lock();
        // Deleted meanwhile: the edit finds nothing, as FatSecret's would.
        let slot = inner
            .entries
            .get_mut(&id)
            .filter(|e| e.user == user)
            .ok_or_else(unknown_entry)?;
        *slot = edited.clone();
        Ok(edited)
    }

    /// Deletes `user`'s entry; false when there is none.
    pub fn delete_entry(&self, user: &str, food_entry_id: &str) -> bool {
        let mut inner = self.lock();
        let Ok(id) = food_entry_id.parse::<u64>() else {
            return false;
        };
        match inner.entries.get(&id) {
            Some(entry) if entry.user == user => {
                inner.entries.remove(&id);
                true
            }
            _ => false,
        }
    }

    /// `user`'s entries, optionally of one day, in id order.
    pub fn entries(&self, user: &str, date_int: Option<i64>) -> Vec<SimFoodEntry> {
        self.lock()
            .entries
            .values()
            .filter(|e| e.user == user && date_int.is_none_or(|d| e.date_int == d))
            .cloned()
            .collect()
    }

    pub fn entry(&self, user: &str, food_entry_id: &str) -> Option<SimFoodEntry> {
        let id = food_entry_id.parse::<u64>().ok()?;
        self.lock()
            .entries
            .get(&id)
            .filter(|e| e.user == user)
            .cloned()
    }

    // --- faults and records ---

    pub fn add_fault(&self, rule: FaultRule) {
        self.lock().faults.add(rule);
    }

    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    /// The fault for a call of `method`, consuming one of its `times`.
    pub fn take_fault(&self, method: &str) -> Option<Fault> {
        self.lock().faults.take(method)
    }

    pub fn record(
        &self,
        http_method: &str,
        path: &str,
        params: &[(String, String)],
        user: Option<String>,
        outcome: Outcome,
    ) {
        let mut inner = self.lock();
        let seq = inner.requests.len() as u64;
        let api_method = params
            .iter()
            .find(|(k, _)| k == "method")
            .map(|(_, v)| v.clone());
        let params = params.iter().cloned().collect();
        inner.requests.push(RecordedRequest {
            seq,
            http_method: http_method.to_owned(),
            path: path.to_owned(),
            api_method,
            params,
            user,
            outcome,
        });
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    pub fn summary(&self) -> SimSummary {
        let inner = self.lock();
        let mut users: Vec<String> = inner
            .access_tokens
            .values()
            .map(|t| t.user.clone())
            .chain(inner.entries.values().map(|e| e.user.clone()))
            .collect();
        users.sort();
        users.dedup();
        SimSummary {
            users,
            entries: inner.entries.len(),
            requests: inner.requests.len(),
            faults: inner.faults.rules().to_vec(),
            auto_approve: inner.auto_approve.clone(),
        }
    }

    /// Forgets tokens, diaries, nonces, faults and records; keeps the settings and foods.
    pub fn reset(&self) {
        let mut inner = self.lock();
        inner.request_tokens.clear();
        inner.access_tokens.clear();
        inner.entries.clear();
        inner.next_entry_id = self.config.first_food_entry_id;
        inner.nonces.clear();
        inner.faults.clear();
        inner.requests.clear();
        inner.foods = self.config.foods.clone();
        inner.auto_approve = self.config.auto_approve.clone();
    }

    pub fn fault_hold(&self) -> Duration {
        self.config.fault_hold
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_read_as_a_diary_writes_them() {
        assert_eq!(units_text(150.0), "150");
        assert_eq!(units_text(1.5), "1.5");
        assert_eq!(units_text(0.3333333), "0.333");
    }

    #[test]
    fn a_fault_rule_hits_only_its_method_and_only_so_many_times() {
        let state = SimState::new(FatSecretSimConfig::default(), "http://x".into());
        state.add_fault(
            FaultRule::next(Fault::HttpStatus { status: 500 })
                .for_method("food_entry.create")
                .times(2),
        );
        assert_eq!(state.take_fault("foods.search"), None);
        assert!(state.take_fault("food_entry.create").is_some());
        assert!(state.take_fault("food_entry.create").is_some());
        assert_eq!(state.take_fault("food_entry.create"), None);
    }
}
