//! The WHOOP API v2 client: one HTTP client, the app's credentials, the shared request budget
//! and the retry policy. Implements the domain's [`Wearable`] port.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use oauth2::{AuthorizationCode, CsrfToken, RefreshToken, Scope};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use wellness_domain::model::{
    Cycle, Recovery, Secret, Sleep, Tokens, UserId, WearableKind, WearableRecord, Workout,
};
use wellness_domain::ports::{TokenGrant, Wearable, WearableError};
use wellness_domain::retry::{Backoff, Jitter};

use crate::budget::{RequestBudget, ServerQuota, quota_from_headers};
use crate::oauth::{self, OAuthClient, SCOPES};
use crate::wire::{Kind, Page, ProfileWire, map_records, path_segment};

/// The largest page WHOOP serves.
pub const PAGE_LIMIT: u32 = 25;

/// What identifies our app to WHOOP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhoopConfig {
    /// The WHOOP root, `https://api.prod.whoop.com` (or a simulator's base URL): data under
    /// `{root}/developer/v2`, OAuth under `{root}/oauth/oauth2`.
    pub api_root: String,
    /// The app's client id.
    pub client_id: String,
    /// The app's client secret (also the webhook signing key).
    pub client_secret: Secret,
    /// The redirect URI registered with WHOOP (`https://` or `whoop://`).
    pub redirect_uri: String,
}

/// Timeouts, retries and waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientOptions {
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Time allowed for one request, answer included.
    pub request_timeout: Duration,
    /// Retries after a 5xx, a timeout or a connection failure (data calls only; token calls are
    /// never retried).
    pub max_retries: u32,
    /// The pauses between retries: 0.5 s doubling up to 8 s, ±20 % jitter, by default.
    pub backoff: Backoff,
    /// A 429 whose reset (or 60 s without one) is longer than this fails with `RateLimited`
    /// instead of being waited out.
    pub max_rate_limit_wait: Duration,
    /// How long a request may queue for the [`RequestBudget`] before failing with
    /// `RateLimited`. Pacing our own requests is expected, so this is longer.
    pub max_budget_wait: Duration,
    /// Malformed records skipped (and logged) per fetch before the fetch fails instead.
    pub max_skipped_records: usize,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_retries: 2,
            backoff: Backoff::new(Duration::from_millis(500), Duration::from_secs(8))
                .with_jitter(Jitter::Around(20)),
            max_rate_limit_wait: Duration::from_secs(15),
            max_budget_wait: Duration::from_secs(90),
            max_skipped_records: 1,
        }
    }
}

/// The client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The root or redirect URI is not a usable URL.
    #[error("invalid WHOOP setting: {0}")]
    InvalidConfig(String),
    /// The HTTP client could not be built (TLS setup).
    #[error("cannot build the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

/// Told of each retry a client makes (after a failed attempt, before its pause), so an
/// operator can see backoff in metrics.
pub type RetryObserver = Arc<dyn Fn() + Send + Sync>;

/// The WHOOP API for our app. Cheap to clone; clones share connections and the budget.
#[derive(Clone)]
pub struct WhoopClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// The same client, for `oauth2`.
    oauth_http: oauth::OAuthHttp,
    oauth: OAuthClient,
    /// `{root}/developer`.
    data_root: String,
    api_root: String,
    budget: Arc<dyn RequestBudget>,
    options: ClientOptions,
    on_retry: std::sync::OnceLock<RetryObserver>,
}

impl fmt::Debug for WhoopClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WhoopClient")
            .field("api_root", &self.inner.api_root)
            .field("client_id", &self.inner.oauth.client_id().as_str())
            .field("budget", &self.inner.budget)
            .field("options", &self.inner.options)
            .finish_non_exhaustive()
    }
}

/// A successful (or 404) answer of the data API.
struct Answer {
    status: StatusCode,
    body: Vec<u8>,
}

