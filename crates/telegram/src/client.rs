//! The Bot API client: one HTTP client, the token, the retry policy and the shared limiter.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use frankenstein::AsyncTelegramApi;
use frankenstein::client_reqwest::Bot;
use frankenstein::methods::{
    DeleteWebhookParams, SetChatMenuButtonParams, SetMyCommandsParams, SetWebhookParams,
};
use frankenstein::types::{AllowedUpdate, BotCommand, MenuButton, MenuButtonWebApp, WebAppInfo};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use wellness_domain::model::{ChatId, Secret};
use wellness_domain::ports::{MessengerError, SendPriority};

use crate::error::{ClientError, Failure, decode_answer};
use crate::flood::SharedLimiter;
use crate::limiter::{OutboundLimiter, SendPermit};

/// How 429 answers are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (at least 1).
    pub max_attempts: u32,
    /// A `retry_after` longer than this is not waited for: the call fails with `RateLimited`.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            max_wait: Duration::from_secs(30),
        }
    }
}

/// Settings of a [`TelegramClient`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientOptions {
    /// Time allowed for one call (long polls get their own, longer, timeout).
    pub request_timeout: Duration,
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// How 429 answers are retried.
    pub retry: RetryPolicy,
    /// The Mini App's https URL: dashboard buttons open it (without one they are left out;
    /// Telegram opens Mini Apps only over https).
    pub mini_app_url: Option<String>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            mini_app_url: None,
        }
    }
}

/// The bot's own account, as `getMe` describes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BotIdentity {
    /// The bot's user id.
    pub id: i64,
    /// Its display name.
    pub first_name: String,
    /// Its @username, without the @.
    pub username: Option<String>,
}

/// Told of each retry a client makes (after a failed attempt, before its pause), so an
/// operator can see backoff in metrics.
pub type RetryObserver = Arc<dyn Fn() + Send + Sync>;

/// The Telegram Bot API, for one bot. Cheap to clone; clones share the HTTP connections and the
/// [`OutboundLimiter`].
#[derive(Clone)]
pub struct TelegramClient {
    inner: Arc<Inner>,
    /// Whose messages this handle sends: replies (the default) or broadcasts.
    priority: SendPriority,
}

struct Inner {
    /// frankenstein's client, for the JSON methods.
    bot: Bot,
    /// The same HTTP client, for uploads, long polls and downloads.
    http: reqwest::Client,
    /// `https://api.telegram.org`, without a trailing slash.
    api_root: String,
    token: Secret,
    limiter: Arc<OutboundLimiter>,
    /// The flood budget shared by every instance, once set; `limiter` paces alone before.
    shared: std::sync::OnceLock<Arc<SharedLimiter>>,
    options: ClientOptions,
    on_retry: std::sync::OnceLock<RetryObserver>,
}

impl fmt::Debug for TelegramClient {
    // The token is part of every URL: none of them is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TelegramClient")
            .field("api_root", &self.inner.api_root)
            .field("limiter", &self.inner.limiter)
            .field("shared", &self.inner.shared.get())
            .field("priority", &self.priority)
            .field("options", &self.inner.options)
            .finish_non_exhaustive()
    }
}

impl TelegramClient {
    /// A client of the Bot API at `api_root` (`https://api.telegram.org`, or a simulator's base
    /// URL; a trailing slash is fine) with default options.
    pub fn new(
        api_root: &str,
        token: Secret,
        limiter: Arc<OutboundLimiter>,
    ) -> Result<Self, ClientError> {
        Self::with_options(api_root, token, limiter, ClientOptions::default())
    }

    /// Like [`Self::new`], with explicit timeouts and retry policy.
    pub fn with_options(
        api_root: &str,
        token: Secret,
        limiter: Arc<OutboundLimiter>,
        options: ClientOptions,
    ) -> Result<Self, ClientError> {
        let api_root = api_root.trim().trim_end_matches('/').to_owned();
        if !(api_root.starts_with("http://") || api_root.starts_with("https://")) {
            return Err(ClientError::InvalidApiUrl(api_root));
        }
        let valid_token = !token.expose().is_empty()
            && token
                .expose()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-'));
        if !valid_token {
            return Err(ClientError::InvalidToken);
        }
        let http = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            // The token is in the path: never follow it anywhere else.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| ClientError::Http(error.without_url()))?;
        let bot = Bot::builder()
            .api_url(format!("{api_root}/bot{}", token.expose()))
            .client(http.clone())
            .build();
        Ok(Self {
            inner: Arc::new(Inner {
                bot,
                http,
                api_root,
                token,
                limiter,
                shared: std::sync::OnceLock::new(),
                options,
                on_retry: std::sync::OnceLock::new(),
            }),
            priority: SendPriority::Interactive,
        })
    }

