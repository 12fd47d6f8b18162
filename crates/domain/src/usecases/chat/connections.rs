//! Connections: the state of WHOOP and FatSecret, connect links, /sync and /today (which says
//! whether WHOOP is connected).

use std::sync::Arc;

use crate::model::{ConnectionStatus, Provider, User, UserId};
use crate::ports::{
    Clock, ConnectLinks, ConnectOffer, CredentialStore, FoodLog, Messenger, Presenter,
    StorageError, Users, Wearable, WearableStore,
};
use crate::reply::{ConnectionState, Reply, Say};
use crate::usecases::chat::{ChatError, FatSecretDiary};
use crate::usecases::fatsecret::{ImportError, ImportPorts};
use crate::usecases::today;
use crate::usecases::whoop::{SyncError, WhoopPorts};

/// Which providers a user has connected: the links and the stored credentials.
#[derive(Clone)]
pub struct Connections {
    /// Connect links (and whether the deployment can connect a provider at all).
    pub links: Arc<dyn ConnectLinks>,
    /// The users' tokens.
    pub credentials: Arc<dyn CredentialStore>,
}

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Connections")
    }
}

impl Connections {
    /// The state of one provider for the user.
    pub async fn state(
        &self,
        user: &User,
        provider: Provider,
    ) -> Result<ConnectionState, ChatError> {
        Ok(self.status(user.id, provider).await?)
    }

    /// The state of one provider for the user with this id.
    pub async fn status(
        &self,
        user: UserId,
        provider: Provider,
    ) -> Result<ConnectionState, StorageError> {
        if !self.links.is_configured(provider) {
            return Ok(ConnectionState::NotConfigured);
        }
        Ok(match self.credentials.get(user, provider).await? {
            None => ConnectionState::NotConnected,
            Some(c) => match c.status {
                ConnectionStatus::Active => ConnectionState::Connected,
                ConnectionStatus::Broken { .. } => ConnectionState::Broken,
            },
        })
    }

    /// /connect_whoop, /connect_fatsecret: a single-use link, or why there is none.
    pub async fn offer(&self, user: &User, provider: Provider) -> Result<Say, ChatError> {
        Ok(match self.links.offer(user.id, provider).await? {
            ConnectOffer::Link(url) => Say::ConnectLink { provider, url },
            ConnectOffer::NotConfigured => Say::ConnectNotConfigured(provider),
        })
    }
}

/// /today: the day's totals and last night's WHOOP records.
#[derive(Clone)]
pub struct TodayView {
    /// Their food.
    pub food: Arc<dyn FoodLog>,
    /// Their WHOOP records.
    pub wearables: Arc<dyn WearableStore>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Whether WHOOP is connected (what to say without records).
    pub connections: Connections,
}

impl std::fmt::Debug for TodayView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TodayView")
    }
}

impl TodayView {
    /// The user's day so far.
    pub async fn today(&self, user: &User) -> Result<Say, ChatError> {
        let overview = today::day_overview(
            user,
            self.food.as_ref(),
            self.wearables.as_ref(),
            self.clock.as_ref(),
        )
        .await?;
        let whoop = self.connections.state(user, Provider::Whoop).await?;
        Ok(Say::Today {
            overview: Box::new(overview),
            whoop_connected: whoop == ConnectionState::Connected,
        })
    }
}

/// /sync: the state of each connection, then a WHOOP sync and a FatSecret import now.
#[derive(Clone)]
pub struct SyncNow {
    /// The states.
    pub connections: Connections,
    /// WHOOP's API, when configured.
    pub whoop: Option<Arc<dyn Wearable>>,
    /// Where WHOOP records go.
    pub wearables: Arc<dyn WearableStore>,
    /// FatSecret's diary, when configured.
    pub fatsecret: Option<FatSecretDiary>,
    /// Our food log (the import writes to it).
    pub food: Arc<dyn FoodLog>,
    /// People (the import reads the user's settings).
    pub users: Arc<dyn Users>,
    /// Tells the user once when a provider refused our tokens.
    pub messenger: Arc<dyn Messenger>,
    /// Renders that notice.
    pub presenter: Arc<dyn Presenter>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for SyncNow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SyncNow")
    }
}

impl SyncNow {
    /// The states, then what a sync of each connected provider brought.
    pub async fn sync(&self, user: &User) -> Result<Reply, ChatError> {
        let mut states = Vec::new();
        for provider in [Provider::Whoop, Provider::Fatsecret] {
            states.push((provider, self.connections.state(user, provider).await?));
        }
        let connected = |provider| states.contains(&(provider, ConnectionState::Connected));
        let (whoop, fatsecret) = (connected(Provider::Whoop), connected(Provider::Fatsecret));
        let mut reply = Reply::one(Say::SyncStatus(states));
        if let (Some(wearable), true) = (&self.whoop, whoop) {
            reply
                .parts
                .extend(self.whoop_sync(user, wearable.clone()).await);
        }
        if let (Some(fs), true) = (&self.fatsecret, fatsecret) {
            reply.parts.extend(self.fatsecret_import(user, fs).await);
        }
        Ok(reply)
    }

    async fn whoop_sync(&self, user: &User, wearable: Arc<dyn Wearable>) -> Option<Say> {
        let ports = WhoopPorts {
            credentials: self.connections.credentials.as_ref(),
            wearable,
            store: self.wearables.as_ref(),
            messenger: self.messenger.as_ref(),
            presenter: self.presenter.as_ref(),
            clock: self.clock.as_ref(),
        };
        match ports.sync(user).await {
            Ok(report) => Some(Say::WhoopSynced(report)),
            Err(SyncError::Temporary(_)) => Some(Say::WhoopSyncFailed),
            // The notice just went out as its own message.
            Err(SyncError::Revoked { notified: true } | SyncError::NotConnected) => None,
            Err(SyncError::Revoked { notified: false }) => Some(Say::WhoopReconnect),
        }
    }

    async fn fatsecret_import(&self, user: &User, fs: &FatSecretDiary) -> Option<Say> {
        let ports = ImportPorts {
            outbox: fs.outbox.as_ref(),
            credentials: self.connections.credentials.as_ref(),
            diary: fs.diary.as_ref(),
            food: self.food.as_ref(),
            users: self.users.as_ref(),
            messenger: Some(self.messenger.as_ref()),
            presenter: self.presenter.as_ref(),
            clock: self.clock.as_ref(),
        };
        match ports.import(user).await {
            Ok(new_entries) => Some(Say::FatsecretImported { new_entries }),
            Err(ImportError::Temporary(_)) => Some(Say::FatsecretImportFailed),
            Err(ImportError::Revoked | ImportError::NotConnected) => None,
        }
    }
}