fn format_time(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn ceil_secs(duration: Duration) -> u64 {
    duration.as_secs() + u64::from(duration.subsec_nanos() > 0)
}

impl WhoopClient {
    /// A client with default options.
    pub fn new(config: WhoopConfig, budget: Arc<dyn RequestBudget>) -> Result<Self, ClientError> {
        Self::with_options(config, budget, ClientOptions::default())
    }

    /// A client with explicit timeouts, retries and waits.
    pub fn with_options(
        config: WhoopConfig,
        budget: Arc<dyn RequestBudget>,
        options: ClientOptions,
    ) -> Result<Self, ClientError> {
        let api_root = config.api_root.trim().trim_end_matches('/').to_owned();
        if !(api_root.starts_with("https://") || api_root.starts_with("http://")) {
            return Err(ClientError::InvalidConfig(format!(
                "the WHOOP root must be an http(s) URL, got {api_root:?}"
            )));
        }
        let oauth = oauth::oauth_client(
            &api_root,
            &config.client_id,
            &config.client_secret,
            &config.redirect_uri,
        )
        .map_err(ClientError::InvalidConfig)?;
        let http = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            // The token endpoint must not be followed anywhere (OAuth 2 security BCP).
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            inner: Arc::new(Inner {
                oauth_http: oauth::OAuthHttp(http.clone()),
                http,
                oauth,
                data_root: format!("{api_root}/developer"),
                api_root,
                budget,
                options,
                on_retry: std::sync::OnceLock::new(),
            }),
        })
    }

    /// Tells `observer` of every retry of a data call (429 waited out, 5xx, timeout, connection
    /// failure). Set once; later calls are ignored.
    pub fn observe_retries(&self, observer: RetryObserver) {
        let _ = self.inner.on_retry.set(observer);
    }

    fn retrying(&self) {
        if let Some(observer) = self.inner.on_retry.get() {
            observer();
        }
    }

    // ---- OAuth ----

    /// Where to send the member to grant access: every scope in [`SCOPES`] and `state` (make it
    /// with [`oauth::new_state`](crate::new_state); WHOOP refuses fewer than 8 characters).
    pub fn authorize_url(&self, state: &str) -> String {
        let state = state.to_owned();
        let (url, _) = self
            .inner
            .oauth
            .authorize_url(move || CsrfToken::new(state))
            .add_scopes(SCOPES.iter().map(|s| Scope::new((*s).to_owned())))
            .url();
        url.to_string()
    }

    /// Exchanges the code from the redirect for tokens. A used, expired or foreign code is
    /// `InvalidGrant`.
    pub async fn exchange_code(&self, code: &str) -> Result<Tokens, WearableError> {
        let answer = self
            .inner
            .oauth
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .request_async(&self.inner.oauth_http)
            .await
            .map_err(oauth::token_error)?;
        Ok(oauth::tokens_from(&answer, None, Utc::now()))
    }

    /// The member's WHOOP user id (our `external_user_id`), from their basic profile.
    pub async fn profile(&self, access_token: &Secret) -> Result<i64, WearableError> {
        let answer = self
            .call(Method::GET, "/v2/user/profile/basic", access_token, &[])
            .await?;
        if answer.status == StatusCode::NOT_FOUND {
            return Err(WearableError::Unavailable(
                "WHOOP has no profile for this token".to_owned(),
            ));
        }
        serde_json::from_slice::<ProfileWire>(&answer.body)
            .map(|profile| profile.user_id)
            .map_err(|e| WearableError::Unavailable(format!("WHOOP's profile did not parse: {e}")))
    }

    // ---- the data API ----

    /// One data API request through the budget, with retries. Returns 2xx and 404 answers;
    /// everything else becomes a [`WearableError`].
    async fn call(
        &self,
        method: Method,
        path: &str,
        access_token: &Secret,
        query: &[(&str, String)],
    ) -> Result<Answer, WearableError> {
        let options = &self.inner.options;
        let url = format!("{}{path}", self.inner.data_root);
        let mut failures = 0u32;
        let mut rate_limited = 0u32;
        loop {
            let outcome = self.attempt(&method, &url, access_token, query).await?;
            let retry_reason = match outcome {
                Ok((status, _, body)) if status.is_success() || status == StatusCode::NOT_FOUND => {
                    return Ok(Answer { status, body });
                }
                Ok((StatusCode::UNAUTHORIZED, _, _)) => return Err(WearableError::Unauthorized),
                Ok((StatusCode::TOO_MANY_REQUESTS, quota, _)) => {
                    rate_limited += 1;
                    let wait = self.wait_after_429(&quota, rate_limited)?;
                    tracing::info!(
                        wait_secs = wait.as_secs(),
                        path,
                        "WHOOP answered 429; waiting"
                    );
                    self.retrying();
                    // The budget pauses too; this covers budgets that do not.
                    tokio::time::sleep(wait).await;
                    continue;
                }
                Ok((status, _, _)) if status.is_server_error() => {
                    format!("WHOOP answered {status}")
                }
                Ok((status, _, body)) => {
                    // A 4xx other than 401/404/429: a bug on our side or a changed API.
                    let detail: String = String::from_utf8_lossy(&body).chars().take(200).collect();
                    return Err(WearableError::Unavailable(format!(
                        "WHOOP refused {method} {path} with {status}: {detail}"
                    )));
                }
                Err(error) if error.is_timeout() => {
                    format!("WHOOP did not answer in time: {error}")
                }
                Err(error) => format!("WHOOP is unreachable: {error}"),
            };
            if failures >= options.max_retries {
                return Err(WearableError::Unavailable(format!(
                    "{retry_reason} (after {} attempts)",
                    failures + 1
                )));
            }
            let pause = self.backoff(failures);
            tracing::warn!(reason = %retry_reason, path, ?pause, "WHOOP call failed; retrying");
            failures += 1;
            self.retrying();
            tokio::time::sleep(pause).await;
        }
    }

    /// One attempt through the budget: the answer's status, quota headers and body, or the
    /// transport's error. The budget is told what WHOOP said of its quota.
    async fn attempt(
        &self,
        method: &Method,
        url: &str,
        access_token: &Secret,
        query: &[(&str, String)],
    ) -> Result<Result<(StatusCode, ServerQuota, Vec<u8>), reqwest::Error>, WearableError> {
        let permit = self
            .inner
            .budget
            .acquire(self.inner.options.max_budget_wait)
            .await
            .map_err(|e| WearableError::RateLimited {
                retry_after_secs: ceil_secs(e.retry_after).max(1),
            })?;
        let sent = self
            .inner
            .http
            .request(method.clone(), url)
            .bearer_auth(access_token.expose())
            .query(query)
            .send()
            .await;
        let outcome = match sent {
            Ok(response) => {
                let status = response.status();
                let quota = quota_from_headers(response.headers());
                self.inner.budget.observe(&quota);
                response
                    .bytes()
                    .await
                    .map(|body| (status, quota, body.to_vec()))
            }
            Err(error) => Err(error),
        };
        drop(permit);
        Ok(outcome)
    }

    /// How long to wait after the `rate_limited`-th 429 in a row: WHOOP's reset (60 s without
    /// one), which pauses every request of the budget; too long or too often is an error.
    fn wait_after_429(
        &self,
        quota: &ServerQuota,
        rate_limited: u32,
    ) -> Result<Duration, WearableError> {
        let wait = quota.reset.unwrap_or(Duration::from_secs(60));
        // Pause every request of the budget, even without headers.
        self.inner.budget.observe(&ServerQuota {
            remaining: Some(0),
            reset: Some(wait),
        });
        if wait > self.inner.options.max_rate_limit_wait || rate_limited > 3 {
            return Err(WearableError::RateLimited {
                retry_after_secs: ceil_secs(wait).max(1),
            });
        }
        Ok(wait)
    }

    /// The pause after `failures` earlier retries (0: the first retry).
    fn backoff(&self, failures: u32) -> Duration {
        self.inner
            .options
            .backoff
            .delay(failures + 1, rand::random::<f64>())
    }

    /// Every page of a collection from `since`, mapped. Skips up to `max_skipped_records`
    /// malformed records (logged); one more fails the fetch.
    async fn collect<T: Kind>(
        &self,
        access_token: &Secret,
        user: UserId,
        since: DateTime<Utc>,
    ) -> Result<Vec<T>, WearableError> {
        let mut records = Vec::new();
        let mut skipped: Vec<String> = Vec::new();
        let mut next: Option<String> = None;
        let mut seen_tokens = std::collections::HashSet::new();
        loop {
            let mut query = vec![
                ("limit", PAGE_LIMIT.to_string()),
                ("start", format_time(since)),
            ];
            if let Some(token) = &next {
                query.push(("nextToken", token.clone()));
            }
            let answer = self
                .call(Method::GET, T::PATH, access_token, &query)
                .await?;
            if answer.status == StatusCode::NOT_FOUND {
                return Err(WearableError::Unavailable(format!(
                    "WHOOP answered 404 for {}",
                    T::PATH
                )));
            }
            let page: Page = serde_json::from_slice(&answer.body).map_err(|e| {
                WearableError::Unavailable(format!("a page of {}s did not parse: {e}", T::NAME))
            })?;
            let token = page.next().map(str::to_owned);
            records.extend(map_records::<T>(
                page.records,
                user,
                &mut skipped,
                self.inner.options.max_skipped_records,
            )?);
            match token {
                Some(token) if !seen_tokens.insert(token.clone()) => {
                    return Err(WearableError::Unavailable(format!(
                        "WHOOP repeated a nextToken while paging {}s",
                        T::NAME
                    )));
                }
                Some(token) => next = Some(token),
                None => return Ok(records),
            }
        }
    }
}