    /// Tells `observer` of every retry (a 429 waited out). Set once; later calls are ignored.
    pub fn observe_retries(&self, observer: RetryObserver) {
        let _ = self.inner.on_retry.set(observer);
    }

    /// The limiter this process paces with alone (without a shared budget, or while it
    /// cannot be asked).
    pub fn limiter(&self) -> &Arc<OutboundLimiter> {
        &self.inner.limiter
    }

    /// Sends through `shared` from now on: one flood budget for every instance of the bot.
    /// Set once (every clone shares it); later calls are ignored.
    pub fn share_flood_budget(&self, shared: Arc<SharedLimiter>) {
        let _ = self.inner.shared.set(shared);
    }

    /// The same client, its messages sent with `priority` (broadcasts give way to replies when
    /// the shared budget is short).
    pub fn with_priority(&self, priority: SendPriority) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            priority,
        }
    }

    /// Waits until a message to `chat` may go.
    async fn permit(&self, chat: ChatId) -> SendPermit {
        match self.inner.shared.get() {
            Some(shared) => shared.acquire(chat, self.priority).await,
            None => self.inner.limiter.acquire(chat).await,
        }
    }

    /// The bot's account; also a cheap check that the token works.
    pub async fn get_me(&self) -> Result<BotIdentity, MessengerError> {
        self.call(None, 1, || self.json::<(), BotIdentity>("getMe", None))
            .await
    }

    /// Sets the webhook: Telegram will POST updates of `allowed_updates` (e.g. "message",
    /// "callback_query"; empty for Telegram's default set) to `url`, with `secret_token` in the
    /// `X-Telegram-Bot-Api-Secret-Token` header.
    pub async fn set_webhook(
        &self,
        url: &str,
        secret_token: Option<&Secret>,
        allowed_updates: &[&str],
    ) -> Result<(), MessengerError> {
        let allowed = allowed_updates
            .iter()
            .map(|kind| allowed_update(kind))
            .collect::<Result<Vec<_>, _>>()?;
        let params = SetWebhookParams::builder()
            .url(url)
            .maybe_secret_token(secret_token.map(|secret| secret.expose().to_owned()))
            .allowed_updates(allowed)
            .build();
        self.call(None, self.attempts(), || {
            self.json::<_, bool>("setWebhook", Some(&params))
        })
        .await
        .map(drop)
    }

    /// Removes the webhook (needed before long polling), optionally dropping waiting updates.
    pub async fn delete_webhook(&self, drop_pending_updates: bool) -> Result<(), MessengerError> {
        let params = DeleteWebhookParams::builder()
            .drop_pending_updates(drop_pending_updates)
            .build();
        self.call(None, self.attempts(), || {
            self.json::<_, bool>("deleteWebhook", Some(&params))
        })
        .await
        .map(drop)
    }

    /// Sets the command menu: `(command without "/", description)` pairs, for one language
    /// (an IETF code such as "uk") or, with `None`, for every language without its own list.
    pub async fn set_my_commands(
        &self,
        commands: &[(&str, &str)],
        language_code: Option<&str>,
    ) -> Result<(), MessengerError> {
        let commands = commands
            .iter()
            .map(|(command, description)| {
                BotCommand::builder()
                    .command(command.trim_start_matches('/'))
                    .description(*description)
                    .build()
            })
            .collect();
        let params = SetMyCommandsParams::builder()
            .commands(commands)
            .maybe_language_code(language_code.map(str::to_owned))
            .build();
        self.call(None, self.attempts(), || {
            self.json::<_, bool>("setMyCommands", Some(&params))
        })
        .await
        .map(drop)
    }

    /// Makes `text` the menu button opening the Mini App at `url`: of `chat` when given, else
    /// the default of every chat without its own.
    pub async fn set_menu_button_web_app(
        &self,
        chat: Option<i64>,
        text: &str,
        url: &str,
    ) -> Result<(), MessengerError> {
        let button = MenuButton::WebApp(
            MenuButtonWebApp::builder()
                .text(text)
                .web_app(WebAppInfo::builder().url(url).build())
                .build(),
        );
        let params = SetChatMenuButtonParams::builder()
            .maybe_chat_id(chat)
            .menu_button(button)
            .build();
        self.call(None, self.attempts(), || {
            self.json::<_, bool>("setChatMenuButton", Some(&params))
        })
        .await
        .map(drop)
    }

    /// The Mini App's URL, when dashboard buttons open one.
    pub fn mini_app_url(&self) -> Option<&str> {
        self.inner.options.mini_app_url.as_deref()
    }

    pub(crate) fn attempts(&self) -> u32 {
        self.inner.options.retry.max_attempts.max(1)
    }

    pub(crate) fn api_root(&self) -> &str {
        &self.inner.api_root
    }

    pub(crate) fn token(&self) -> &str {
        self.inner.token.expose()
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// `{root}/bot{token}/{method}`.
    pub(crate) fn method_url(&self, method: &str) -> String {
        format!("{}/bot{}/{method}", self.api_root(), self.token())
    }

    /// One JSON method through frankenstein, its `result` read into `T`.
    pub(crate) async fn json<P, T>(&self, method: &str, params: Option<P>) -> Result<T, Failure>
    where
        P: serde::Serialize + fmt::Debug + Send,
        T: DeserializeOwned,
    {
        #[derive(Deserialize)]
        struct Answer<T> {
            result: T,
        }
        self.inner
            .bot
            .request::<P, Answer<T>>(method, params)
            .await
            .map(|answer| answer.result)
            .map_err(Failure::from)
    }

    /// Sends a prepared request and reads the Bot API answer.
    pub(crate) async fn send_raw<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, Failure> {
        let response = request.send().await?;
        let status = response.status();
        let body = response.bytes().await?;
        decode_answer(status, &body)
    }

    /// Runs `attempt` until it succeeds, fails for a reason other than 429, or `attempts` are
    /// used up. A call to a `chat` goes through the limiter; a 429 pauses that chat too.
    pub(crate) async fn call<T, F, Fut>(
        &self,
        chat: Option<ChatId>,
        attempts: u32,
        mut attempt: F,
    ) -> Result<T, MessengerError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Failure>>,
    {
        self.call_raw(chat, attempts, &mut attempt)
            .await
            .map_err(Failure::into_messenger_error)
    }

    /// [`Self::call`] before mapping, for callers that treat some failures as success.
    pub(crate) async fn call_raw<T, F, Fut>(
        &self,
        chat: Option<ChatId>,
        attempts: u32,
        attempt: &mut F,
    ) -> Result<T, Failure>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Failure>>,
    {
        let policy = self.inner.options.retry;
        let mut tried = 0;
        loop {
            tried += 1;
            let mut permit = match chat {
                Some(chat) => Some(self.permit(chat).await),
                None => None,
            };
            let failure = match attempt().await {
                Ok(value) => return Ok(value),
                Err(failure) => failure.scrubbed(self.token()),
            };
            let Failure::Api {
                code: 429,
                retry_after,
                ..
            } = &failure
            else {
                return Err(failure);
            };
            let wait = Duration::from_secs(retry_after.unwrap_or(1).max(1));
            if let Some(permit) = permit.as_mut() {
                permit.defer(wait.min(policy.max_wait));
            }
            drop(permit);
            if tried >= attempts || wait > policy.max_wait {
                tracing::warn!(
                    ?chat,
                    retry_after_secs = wait.as_secs(),
                    "Telegram rate limit: giving up"
                );
                return Err(failure);
            }
            tracing::info!(
                ?chat,
                retry_after_secs = wait.as_secs(),
                "Telegram rate limit: waiting"
            );
            if let Some(observer) = self.inner.on_retry.get() {
                observer();
            }
            tokio::time::sleep(wait).await;
        }
    }
}

