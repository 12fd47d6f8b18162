//! The FatSecret client: one HTTP client, the consumer's signer, the API and auth roots, the
//! three-legged connect flow, and signed calls to `server.api`.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::CONTENT_TYPE;
use serde_json::Value;
use wellness_domain::model::{Secret, Tokens};

use crate::error::{ClientError, ConnectError, Failure, scrub, transport_failure};
use crate::json;
use crate::signing::{OAuthRequest, Signer, decode_form, percent_encode};

/// Timeouts of a [`FatSecretClient`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientOptions {
    /// Time allowed for one call, connection included.
    pub request_timeout: Duration,
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(5),
        }
    }
}

/// Where FatSecret is and who we are to it.
#[derive(Debug, Clone)]
pub struct FatSecretConfig {
    /// The REST root: `https://platform.fatsecret.com` (`/rest/server.api` is appended).
    pub api_url: String,
    /// The OAuth root: `https://authentication.fatsecret.com` (`/oauth/...` is appended).
    pub auth_url: String,
    /// The consumer key (not secret: it is sent with every request).
    pub consumer_key: String,
    /// The consumer secret.
    pub consumer_secret: Secret,
    /// Timeouts.
    pub options: ClientOptions,
}

impl FatSecretConfig {
    /// FatSecret's production roots.
    pub const API_URL: &'static str = "https://platform.fatsecret.com";
    /// FatSecret's production OAuth root.
    pub const AUTH_URL: &'static str = "https://authentication.fatsecret.com";

    /// A configuration with the default timeouts.
    pub fn new(
        api_url: impl Into<String>,
        auth_url: impl Into<String>,
        consumer_key: impl Into<String>,
        consumer_secret: Secret,
    ) -> Self {
        Self {
            api_url: api_url.into(),
            auth_url: auth_url.into(),
            consumer_key: consumer_key.into(),
            consumer_secret,
            options: ClientOptions::default(),
        }
    }

    /// Replaces the timeouts.
    pub fn with_options(mut self, options: ClientOptions) -> Self {
        self.options = options;
        self
    }
}

/// How a `server.api` call is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verb {
    /// Parameters in the query (consumer-level reads: nothing secret in the URL).
    Get,
    /// Parameters in a form body (everything signed with a user's token).
    Post,
}

/// The FatSecret Platform API for one consumer. Cheap to clone; clones share the connections.
/// Implements [`FoodCatalog`](wellness_domain::ports::FoodCatalog) and
/// [`FoodDiary`](wellness_domain::ports::FoodDiary).
#[derive(Clone)]
pub struct FatSecretClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// `{api_url}/rest/server.api`: sent to and signed.
    server_api: String,
    /// The OAuth root, without a trailing slash.
    auth_root: String,
    signer: Signer,
    options: ClientOptions,
}

impl std::fmt::Debug for FatSecretClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FatSecretClient")
            .field("server_api", &self.inner.server_api)
            .field("auth_root", &self.inner.auth_root)
            .field("signer", &self.inner.signer)
            .field("options", &self.inner.options)
            .finish()
    }
}

fn root(which: &'static str, url: &str) -> Result<String, ClientError> {
    let url = url.trim().trim_end_matches('/');
    let valid = (url.starts_with("http://") || url.starts_with("https://")) && !url.contains('?');
    if valid {
        Ok(url.to_owned())
    } else {
        Err(ClientError::InvalidUrl {
            which,
            url: url.to_owned(),
        })
    }
}

/// A user's OAuth 1.0a token and secret.
pub(crate) struct UserToken<'a> {
    pub token: &'a Secret,
    pub secret: &'a Secret,
}

