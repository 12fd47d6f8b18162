//! Settings of a simulated WHOOP: the registered app, token lifetimes, rate limits, webhooks
//! and the users it knows.

use std::time::Duration;

use chrono::{FixedOffset, Offset as _, Utc};
use serde::{Deserialize, Serialize};

/// One rate limit: at most `limit` requests in any `window` (a sliding window).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub limit: u32,
    /// The window.
    pub window: Duration,
}

impl RateLimit {
    /// `limit` requests per `window`.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self { limit, window }
    }
}

/// WHOOP's per-app limits on the data API (`/developer/...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimits {
    /// The short limit; WHOOP's default is 100 per 60 s.
    pub short: Option<RateLimit>,
    /// The daily limit; WHOOP's default is 10,000 per 24 h.
    pub daily: Option<RateLimit>,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            short: Some(RateLimit::new(100, Duration::from_secs(60))),
            daily: Some(RateLimit::new(10_000, Duration::from_secs(86_400))),
        }
    }
}

impl RateLimits {
    /// No limits at all (and no `X-RateLimit-*` headers).
    pub fn disabled() -> Self {
        Self {
            short: None,
            daily: None,
        }
    }

    /// WHOOP's daily limit with a different short limit, e.g. 100 per 5 s for tests.
    pub fn per(limit: u32, window: Duration) -> Self {
        Self {
            short: Some(RateLimit::new(limit, window)),
            ..Self::default()
        }
    }
}

/// What the `id` of a `recovery.*` webhook carries. Under v1 it was the cycle id; under v2 it is
/// believed to be the sleep UUID (unverified).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecoveryWebhookId {
    /// The recovery's `sleep_id` (a UUID string).
    #[default]
    SleepId,
    /// The recovery's `cycle_id` (a number).
    CycleId,
}

/// How the simulator sends webhooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    /// Where to POST them; none are sent while this is `None`.
    pub url: Option<String>,
    /// Send `*.updated` / `*.deleted` on every change made through the simulator's API.
    pub on_changes: bool,
    /// Attempts per event (WHOOP retries non-2xx answers).
    pub max_attempts: u32,
    /// Wait before the first retry; doubled after each failure.
    pub retry_initial: Duration,
    /// Time allowed for the receiver's answer.
    pub timeout: Duration,
    /// What `recovery.*` events carry as `id`.
    pub recovery_id: RecoveryWebhookId,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            url: None,
            on_changes: true,
            max_attempts: 3,
            retry_initial: Duration::from_millis(100),
            timeout: Duration::from_secs(10),
            recovery_id: RecoveryWebhookId::default(),
        }
    }
}

/// A WHOOP member. Their records are generated from `user_id` when they are added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhoopUser {
    /// WHOOP's user id.
    pub user_id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// The offset their records are made at ("+03:00"); derived from `user_id` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone_offset: Option<String>,
}

impl WhoopUser {
    /// A member with a made-up name and email.
    pub fn new(user_id: i64) -> Self {
        Self {
            user_id,
            email: format!("member{user_id}@example.com"),
            first_name: "Sim".to_owned(),
            last_name: format!("Member{user_id}"),
            timezone_offset: None,
        }
    }

    /// Sets the first name.
    pub fn with_name(mut self, first_name: impl Into<String>) -> Self {
        self.first_name = first_name.into();
        self
    }

    /// Records are made at this UTC offset ("-05:00", "+03:00", "Z").
    pub fn with_offset(mut self, offset: impl Into<String>) -> Self {
        self.timezone_offset = Some(offset.into());
        self
    }

    /// The offset as chrono sees it: the configured one when it parses, else one picked by
    /// `user_id` from a few real-world offsets.
    pub(crate) fn offset(&self) -> FixedOffset {
        const OFFSETS_MINUTES: [i32; 5] = [180, 120, -300, 0, 330];
        let parsed = self.timezone_offset.as_deref().and_then(parse_offset);
        parsed.unwrap_or_else(|| {
            let index = usize::try_from(self.user_id.rem_euclid(5)).unwrap_or(0);
            let minutes = OFFSETS_MINUTES.get(index).copied().unwrap_or(0);
            FixedOffset::east_opt(minutes * 60).unwrap_or(Utc.fix())
        })
    }
}