/// A Bot API update kind by its name ("message", "callback_query").
fn allowed_update(kind: &str) -> Result<AllowedUpdate, MessengerError> {
    serde_json::from_value(serde_json::Value::String(kind.to_owned()))
        .map_err(|_| MessengerError::Rejected(format!("unknown update kind {kind:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(root: &str) -> Result<TelegramClient, ClientError> {
        TelegramClient::new(
            root,
            Secret::new("123:abc-DEF_4"),
            Arc::new(OutboundLimiter::default()),
        )
    }

    #[test]
    fn accepts_a_root_with_or_without_a_trailing_slash() {
        let with = client("http://127.0.0.1:8081/").unwrap();
        let without = client("http://127.0.0.1:8081").unwrap();
        assert_eq!(with.method_url("getMe"), without.method_url("getMe"));
        assert_eq!(
            with.method_url("getMe"),
            "http://127.0.0.1:8081/bot123:abc-DEF_4/getMe"
        );
    }

    #[test]
    fn refuses_a_root_that_is_not_http_and_a_token_that_is_not_a_token() {
        assert!(matches!(
            client("api.telegram.org"),
            Err(ClientError::InvalidApiUrl(_))
        ));
        let bad_token = TelegramClient::new(
            "https://api.telegram.org",
            Secret::new("12/../x"),
            Arc::new(OutboundLimiter::default()),
        );
        assert!(matches!(bad_token, Err(ClientError::InvalidToken)));
    }

    #[test]
    fn debug_output_never_shows_the_token() {
        let client = client("https://api.telegram.org").unwrap();
        let shown = format!("{client:?}");
        assert!(!shown.contains("abc-DEF"), "{shown}");
    }

    #[test]
    fn knows_the_update_kinds_by_name() {
        assert_eq!(
            allowed_update("callback_query").unwrap(),
            AllowedUpdate::CallbackQuery
        );
        assert!(allowed_update("nonsense").is_err());
    }
}