impl FatSecretClient {
    /// A client for `config`.
    pub fn new(config: FatSecretConfig) -> Result<Self, ClientError> {
        let api_root = root("API", &config.api_url)?;
        let auth_root = root("auth", &config.auth_url)?;
        if config.consumer_key.trim().is_empty() || config.consumer_secret.expose().is_empty() {
            return Err(ClientError::MissingConsumer);
        }
        let http = reqwest::Client::builder()
            .timeout(config.options.request_timeout)
            .connect_timeout(config.options.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(ClientError::Http)?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                server_api: format!("{api_root}/rest/server.api"),
                auth_root,
                signer: Signer::new(config.consumer_key, config.consumer_secret),
                options: config.options,
            }),
        })
    }

    // --- the three-legged flow ---

    /// Step 1: a request token and its secret for a user about to connect. `callback_url` is
    /// where FatSecret sends the browser back (`oob` shows the user a code instead).
    pub async fn request_token(
        &self,
        callback_url: &str,
    ) -> Result<(String, Secret), ConnectError> {
        let answer = self
            .oauth_step("request_token", None, Some(callback_url), None)
            .await?;
        let confirmed = answer
            .iter()
            .find(|(k, _)| k == "oauth_callback_confirmed")
            .map(|(_, v)| v.as_str());
        if confirmed.is_some_and(|v| v != "true") {
            return Err(ConnectError::Malformed(
                "oauth_callback_confirmed is not true".to_owned(),
            ));
        }
        let (token, secret) = token_pair(&answer)?;
        Ok((token, Secret::new(secret)))
    }

    /// Step 2: the page the user opens to allow access.
    pub fn authorize_url(&self, request_token: &str) -> String {
        format!(
            "{}/oauth/authorize?oauth_token={}",
            self.inner.auth_root,
            percent_encode(request_token)
        )
    }

    /// Step 3: trades the approved request token and the verifier FatSecret sent to the callback
    /// for the user's access token (long-lived; FatSecret's tokens do not expire).
    pub async fn access_token(
        &self,
        request_token: &str,
        request_secret: &Secret,
        verifier: &str,
    ) -> Result<Tokens, ConnectError> {
        let answer = self
            .oauth_step(
                "access_token",
                Some((request_token, request_secret.expose())),
                None,
                Some(verifier),
            )
            .await?;
        let (token, secret) = token_pair(&answer)?;
        Ok(Tokens::OAuth1 {
            token: Secret::new(token),
            token_secret: Secret::new(secret),
        })
    }

    async fn oauth_step(
        &self,
        step: &str,
        token: Option<(&str, &str)>,
        callback: Option<&str>,
        verifier: Option<&str>,
    ) -> Result<Vec<(String, String)>, ConnectError> {
        let url = format!("{}/oauth/{step}", self.inner.auth_root);
        let body = self.inner.signer.sign(&OAuthRequest {
            http_method: "POST",
            url: &url,
            params: &[],
            token,
            callback,
            verifier,
        });
        let secrets: Vec<&str> = token.into_iter().flat_map(|(t, s)| [t, s]).collect();
        let response = self
            .inner
            .http
            .post(&url)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(|e| transport_failure(e).into_connect())?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| transport_failure(e).into_connect())?;
        if !status.is_success() {
            return Err(Failure::Status {
                status: status.as_u16(),
                body: scrub(text.trim(), &secrets),
            }
            .into_connect());
        }
        Ok(decode_form(text.trim()))
    }

    // --- server.api ---

    /// Calls a `server.api` method, signed with the user's token when given (two-legged
    /// otherwise). A refusal for a stale timestamp or a used nonce (6, 7) is re-signed with a
    /// fresh nonce and timestamp and sent once more: FatSecret did nothing the first time.
    pub(crate) async fn call(
        &self,
        verb: Verb,
        method: &str,
        args: &[(&str, String)],
        user: Option<UserToken<'_>>,
    ) -> Result<Value, Failure> {
        let first = self.call_once(verb, method, args, user.as_ref()).await;
        match first {
            Err(failure) if failure.is_timestamp_or_nonce() => {
                tracing::debug!(%method, %failure, "fatsecret refused the timestamp or nonce; re-signing once");
                self.call_once(verb, method, args, user.as_ref()).await
            }
            other => other,
        }
    }

    async fn call_once(
        &self,
        verb: Verb,
        method: &str,
        args: &[(&str, String)],
        user: Option<&UserToken<'_>>,
    ) -> Result<Value, Failure> {
        let mut params: Vec<(&str, String)> = Vec::with_capacity(args.len() + 2);
        params.push(("format", "json".to_owned()));
        params.push(("method", method.to_owned()));
        params.extend(args.iter().cloned());
        let url = self.inner.server_api.as_str();
        let http_method = match verb {
            Verb::Get => "GET",
            Verb::Post => "POST",
        };
        let signed = self.inner.signer.sign(&OAuthRequest {
            http_method,
            url,
            params: &params,
            token: user.map(|u| (u.token.expose(), u.secret.expose())),
            callback: None,
            verifier: None,
        });
        let builder = match verb {
            Verb::Get => self.inner.http.get(format!("{url}?{signed}")),
            Verb::Post => self
                .inner
                .http
                .post(url)
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(signed),
        };
        tracing::debug!(%method, "fatsecret call");
        let response = builder.send().await.map_err(transport_failure)?;
        let status = response.status();
        let text = response.text().await.map_err(transport_failure)?;
        let secrets: Vec<&str> = user
            .map(|u| vec![u.token.expose(), u.secret.expose()])
            .unwrap_or_default();
        if !status.is_success() {
            return Err(Failure::Status {
                status: status.as_u16(),
                body: scrub(text.trim(), &secrets),
            });
        }
        let answer: Value = serde_json::from_str(&text).map_err(|e| {
            Failure::Malformed(format!(
                "{e}: {}",
                scrub(text.trim(), &secrets)
                    .chars()
                    .take(120)
                    .collect::<String>()
            ))
        })?;
        if let Some((code, message)) = json::api_error(&answer) {
            return Err(Failure::Api {
                code,
                message: scrub(&message, &secrets),
            });
        }
        Ok(answer)
    }
}