impl WhoopClient {
    /// One record at `path`, mapped; `None` when WHOOP answers 404 (deleted, or never was).
    async fn one<T: Kind>(
        &self,
        access_token: &Secret,
        user: UserId,
        path: &str,
    ) -> Result<Option<T>, WearableError> {
        let answer = self.call(Method::GET, path, access_token, &[]).await?;
        if answer.status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let record: Value = serde_json::from_slice(&answer.body)
            .map_err(|e| WearableError::Unavailable(format!("a {} did not parse: {e}", T::NAME)))?;
        T::map(record, user).map(Some).map_err(|reason| {
            WearableError::Unavailable(format!("a malformed {} from WHOOP: {reason}", T::NAME))
        })
    }
}

#[async_trait]
impl Wearable for WhoopClient {
    async fn workouts(
        &self,
        access_token: &Secret,
        user: UserId,
        since: DateTime<Utc>,
    ) -> Result<Vec<Workout>, WearableError> {
        self.collect(access_token, user, since).await
    }

    async fn sleeps(
        &self,
        access_token: &Secret,
        user: UserId,
        since: DateTime<Utc>,
    ) -> Result<Vec<Sleep>, WearableError> {
        self.collect(access_token, user, since).await
    }

    async fn recoveries(
        &self,
        access_token: &Secret,
        user: UserId,
        since: DateTime<Utc>,
    ) -> Result<Vec<Recovery>, WearableError> {
        self.collect(access_token, user, since).await
    }

