//! What the settings say about this deployment: whether the sandbox may run, whether the
//! public address is https, and the start-up summary of what is configured.

use std::net::IpAddr;

use reqwest::Url;

use super::{SandboxMode, Settings};

/// `localhost` or a loopback address.
fn is_loopback_name(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl Settings {
    /// Whether `wellness serve` runs the sandbox (see [`SandboxMode`]).
    pub fn sandbox_wanted(&self) -> bool {
        if self.telegram.bot_token.is_some() {
            return false;
        }
        match self.sandbox {
            SandboxMode::On => true,
            SandboxMode::Off => false,
            // A public base URL means a deployment: a TLS proxy in front of a loopback-bound app
            // that lost its token must not start a sandbox.
            SandboxMode::Auto => {
                is_loopback_name(&self.server.host) && self.public_base_url_is_local()
            }
        }
    }

    /// Whether PUBLIC_BASE_URL is https (cookies are then marked `Secure`).
    pub fn public_base_url_is_https(&self) -> bool {
        self.server
            .public_base_url
            .as_ref()
            .is_some_and(|url| url.scheme() == "https")
    }

    /// The Mini App's address, `{PUBLIC_BASE_URL}/app`, when Telegram can open it: only over
    /// https.
    pub fn mini_app_url(&self) -> Option<String> {
        self.server
            .public_base_url
            .as_ref()
            .filter(|_| self.public_base_url_is_https())
            .map(|url| format!("{}/app", url.as_str().trim_end_matches('/')))
    }

    /// No PUBLIC_BASE_URL, or one that names this machine.
    fn public_base_url_is_local(&self) -> bool {
        self.server.public_base_url.as_ref().is_none_or(|url| {
            url.host_str()
                .is_some_and(|h| is_loopback_name(h.trim_matches(['[', ']'])))
        })
    }

    /// Logs what is configured, never a secret: the operator sees at a glance what will run.
    pub fn log_summary(&self) {
        let host = |u: &Url| {
            format!(
                "{}{}",
                u.host_str().unwrap_or("?"),
                u.port().map(|p| format!(":{p}")).unwrap_or_default()
            )
        };
        tracing::info!(
            public_base_url = self
                .server
                .public_base_url
                .as_ref()
                .map_or("(unset)", Url::as_str),
            encryption_key = if self.encryption_key.is_some() {
                "set"
            } else {
                "unset"
            },
            previous_encryption_keys = self.encryption_keys_previous.len(),
            "configuration"
        );
        tracing::info!(
            configured = self.telegram.bot_token.is_some(),
            webhook_secret = self.telegram.webhook_secret.is_some(),
            mode = ?self.telegram.mode,
            api = %host(&self.telegram.api_url),
            "telegram"
        );
        match self.mini_app_url() {
            Some(url) => {
                tracing::info!(%url, "mini app: the menu button and the dashboard buttons open it")
            }
            None if self.telegram.bot_token.is_some() => tracing::warn!(
                "mini app: Telegram opens Mini Apps only over https and PUBLIC_BASE_URL is not \
                 https, so the bot offers no dashboard button"
            ),
            None => {}
        }
        tracing::info!(configured = self.openai.api_key.is_some(), api = %host(&self.openai.base_url), "openai");
        tracing::info!(
            configured = self.whoop.client_id.is_some() && self.whoop.client_secret.is_some(),
            api = %host(&self.whoop.api_url),
            "whoop"
        );
        tracing::info!(
            configured = self.fatsecret.consumer_key.is_some() && self.fatsecret.consumer_secret.is_some(),
            api = %host(&self.fatsecret.api_url),
            auth = %host(&self.fatsecret.auth_url),
            "fatsecret"
        );
    }
}