fn token_pair(answer: &[(String, String)]) -> Result<(String, String), ConnectError> {
    let get = |name: &str| {
        answer
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    match (get("oauth_token"), get("oauth_token_secret")) {
        (Some(token), Some(secret)) => Ok((token, secret)),
        _ => Err(ConnectError::Malformed(
            "the answer has no oauth_token and oauth_token_secret".to_owned(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(api: &str) -> FatSecretConfig {
        FatSecretConfig::new(api, "https://auth.example", "key", Secret::new("secret"))
    }

    #[test]
    fn roots_must_be_http_urls_without_a_query() {
        assert!(FatSecretClient::new(config("https://platform.fatsecret.com/")).is_ok());
        assert!(FatSecretClient::new(config("platform.fatsecret.com")).is_err());
        assert!(FatSecretClient::new(config("https://x.example/?a=1")).is_err());
        let no_secret = FatSecretConfig::new("https://a", "https://b", "key", Secret::new(""));
        assert!(matches!(
            FatSecretClient::new(no_secret),
            Err(ClientError::MissingConsumer)
        ));
    }

    #[test]
    fn the_authorize_url_carries_the_request_token() -> Result<(), ClientError> {
        let client = FatSecretClient::new(config("https://platform.fatsecret.com"))?;
        assert_eq!(
            client.authorize_url("ab/c"),
            "https://auth.example/oauth/authorize?oauth_token=ab%2Fc"
        );
        Ok(())
    }

    #[test]
    fn debug_output_shows_no_secret() -> Result<(), ClientError> {
        let client = FatSecretClient::new(config("https://platform.fatsecret.com"))?;
        assert!(!format!("{client:?}").contains("secret\""));
        assert!(!format!("{client:?}").contains("\"secret"));
        Ok(())
    }
}
