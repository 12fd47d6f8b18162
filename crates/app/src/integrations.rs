//! The WHOOP connection as the HTTP routes see it: OAuth client, states, tokens, records.

use std::sync::Arc;

use wellness_domain::ports::{
    Clock, CredentialStore, Messenger, OAuthStates, Users, Wearable, WearableStore,
};
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
    /// Signs webhooks.
    pub client_secret: wellness_domain::Secret,
}

impl std::fmt::Debug for WhoopIntegration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WhoopIntegration")
    }
}
