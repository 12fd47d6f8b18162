//! WHOOP: rotation-safe token refresh and the sync of workouts, sleep, recovery and cycles.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use thiserror::Error;

use crate::model::{
    ChatId, ConnectionStatus, Credentials, Provider, Secret, Tokens, User, UserId, WearableKind,
};
use crate::ports::{
    Clock, CredentialStore, Messenger, OutgoingMessage, Refreshed, StorageError, TokenRefresher,
    Upserted, Wearable, WearableError, WearableStore,
};

/// How far back the first sync reaches.
pub const FIRST_SYNC_DAYS: i64 = 30;
/// Tokens expiring sooner than this are refreshed before use.
pub const REFRESH_MARGIN: Duration = Duration::minutes(5);

/// A sync could not run.
#[derive(Debug, Error)]
pub enum SyncError {
    /// The user has not connected WHOOP.
    #[error("WHOOP is not connected")]
    NotConnected,
    /// WHOOP refused our tokens: the user must reconnect (and has been told, once).
    #[error("WHOOP access was revoked")]
    Revoked,
    /// WHOOP or the database failed; try again later.
    #[error("sync failed: {0}")]
    Temporary(String),
}

impl From<StorageError> for SyncError {
    fn from(e: StorageError) -> Self {
        SyncError::Temporary(e.to_string())
    }
}

/// What a sync wrote, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Workouts.
    pub workouts: Upserted,
    /// Sleeps.
    pub sleeps: Upserted,
    /// Recoveries.
    pub recoveries: Upserted,
    /// Cycles.
    pub cycles: Upserted,
}

impl SyncReport {
    /// Records inserted or updated in all.
    pub fn total(&self) -> u64 {
        [self.workouts, self.sleeps, self.recoveries, self.cycles]
            .iter()
            .map(|u| u.inserted + u.updated)
            .sum()
    }
}

/// Refreshes WHOOP tokens when they expire soon, or when `stale` (a token WHOOP just refused)
/// is still the one stored. Runs under the refresh lock.
struct WhoopRefresher {
    wearable: Arc<dyn Wearable>,
    now: DateTime<Utc>,
    /// Tokens expiring before this are refreshed.
    refresh_before: DateTime<Utc>,
    stale: Option<Secret>,
}

#[async_trait]
impl TokenRefresher for WhoopRefresher {
    async fn refresh(&self, current: &Credentials) -> Result<Option<Credentials>, WearableError> {
        let Tokens::OAuth2 {
            access_token,
            refresh_token,
            expires_at,
            ..
        } = &current.tokens
        else {
            return Ok(None);
        };
        let needed = match &self.stale {
            // Another process refreshed after our call failed: its token is the one to use.
            Some(stale) => stale == access_token,
            None => *expires_at <= self.refresh_before,
        };
        if !needed {
            return Ok(None);
        }
        let Some(refresh_token) = refresh_token else {
            return Err(WearableError::InvalidGrant);
        };
        let grant = self.wearable.refresh(refresh_token).await?;
        Ok(Some(Credentials {
            tokens: grant.tokens,
            status: ConnectionStatus::Active,
            updated_at: self.now,
            ..current.clone()
        }))
    }
}

/// The ports a WHOOP sync needs.
#[derive(Clone)]
pub struct WhoopPorts<'a> {
    /// Tokens.
    pub credentials: &'a dyn CredentialStore,
    /// WHOOP's API.
    pub wearable: Arc<dyn Wearable>,
    /// Where records go.
    pub store: &'a dyn WearableStore,
    /// To tell the user once when access was revoked.
    pub messenger: &'a dyn Messenger,
    /// Time.
    pub clock: &'a dyn Clock,
}

impl std::fmt::Debug for WhoopPorts<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WhoopPorts")
    }
}

fn access_of(c: &Credentials) -> Option<Secret> {
    match &c.tokens {
        Tokens::OAuth2 { access_token, .. } => Some(access_token.clone()),
        Tokens::OAuth1 { .. } => None,
    }
}

