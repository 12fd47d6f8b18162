//! A provider's side of connecting an account: where the person approves access, and the trade
//! of what the provider sends back for the user's tokens.

use async_trait::async_trait;
use thiserror::Error;

use crate::model::{OAuthState, Secret, Tokens};

/// Where the browser goes to approve access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    /// The provider's consent page.
    pub url: String,
    /// What the callback will carry, kept until then under a new key (the link's own state
    /// is used up when the person continues).
    pub waiting: WaitingToken,
}

/// An attempt waiting for the person's approval at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingToken {
    /// A new random key for the row that waits: for OAuth 2 the state sent to the provider
    /// (WHOOP wants exactly 8 characters; the browser binding makes up the strength).
    pub state: String,
    /// OAuth 1.0a: the request token the callback carries, and its secret (stored encrypted).
    pub request_token: Option<(String, Secret)>,
}

/// What the provider granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorized {
    /// The user's tokens.
    pub tokens: Tokens,
    /// The provider's id of the user, when it tells (WHOOP's member id).
    pub external_user_id: Option<String>,
}

/// The provider did not authorize.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AuthorizationError {
    /// It refused what we sent (a bad code, a bad verifier, wrong client credentials).
    #[error("the provider refused: {0}")]
    Refused(String),
    /// It failed or could not be reached.
    #[error("the provider is unavailable: {0}")]
    Unavailable(String),
}

/// One provider's consent flow.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait Authorization: Send + Sync {
    /// Starts approval: the consent page and what waits for the callback.
    async fn begin(&self) -> Result<Approval, AuthorizationError>;
    /// Trades the `grant` the callback carried (OAuth 2's code, OAuth 1.0a's verifier) for the
    /// tokens of the connection `pending` started.
    async fn complete(
        &self,
        pending: &OAuthState,
        grant: &str,
    ) -> Result<Authorized, AuthorizationError>;
}
