//! Connecting WHOOP or FatSecret from a link the bot sent: the link's single-use state is
//! checked, the person approves at the provider, and the callback's grant is traded for tokens
//! that are stored for the user the state was issued to.
//!
//! The use case returns what happened ([`ConnectionPage`]); the HTTP adapter renders it as a
//! page. Telling the chat and the first WHOOP sync are queued as durable tasks ([`Tasks`]), done
//! after the page was answered, on any instance, even after a restart.

use std::sync::Arc;

use crate::model::{
    ConnectionStatus, Credentials, Locale, OAUTH_STATE_TTL, OAuthState, Provider, StateRejected,
    User, UserId,
};
use crate::ports::{
    Authorization, Clock, CredentialStore, NewTask, OAuthStates, StorageError, TaskKind, Tasks,
    Users, WaitingToken,
};

/// What the page after a step of the flow says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionOutcome {
    /// Connected: tokens stored.
    Connected,
    /// The person declined at the provider.
    Declined,
    /// The link cannot be used (forged, expired, already used).
    Rejected(StateRejected),
    /// The provider refused or failed.
    ProviderFailed,
    /// Our storage failed: try again in a minute.
    Busy,
}

/// The page to show: for which provider, in whose language, what happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionPage {
    /// WHOOP or FatSecret.
    pub provider: Provider,
    /// The connecting user's language (English while the user is not known).
    pub locale: Locale,
    /// What happened.
    pub outcome: ConnectionOutcome,
}

/// Where the link from the chat leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begun {
    /// To the provider's consent page.
    Redirect(String),
    /// Nowhere: a page says why.
    Page {
        /// The page.
        page: ConnectionPage,
        /// What failed, for the log (never shown: it may name internals).
        problem: Option<String>,
    },
}

/// The end of a connection attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct Completed {
    /// The page to show.
    pub page: ConnectionPage,
    /// The user just connected, for the follow-up (a word in the chat, the first sync).
    pub connected: Option<User>,
    /// What failed, for the log (never shown: it may name internals).
    pub problem: Option<String>,
}

/// A step that ended early: the page, and what failed for the log.
type Stop = (ConnectionOutcome, Option<String>);

/// What the provider's callback carried.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallbackParams {
    /// The state (OAuth 2) or request token (OAuth 1.0a) that names the attempt.
    pub key: Option<String>,
    /// OAuth 2's code or OAuth 1.0a's verifier.
    pub grant: Option<String>,
    /// The person declined, or the provider reported an error.
    pub declined: bool,
}

/// The connect flow of one provider.
#[derive(Clone)]
pub struct Connect {
    /// Which provider.
    pub provider: Provider,
    /// The provider's consent flow.
    pub authorization: Arc<dyn Authorization>,
    /// Pending connections.
    pub states: Arc<dyn OAuthStates>,
    /// Tokens.
    pub credentials: Arc<dyn CredentialStore>,
    /// People (for their language).
    pub users: Arc<dyn Users>,
    /// Where the follow-up goes: a word in the chat, the first sync.
    pub tasks: Arc<dyn Tasks>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Connect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connect")
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}

impl Connect {
    fn page(&self, locale: Locale, outcome: ConnectionOutcome) -> ConnectionPage {
        ConnectionPage {
            provider: self.provider,
            locale,
            outcome,
        }
    }

    async fn locale_of(&self, user: UserId) -> Locale {
        match self.users.get(user).await {
            Ok(Some(u)) => u.locale,
            _ => Locale::En,
        }
    }

    /// The link from the chat was opened. OAuth 2 keeps its state for the callback; OAuth 1.0a
    /// uses it up at once and waits for the callback under the request token.
    pub async fn begin(&self, state: Option<&str>) -> Begun {
        let Some(state) = state else {
            return self.stop(Locale::En, rejected(StateRejected::Unknown));
        };
        let now = self.clock.now();
        let pending = match self.states.check(self.provider, state, now).await {
            Ok(Ok(pending)) => pending,
            Ok(Err(why)) => return self.stop(Locale::En, rejected(why)),
            Err(e) => return self.stop(Locale::En, busy("cannot check a connect state", &e)),
        };
        let approval = match self.authorization.begin(state).await {
            Ok(approval) => approval,
            Err(e) => {
                let locale = self.locale_of(pending.user_id).await;
                let why = format!("cannot start the approval: {e}");
                return self.stop(locale, (ConnectionOutcome::ProviderFailed, Some(why)));
            }
        };
        let Some(waiting) = approval.waiting else {
            return Begun::Redirect(approval.url);
        };
        match self.hand_over(state, &pending, waiting).await {
            Ok(()) => Begun::Redirect(approval.url),
            Err(stop) => {
                let locale = self.locale_of(pending.user_id).await;
                self.stop(locale, stop)
            }
        }
    }

