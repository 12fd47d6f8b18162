//! The WHOOP adapter of the wellness bot.
//!
//! - [`WhoopClient`]: the WHOOP API v2 for our app, implementing the domain's
//!   [`Wearable`](wellness_domain::ports::Wearable) port (every page since a time, mapped to the
//!   domain's records), plus the OAuth 2 steps ([`WhoopClient::authorize_url`],
//!   [`WhoopClient::exchange_code`], [`WhoopClient::profile`]) and [`new_state`].
//! - [`RequestBudget`] and [`InProcessBudget`]: keep the app's requests under WHOOP's per-app
//!   rate limits.
//! - [`verify_webhook`] and [`parse_webhook`]: WHOOP's signed notices.
//!
//! # How failures reach the domain
//!
//! | WHOOP says                                   | [`WearableError`](wellness_domain::ports::WearableError) |
//! |----------------------------------------------|-------------------------------------------------|
//! | 401 on a data call                           | `Unauthorized` (refresh, then retry)             |
//! | `invalid_grant` from the token endpoint      | `InvalidGrant` (the member must reconnect)       |
//! | 429 with a reset ≤ `max_rate_limit_wait`     | waited out, then retried                         |
//! | 429 with a longer reset (60 s when absent)   | `RateLimited { retry_after_secs }`               |
//! | our budget cannot allow a request in time    | `RateLimited { retry_after_secs }`               |
//! | 5xx, timeout, connection failure             | retried with backoff, then `Unavailable`         |
//! | another 4xx, a page that does not parse      | `Unavailable` (with the reason)                  |
//! | one malformed record in a fetch              | skipped and logged (`max_skipped_records`)       |
//! | a second malformed record in the same fetch  | `Unavailable` (a schema change, not one odd record) |
//! | `invalid_client`, other token errors         | `Unavailable`                                    |
//!
//! Token requests are never retried: WHOOP rotates refresh tokens, and a retried refresh whose
//! first answer was lost would spend the new token's only chance.

mod budget;
mod client;
mod oauth;
mod webhook;
mod wire;

#[cfg(test)]
mod fuzz;

pub use budget::{
    BudgetExhausted, BudgetPermit, InProcessBudget, RateLimits, RequestBudget, ServerQuota,
    Unlimited, quota_from_headers,
};
pub use client::{ClientError, ClientOptions, PAGE_LIMIT, RetryObserver, WhoopClient, WhoopConfig};
pub use oauth::{SCOPES, STATE_LEN, new_state};
pub use webhook::{
    MAX_CLOCK_SKEW, SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookError, WebhookEvent, parse_webhook,
    verify_webhook,
};