/// Parses "Z", "+hh:mm" or "-hh:mm".
pub(crate) fn parse_offset(text: &str) -> Option<FixedOffset> {
    if text == "Z" {
        return Some(Utc.fix());
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, text.get(1..)?),
        b'-' => (-1, text.get(1..)?),
        _ => return None,
    };
    let (hours, minutes) = rest.split_once(':')?;
    let hours: i32 = hours.parse().ok()?;
    let minutes: i32 = minutes.parse().ok()?;
    if hours > 14 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// Formats an offset the way WHOOP does: "Z" for UTC, else "+hh:mm"/"-hh:mm".
pub(crate) fn format_offset(offset: FixedOffset) -> String {
    let secs = offset.local_minus_utc();
    if secs == 0 {
        return "Z".to_owned();
    }
    let sign = if secs < 0 { '-' } else { '+' };
    let secs = secs.abs();
    format!("{sign}{:02}:{:02}", secs / 3600, (secs % 3600) / 60)
}

/// Settings of a [`super::WhoopSim`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhoopSimConfig {
    /// The registered app's client id.
    pub client_id: String,
    /// Its client secret (also the webhook signing key).
    pub client_secret: String,
    /// Registered redirect URIs; a request must use one of them exactly.
    pub redirect_uris: Vec<String>,
    /// Accept `http://` redirect URIs (WHOOP allows only `https://` and `whoop://`). For a
    /// local sandbox.
    pub allow_http_redirect_uris: bool,
    /// Lifetime of an access token (WHOOP: 3600 s).
    pub access_token_ttl: Duration,
    /// Lifetime of an authorization code.
    pub code_ttl: Duration,
    /// Approve every authorization request at once, as the signed-in user, without showing the
    /// consent page.
    pub auto_approve: bool,
    /// A refresh also revokes the access token issued with the old refresh token (unverified
    /// for WHOOP; off by default: old access tokens live until they expire).
    pub revoke_access_on_refresh: bool,
    /// Reusing a spent refresh token revokes every token descended from it, as Ory Hydra's reuse
    /// detection does (unverified for WHOOP; off by default).
    pub revoke_family_on_reuse: bool,
    /// Per-app limits on the data API.
    pub rate_limits: RateLimits,
    /// Webhook delivery.
    pub webhooks: WebhookSettings,
    /// Members; the first is signed in to the consent page.
    pub users: Vec<WhoopUser>,
    /// Days of generated history per member (cycles, sleeps, recoveries, workouts).
    pub history_days: u32,
    /// When set, the control surface (`/__sim/…`) requires it in the `x-sim-control-token`
    /// header (the sandbox sets a random one per process); `None` leaves it open, as tests use it.
    pub control_token: Option<String>,
}

impl Default for WhoopSimConfig {
    fn default() -> Self {
        Self {
            client_id: "sim-whoop-client".to_owned(),
            client_secret: "sim-whoop-secret-0123456789abcdef".to_owned(),
            redirect_uris: vec!["https://wellness.example/oauth/whoop/callback".to_owned()],
            allow_http_redirect_uris: false,
            access_token_ttl: Duration::from_secs(3600),
            code_ttl: Duration::from_secs(600),
            auto_approve: false,
            revoke_access_on_refresh: false,
            revoke_family_on_reuse: false,
            rate_limits: RateLimits::default(),
            webhooks: WebhookSettings::default(),
            users: vec![WhoopUser::new(10129).with_name("Ann")],
            history_days: 45,
            control_token: None,
        }
    }
}

impl WhoopSimConfig {
    /// Registers `uri` as the only redirect URI.
    pub fn with_redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uris = vec![uri.into()];
        self
    }

    /// Replaces the rate limits.
    pub fn with_rate_limits(mut self, rate_limits: RateLimits) -> Self {
        self.rate_limits = rate_limits;
        self
    }

    /// Approves authorization requests without the consent page.
    pub fn with_auto_approve(mut self, auto_approve: bool) -> Self {
        self.auto_approve = auto_approve;
        self
    }

    /// Sets the access-token lifetime.
    pub fn with_access_token_ttl(mut self, ttl: Duration) -> Self {
        self.access_token_ttl = ttl;
        self
    }

    /// Sends webhooks to `url`.
    pub fn with_webhook_url(mut self, url: impl Into<String>) -> Self {
        self.webhooks.url = Some(url.into());
        self
    }

    /// Replaces the members.
    pub fn with_users(mut self, users: Vec<WhoopUser>) -> Self {
        self.users = users;
        self
    }
}
