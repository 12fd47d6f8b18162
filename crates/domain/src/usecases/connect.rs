//! Connecting WHOOP or FatSecret from a link the bot sent: the link first names the Telegram
//! account it connects to and waits for an explicit Continue (a forwarded link must not connect
//! the clicker's account to the sender's chat unnoticed); Continue uses the link's single-use
//! state up and the attempt waits for the provider's callback under a key of its own, bound to
//! the browser that continued; the person approves at the provider, and the callback's grant is
//! traded for tokens that are stored for the user the link was issued to — unless that provider
//! account is already connected to someone else.
//!
//! The use case returns what happened ([`ConnectionPage`]); the HTTP adapter renders it as a
//! page. Telling the chat and the first WHOOP sync are queued as durable tasks ([`Tasks`]), done
//! after the page was answered, on any instance, even after a restart.

use std::sync::Arc;

use crate::model::{
    ConnectionStatus, Credentials, Locale, OAUTH_STATE_TTL, OAuthState, Provider, StateRejected,
    User, UserId, constant_time_eq,
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
    /// The link cannot be used (forged, expired, already used, another browser).
    Rejected(StateRejected),
    /// The provider account is already connected to another Telegram account: not connected.
    AccountTaken,
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

/// What the link from the chat shows first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Previewed {
    /// Whom it connects, with a Continue.
    Confirm(Confirmation),
    /// Nothing to continue: a page says why.
    Stopped {
        /// The page.
        page: ConnectionPage,
        /// What failed, for the log.
        problem: Option<String>,
    },
}

/// "Connect WHOOP to the Telegram account of Olena?"
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// WHOOP or FatSecret.
    pub provider: Provider,
    /// The account's language.
    pub locale: Locale,
    /// The account's first name, as Telegram gave it.
    pub first_name: String,
}

/// Where Continue leads.
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
    /// The browser key from the cookie Continue set.
    pub browser: Option<String>,
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

    /// The link from the chat was opened: whom it connects, before anything is used up (a
    /// link preview or a curious click changes nothing).
    pub async fn preview(&self, state: Option<&str>) -> Previewed {
        let stopped = |page, problem| Previewed::Stopped { page, problem };
        let pending = match self.pending(state).await {
            Ok(pending) => pending,
            Err((outcome, problem)) => return stopped(self.page(Locale::En, outcome), problem),
        };
        match self.users.get(pending.user_id).await {
            Ok(Some(user)) => Previewed::Confirm(Confirmation {
                provider: self.provider,
                locale: user.locale,
                first_name: user.first_name,
            }),
            // The account was deleted since the link was sent.
            Ok(None) => stopped(
                self.page(
                    Locale::En,
                    ConnectionOutcome::Rejected(StateRejected::Unknown),
                ),
                None,
            ),
            Err(e) => {
                let (outcome, problem) = busy("cannot read the linked account", &e);
                stopped(self.page(Locale::En, outcome), problem)
            }
        }
    }

    /// The link's state, checked (not used).
    async fn pending(&self, state: Option<&str>) -> Result<OAuthState, Stop> {
        let state = state.ok_or_else(|| rejected(StateRejected::Unknown))?;
        match self
            .states
            .check(self.provider, state, self.clock.now())
            .await
        {
            // Only a link the bot sent: not an attempt already waiting for the provider (its
            // key travels in the provider's address, where others may see it).
            Ok(Ok(pending)) if pending.is_waiting() => Err(rejected(StateRejected::Unknown)),
            Ok(Ok(pending)) => Ok(pending),
            Ok(Err(why)) => Err(rejected(why)),
            Err(e) => Err(busy("cannot check a connect state", &e)),
        }
    }

    /// The person continued, in the browser whose random key is `browser`: the link's state
    /// is used up and the attempt waits for the provider's callback, bound to that browser.
    pub async fn begin(&self, state: Option<&str>, browser: &str) -> Begun {
        let pending = match self.pending(state).await {
            Ok(pending) => pending,
            Err(stop) => return self.stop(Locale::En, stop),
        };
        let approval = match self.authorization.begin().await {
            Ok(approval) => approval,
            Err(e) => {
                let locale = self.locale_of(pending.user_id).await;
                let why = format!("cannot start the approval: {e}");
                return self.stop(locale, (ConnectionOutcome::ProviderFailed, Some(why)));
            }
        };
        match self.hand_over(&pending, approval.waiting, browser).await {
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

    /// The link's state is used up and the attempt waits under the provider's key.
    async fn hand_over(
        &self,
        pending: &OAuthState,
        waiting: WaitingToken,
        browser: &str,
    ) -> Result<(), Stop> {
        let now = self.clock.now();
        match self
            .states
            .consume(self.provider, &pending.state, now)
            .await
        {
            Ok(Ok(_)) => {}
            Ok(Err(why)) => return Err(rejected(why)),
            Err(e) => return Err(busy("cannot use a connect state", &e)),
        }
        let row = OAuthState {
            state: waiting.state,
            user_id: pending.user_id,
            provider: self.provider,
            expires_at: now + OAUTH_STATE_TTL,
            request_token: waiting.request_token,
            browser: Some(browser.to_owned()),
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
        // Only an attempt that waits for the provider, in the browser that continued: the
        // link's own state sent straight to the provider (by someone who built the provider's
        // address by hand) is not one.
        let Some(expected) = &pending.browser else {
            return ended(locale, rejected(StateRejected::Unknown));
        };
        let given = callback.browser.as_deref().unwrap_or_default();
        if !constant_time_eq(expected.as_bytes(), given.as_bytes()) {
            return ended(locale, rejected(StateRejected::OtherBrowser));
        }
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
        self.not_taken(pending.user_id, authorized.external_user_id.as_deref())
            .await?;
        let credentials = Credentials {
            user_id: pending.user_id,
            provider: self.provider,
            tokens: authorized.tokens,
            external_user_id: authorized.external_user_id,
            status: ConnectionStatus::Active,
            updated_at: self.clock.now(),
        };
        match self.credentials.save(&credentials).await {
            Ok(()) => Ok(()),
            // The storage holds one owner per provider account too: a refused write may be
            // another attempt with the same account that stored first. Asked again, that
            // is told as taken, anything else as a failure to retry.
            Err(e) => {
                self.not_taken(pending.user_id, credentials.external_user_id.as_deref())
                    .await?;
                Err(busy("cannot store tokens", &e))
            }
        }
    }
}

impl Connect {
    /// One provider account, one Telegram account: webhooks find the user by the provider's id,
    /// so an account already connected elsewhere is refused (not moved: the person approving
    /// may be the victim of a forwarded link).
    async fn not_taken(&self, user: UserId, external: Option<&str>) -> Result<(), Stop> {
        let Some(external) = external else {
            return Ok(());
        };
        match self
            .credentials
            .user_by_external_id(self.provider, external)
            .await
        {
            Ok(Some(owner)) if owner != user => {
                let why = format!(
                    "{} account already connected to user {owner}",
                    self.provider
                );
                Err((ConnectionOutcome::AccountTaken, Some(why)))
            }
            Ok(_) => Ok(()),
            Err(e) => Err(busy("cannot check who has this account", &e)),
        }
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
