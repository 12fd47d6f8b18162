//! The Telegram adapter of the wellness bot.
//!
//! - [`TelegramClient`]: the Bot API for one bot, implementing the domain's
//!   [`Messenger`](wellness_domain::ports::Messenger) port (HTML-escaped text split at 4096
//!   UTF-16 units, inline buttons, files, typing, button answers, downloads), plus bot setup
//!   ([`TelegramClient::set_webhook`], [`TelegramClient::set_my_commands`], ...).
//! - [`SharedLimiter`]: keeps every instance of the bot together under Telegram's flood limits
//!   through the domain's `FloodGate` (interactive replies first); [`OutboundLimiter`] paces one
//!   process alone (without a gate, or while it cannot be asked).
//! - [`parse_update`] and [`routing_key`]: Telegram updates as the domain sees them, and the
//!   fast id/chat extraction for the webhook.
//! - [`poll_into_inbox`]: long polling into the domain's inbox.
//! - [`validate_init_data`]: the Mini App's init data, checked as Telegram specifies.
//!
//! JSON methods go through frankenstein's client with its parameter types; uploads from
//! memory, `getUpdates` (raw JSON is stored) and file downloads use the same reqwest client
//! directly. How failures map to [`MessengerError`](wellness_domain::ports::MessengerError) is
//! in [`error`].

mod client;
pub mod error;
mod flood;
mod limiter;
mod messenger;
mod polling;
pub mod text;
mod update;
mod web_app;

pub use client::{BotIdentity, ClientOptions, RetryObserver, RetryPolicy, TelegramClient};
pub use error::ClientError;
pub use flood::{SharedLimiter, WaitObserver};
pub use limiter::{OutboundLimiter, SendPermit};
pub use messenger::MAX_CALLBACK_DATA_BYTES;
pub use polling::{PollOptions, poll_into_inbox};
pub use update::{UpdateError, parse_update, routing_key};
pub use web_app::{InitDataError, WebAppUser, validate_init_data};