    async fn cycles(
        &self,
        access_token: &Secret,
        user: UserId,
        since: DateTime<Utc>,
    ) -> Result<Vec<Cycle>, WearableError> {
        self.collect(access_token, user, since).await
    }

    async fn member_id(&self, access_token: &Secret) -> Result<String, WearableError> {
        self.profile(access_token).await.map(|id| id.to_string())
    }

    async fn record(
        &self,
        access_token: &Secret,
        user: UserId,
        kind: WearableKind,
        id: &str,
    ) -> Result<Option<WearableRecord>, WearableError> {
        let id = path_segment(id)?;
        Ok(match kind {
            WearableKind::Workout => self
                .one::<Workout>(access_token, user, &format!("{}/{id}", Workout::PATH))
                .await?
                .map(WearableRecord::Workout),
            WearableKind::Sleep => self
                .one::<Sleep>(access_token, user, &format!("{}/{id}", Sleep::PATH))
                .await?
                .map(WearableRecord::Sleep),
            WearableKind::Cycle => self
                .one::<Cycle>(access_token, user, &format!("{}/{id}", Cycle::PATH))
                .await?
                .map(WearableRecord::Cycle),
            WearableKind::Recovery => {
                // v1 named a recovery by its cycle id; v2 by the sleep's UUID, whose cycle
                // then leads to the recovery.
                let cycle = match id.parse::<i64>() {
                    Ok(cycle) => Some(cycle),
                    Err(_) => self
                        .one::<Sleep>(access_token, user, &format!("{}/{id}", Sleep::PATH))
                        .await?
                        .map(|sleep| sleep.cycle_id),
                };
                match cycle {
                    Some(cycle) => self
                        .one::<Recovery>(
                            access_token,
                            user,
                            &format!("{}/{cycle}/recovery", Cycle::PATH),
                        )
                        .await?
                        .map(WearableRecord::Recovery),
                    None => None,
                }
            }
        })
    }

