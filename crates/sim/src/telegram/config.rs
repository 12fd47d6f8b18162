//! Settings of a simulated Telegram Bot API.

use std::time::Duration;

use super::limits::RateLimits;
use super::parse_mode::HtmlAmpersand;

/// How the 4096-character limit of a text (and 1024 of a caption) is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextLength {
    /// UTF-16 code units, the unit of Telegram's entity offsets: an emoji outside the BMP counts
    /// 2. The safer choice: a bot within this limit is within Telegram's however it counts.
    #[default]
    Utf16CodeUnits,
    /// Unicode scalar values (Rust `char`s).
    Chars,
}

/// How the simulator delivers updates to a webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookDelivery {
    /// Wait before the first retry of a failed delivery; doubled after each failure.
    pub retry_initial: Duration,
    /// Longest wait between retries.
    pub retry_max: Duration,
    /// Attempts per update before it is dropped; `None` retries forever (Telegram keeps
    /// updates for 24 hours).
    pub max_attempts: Option<u32>,
    /// Time allowed for the bot's answer to one delivery.
    pub request_timeout: Duration,
    /// Accept only `https` URLs on ports 443, 80, 88 and 8443, as Telegram does. Off by default
    /// so tests can use `http://127.0.0.1:<port>`.
    pub require_https: bool,
}

impl Default for WebhookDelivery {
    fn default() -> Self {
        Self {
            retry_initial: Duration::from_millis(50),
            retry_max: Duration::from_secs(2),
            max_attempts: None,
            request_timeout: Duration::from_secs(10),
            require_https: false,
        }
    }
}

/// Settings of a [`super::TelegramSim`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimConfig {
    /// The bot token; its part before `:` is the bot's user id.
    pub token: String,
    /// The bot's `first_name` in `getMe`.
    pub bot_name: String,
    /// The bot's `username` in `getMe`.
    pub bot_username: String,
    /// Flood limits (see [`super::limits`]).
    pub rate_limits: RateLimits,
    /// How text length is counted.
    pub text_length: TextLength,
    /// How a bare `&` in HTML is treated.
    pub html_ampersand: HtmlAmpersand,
    /// After this, `answerCallbackQuery` answers "query is too old".
    pub callback_query_timeout: Duration,
    /// Longest `getUpdates` hold; Telegram's documented maximum is 50 s.
    pub max_long_poll: Duration,
    /// Webhook delivery behaviour.
    pub webhook: WebhookDelivery,
    /// The `update_id` of the first update.
    pub first_update_id: i64,
    /// Largest file `getFile` serves (Telegram: 20 MB).
    pub max_download_bytes: u64,
    /// Largest request body (Telegram: 50 MB uploads).
    pub max_upload_bytes: usize,
    /// When set, the control surface (`/__sim/…`) requires it in the `x-sim-control-token`
    /// header (the sandbox sets a random one per process); `None` leaves it open, as tests use it.
    pub control_token: Option<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            token: "7000000001:AAsim-test-token_0123456789abcdefghij".to_owned(),
            bot_name: "Wellness".to_owned(),
            bot_username: "wellness_sim_bot".to_owned(),
            rate_limits: RateLimits::default(),
            text_length: TextLength::default(),
            html_ampersand: HtmlAmpersand::default(),
            callback_query_timeout: Duration::from_secs(15),
            max_long_poll: Duration::from_secs(50),
            webhook: WebhookDelivery::default(),
            first_update_id: 100_000_001,
            max_download_bytes: 20 * 1024 * 1024,
            max_upload_bytes: 50 * 1024 * 1024,
            control_token: None,
        }
    }
}

impl SimConfig {
    /// Uses `token` as the bot token.
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = token.into();
        self
    }

    /// Replaces the flood limits.
    pub fn with_rate_limits(mut self, rate_limits: RateLimits) -> Self {
        self.rate_limits = rate_limits;
        self
    }

    /// The bot's user id: the token's digits before `:`.
    pub fn bot_id(&self) -> i64 {
        self.token
            .split(':')
            .next()
            .and_then(|id| id.parse().ok())
            .unwrap_or(7_000_000_001)
    }
}