impl WhoopPorts<'_> {
    /// Refreshes under the lock; on invalid_grant marks the connection broken and tells the
    /// user once.
    async fn refreshed(&self, user: &User, stale: Option<&Secret>) -> Result<Secret, SyncError> {
        let now = self.clock.now();
        let refresher = Arc::new(WhoopRefresher {
            wearable: self.wearable.clone(),
            now,
            refresh_before: now + REFRESH_MARGIN,
            stale: stale.cloned(),
        });
        match self
            .credentials
            .refresh_locked(user.id, Provider::Whoop, refresher)
            .await?
        {
            Refreshed::Fresh(c) => access_of(&c).ok_or(SyncError::NotConnected),
            Refreshed::NotConnected => Err(SyncError::NotConnected),
            Refreshed::Failed(WearableError::InvalidGrant | WearableError::Unauthorized) => {
                self.revoked(user).await?;
                Err(SyncError::Revoked)
            }
            Refreshed::Failed(e) => Err(SyncError::Temporary(e.to_string())),
        }
    }

    async fn revoked(&self, user: &User) -> Result<(), SyncError> {
        self.credentials
            .mark_broken(user.id, Provider::Whoop)
            .await?;
        if self
            .credentials
            .mark_user_notified(user.id, Provider::Whoop)
            .await?
        {
            let text = crate::i18n::whoop::reconnect(user.locale);
            // Best effort: the next sync does not retry the notice (it was marked as told).
            let _ = self
                .messenger
                .send(
                    ChatId::private(user.telegram_id),
                    &OutgoingMessage::text(text),
                )
                .await;
        }
        Ok(())
    }

    /// Refreshes every working WHOOP connection expiring within `within` (the 30-minute job).
    pub async fn refresh_expiring(
        &self,
        users: &[User],
        within: Duration,
    ) -> Result<u32, SyncError> {
        let due = self
            .credentials
            .expiring_before(Provider::Whoop, self.clock.now() + within)
            .await?;
        let mut refreshed = 0;
        for user in users.iter().filter(|u| due.contains(&u.id)) {
            let now = self.clock.now();
            let refresher = Arc::new(WhoopRefresher {
                wearable: self.wearable.clone(),
                now,
                refresh_before: now + within,
                stale: None,
            });
            match self
                .credentials
                .refresh_locked(user.id, Provider::Whoop, refresher)
                .await?
            {
                Refreshed::Fresh(_) => refreshed += 1,
                Refreshed::Failed(WearableError::InvalidGrant | WearableError::Unauthorized) => {
                    self.revoked(user).await?
                }
                Refreshed::Failed(_) | Refreshed::NotConnected => {}
            }
        }
        Ok(refreshed)
    }

    /// Fetches everything new since the last synced point of each kind (the first time, the
    /// last 30 days) and upserts it. A refused access token is refreshed and the call retried once.
    pub async fn sync(&self, user: &User) -> Result<SyncReport, SyncError> {
        let Some(credentials) = self.credentials.get(user.id, Provider::Whoop).await? else {
            return Err(SyncError::NotConnected);
        };
        if matches!(credentials.status, ConnectionStatus::Broken { .. }) {
            return Err(SyncError::Revoked);
        }
        let mut access = match &credentials.tokens {
            Tokens::OAuth2 {
                access_token,
                expires_at,
                ..
            } if *expires_at > self.clock.now() + REFRESH_MARGIN => access_token.clone(),
            Tokens::OAuth2 { .. } => self.refreshed(user, None).await?,
            Tokens::OAuth1 { .. } => return Err(SyncError::NotConnected),
        };
        let mut report = SyncReport::default();
        for kind in WearableKind::ALL {
            let since = self
                .store
                .sync_point(user.id, kind)
                .await?
                .unwrap_or_else(|| self.clock.now() - Duration::days(FIRST_SYNC_DAYS));
            let mut attempt = self.fetch_and_store(user.id, kind, &access, since).await;
            if matches!(attempt, Err(WearableError::Unauthorized)) {
                access = self.refreshed(user, Some(&access)).await?;
                attempt = self.fetch_and_store(user.id, kind, &access, since).await;
            }
            let upserted = match attempt {
                Ok(Ok(u)) => u,
                Ok(Err(storage)) => return Err(storage.into()),
                Err(WearableError::Unauthorized | WearableError::InvalidGrant) => {
                    self.revoked(user).await?;
                    return Err(SyncError::Revoked);
                }
                Err(e) => return Err(SyncError::Temporary(e.to_string())),
            };
            match kind {
                WearableKind::Workout => report.workouts = upserted,
                WearableKind::Sleep => report.sleeps = upserted,
                WearableKind::Recovery => report.recoveries = upserted,
                WearableKind::Cycle => report.cycles = upserted,
            }
        }
        Ok(report)
    }

    async fn fetch_and_store(
        &self,
        user: UserId,
        kind: WearableKind,
        access: &Secret,
        since: DateTime<Utc>,
    ) -> Result<Result<Upserted, StorageError>, WearableError> {
        let w = self.wearable.as_ref();
        Ok(match kind {
            WearableKind::Workout => {
                self.store
                    .upsert_workouts(&w.workouts(access, user, since).await?)
                    .await
            }
            WearableKind::Sleep => {
                self.store
                    .upsert_sleeps(&w.sleeps(access, user, since).await?)
                    .await
            }
            WearableKind::Recovery => {
                self.store
                    .upsert_recoveries(&w.recoveries(access, user, since).await?)
                    .await
            }
            WearableKind::Cycle => {
                self.store
                    .upsert_cycles(&w.cycles(access, user, since).await?)
                    .await
            }
        })
    }
}