    fn stop(&self, locale: Locale, (outcome, problem): Stop) -> Begun {
        Begun::Page {
            page: self.page(locale, outcome),
            problem,
        }
    }

    /// OAuth 1.0a: the link's state is used up and the request token waits under a new one.
    async fn hand_over(
        &self,
        state: &str,
        pending: &OAuthState,
        waiting: WaitingToken,
    ) -> Result<(), Stop> {
        let now = self.clock.now();
        match self.states.consume(self.provider, state, now).await {
            Ok(Ok(_)) => {}
            Ok(Err(why)) => return Err(rejected(why)),
            Err(e) => return Err(busy("cannot use a connect state", &e)),
        }
        let row = OAuthState {
            state: waiting.state,
            user_id: pending.user_id,
            provider: self.provider,
            expires_at: now + OAUTH_STATE_TTL,
            request_token: Some((waiting.token, waiting.secret)),
        };
        self.states
            .create(&row)
            .await
            .map_err(|e| busy("cannot store a request token", &e))
    }

    /// The provider sent the browser back. The attempt's state is used once, whatever the
    /// outcome: a declined or failed attempt needs a new link.
    pub async fn complete(&self, callback: &CallbackParams) -> Completed {
        let ended = |locale, (outcome, problem): Stop| Completed {
            page: self.page(locale, outcome),
            connected: None,
            problem,
        };
        let Some(key) = callback.key.as_deref() else {
            return ended(Locale::En, rejected(StateRejected::Unknown));
        };
        let now = self.clock.now();
        let used = match self.provider {
            Provider::Whoop => self.states.consume(self.provider, key, now).await,
            Provider::Fatsecret => {
                self.states
                    .consume_request_token(self.provider, key, now)
                    .await
            }
        };
        let pending = match used {
            Ok(Ok(pending)) => pending,
            Ok(Err(why)) => return ended(Locale::En, rejected(why)),
            Err(e) => return ended(Locale::En, busy("cannot use a connect state", &e)),
        };
        let locale = self.locale_of(pending.user_id).await;
        let grant = match (callback.declined, callback.grant.as_deref()) {
            (false, Some(grant)) => grant,
            (true, _) => return ended(locale, (ConnectionOutcome::Declined, None)),
            (false, None) => return ended(locale, rejected(StateRejected::Unknown)),
        };
        if let Err(stop) = self.store(&pending, grant).await {
            return ended(locale, stop);
        }
        // Connected whatever becomes of the follow-up; should it not be queued, the hourly
        // sync still fetches the records (only the word in the chat is lost).
        let problem = self
            .tasks
            .enqueue(&self.follow_up(pending.user_id))
            .await
            .err()
            .map(|e| format!("connected, but the follow-up was not queued: {e}"));
        Completed {
            page: self.page(locale, ConnectionOutcome::Connected),
            connected: self.users.get(pending.user_id).await.ok().flatten(),
            problem,
        }
    }

    /// After connecting: a word in the chat, and for WHOOP the first sync.
    fn follow_up(&self, user: UserId) -> Vec<NewTask> {
        let mut tasks = vec![NewTask {
            user,
            kind: TaskKind::SayConnected(self.provider),
        }];
        if self.provider == Provider::Whoop {
            tasks.push(NewTask {
                user,
                kind: TaskKind::FirstWhoopSync,
            });
        }
        tasks
    }

    /// Trades the grant for tokens and stores them for the user of the state.
    async fn store(&self, pending: &OAuthState, grant: &str) -> Result<(), Stop> {
        let authorized = self
            .authorization
            .complete(pending, grant)
            .await
            .map_err(|e| {
                let why = format!("the provider did not authorize: {e}");
                (ConnectionOutcome::ProviderFailed, Some(why))
            })?;
        let credentials = Credentials {
            user_id: pending.user_id,
            provider: self.provider,
            tokens: authorized.tokens,
            external_user_id: authorized.external_user_id,
            status: ConnectionStatus::Active,
            updated_at: self.clock.now(),
        };
        self.credentials
            .save(&credentials)
            .await
            .map_err(|e| busy("cannot store tokens", &e))
    }
}

fn rejected(why: StateRejected) -> Stop {
    (ConnectionOutcome::Rejected(why), None)
}

fn busy(what: &str, e: &StorageError) -> Stop {
    (ConnectionOutcome::Busy, Some(format!("{what}: {e}")))
}
#[cfg(test)]
mod tests;
