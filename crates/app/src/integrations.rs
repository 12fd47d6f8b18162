//! The WHOOP and FatSecret connections as the HTTP routes see them: the domain's connect flow
//! over each provider's consent (the [`Authorization`] adapters here translate the clients),
//! and what the WHOOP webhook and the follow-up tasks after connecting need.

use std::sync::Arc;

use async_trait::async_trait;
use wellness_domain::ports::{
    Approval, Authorization, AuthorizationError, Authorized, CredentialStore, Messenger, Presenter,
    WaitingToken, Wearable, WearableError, WearableStore,
};
use wellness_domain::usecases::connect::Connect;
use wellness_domain::usecases::whoop::WhoopPorts;
use wellness_domain::{OAuthState, Tokens};
use wellness_fatsecret::{ConnectError, FatSecretClient};
use wellness_whoop::WhoopClient;

/// Everything the WHOOP routes need.
#[derive(Clone)]
pub struct WhoopIntegration {
    /// The connect flow.
    pub connect: Connect,
    /// The WHOOP client behind the domain's port.
    pub wearable: Arc<dyn Wearable>,
    /// Tokens.
    pub credentials: Arc<dyn CredentialStore>,
    /// Records.
    pub store: Arc<dyn WearableStore>,
    /// The bot, when Telegram is configured, to tell users what a sync found.
    pub messenger: Option<Arc<dyn Messenger>>,
    /// What the bot says.
    pub presenter: Arc<dyn Presenter>,
    /// Signs webhooks.
    pub client_secret: wellness_domain::Secret,
    /// Where a webhook's change waits to be fetched.
    pub tasks: Arc<dyn wellness_domain::ports::Tasks>,
}

impl WhoopIntegration {
    /// The ports of the domain's WHOOP use cases; `None` without a bot to tell users things.
    pub fn ports(&self) -> Option<WhoopPorts<'_>> {
        Some(WhoopPorts {
            credentials: self.credentials.as_ref(),
            wearable: self.wearable.clone(),
            store: self.store.as_ref(),
            messenger: self.messenger.as_deref()?,
            clock: self.connect.clock.as_ref(),
            presenter: self.presenter.as_ref(),
        })
    }
}

impl std::fmt::Debug for WhoopIntegration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WhoopIntegration")
    }
}

/// Everything the FatSecret routes need.
#[derive(Clone)]
pub struct FatSecretIntegration {
    /// The connect flow.
    pub connect: Connect,
}

impl std::fmt::Debug for FatSecretIntegration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FatSecretIntegration")
    }
}

/// WHOOP's consent (OAuth 2): a fresh state of WHOOP's length travels to WHOOP and back; the
/// code becomes tokens, and the member id is read so webhooks find the user.
#[derive(Debug, Clone)]
pub struct WhoopAuthorization(pub WhoopClient);

#[async_trait]
impl Authorization for WhoopAuthorization {
    async fn begin(&self) -> Result<Approval, AuthorizationError> {
        let state = wellness_whoop::new_state();
        Ok(Approval {
            url: self.0.authorize_url(&state),
            waiting: WaitingToken {
                state,
                request_token: None,
            },
        })
    }

    async fn complete(
        &self,
        _pending: &OAuthState,
        code: &str,
    ) -> Result<Authorized, AuthorizationError> {
        let tokens = self.0.exchange_code(code).await.map_err(|e| match e {
            WearableError::Unavailable(_) | WearableError::RateLimited { .. } => {
                AuthorizationError::Unavailable(e.to_string())
            }
            WearableError::Unauthorized | WearableError::InvalidGrant => {
                AuthorizationError::Refused(e.to_string())
            }
        })?;
        // Without the member id the connection still works; the next sync learns it.
        let external_user_id = match &tokens {
            Tokens::OAuth2 { access_token, .. } => self
                .0
                .profile(access_token)
                .await
                .ok()
                .map(|id| id.to_string()),
            Tokens::OAuth1 { .. } => None,
        };
        Ok(Authorized {
            tokens,
            external_user_id,
        })
    }
}

/// FatSecret's consent (OAuth 1.0a, three-legged): a request token first, kept until the
/// callback brings it back with the verifier.
#[derive(Debug, Clone)]
pub struct FatSecretAuthorization {
    /// The client.
    pub client: FatSecretClient,
    /// Where FatSecret sends the browser back: PUBLIC_BASE_URL/fatsecret/callback.
    pub callback_url: String,
}

fn refused_or_unavailable(e: ConnectError) -> AuthorizationError {
    match e {
        ConnectError::Unavailable(_) => AuthorizationError::Unavailable(e.to_string()),
        ConnectError::Refused { .. } | ConnectError::Malformed(_) => {
            AuthorizationError::Refused(e.to_string())
        }
    }
}

#[async_trait]
impl Authorization for FatSecretAuthorization {
    async fn begin(&self) -> Result<Approval, AuthorizationError> {
        let (token, secret) = self
            .client
            .request_token(&self.callback_url)
            .await
            .map_err(refused_or_unavailable)?;
        Ok(Approval {
            url: self.client.authorize_url(&token),
            waiting: WaitingToken {
                state: crate::security::random_key(),
                request_token: Some((token, secret)),
            },
        })
    }

    async fn complete(
        &self,
        pending: &OAuthState,
        verifier: &str,
    ) -> Result<Authorized, AuthorizationError> {
        let Some((token, secret)) = &pending.request_token else {
            return Err(AuthorizationError::Refused(
                "the attempt holds no request token".into(),
            ));
        };
        let tokens = self
            .client
            .access_token(token, secret, verifier)
            .await
            .map_err(refused_or_unavailable)?;
        Ok(Authorized {
            tokens,
            external_user_id: None,
        })
    }
}
