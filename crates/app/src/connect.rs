//! Connect links for /connect_whoop and /connect_fatsecret: a random single-use state of 128
//! bits bound to the user for 10 minutes, and a link to this server's /whoop/connect or
//! /fatsecret/connect page.

use async_trait::async_trait;
use std::sync::Arc;
use wellness_domain::Provider;
use wellness_domain::UserId;

use wellness_domain::ports::{
    Clock, ConnectLinks, ConnectOffer, OAuthStates, Refreshed, StorageError, TokenRefresher,
};
use wellness_domain::{OAUTH_STATE_TTL, OAuthState};

/// Links for the providers this deployment can connect.
pub struct OAuthConnect {
    /// Where states are kept; `None` without an encryption key (nothing could be stored).
    pub states: Option<Arc<dyn OAuthStates>>,
    /// PUBLIC_BASE_URL without a trailing slash.
    pub public_base_url: Option<String>,
    /// WHOOP credentials are configured.
    pub whoop: bool,
    /// FatSecret's consumer is configured.
    pub fatsecret: bool,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for OAuthConnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthConnect")
            .field("whoop", &self.whoop)
            .field("fatsecret", &self.fatsecret)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl ConnectLinks for OAuthConnect {
    fn is_configured(&self, provider: Provider) -> bool {
        self.states.is_some()
            && self.public_base_url.is_some()
            && match provider {
                Provider::Whoop => self.whoop,
                Provider::Fatsecret => self.fatsecret,
            }
    }

    async fn offer(&self, user: UserId, provider: Provider) -> Result<ConnectOffer, StorageError> {
        let (Some(states), Some(base)) = (&self.states, &self.public_base_url) else {
            return Ok(ConnectOffer::NotConfigured);
        };
        if !self.is_configured(provider) {
            return Ok(ConnectOffer::NotConfigured);
        }
        let state = crate::security::random_key();
        states
            .create(&OAuthState {
                state: state.clone(),
                user_id: user,
                provider,
                expires_at: self.clock.now() + OAUTH_STATE_TTL,
                request_token: None,
                browser: None,
            })
            .await?;
        let path = match provider {
            Provider::Whoop => "whoop",
            Provider::Fatsecret => "fatsecret",
        };
        Ok(ConnectOffer::Link(format!(
            "{base}/{path}/connect?state={state}"
        )))
    }
}

/// The credential store when no WELLNESS_ENCRYPTION_KEY is configured: nothing can be stored
/// encrypted, so no user has a connection.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoCredentials;

#[async_trait]
impl wellness_domain::ports::CredentialStore for NoCredentials {
    async fn save(&self, _c: &wellness_domain::Credentials) -> Result<(), StorageError> {
        Err(StorageError::Rejected(
            "WELLNESS_ENCRYPTION_KEY is not set: tokens cannot be stored".into(),
        ))
    }

    async fn get(
        &self,
        _u: UserId,
        _p: Provider,
    ) -> Result<Option<wellness_domain::Credentials>, StorageError> {
        Ok(None)
    }

    async fn delete(&self, _u: UserId, _p: Provider) -> Result<bool, StorageError> {
        Ok(false)
    }

    async fn mark_broken(&self, _u: UserId, _p: Provider) -> Result<bool, StorageError> {
        Ok(false)
    }

    async fn mark_user_notified(&self, _u: UserId, _p: Provider) -> Result<bool, StorageError> {
        Ok(false)
    }

    async fn user_by_external_id(
        &self,
        _p: Provider,
        _id: &str,
    ) -> Result<Option<UserId>, StorageError> {
        Ok(None)
    }

    async fn connected(
        &self,
        _p: Provider,
        _after: Option<UserId>,
        _limit: i64,
    ) -> Result<Vec<UserId>, StorageError> {
        Ok(Vec::new())
    }

    async fn refresh_locked(
        &self,
        _u: UserId,
        _p: Provider,
        _r: Arc<dyn TokenRefresher>,
    ) -> Result<Refreshed, StorageError> {
        Ok(Refreshed::NotConnected)
    }

    async fn expiring_before(
        &self,
        _p: Provider,
        _before: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<UserId>, StorageError> {
        Ok(Vec::new())
    }
}