    async fn refresh(&self, refresh_token: &Secret) -> Result<TokenGrant, WearableError> {
        let token = RefreshToken::new(refresh_token.expose().to_owned());
        let answer = self
            .inner
            .oauth
            .exchange_refresh_token(&token)
            .add_scope(Scope::new("offline".to_owned()))
            .request_async(&self.inner.oauth_http)
            .await
            .map_err(oauth::token_error)?;
        Ok(TokenGrant {
            tokens: oauth::tokens_from(&answer, Some(refresh_token), Utc::now()),
        })
    }

    async fn revoke(&self, access_token: &Secret) -> Result<(), WearableError> {
        let answer = self
            .call(Method::DELETE, "/v2/user/access", access_token, &[])
            .await?;
        if answer.status == StatusCode::NOT_FOUND {
            return Err(WearableError::Unavailable(
                "WHOOP answered 404 to revoking access".to_owned(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cycle(id: i64, offset: &str) -> Value {
        json!({"id": id, "user_id": 1, "created_at": "2026-01-01T00:00:00.000Z",
            "updated_at": "2026-01-01T00:00:00.000Z", "start": "2026-01-01T00:00:00.000Z",
            "timezone_offset": offset, "score_state": "PENDING_SCORE"})
    }

    #[test]
    fn one_malformed_record_is_skipped_and_a_second_fails_the_fetch() {
        let user = UserId::new(1).unwrap_or_else(|_| unreachable!());
        let mut skipped = Vec::new();
        let first = map_records::<Cycle>(
            vec![cycle(1, "+02:00"), cycle(2, "bogus"), cycle(3, "Z")],
            user,
            &mut skipped,
            1,
        );
        assert_eq!(first.map(|c| c.len()), Ok(2));
        assert_eq!(skipped.len(), 1);
        assert!(
            skipped[0].starts_with("cycle 2: timezone_offset"),
            "{skipped:?}"
        );
        let second = map_records::<Cycle>(vec![cycle(4, "25:00")], user, &mut skipped, 1);
        assert!(
            matches!(second, Err(WearableError::Unavailable(m)) if m.contains("2 malformed cycle records"))
        );
    }

    #[test]
    fn since_is_sent_with_milliseconds_and_z() {
        let since = DateTime::parse_from_rfc3339("2026-03-01T10:00:00+02:00")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        assert_eq!(format_time(since), "2026-03-01T08:00:00.000Z");
    }
}
