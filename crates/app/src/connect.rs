//! Connect links for /connect_whoop and /connect_fatsecret.
//!
//! The OAuth flows arrive with the WHOOP and FatSecret issues; until then every provider is
//! honestly reported as not configured, whatever credentials are present.

use async_trait::async_trait;
use wellness_domain::Provider;
use wellness_domain::UserId;
use wellness_domain::ports::{ConnectLinks, ConnectOffer, StorageError};

/// Offers no links yet.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoConnectLinks;

#[async_trait]
impl ConnectLinks for NoConnectLinks {
    fn is_configured(&self, _provider: Provider) -> bool {
        false
    }

    async fn offer(
        &self,
        _user: UserId,
        _provider: Provider,
    ) -> Result<ConnectOffer, StorageError> {
        Ok(ConnectOffer::NotConfigured)
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

    async fn expiring_before(
        &self,
        _p: Provider,
        _before: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<UserId>, StorageError> {
        Ok(Vec::new())
    }
}
