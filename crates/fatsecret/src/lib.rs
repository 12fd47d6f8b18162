//! The FatSecret adapter of the wellness bot.
//!
//! - [`FatSecretClient`]: the Platform API for one consumer, signing every request with OAuth
//!   1.0a HMAC-SHA1 (`oauth1-request`; a fresh nonce and timestamp per request, `oauth_version`
//!   1.0, exactly the URL the request goes to: `{api_url}/rest/server.api` and
//!   `{auth_url}/oauth/request_token|access_token`).
//! - The three-legged connect flow: [`FatSecretClient::request_token`],
//!   [`FatSecretClient::authorize_url`], [`FatSecretClient::access_token`].
//! - The domain's [`FoodCatalog`](wellness_domain::ports::FoodCatalog) port (two-legged
//!   `foods.search` + `food.get.v4`; see [`catalog`] for how the food and serving are chosen)
//!   and [`FoodDiary`](wellness_domain::ports::FoodDiary) port (the user's token; see
//!   [`diary`]).
//!
//! How failures map to the domain's errors is in [`error`].

pub mod catalog;
mod client;
pub mod diary;
pub mod error;
mod json;
mod signing;

#[cfg(test)]
mod fuzz;

pub use client::{ClientOptions, FatSecretClient, FatSecretConfig};
pub use error::{ClientError, ConnectError};
