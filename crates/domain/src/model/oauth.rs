use chrono::{DateTime, Duration, Utc};
use thiserror::Error;

use super::{Provider, Secret, UserId};

/// How long a connect link stays valid.
pub const OAUTH_STATE_TTL: Duration = Duration::minutes(10);

/// A pending connection: the random state bound to a user, single use, 10 minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthState {
    /// The random state sent to the provider (WHOOP requires at least 8 characters).
    pub state: String,
    /// Who is connecting.
    pub user_id: UserId,
    /// To what.
    pub provider: Provider,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
    /// OAuth 1.0a only: the request token and its secret, between request_token and access_token.
    pub request_token: Option<(String, Secret)>,
    /// The random key of the browser that continued from the link (in its cookie): only that
    /// browser may complete the attempt. `None` for the link itself.
    pub browser: Option<String>,
}

impl OAuthState {
    /// An attempt waiting for the provider's callback (bound to a browser, or holding an
    /// OAuth 1.0a request token), not a link the bot sent.
    pub fn is_waiting(&self) -> bool {
        self.browser.is_some() || self.request_token.is_some()
    }
}

/// Why a state from a callback was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum StateRejected {
    /// We never issued it (forged, or for another provider).
    #[error("unknown state")]
    Unknown,
    /// Issued more than 10 minutes ago.
    #[error("the link has expired")]
    Expired,
    /// Already used once.
    #[error("the link was already used")]
    AlreadyUsed,
    /// Completed in another browser than the one that continued from the link (a callback
    /// link passed on, or a cookie lost).
    #[error("the attempt was continued in another browser")]
    OtherBrowser,
}
