//! OAuth 2 with WHOOP through the `oauth2` crate, over our own reqwest client (no redirects).
//!
//! - Client credentials go in the form body (`client_secret_post`), as WHOOP wants.
//! - Refresh tokens rotate: a refresh returns a new refresh token and spends the old one. A
//!   refresh is never retried here: if the answer was lost, WHOOP may already have spent the
//!   old token, and a retry would turn a lost answer into `invalid_grant`.

use std::future::Future;
use std::pin::Pin;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use oauth2::basic::{BasicClient, BasicErrorResponse, BasicErrorResponseType, BasicTokenResponse};
use oauth2::{
    AuthType, AuthUrl, ClientId, ClientSecret, EndpointNotSet, EndpointSet, RedirectUrl,
    RequestTokenError, TokenResponse as _, TokenUrl,
};
use wellness_domain::model::{Secret, Tokens};
use wellness_domain::ports::WearableError;

/// Every scope the bot asks for; `offline` brings the refresh token.
pub const SCOPES: [&str; 7] = [
    "read:recovery",
    "read:cycles",
    "read:sleep",
    "read:workout",
    "read:profile",
    "read:body_measurement",
    "offline",
];

/// Characters in a state from [`new_state`]. WHOOP refuses fewer than 8 (`invalid_state`), and
/// several clients report that it wants exactly 8, so exactly 8 it is: 48 random bits, plenty
/// for a single-use value that lives 10 minutes.
pub const STATE_LEN: usize = 8;

/// A fresh random OAuth state: [`STATE_LEN`] URL-safe characters.
pub fn new_state() -> String {
    let bytes: [u8; 6] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The `oauth2` client with the authorization and token endpoints set.
pub(crate) type OAuthClient =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// Builds the `oauth2` client for WHOOP at `root` (`https://api.prod.whoop.com`).
pub(crate) fn oauth_client(
    root: &str,
    client_id: &str,
    client_secret: &Secret,
    redirect_uri: &str,
) -> Result<OAuthClient, String> {
    let auth = AuthUrl::new(format!("{root}/oauth/oauth2/auth"))
        .map_err(|e| format!("authorization URL: {e}"))?;
    let token = TokenUrl::new(format!("{root}/oauth/oauth2/token"))
        .map_err(|e| format!("token URL: {e}"))?;
    let redirect =
        RedirectUrl::new(redirect_uri.to_owned()).map_err(|e| format!("redirect URI: {e}"))?;
    Ok(BasicClient::new(ClientId::new(client_id.to_owned()))
        .set_client_secret(ClientSecret::new(client_secret.expose().to_owned()))
        .set_auth_uri(auth)
        .set_token_uri(token)
        .set_redirect_uri(redirect)
        .set_auth_type(AuthType::RequestBody))
}

/// Transport failures of a token request.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OAuthTransportError {
    #[error("{0}")]
    Reqwest(#[from] reqwest::Error),
    #[error("{0}")]
    Http(#[from] oauth2::http::Error),
}

/// Our reqwest client as `oauth2`'s HTTP client (a named type, so the future is `Send`).
#[derive(Debug, Clone)]
pub(crate) struct OAuthHttp(pub reqwest::Client);

impl<'c> oauth2::AsyncHttpClient<'c> for OAuthHttp {
    type Error = OAuthTransportError;
    type Future = Pin<
        Box<dyn Future<Output = Result<oauth2::HttpResponse, OAuthTransportError>> + Send + 'c>,
    >;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(send(&self.0, request))
    }
}

/// One token request over our reqwest client.
async fn send(
    http: &reqwest::Client,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, OAuthTransportError> {
    let request = reqwest::Request::try_from(request)?;
    let response = http.execute(request).await?;
    let mut answer = oauth2::http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        answer = answer.header(name, value);
    }
    let body = response.bytes().await?;
    Ok(answer.body(body.to_vec())?)
}

/// How a failed token request reaches the domain. Bodies are never quoted: they may hold tokens.
pub(crate) fn token_error(
    error: RequestTokenError<OAuthTransportError, BasicErrorResponse>,
) -> WearableError {
    match error {
        RequestTokenError::ServerResponse(response) => match response.error() {
            BasicErrorResponseType::InvalidGrant => WearableError::InvalidGrant,
            BasicErrorResponseType::InvalidClient => WearableError::Unavailable(
                "WHOOP refused our client credentials (invalid_client): check the client id and secret"
                    .to_owned(),
            ),
            other => WearableError::Unavailable(format!(
                "WHOOP refused the token request ({})",
                other.as_ref()
            )),
        },
        RequestTokenError::Request(error) => {
            WearableError::Unavailable(format!("WHOOP's token endpoint is unreachable: {error}"))
        }
        RequestTokenError::Parse(error, _body) => WearableError::Unavailable(format!(
            "WHOOP's token endpoint answered something unexpected ({})",
            error.path()
        )),
        RequestTokenError::Other(message) => WearableError::Unavailable(format!(
            "WHOOP's token endpoint failed: {message}"
        )),
    }
}

/// The domain's tokens from a token answer. Without a new refresh token (WHOOP always sends
/// one with `offline`) the previous one stays. Without a lifetime, or with one past the end of
/// the calendar, the access token is taken to last an hour.
pub(crate) fn tokens_from(
    answer: &BasicTokenResponse,
    previous_refresh: Option<&Secret>,
    now: DateTime<Utc>,
) -> Tokens {
    let expires_at = answer
        .expires_in()
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .and_then(|lifetime| now.checked_add_signed(lifetime))
        .unwrap_or_else(|| now + chrono::Duration::hours(1));
    Tokens::OAuth2 {
        access_token: Secret::new(answer.access_token().secret().clone()),
        refresh_token: answer
            .refresh_token()
            .map(|t| Secret::new(t.secret().clone()))
            .or_else(|| previous_refresh.cloned()),
        expires_at,
        scope: answer
            .scopes()
            .map(|scopes| {
                scopes
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_are_8_url_safe_characters_and_differ() {
        let a = new_state();
        assert_eq!(a.len(), STATE_LEN);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(a, new_state());
    }
}
