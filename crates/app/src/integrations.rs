//! The WHOOP and FatSecret connections as the HTTP routes see them: clients, states, tokens,
//! records.

use std::sync::Arc;

use wellness_domain::ports::{
    Clock, CredentialStore, Messenger, OAuthStates, Users, Wearable, WearableStore,
};
use wellness_domain::usecases::whoop::WhoopPorts;
use wellness_whoop::WhoopClient;

/// Everything the WHOOP routes need.
#[derive(Clone)]
pub struct WhoopIntegration {
    /// WHOOP's API and OAuth.
    pub client: WhoopClient,
    /// The same client behind the domain's port.
    pub wearable: Arc<dyn Wearable>,
    /// Pending connections.
    pub states: Arc<dyn OAuthStates>,
    /// Tokens.
    pub credentials: Arc<dyn CredentialStore>,
    /// People.
    pub users: Arc<dyn Users>,
    /// Records.
    pub store: Arc<dyn WearableStore>,
    /// The bot, when Telegram is configured, to say "connected" in the chat.
    pub messenger: Option<Arc<dyn Messenger>>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// What the bot says.
    pub presenter: Arc<dyn wellness_domain::ports::Presenter>,
    /// Signs webhooks.
    pub client_secret: wellness_domain::Secret,
}

impl WhoopIntegration {
    /// The ports of the domain's WHOOP use cases; `None` without a bot to tell users things.
    pub fn ports(&self) -> Option<WhoopPorts<'_>> {
        Some(WhoopPorts {
            credentials: self.credentials.as_ref(),
            wearable: self.wearable.clone(),
            store: self.store.as_ref(),
            messenger: self.messenger.as_deref()?,
            clock: self.clock.as_ref(),
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
    /// FatSecret's API and OAuth 1.0a.
    pub client: wellness_fatsecret::FatSecretClient,
    /// Where FatSecret sends the browser back: PUBLIC_BASE_URL/fatsecret/callback.
    pub callback_url: String,
    /// Pending connections.
    pub states: Arc<dyn OAuthStates>,
    /// Tokens.
    pub credentials: Arc<dyn CredentialStore>,
    /// People.
    pub users: Arc<dyn Users>,
    /// The bot, when Telegram is configured, to say "connected" in the chat.
    pub messenger: Option<Arc<dyn Messenger>>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// What the bot says.
    pub presenter: Arc<dyn wellness_domain::ports::Presenter>,
}

impl std::fmt::Debug for FatSecretIntegration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FatSecretIntegration")
    }
}
